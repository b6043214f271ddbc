import { memo } from 'preact/compat';
import { useResource } from '../api/resource';
import { Page } from '../components/Page';
import { SearchPanel } from '../components/SearchPanel';
import { Loaded } from '../components/Status';
import { hrefFor } from '../router';
import { indexState } from '../search/client';
import { grouped } from '../search/years';
import { ChangeList, latestChanges } from './History';

/** Memoised, as LatestChanges below: it follows the index, not the URL. */
const Summary = memo(function Summary() {
  const s = indexState.value;
  if (s.status !== 'ready') return null;
  const { summary } = s;
  return (
    <dl class="summary" aria-label="The dataset">
      <div>
        <dt>Periods</dt>
        <dd>{grouped(summary.periods)}</dd>
      </div>
      <div>
        <dt>Authorities</dt>
        <dd>{grouped(summary.authorities)}</dd>
      </div>
      <div>
        <dt>Version</dt>
        <dd>{summary.version}</dd>
      </div>
      <div>
        <dt>Last changed</dt>
        <dd>
          <time dateTime={summary.created}>{summary.created ? new Date(summary.created).toLocaleDateString('en', { dateStyle: 'medium' }) : 'never'}</time>
        </dd>
      </div>
    </dl>
  );
});

/** Memoised: typing changes the URL, which re-renders the page, and this list does not follow it. */
const LatestChanges = memo(function LatestChanges() {
  const state = useResource(() => latestChanges(5).then((r) => r.body), []);
  return (
    <section aria-labelledby="latest">
      <h2 id="latest">Latest changes</h2>
      <Loaded state={state} what="the latest changes">
        {(changes) => <ChangeList changes={changes} />}
      </Loaded>
      <p>
        <a href={hrefFor({ page: 'backend-history' })}>All changes</a>
      </p>
    </section>
  );
});

export function Home() {
  return (
    <Page title="" heading="PeriodO: find period definitions">
      <Summary />
      <SearchPanel />
      <LatestChanges />
    </Page>
  );
}
