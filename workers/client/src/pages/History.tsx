import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api/client';
import { useResource } from '../api/resource';
import type { PatchSummary } from '../api/types';
import { Page } from '../components/Page';
import { Loaded } from '../components/Status';
import { hrefFor, params, update } from '../router';

const PAGE_SIZE = 25;

/** Authorities and periods a JSON Patch touches (`/authorities/<a>[/periods/<p>]…`). */
export function entitiesTouched(patch: { path?: string; value?: unknown }[]): number {
  const seen = new Set<string>();
  for (const op of patch) {
    const m = /^\/authorities\/([^/]+)(?:\/periods\/([^/]+))?/.exec(op.path ?? '');
    if (!m) continue;
    if (m[2]) seen.add(`p:${m[2]}`);
    else if (op.path === `/authorities/${m[1]}` && op.value && typeof op.value === 'object') {
      seen.add(`a:${m[1]}`);
      for (const p of Object.keys(((op.value as { periods?: object }).periods ?? {}) as object)) seen.add(`p:${p}`);
    } else seen.add(`a:${m[1]}`);
  }
  return seen.size;
}

function who(url: string): string {
  const m = /orcid\.org\/(.+)$/.exec(url);
  return m ? `ORCID ${m[1]}` : url;
}

function EntityCount({ patch }: { patch: PatchSummary }) {
  const [n, setN] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    fetch(patch.text)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((ops: { path?: string }[]) => live && setN(entitiesTouched(ops)))
      .catch(() => live && setN(-1));
    return () => {
      live = false;
    };
  }, [patch.text]);
  return <>{n === null ? '…' : n < 0 ? 'unknown' : n}</>;
}

let mergedFormat: Intl.DateTimeFormat | null = null;
/** One formatter for every row: toLocaleString with options builds a new one each call (≈ 1 ms). */
function mergedAt(iso: string): string {
  mergedFormat ??= new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
  return mergedFormat.format(new Date(iso));
}

/** Merged changes; `counted` adds how many entities each touched (one patch download per row). */
export function ChangeList({ changes, counted = false }: { changes: PatchSummary[]; counted?: boolean }) {
  if (!changes.length) return <p>No changes have been merged yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Merged changes, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Change</th>
            <th scope="col">Merged</th>
            <th scope="col">Submitted by</th>
            {counted ? <th scope="col">Entities</th> : null}
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => {
            const n = /\/patches\/(\d+)\//.exec(c.url)?.[1] ?? c.url;
            return (
              <tr key={c.url}>
                <th scope="row">
                  <a href={hrefFor({ page: 'review-patch', patchURL: c.url })}>Change {n}</a>
                  {c.first_comment ? <span class="comment">: {c.first_comment}</span> : null}
                </th>
                <td>
                  <time dateTime={c.updated_at}>{mergedAt(c.updated_at)}</time>
                </td>
                <td>{who(c.created_by)}</td>
                {counted ? (
                  <td>
                    <EntityCount patch={c} />
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function latestChanges(limit: number, from = 0) {
  return getJson<PatchSummary[]>(`patches.json?merged=true&sort=updated_at&order=desc&limit=${limit}&from=${from}`);
}

export function History() {
  const from = Math.max(0, Number(params.value.get('from')) || 0);
  const state = useResource(async () => {
    const { body, response } = await latestChanges(PAGE_SIZE, from);
    return { changes: body, next: /rel="next"/.test(response.headers.get('Link') ?? ''), total: Number(response.headers.get('X-Total-Count')) || null };
  }, [from]);
  return (
    <Page title="History">
      <p>Every change merged into the dataset, newest first.</p>
      <Loaded state={state} what="the history">
        {({ changes, next, total }) => (
          <>
            {total !== null ? <p>{total} merged changes.</p> : null}
            <ChangeList changes={changes} counted />
            <nav class="pager" aria-label="History pages">
              {from > 0 ? (
                <button type="button" onClick={() => update({ from: Math.max(0, from - PAGE_SIZE) || undefined })}>
                  Newer
                </button>
              ) : null}
              {next ? (
                <button type="button" onClick={() => update({ from: from + PAGE_SIZE })}>
                  Older
                </button>
              ) : null}
            </nav>
          </>
        )}
      </Loaded>
    </Page>
  );
}
