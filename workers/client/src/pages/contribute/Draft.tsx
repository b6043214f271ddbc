import { useEffect, useRef, useState } from 'preact/hooks';
import { shortId } from '../../api/client';
import { Page } from '../../components/Page';
import { ChangeView } from '../../components/contribute/ChangeView';
import { clearDraft, draft, draftNotice, revising } from '../../contribute/draft';
import { dropEdit } from '../../contribute/draft-edits';
import { addComment, revisePatch, submitProposal } from '../../contribute/proposals-api';
import { session, signIn } from '../../contribute/session';
import { buildPatch, type Edit } from '../../editing/change-set';
import { editChange } from '../../editing/review';
import { hrefFor, navigate } from '../../router';

function editLink(edit: Edit): string | null {
  switch (edit.type) {
    case 'add-period':
      return hrefFor({ page: 'period-edit', authorityID: edit.authorityId, periodID: String(edit.period.id) });
    case 'update-period':
      return hrefFor({ page: 'period-edit', authorityID: edit.authorityId, periodID: edit.id });
    case 'add-authority':
      return hrefFor({ page: 'authority-edit', authorityID: String(edit.authority.id) });
    case 'update-authority':
      return hrefFor({ page: 'authority-edit', authorityID: edit.id });
    default:
      return null;
  }
}

/** `backend-changes`: the draft change set as a readable diff, each edit removable, and submitting it. */
export function Draft() {
  const edits = draft.value.edits;
  const revisingUrl = revising.value;
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notice = useRef(draftNotice.value);
  useEffect(() => {
    draftNotice.value = null;
  }, []);
  const patch = buildPatch(draft.value);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    if (!revisingUrl && !comment.trim()) {
      setError('Write a comment for the editors: what you changed and why, and your source.');
      document.getElementById('f-comment')?.focus();
      return;
    }
    setBusy(true);
    try {
      let url: string;
      if (revisingUrl) {
        await revisePatch(revisingUrl, patch);
        if (comment.trim()) await addComment(revisingUrl, comment.trim());
        url = revisingUrl;
      } else {
        url = await submitProposal(patch, comment.trim());
      }
      await clearDraft();
      draftNotice.value = revisingUrl ? 'Your proposal has been revised.' : 'Thank you: your proposal has been submitted for review.';
      navigate(hrefFor({ page: 'review-patch', patchURL: url }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={revisingUrl ? 'Revise your proposal' : 'Your draft changes'}>
      {notice.current ? (
        <p class="notice" role="status">
          {notice.current}
        </p>
      ) : null}
      {revisingUrl ? (
        <p>
          You are revising <a href={hrefFor({ page: 'review-patch', patchURL: revisingUrl })}>an open proposal</a>: saving replaces its changes with these.{' '}
          <button type="button" class="link" onClick={() => void clearDraft()}>
            Stop revising and discard
          </button>
        </p>
      ) : null}
      {edits.length === 0 ? (
        <>
          <p>Your draft is empty. Edit a period or an authority, add a period to an authority, or add a new authority; your edits collect here until you submit them.</p>
          <p>
            <a href={hrefFor({ page: 'backend-add-authority' })}>Add an authority</a> · <a href={hrefFor({ page: 'backend-authorities' })}>Browse authorities</a>
          </p>
        </>
      ) : (
        <>
          <p>
            {edits.length} {edits.length === 1 ? 'edit' : 'edits'}, kept in this browser until you submit or discard them.
          </p>
          <ol class="draft-edits">
            {edits.map((edit, i) => {
              const link = editLink(edit);
              return (
                <li key={i}>
                  <ChangeView changes={[editChange(edit)]} headingLevel={2} />
                  <p class="actions">
                    {link ? <a href={link}>Edit again</a> : null}
                    <button type="button" onClick={() => void dropEdit(i)}>
                      Remove this edit from the draft
                    </button>
                  </p>
                </li>
              );
            })}
          </ol>
          <details>
            <summary>Show the JSON Patch ({patch.length} operations)</summary>
            <pre class="patch" tabIndex={0} aria-label="JSON Patch">{JSON.stringify(patch, null, 2)}</pre>
          </details>
          <section aria-labelledby="submit">
            <h2 id="submit">{revisingUrl ? 'Save the revision' : 'Submit for review'}</h2>
            {session.value ? (
              <form onSubmit={(e) => void submit(e)} noValidate>
                <label class="field">
                  {revisingUrl ? 'Comment (optional)' : 'Comment for the editors (required)'}{' '}
                  <span class="hint" id="f-comment-hint">
                    what you changed and why, and your source
                  </span>
                  <textarea
                    id="f-comment"
                    rows={4}
                    value={comment}
                    onInput={(e) => setComment(e.currentTarget.value)}
                    aria-invalid={error && !comment.trim() ? 'true' : undefined}
                    aria-describedby={`f-comment-hint${error ? ' submit-error' : ''}`}
                    required={!revisingUrl}
                  />
                </label>
                {error ? (
                  <p class="field-error" id="submit-error" role="alert">
                    {error}
                  </p>
                ) : null}
                <p class="actions">
                  <button type="submit" class="primary" disabled={busy}>
                    {busy ? 'Sending…' : revisingUrl ? 'Save the revision' : 'Submit for review'}
                  </button>
                  <button type="button" class="danger" onClick={() => void clearDraft()}>
                    Discard the draft
                  </button>
                </p>
              </form>
            ) : (
              <p>
                <button type="button" onClick={() => void signIn()}>
                  Sign in with ORCID to submit
                </button>{' '}
                Your draft is kept while you sign in.
              </p>
            )}
          </section>
        </>
      )}
      {edits.some((e) => e.type === 'add-authority') ? (
        <p class="meta">
          New authorities in this draft:{' '}
          {edits
            .filter((e): e is Extract<Edit, { type: 'add-authority' }> => e.type === 'add-authority')
            .map((e) => (
              <a key={String(e.authority.id)} href={hrefFor({ page: 'authority-add-period', authorityID: String(e.authority.id) })}>
                add a period to {shortId(String(e.authority.id)).slice(-8)}
              </a>
            ))}
        </p>
      ) : null}
    </Page>
  );
}
