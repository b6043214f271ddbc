/**
 * Find periods: the search field, filters with facet counts, and the results as a list,
 * a timeline or a map. Everything is in the URL. Queries run in the search Worker.
 */
import { lazy, Suspense } from 'preact/compat';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { shortId } from '../api/client';
import { hrefFor, navigate, params, update } from '../router';
import { ensureIndex, indexState, query, rows, type QueryResult } from '../search/client';
import type { Facet, PeriodRow, SearchQuery } from '../search/engine';
import { queryFromParams, SORTS, toggled, viewFromParams, type ResultView } from '../search/url-query';
import { formatRange, grouped } from '../search/years';
import { MAX_BARS, Timeline } from '../timeline/Timeline';
import { languageName } from '../pages/periodData';
import { IndexStatus } from './IndexStatus';
import { VirtualList } from './VirtualList';

const WorldMap = lazy(() => import('../map/WorldMap'));

const ROW_HEIGHT = 58;
const WINDOW = 100;
const FACET_SHOWN = 12;

function periodHref(r: PeriodRow): string {
  return hrefFor({ page: 'period-view', authorityID: shortId(r.authorityId), periodID: shortId(r.id) });
}

function FacetGroup({
  name,
  param,
  sep,
  facets,
  total,
  all,
  setAll,
  selected,
  label,
}: {
  name: string;
  param: string;
  sep: string;
  /** The most frequent values and the chosen ones; every value once `all` is asked for and has come. */
  facets: Facet[];
  total: number;
  all: boolean;
  setAll: (all: boolean) => void;
  selected: string[];
  label: (f: Facet) => string;
}) {
  const chosen = facets.filter((f) => selected.includes(f.key));
  const rest = facets.filter((f) => !selected.includes(f.key));
  const shown = [...chosen, ...(all ? rest : rest.slice(0, FACET_SHOWN))];
  return (
    <fieldset class="facet">
      <legend>{name}</legend>
      {shown.length === 0 ? <p class="meta">None in these results.</p> : null}
      <ul>
        {shown.map((f) => (
          <li key={f.key}>
            <label>
              <input type="checkbox" checked={selected.includes(f.key)} onChange={() => update({ [param]: toggled(params.value.get(param), f.key, sep) })} />
              <span>
                {label(f)} <span class="count">({f.count})</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
      {total - chosen.length > FACET_SHOWN ? (
        <button type="button" class="link" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? 'Show fewer' : `Show all ${total}`}
        </button>
      ) : null}
    </fieldset>
  );
}

function YearFilter() {
  const p = params.value;
  const [from, setFrom] = useState(p.get('from') ?? '');
  const [to, setTo] = useState(p.get('to') ?? '');
  useEffect(() => {
    setFrom(p.get('from') ?? '');
    setTo(p.get('to') ?? '');
  }, [p.get('from'), p.get('to')]);
  return (
    <form
      class="facet years"
      onSubmit={(e) => {
        e.preventDefault();
        update({ from: from.trim() || undefined, to: to.trim() || undefined });
      }}
    >
      <fieldset>
        <legend>Years</legend>
        <p class="meta" id="year-help">
          Periods overlapping the range. Write 500 BCE, 44 BC, 1200 or AD 1200.
        </p>
        <label class="field">
          From
          <input name="from" value={from} inputMode="text" aria-describedby="year-help" onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label class="field">
          To
          <input name="to" value={to} inputMode="text" aria-describedby="year-help" onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit">Apply years</button>
      </fieldset>
    </form>
  );
}

export function SearchPanel() {
  const p = params.value;
  const q = queryFromParams(p);
  const view = viewFromParams(p);
  const ready = indexState.value.status === 'ready';
  const [result, setResult] = useState<QueryResult | null>(null);
  const [resultText, setResultText] = useState('');
  const [cache, setCache] = useState<Map<number, PeriodRow>>(new Map());
  const latest = useRef(0);
  const asked = useRef(new Set<number>());
  const key = JSON.stringify(q);
  // Filters start open beside the results on wide screens, folded above them on phones.
  const [wide, setWide] = useState(() => window.matchMedia('(min-width: 721px)').matches);

  /** Facet groups showing every value (the Worker then sends them all; otherwise the first few). */
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const expandedRef = useRef(expanded);
  expandedRef.current = expanded;
  const setAll = (group: string) => (all: boolean) =>
    setExpanded((old) => {
      const next = new Set(old);
      if (all) next.add(group);
      else next.delete(group);
      return next;
    });

  /** The query last sent to the Worker (its key, view and facet width), so a render does not send it again. */
  const sent = useRef('');
  const run = (next: SearchQuery, nextView: ResultView) => {
    // The map shades every place in the result; the list shows a dozen values per facet.
    const facets = nextView === 'map' || expandedRef.current.size ? null : FACET_SHOWN;
    const sentKey = `${JSON.stringify(next)}|${nextView}|${facets}`;
    if (sent.current === sentKey) return;
    sent.current = sentKey;
    const ticket = ++latest.current;
    void query(next, { rows: WINDOW, extents: nextView === 'timeline', facets }).then((r) => {
      if (ticket !== latest.current) return;
      asked.current = new Set([0]);
      setCache(new Map(r.rows.map((row, i) => [i, row])));
      setResult(r);
      setResultText(next.text ?? '');
    });
  };

  useEffect(() => ensureIndex(), []);
  // Any change of the URL (filters, Back/Forward) runs its query; typing has already sent it.
  // Sent before the index is ready too: the Worker answers it as soon as it is.
  useEffect(() => run(q, view), [key, view, expanded]);

  const need = useCallback(
    (from: number, to: number) => {
      if (!result) return;
      for (let w = Math.floor(from / WINDOW); w * WINDOW < to; w++) {
        if (asked.current.has(w)) continue;
        asked.current.add(w);
        const id = result.id;
        void rows(id, w * WINDOW, (w + 1) * WINDOW).then((got) => {
          if (id !== result.id || !got.length) return;
          setCache((old) => {
            const next = new Map(old);
            got.forEach((row, i) => next.set(w * WINDOW + i, row));
            return next;
          });
        });
      }
    },
    [result],
  );

  const setView = (v: ResultView) => update({ view: v === 'list' ? undefined : v });
  const count = result?.count ?? 0;
  const filtered = Boolean(q.authorities?.length || q.languages?.length || q.places?.length || q.from !== null || q.to !== null);

  return (
    <section class="search" aria-labelledby="find">
      <h2 id="find">Find periods</h2>
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <label class="field big">
          Search periods
          <input
            type="search"
            value={q.text}
            placeholder="Label, place, source or author"
            autoComplete="off"
            onInput={(e) => {
              update({ q: (e.currentTarget as HTMLInputElement).value || undefined }, { replace: true });
              // Sent now rather than after the next render: a frame sooner on every keystroke.
              if (ready) run(queryFromParams(params.value), view);
            }}
          />
        </label>
      </form>
      <IndexStatus />
      {/* data-results-for: the query text the shown results answer (benchmarks and tests wait on it). */}
      <p class="result-count" role="status" aria-live="polite" aria-atomic="true" data-results-for={result ? resultText : undefined}>
        {result ? `${grouped(count)} ${count === 1 ? 'period' : 'periods'} found` : ''}
      </p>
      {result ? (
        <div class="search-body">
          <details class="filters" open={wide} onToggle={(e) => setWide((e.currentTarget as HTMLDetailsElement).open)}>
            <summary>Filters{filtered ? ' (active)' : ''}</summary>
            <YearFilter />
            {(
              [
                ['Authority', 'authority', ',', 'authority', q.authorities, (f: Facet) => f.label],
                ['Language', 'lang', ',', 'language', q.languages, (f: Facet) => languageName(f.key)],
                ['Spatial coverage', 'place', '|', 'place', q.places, (f: Facet) => f.label],
              ] as const
            ).map(([name, param, sep, facet, selected, label]) => (
              <FacetGroup
                key={param}
                name={name}
                param={param}
                sep={sep}
                facets={result.facets[facet]}
                total={result.facetTotals[facet]}
                all={expanded.has(param)}
                setAll={setAll(param)}
                selected={selected ?? []}
                label={label}
              />
            ))}
            {filtered ? (
              <button type="button" onClick={() => update({ authority: undefined, lang: undefined, place: undefined, from: undefined, to: undefined })}>
                Clear filters
              </button>
            ) : null}
          </details>
          <div class="results">
            <div class="result-tools">
              <div role="group" aria-label="Show results as" class="segmented">
                {(['list', 'timeline', 'map'] as ResultView[]).map((v) => (
                  <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)}>
                    {v === 'list' ? 'List' : v === 'timeline' ? 'Timeline' : 'Map'}
                  </button>
                ))}
              </div>
              <label class="field inline">
                Sort by
                <select value={q.sort} onChange={(e) => update({ sort: (e.currentTarget as HTMLSelectElement).value === 'label' ? undefined : (e.currentTarget as HTMLSelectElement).value })}>
                  {SORTS.map((s) => (
                    <option key={s} value={s}>
                      {s === 'label' ? 'Label' : s === 'start' ? 'Start' : s === 'stop' ? 'Stop' : 'Authority'}
                    </option>
                  ))}
                </select>
              </label>
              <label class="field inline check">
                <input type="checkbox" checked={q.descending} onChange={() => update({ desc: q.descending ? undefined : '1' })} />
                Descending
              </label>
            </div>
            {view === 'list' ? (
              <VirtualList
                count={count}
                rowHeight={ROW_HEIGHT}
                label="Search results"
                row={(i) => cache.get(i)}
                need={need}
                render={(r) => (
                  <div class="row">
                    <a href={periodHref(r)}>{r.label || shortId(r.id)}</a>
                    <span class="meta">
                      {formatRange(r.startEarliest, r.startLatest)} to {formatRange(r.stopEarliest, r.stopLatest)}
                      {r.places.length ? ` · ${r.places.slice(0, 3).join(', ')}` : ''} · {r.authorityTitle || shortId(r.authorityId)}
                    </span>
                  </div>
                )}
              />
            ) : null}
            {view === 'timeline' && result.extents ? (
              <Timeline
                extents={result.extents}
                title="Timeline of the periods found"
                labelOf={(i) => cache.get(i)?.label}
                onOpen={(i) => {
                  const r = cache.get(i);
                  if (r) navigate(periodHref(r));
                }}
              >
                <p>
                  The list view gives the same periods as text; hover or select a bar for its label
                  {count > MAX_BARS ? '. With this many periods the timeline shows how many are in force at each date; narrow the search to see single periods' : ''}.
                </p>
              </Timeline>
            ) : null}
            {view === 'map' ? (
              <Suspense fallback={<p role="status">Loading the map…</p>}>
                <WorldMap places={result.facets.place} onPick={(key) => update({ place: toggled(p.get('place'), key, '|'), view: undefined })} />
              </Suspense>
            ) : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}
