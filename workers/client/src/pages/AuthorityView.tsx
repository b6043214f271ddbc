import { arkOf, shortId } from '../api/client';
import { loadAuthority, loadedAuthority } from '../api/entities';
import { authorityTitle, periodLabel } from '../api/names';
import { useResource } from '../api/resource';
import type { Period } from '../api/types';
import { AfterPaint } from '../components/AfterPaint';
import { Citation, citationText } from '../components/Citation';
import { CopyButton } from '../components/CopyButton';
import { Downloads } from '../components/Downloads';
import { EditLinks } from '../components/contribute/EditLinks';
import { Page } from '../components/Page';
import { Loaded } from '../components/Status';
import { hrefFor, navigate } from '../router';
import { formatRange } from '../search/years';
import { Timeline } from '../timeline/Timeline';
import { periodExtents } from './periodData';

function PeriodTable({ authorityId, periods, extents }: { authorityId: string; periods: Period[]; extents: Float64Array }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Periods defined by this authority</caption>
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col">Start</th>
            <th scope="col">Stop</th>
            <th scope="col">Spatial coverage</th>
          </tr>
        </thead>
        <tbody>
          {periods.map((p, i) => (
            <tr key={p.id}>
              <th scope="row">
                <a href={hrefFor({ page: 'period-view', authorityID: shortId(authorityId), periodID: shortId(p.id) })}>{periodLabel(p)}</a>
              </th>
              <td>{formatRange(extents[4 * i], extents[4 * i + 1])}</td>
              <td>{formatRange(extents[4 * i + 2], extents[4 * i + 3])}</td>
              <td>{(p.spatialCoverage ?? []).map((s) => s.label).filter(Boolean).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AuthorityView({ authorityID }: { authorityID: string }) {
  const state = useResource(() => loadAuthority(authorityID), [authorityID], () => loadedAuthority(authorityID));
  return (
    <Loaded state={state} what="this authority">
      {(authority) => {
        const periods = Object.values(authority.periods ?? {});
        const extents = periodExtents(periods);
        const title = authorityTitle(authority);
        const ark = arkOf(authority.id);
        return (
          <Page title={title}>
            <p class="kind">Authority · {periods.length} periods</p>
            <EditLinks authorityId={authority.id} />
            <section aria-labelledby="source">
              <h2 id="source">Source</h2>
              <Citation source={authority.source} />
              {authority.editorialNote ? (
                <>
                  <h3>Editorial note</h3>
                  <p>{authority.editorialNote}</p>
                </>
              ) : null}
            </section>
            <section aria-labelledby="permalink">
              <h2 id="permalink">Permalink</h2>
              <p>
                <a href={ark}>{ark}</a> <CopyButton text={ark} label="Copy permalink" />
              </p>
              <h3>Cite this authority</h3>
              <p class="cite">
                {citationText(authority.source) || `${title}.`} PeriodO, {ark}.
              </p>
            </section>
            <section aria-labelledby="timeline">
              <h2 id="timeline">Timeline</h2>
              <AfterPaint>
                {() => (
                  <Timeline
                    extents={extents}
                    title={`Timeline of the periods of ${title}`}
                    labelOf={(i) => periods[i]?.label}
                    onOpen={(i) => navigate(hrefFor({ page: 'period-view', authorityID: shortId(authority.id), periodID: shortId(periods[i].id) }))}
                  />
                )}
              </AfterPaint>
            </section>
            <section aria-labelledby="periods">
              <h2 id="periods">Periods</h2>
              <PeriodTable authorityId={authority.id} periods={periods} extents={extents} />
            </section>
            <Downloads id={authority.id} name={title} />
          </Page>
        );
      }}
    </Loaded>
  );
}
