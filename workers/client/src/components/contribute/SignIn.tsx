import { hrefFor } from '../../router';
import { draft } from '../../contribute/draft';
import { identity, isEditor, session, sessionNotice, signIn, signingIn, signOut } from '../../contribute/session';

/** The header's sign-in place: "Sign in with ORCID", or who is signed in, their draft and proposals, "Sign out". */
export function SignIn() {
  const current = session.value;
  const edits = draft.value.edits.length;
  return (
    <div class="sign-in" data-slot="sign-in">
      {current ? (
        <ul class="account">
          <li>
            Signed in as <strong>{identity.value?.name ?? current.name}</strong>
            {isEditor.value ? ' (editor)' : ''}
          </li>
          <li>
            <a href={hrefFor({ page: 'backend-changes' })}>Draft changes ({edits})</a>
          </li>
          <li>
            <a href={hrefFor({ page: 'backend-patches', mine: '1' })}>My proposals</a>
          </li>
          <li>
            <button type="button" class="on-dark" onClick={() => void signOut()}>
              Sign out
            </button>
          </li>
        </ul>
      ) : (
        <ul class="account">
          {edits ? (
            <li>
              <a href={hrefFor({ page: 'backend-changes' })}>Draft changes ({edits})</a>
            </li>
          ) : null}
          <li>
            <button type="button" class="on-dark" onClick={() => void signIn()} disabled={signingIn.value}>
              {signingIn.value ? 'Signing in…' : 'Sign in with ORCID'}
            </button>
          </li>
        </ul>
      )}
      {sessionNotice.value ? (
        <p class="session-notice" role="alert">
          {sessionNotice.value}{' '}
          <button type="button" class="link" onClick={() => (sessionNotice.value = null)}>
            Dismiss
          </button>
        </p>
      ) : null}
    </div>
  );
}
