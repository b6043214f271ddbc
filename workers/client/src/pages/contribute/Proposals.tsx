import { useResource } from '../../api/resource';
import { Page } from '../../components/Page';
import { Loaded } from '../../components/Status';
import { getProposal, listProposals, proposalsBy, proposalsPath, statusOf, type PatchRequest, type PatchSummary, type ProposalStatus } from '../../contribute/proposals-api';
import { identity, session, signIn } from '../../contribute/session';
import { hrefFor, params, update } from '../../router';

const FILTERS: [ProposalStatus | 'all', string][] = [
  ['open', 'Open'],
  ['merged', 'Merged'],
  ['rejected', 'Rejected'],
  ['all', 'All'],
];

const PAGE_SIZE = 25;

export function who(url: string): string {
  const m = /orcid\.org\/(.+)$/.exec(url);
  return m ? `ORCID ${m[1]}` : url;
}

export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}

export function proposalNumber(url: string): string {
  return /patches\/(\d+)/.exec(url)?.[1] ?? url;
}

function StatusBadge({ p }: { p: { open: boolean; merged: boolean } }) {
  const s = statusOf(p);
  return <span class={`badge ${s}`}>{s === 'open' ? 'Open' : s === 'merged' ? 'Merged' : 'Rejected'}</span>;
}

function ProposalTable({ items, caption }: { items: PatchSummary[]; caption: string }) {
  if (!items.length) return <p>No proposals.</p>;
  return (
    <div class="table-wrap">
      <table class="proposals">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Proposal</th>
            <th scope="col">Status</th>
            <th scope="col">Submitted by</th>
            <th scope="col">Submitted</th>
            <th scope="col">Comment</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.url}>
              <th scope="row">
                <a href={hrefFor({ page: 'review-patch', patchURL: p.url })}>No. {proposalNumber(p.url)}</a>
              </th>
              <td>
                <StatusBadge p={p} />
              </td>
              <td>{who(p.created_by)}</td>
              <td>{when(p.created_at)}</td>
              <td class="comment">{p.first_comment ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AllProposals({ status, from }: { status: ProposalStatus | 'all'; from: number }) {
  // The API's own paging links carry `from`; this page keeps it in its URL.
  const state = useResource(() => listProposals(`${proposalsPath(status, PAGE_SIZE)}${from ? `&from=${from}` : ''}`), [status, from]);
  const fromOf = (link: string | null) => (link ? Number(new URL(link).searchParams.get('from') ?? 0) : null);
  return (
    <Loaded state={state} what="the proposals">
      {(page) => {
        const next = fromOf(page.next);
        const prev = fromOf(page.prev);
        return (
          <>
            <p class="count" role="status">
              {/* X-Total-Count counts every proposal, whatever the filter (as the reference's). */}
              {`${page.items.length ? `${status === 'all' ? '' : `${status[0].toUpperCase()}${status.slice(1)} proposals`}${status === 'all' ? 'Proposals' : ''} ${from + 1}–${from + page.items.length}` : `No ${status === 'all' ? '' : `${status} `}proposals`}, newest first${page.total !== null ? ` (${page.total} proposals in all)` : ''}.`}
            </p>
            <ProposalTable items={page.items} caption={`${status} proposals`} />
            <nav class="pager" aria-label="Pages of proposals">
              {prev !== null ? <a href={hrefFor({ page: 'backend-patches', status, from: prev || undefined })}>Newer proposals</a> : null}
              {next !== null ? <a href={hrefFor({ page: 'backend-patches', status, from: next })}>Older proposals</a> : null}
            </nav>
          </>
        );
      }}
    </Loaded>
  );
}

function MyProposals({ userId }: { userId: string }) {
  const state = useResource(async () => {
    const mine = await proposalsBy(userId);
    return Promise.all(mine.slice(0, 50).map(async (p) => (await getProposal(p.url)).proposal));
  }, [userId]);
  return (
    <Loaded state={state} what="your proposals">
      {(mine: PatchRequest[]) =>
        mine.length === 0 ? (
          <p>You have not proposed any changes yet.</p>
        ) : (
          <ol class="my-proposals plain">
            {mine.map((p) => (
              <li key={p.url} class="proposal-card">
                <h2>
                  <a href={hrefFor({ page: 'review-patch', patchURL: p.url })}>Proposal No. {proposalNumber(p.url)}</a> <StatusBadge p={p} />
                </h2>
                <p class="meta">
                  Submitted {when(p.created_at)}; last updated {when(p.updated_at)}.
                  {p.open ? (p.mergeable ? ' It can be merged as it is.' : ' It no longer applies to the dataset as it is now: revise it.') : ''}
                </p>
                {p.comments.length ? (
                  <ul class="comments plain">
                    {p.comments.map((c, i) => (
                      <li key={i}>
                        <span class="meta">
                          {who(c.author)}, {when(c.posted_at)}:
                        </span>{' '}
                        {c.message}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {p.open ? (
                  <p>
                    <a href={hrefFor({ page: 'review-patch', patchURL: p.url })}>Open it to revise or comment</a>
                  </p>
                ) : null}
              </li>
            ))}
          </ol>
        )
      }
    </Loaded>
  );
}

/** `backend-patches`: everyone's proposals by status (public), or `mine=1`: the signed-in person's own. */
export function Proposals() {
  const p = params.value;
  const mine = p.get('mine') === '1';
  const status = (FILTERS.find(([s]) => s === p.get('status'))?.[0] ?? 'open') as ProposalStatus | 'all';
  const from = Math.max(0, Number(p.get('from') ?? 0) || 0);
  return (
    <Page title={mine ? 'My proposals' : 'Proposed changes'}>
      <nav aria-label="Which proposals" class="filters-bar">
        <ul class="segmented plain">
          {FILTERS.map(([s, label]) => (
            <li key={s}>
              <a href={hrefFor({ page: 'backend-patches', status: s })} aria-current={!mine && s === status ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
          <li>
            <a href={hrefFor({ page: 'backend-patches', mine: '1' })} aria-current={mine ? 'page' : undefined}>
              Mine
            </a>
          </li>
        </ul>
      </nav>
      {mine ? (
        session.value && identity.value ? (
          <MyProposals userId={identity.value.id} />
        ) : session.value ? (
          <p role="status">Checking who you are…</p>
        ) : (
          <p>
            <button type="button" onClick={() => void signIn()}>
              Sign in with ORCID
            </button>{' '}
            to see your proposals.
          </p>
        )
      ) : (
        <AllProposals status={status} from={from} />
      )}
      {!mine && from > 0 ? (
        <p>
          <button type="button" class="link" onClick={() => update({ from: undefined })}>
            Back to the newest
          </button>
        </p>
      ) : null}
    </Page>
  );
}
