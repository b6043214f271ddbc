import type { Operation } from 'fast-json-patch';
import { useEffect, useRef, useState } from 'preact/hooks';
import { shortId } from '../../api/client';
import { forgetAuthorities } from '../../api/entities';
import { useResource } from '../../api/resource';
import { Page } from '../../components/Page';
import { Loaded } from '../../components/Status';
import { ChangeView, fieldName } from '../../components/contribute/ChangeView';
import { draftNotice, replaceDraft } from '../../contribute/draft';
import { addComment, fragmentAt, getPatch, getProposal, review, statusOf, versionOf, type PatchRequest } from '../../contribute/proposals-api';
import { identity, isEditor, session } from '../../contribute/session';
import { addressedAuthorities, applyToFragment, conflicts, diffFragments, PatchDoesNotApply, type Conflict, type DatasetFragment, type EntityChange } from '../../editing/review';
import { editsFromFragments } from '../../editing/revise';
import { hrefFor, navigate } from '../../router';
import { proposalNumber, when, who } from './Proposals';

interface Review {
  proposal: PatchRequest;
  canMerge: boolean;
  patch: Operation[];
  /** The authorities the patch addresses, as they were when it was made (or merged). */
  base: DatasetFragment | null;
  changes: EntityChange[] | null;
  /** Why the diff cannot be shown. */
  unreadable: string | null;
  /** Open proposals: did the dataset change since, where does it conflict, does it still apply? */
  movedOn: boolean;
  conflicts: Conflict[];
  stillApplies: string | null;
}

async function load(url: string): Promise<Review> {
  const { proposal, canMerge } = await getProposal(url);
  const patch = await getPatch(proposal);
  const { ids, all } = addressedAuthorities(patch);
  const result: Review = { proposal, canMerge, patch, base: null, changes: null, unreadable: null, movedOn: false, conflicts: [], stillApplies: null };
  if (all) {
    result.unreadable = 'This patch replaces the whole list of authorities, so it is shown only as JSON.';
    return result;
  }
  const version = proposal.merged ? versionOf(proposal.applied_to) : versionOf(proposal.created_from);
  const base = await fragmentAt(ids, version);
  result.base = base;
  try {
    result.changes = diffFragments(base, applyToFragment(base, patch));
  } catch (error) {
    result.unreadable = error instanceof PatchDoesNotApply ? `The patch does not apply to the version it was made from: ${error.message}` : String(error);
  }
  if (proposal.open && result.changes) {
    const current = await fragmentAt(ids, null);
    result.movedOn = JSON.stringify(current) !== JSON.stringify(base);
    if (result.movedOn) result.conflicts = conflicts(base, current, patch);
    try {
      applyToFragment(current, patch);
    } catch (error) {
      result.stillApplies = error instanceof Error ? error.message : String(error);
    }
  }
  return result;
}

function Mergeability({ r }: { r: Review }) {
  const { proposal } = r;
  if (!proposal.open) return null;
  if (proposal.mergeable) {
    return (
      <p class="notice">
        <strong>Mergeable.</strong> The patch applies to the dataset as it is now.
        {r.movedOn && !r.conflicts.length ? ' The dataset has changed since it was proposed, but not in the fields it changes.' : ''}
        {r.conflicts.length ? ' But merging it would overwrite changes made since: see the conflicts below.' : ''}
      </p>
    );
  }
  return (
    <p class="status error">
      <strong>Not mergeable.</strong> The patch no longer applies to the dataset as it is now
      {r.stillApplies ? `: ${r.stillApplies}` : ''}. {r.conflicts.length ? 'The conflicts are listed below.' : ''} It can be revised.
    </p>
  );
}

/** A request a button starts: busy while it runs, its failure kept as a message to show. */
function useRequest() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (request: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await request();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

function Comments({ r, onPosted }: { r: Review; onPosted: () => void }) {
  const [message, setMessage] = useState('');
  const { busy, error, setError, run } = useRequest();
  const post = async (event: Event) => {
    event.preventDefault();
    if (!message.trim()) {
      setError('Write a comment first.');
      return;
    }
    await run(async () => {
      await addComment(r.proposal.url, message.trim());
      setMessage('');
      onPosted();
    });
  };
  return (
    <section aria-labelledby="comments">
      <h2 id="comments">Comments</h2>
      {r.proposal.comments.length ? (
        <ol class="comments plain">
          {r.proposal.comments.map((c, i) => (
            <li key={i} class="comment-item">
              <p class="meta">
                {who(c.author)} · {when(c.posted_at)}
              </p>
              <p>{c.message}</p>
            </li>
          ))}
        </ol>
      ) : (
        <p>No comments yet.</p>
      )}
      {session.value ? (
        <form onSubmit={(e) => void post(e)} noValidate>
          <label class="field">
            Add a comment
            <textarea id="f-new-comment" rows={3} value={message} onInput={(e) => setMessage(e.currentTarget.value)} aria-describedby={error ? 'comment-error' : undefined} />
          </label>
          {error ? (
            <p class="field-error" id="comment-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" disabled={busy}>
            {busy ? 'Posting…' : 'Post comment'}
          </button>
        </form>
      ) : (
        <p class="meta">Sign in to comment.</p>
      )}
    </section>
  );
}

function Decision({ r, onDone }: { r: Review; onDone: (message: string) => void }) {
  const [confirming, setConfirming] = useState<'merge' | 'reject' | null>(null);
  const { busy, error, run } = useRequest();
  if (!r.proposal.open || !r.canMerge) return null;
  const act = (action: 'merge' | 'reject') =>
    run(async () => {
      await review(r.proposal.url, action);
      forgetAuthorities();
      setConfirming(null);
      onDone(action === 'merge' ? 'Merged: the changes are now part of the dataset.' : 'Rejected.');
    });
  return (
    <section aria-labelledby="decision">
      <h2 id="decision">Decide</h2>
      {confirming ? (
        <div class="confirm" role="group" aria-labelledby="confirm-text">
          <p id="confirm-text">
            {confirming === 'merge' ? 'Merge this proposal into the dataset? This makes a new version of the dataset.' : 'Reject this proposal? Its author will see it as rejected.'}
          </p>
          <button type="button" class={confirming === 'merge' ? 'primary' : 'danger'} disabled={busy} onClick={() => void act(confirming)}>
            {confirming === 'merge' ? 'Yes, merge' : 'Yes, reject'}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <p class="actions">
          <button type="button" class="primary" onClick={() => setConfirming('merge')} disabled={!r.proposal.mergeable}>
            Merge…
          </button>
          <button type="button" class="danger" onClick={() => setConfirming('reject')}>
            Reject…
          </button>
          {!r.proposal.mergeable ? <span class="hint"> A proposal that no longer applies cannot be merged; ask for a revision or reject it.</span> : null}
        </p>
      )}
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

function MergedLinks({ r }: { r: Review }) {
  if (!r.proposal.merged || !r.changes) return null;
  const links = r.changes.filter((c) => c.status !== 'removed');
  if (!links.length) return null;
  return (
    <p>
      See them in the dataset:{' '}
      {links.map((c, i) => (
        <span key={c.id}>
          {i ? ', ' : ''}
          <a href={c.kind === 'period' ? hrefFor({ page: 'period-view', authorityID: shortId(c.authorityId), periodID: shortId(c.id) }) : hrefFor({ page: 'authority-view', authorityID: shortId(c.id) })}>
            {c.label}
          </a>
        </span>
      ))}
      {' · '}
      <a href={hrefFor({ page: 'backend-history' })}>History</a>
    </p>
  );
}

/** `review-patch&patchURL=…`: one proposal — its changes field by field, conflicts, the patch, comments, and (for editors) merge or reject. */
export function ReviewPatch({ patchURL }: { patchURL: string }) {
  const [reload, setReload] = useState(0);
  const [done, setDone] = useState<string | null>(null);
  const notice = useRef(draftNotice.value);
  useEffect(() => {
    draftNotice.value = null;
  }, []);
  const state = useResource(() => load(patchURL), [patchURL, reload, session.value?.token]);
  if (!patchURL) {
    return (
      <Page title="Review a change">
        <p>
          No proposal was named. See the <a href={hrefFor({ page: 'backend-patches' })}>list of proposals</a>.
        </p>
      </Page>
    );
  }
  return (
    <Loaded state={state} what="the proposal">
      {(r) => {
        const status = statusOf(r.proposal);
        const mayRevise = r.proposal.open && !!identity.value && (identity.value.id === r.proposal.created_by || isEditor.value) && !!r.base;
        const revise = async () => {
          const base = r.base!;
          await replaceDraft(editsFromFragments(base, applyToFragment(base, r.patch)), r.proposal.url);
          navigate(hrefFor({ page: 'backend-changes' }));
        };
        return (
          <Page title={`Proposal No. ${proposalNumber(r.proposal.url)}`}>
            {notice.current ? (
              <p class="notice" role="status">
                {notice.current}
              </p>
            ) : null}
            {done ? (
              <p class="notice" role="status">
                {done}
              </p>
            ) : null}
            <dl class="fields">
              <dt>Status</dt>
              <dd>
                <span class={`badge ${status}`}>{status === 'open' ? 'Open' : status === 'merged' ? 'Merged' : 'Rejected'}</span>
              </dd>
              <dt>Submitted by</dt>
              <dd>{who(r.proposal.created_by)}</dd>
              <dt>Submitted</dt>
              <dd>{when(r.proposal.created_at)}</dd>
              <dt>Last updated</dt>
              <dd>
                {when(r.proposal.updated_at)} by {who(r.proposal.updated_by)}
              </dd>
              <dt>Made from</dt>
              <dd>version {versionOf(r.proposal.created_from) ?? '?'} of the dataset</dd>
              {r.proposal.merged && r.proposal.applied_to ? (
                <>
                  <dt>Merged into</dt>
                  <dd>version {versionOf(r.proposal.applied_to)}</dd>
                </>
              ) : null}
            </dl>
            <MergedLinks r={r} />
            <Mergeability r={r} />
            <section aria-labelledby="changes">
              <h2 id="changes">What it changes</h2>
              {r.unreadable ? <p class="status error">{r.unreadable}</p> : null}
              {r.changes ? <ChangeView changes={r.changes} conflicts={r.conflicts} /> : null}
              <details>
                <summary>Show the JSON Patch ({r.patch.length} operations)</summary>
                <pre class="patch" tabIndex={0} aria-label="JSON Patch">{JSON.stringify(r.patch, null, 2)}</pre>
              </details>
            </section>
            {r.proposal.open && r.movedOn ? (
              <section aria-labelledby="since">
                <h2 id="since">Against the current dataset</h2>
                {r.conflicts.length ? (
                  <>
                    <p>The dataset has changed since this proposal was made. These fields were changed both here and in the dataset, to different values:</p>
                    <ul>
                      {r.conflicts.map((c) => (
                        <li key={c.id}>
                          {c.kind === 'period' ? 'Period' : 'Authority'} “{r.changes?.find((e) => e.kind === c.kind && e.id === c.id)?.label ?? shortId(c.id)}”:{' '}
                          {c.entity ? `${c.entity}` : c.fields.map((f) => fieldName(f.field)).join(', ')}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : (
                  <p>The dataset has changed since this proposal was made, but none of the fields it changes: no conflicts.</p>
                )}
              </section>
            ) : null}
            {mayRevise ? (
              <p>
                <button type="button" onClick={() => void revise()}>
                  Revise this proposal
                </button>
              </p>
            ) : null}
            <Decision
              r={r}
              onDone={(message) => {
                setDone(message);
                setReload((n) => n + 1);
              }}
            />
            <Comments r={r} onPosted={() => setReload((n) => n + 1)} />
          </Page>
        );
      }}
    </Loaded>
  );
}
