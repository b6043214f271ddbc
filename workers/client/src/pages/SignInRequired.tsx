import { Page } from '../components/Page';
import { params } from '../router';

/** `backend-patches` and `review-patch` until part 2 (sign-in, review) fills them. */
export function SignInRequired({ what }: { what: 'patches' | 'review' }) {
  const patchURL = params.value.get('patchURL');
  return (
    <Page title={what === 'patches' ? 'Proposed changes' : 'Review a change'}>
      <p class="notice">
        Sign in to {what === 'patches' ? 'see and propose changes to the dataset' : 'review this proposed change'}. Sign-in is not available in this
        version of the client yet.
      </p>
      {patchURL ? (
        <p>
          The change: <a href={patchURL}>{patchURL}</a>
        </p>
      ) : null}
    </Page>
  );
}
