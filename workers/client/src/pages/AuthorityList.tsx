import { useEffect, useState } from 'preact/hooks';
import { shortId } from '../api/client';
import { Page } from '../components/Page';
import { IndexStatus } from '../components/IndexStatus';
import { VirtualList } from '../components/VirtualList';
import { hrefFor, params, update } from '../router';
import { normalize } from '../search/engine';
import { authorities, ensureIndex, indexState } from '../search/client';
import type { AuthoritySummary } from '../search/protocol';

/** Every authority (from the search index), filterable by title or creator. */
export function AuthorityList() {
  const [all, setAll] = useState<AuthoritySummary[] | null>(null);
  const filter = params.value.get('q') ?? '';
  const ready = indexState.value.status === 'ready';
  useEffect(() => ensureIndex(), []);
  useEffect(() => {
    if (ready) void authorities().then((list) => setAll(list.sort((a, b) => (a.title || a.id).localeCompare(b.title || b.id))));
  }, [ready]);
  const words = normalize(filter).split(/\s+/).filter(Boolean);
  const shown = (all ?? []).filter((a) => {
    const h = normalize(`${a.title}\n${a.creators}`);
    return words.every((w) => h.includes(w));
  });
  return (
    <Page title="Authorities">
      <p>Authorities are the sources (books, articles, databases) whose period definitions PeriodO gathers.</p>
      <p>
        <a href={hrefFor({ page: 'backend-add-authority' })}>Add an authority</a>
      </p>
      <label class="field">
        Filter authorities
        <input type="search" value={filter} onInput={(e) => update({ q: (e.currentTarget as HTMLInputElement).value }, { replace: true })} />
      </label>
      <IndexStatus />
      {all ? (
        <>
          <p role="status">
            {shown.length} of {all.length} authorities
          </p>
          <VirtualList
            count={shown.length}
            rowHeight={64}
            label="Authorities"
            row={(i) => shown[i]}
            need={() => undefined}
            render={(a) => (
              <div class="row">
                <a href={hrefFor({ page: 'authority-view', authorityID: shortId(a.id) })}>{a.title || shortId(a.id)}</a>
                <span class="meta">
                  {[a.creators, a.year, `${a.periods} periods`].filter(Boolean).join(' · ')}
                </span>
              </div>
            )}
          />
        </>
      ) : null}
    </Page>
  );
}
