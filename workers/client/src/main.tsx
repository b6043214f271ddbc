import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useRef } from 'preact/hooks';
import { Layout } from './components/Layout';
import { AuthorityList } from './pages/AuthorityList';
import { AuthorityView } from './pages/AuthorityView';
import { History } from './pages/History';
import { Home } from './pages/Home';
import { NotFound } from './pages/NotFound';
import { authorityOfPeriod, PeriodView } from './pages/PeriodView';
import { loadAuthority } from './api/entities';
import { restoreDraft } from './contribute/draft';
import { restoreSession } from './contribute/session';
import { interceptLinks, pageOf, params } from './router';
import { ensureIndex } from './search/client';
import './styles/app.css';
import './styles/contribute.css';

// Proposing, reviewing and editing are for contributors: a reader's first page loads none of
// that code (the forms, the review, fast-json-patch); each page's chunk loads when it is opened.
const Proposals = lazy(() => import('./pages/contribute/Proposals').then((m) => m.Proposals));
const ReviewPatch = lazy(() => import('./pages/contribute/ReviewPatch').then((m) => m.ReviewPatch));
const EditPeriod = lazy(() => import('./pages/contribute/EditPeriod').then((m) => m.EditPeriod));
const EditAuthority = lazy(() => import('./pages/contribute/EditAuthority').then((m) => m.EditAuthority));
const Draft = lazy(() => import('./pages/contribute/Draft').then((m) => m.Draft));

function CurrentPage() {
  const p = params.value;
  switch (pageOf(p)) {
    case 'backend-home':
      return <Home />;
    case 'backend-authorities':
      return <AuthorityList />;
    case 'authority-view':
      return <AuthorityView key={p.get('authorityID')} authorityID={p.get('authorityID') ?? ''} />;
    case 'period-view':
      return <PeriodView key={p.get('periodID')} authorityID={p.get('authorityID') ?? ''} periodID={p.get('periodID') ?? ''} />;
    case 'backend-history':
      return <History />;
    case 'backend-patches':
      return <Proposals />;
    case 'review-patch':
      return <ReviewPatch key={p.get('patchURL')} patchURL={p.get('patchURL') ?? ''} />;
    case 'period-edit':
      return <EditPeriod key={p.get('periodID')} authorityID={p.get('authorityID') ?? ''} periodID={p.get('periodID') ?? ''} />;
    case 'authority-add-period':
      return <EditPeriod key={`new ${p.get('authorityID')}`} authorityID={p.get('authorityID') ?? ''} periodID={null} />;
    case 'authority-edit':
      return <EditAuthority key={p.get('authorityID')} authorityID={p.get('authorityID') ?? ''} />;
    case 'backend-add-authority':
      return <EditAuthority key="new" authorityID={null} />;
    case 'backend-changes':
      return <Draft />;
    default:
      return <NotFound />;
  }
}

function App() {
  const page = pageOf(params.value);
  const first = useRef(true);
  // On a new page (not a new query on the same page), focus moves to the content, for screen readers.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [page, params.value.get('authorityID'), params.value.get('periodID')]);
  return (
    <Layout>
      <Suspense
        fallback={
          <p class="status" role="status">
            Loading this page…
          </p>
        }
      >
        <CurrentPage />
      </Suspense>
    </Layout>
  );
}

/** An authority or period page's one request (preloaded by the page), started before the first render. */
function firstEntity(p: URLSearchParams): Promise<unknown> | null {
  if (pageOf(p) === 'period-view') return loadAuthority(authorityOfPeriod(p.get('authorityID') ?? '', p.get('periodID') ?? ''));
  if (pageOf(p) === 'authority-view') return loadAuthority(p.get('authorityID') ?? '');
  return null;
}

// The home searches: its Worker starts and its index loads before the first render, not after it.
if (pageOf(params.value) === 'backend-home') ensureIndex();
const entity = firstEntity(params.value);
// The draft and the sign-in kept in this browser (a stored token is checked with /identity),
// read while the entity is on its way.
void restoreDraft();
void restoreSession();
// It usually arrives with this code: the first render then shows the page itself, not a
// "Loading…" frame first. A slow answer gets the page's own loading and retry states.
if (entity) await Promise.race([entity.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 300))]);

const root = document.getElementById('app')!;
root.textContent = '';
interceptLinks(root);
render(<App />, root);
