import { useMemo } from 'preact/hooks';
import { terminusYears } from '../../../domain/search-index';
import { arkOf, shortId } from '../api/client';
import { loadAuthority, loadedAuthority } from '../api/entities';
import { authorityTitle, periodIn, periodLabel } from '../api/names';
import { useResource } from '../api/resource';
import type { Authority, Period, Terminus } from '../api/types';
import { AfterPaint } from '../components/AfterPaint';
import { Citation, citationText } from '../components/Citation';
import { CopyButton } from '../components/CopyButton';
import { Downloads } from '../components/Downloads';
import { EditLinks } from '../components/contribute/EditLinks';
import { Page } from '../components/Page';
import { Loaded } from '../components/Status';
import { hrefFor, navigate } from '../router';
import { formatRange } from '../search/years';
import { MAX_BARS, Timeline } from '../timeline/Timeline';
import { languageName, languageOf, neighbourhood, periodExtents, pick } from './periodData';

const idOf = (x: { id?: string; '@id'?: string }) => x.id ?? x['@id'] ?? '';

function Terminus({ terminus }: { terminus: Terminus | undefined }) {
  if (!terminus) return <>Not given</>;
  const [earliest, latest] = terminusYears(terminus);
  return (
    <>
      {terminus.label ? <span class="original">“{terminus.label}”</span> : null} {formatRange(earliest, latest)}
      {earliest !== null && latest !== null && earliest !== latest ? ' (earliest–latest)' : ''}
    </>
  );
}

function PeriodLink({ authority, id }: { authority: Authority; id: string }) {
  const short = shortId(id);
  const local = periodIn(authority, short);
  return <a href={hrefFor({ page: 'period-view', authorityID: short.slice(0, 7), periodID: short })}>{local?.label ?? short}</a>;
}

function Related({ authority, period }: { authority: Authority; period: Period }) {
  const narrower = Object.values(authority.periods).filter((p) => p.broader && shortId(p.broader) === shortId(period.id));
  const derived = period.derivedFrom === undefined ? [] : Array.isArray(period.derivedFrom) ? period.derivedFrom : [period.derivedFrom];
  if (!period.broader && !narrower.length && !derived.length) return null;
  return (
    <section aria-labelledby="related">
      <h2 id="related">Related periods</h2>
      <dl class="fields">
        {period.broader ? (
          <>
            <dt>Part of (broader)</dt>
            <dd>
              <PeriodLink authority={authority} id={period.broader} />
            </dd>
          </>
        ) : null}
        {narrower.length ? (
          <>
            <dt>Divided into (narrower)</dt>
            <dd>
              <ul class="inline">
                {narrower.map((p) => (
                  <li key={p.id}>
                    <PeriodLink authority={authority} id={p.id} />
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
        {derived.length ? (
          <>
            <dt>Derived from</dt>
            <dd>
              <ul class="inline">
                {derived.map((id) => (
                  <li key={id}>{/^https?:/.test(id) && !/p0[0-9a-z]+$/.test(id) ? <a href={id}>{id}</a> : <PeriodLink authority={authority} id={id} />}</li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** The period among the authority's periods around it in time (drawn as bars, however large the authority). */
function NeighbourTimeline({ authority, period, label, title }: { authority: Authority; period: Period; label: string; title: string }) {
  const { periods, shown, extents } = useMemo(() => {
    const periods = Object.values(authority.periods);
    const all = periodExtents(periods);
    const shown = neighbourhood(all, periods.indexOf(period), MAX_BARS);
    return { periods, shown, extents: pick(all, shown) };
  }, [authority, period]);
  return (
    <Timeline
      extents={extents}
      title={`Timeline of “${label}” and the periods of ${title} around it`}
      labelOf={(i) => periods[shown[i]]?.label}
      highlight={0}
      onOpen={(i) => navigate(hrefFor({ page: 'period-view', authorityID: shortId(authority.id), periodID: shortId(periods[shown[i]].id) }))}
    />
  );
}

function PeriodPage({ authority, period }: { authority: Authority; period: Period }) {
  const ark = arkOf(period.id);
  const label = periodLabel(period);
  const localized = Object.entries(period.localizedLabels ?? {});
  const places = period.spatialCoverage ?? [];
  const title = authorityTitle(authority);
  return (
    <Page title={label}>
      <p class="kind">
        Period in <a href={hrefFor({ page: 'authority-view', authorityID: shortId(authority.id) })}>{title}</a>
      </p>
      <EditLinks authorityId={authority.id} periodId={period.id} />
      <section aria-labelledby="permalink">
        <h2 id="permalink">Permalink</h2>
        <p>
          <a href={ark}>{ark}</a> <CopyButton text={ark} label="Copy permalink" />
        </p>
        <h3>Cite this period</h3>
        <p class="cite">
          “{label}”. In {citationText(authority.source, period.source?.locator ?? authority.source?.locator) || `${title}.`} PeriodO, {ark}.
        </p>
      </section>
      <section aria-labelledby="definition">
        <h2 id="definition">Definition</h2>
        <dl class="fields">
          <dt>Label</dt>
          <dd>
            {label} {languageOf(period) ? <span class="lang">({languageName(languageOf(period))})</span> : null}
          </dd>
          {localized.length ? (
            <>
              <dt>Labels by language</dt>
              <dd>
                <ul class="plain">
                  {localized.map(([tag, labels]) => (
                    <li key={tag}>
                      {languageName(tag)}: {labels.join('; ')}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
          <dt>Start</dt>
          <dd>
            <Terminus terminus={period.start} />
          </dd>
          <dt>Stop</dt>
          <dd>
            <Terminus terminus={period.stop} />
          </dd>
          <dt>Spatial coverage</dt>
          <dd>
            {places.length ? (
              <ul class="inline">
                {places.map((p) => (
                  <li key={idOf(p) || p.label}>{idOf(p) ? <a href={idOf(p)}>{p.label ?? idOf(p)}</a> : p.label}</li>
                ))}
              </ul>
            ) : (
              'Not given'
            )}
            {period.spatialCoverageDescription ? <p>{period.spatialCoverageDescription}</p> : null}
          </dd>
          {period.note ? (
            <>
              <dt>Note</dt>
              <dd>{period.note}</dd>
            </>
          ) : null}
          {period.editorialNote ? (
            <>
              <dt>Editorial note</dt>
              <dd>{period.editorialNote}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <section aria-labelledby="source">
        <h2 id="source">Source</h2>
        <Citation source={authority.source} />
        {period.source?.locator ? <p>Locator for this period: {period.source.locator}</p> : null}
      </section>
      <Related authority={authority} period={period} />
      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        <AfterPaint>{() => <NeighbourTimeline authority={authority} period={period} label={label} title={title} />}</AfterPaint>
      </section>
      <Downloads id={period.id} name={label} />
    </Page>
  );
}

/** The authority a period page reads: the one named, else the one the period's id begins with. */
export function authorityOfPeriod(authorityID: string, periodID: string): string {
  return shortId(authorityID) || shortId(periodID).slice(0, 7);
}

/** One request: the period's authority, which holds the period, its source and its siblings. */
export function PeriodView({ authorityID, periodID }: { authorityID: string; periodID: string }) {
  const id = shortId(periodID);
  const authority = authorityOfPeriod(authorityID, periodID);
  const state = useResource(() => loadAuthority(authority), [authority], () => loadedAuthority(authority));
  return (
    <Loaded state={state} what="this period">
      {(a) => {
        const period = periodIn(a, id);
        if (!period) {
          return (
            <Page title="Period not found">
              <p>
                The authority <a href={hrefFor({ page: 'authority-view', authorityID: authority })}>{authorityTitle(a)}</a> has no period {id}.
              </p>
            </Page>
          );
        }
        return <PeriodPage authority={a} period={period} />;
      }}
    </Loaded>
  );
}
