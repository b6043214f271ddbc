import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Layout } from './components/Layout';
import { AuthorityList } from './pages/AuthorityList';
import { AuthorityView } from './pages/AuthorityView';
import { History } from './pages/History';
import { Home } from './pages/Home';
import { NotFound } from './pages/NotFound';
import { PeriodView } from './pages/PeriodView';
import { SignInRequired } from './pages/SignInRequired';
import { interceptLinks, pageOf, params } from './router';
import './styles/app.css';

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
      return <SignInRequired what="patches" />;
    case 'review-patch':
      return <SignInRequired what="review" />;
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
      <CurrentPage />
    </Layout>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';
interceptLinks(root);
render(<App />, root);
