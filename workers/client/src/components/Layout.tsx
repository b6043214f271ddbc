import type { ComponentChildren } from 'preact';
import { hrefFor, params, pageOf } from '../router';
import { NAV } from '../site-nav';
import { SignInSlot } from './SignInSlot';

/** Header with navigation (and the sign-in slot), the page in `main`, a footer. */
export function Layout({ children }: { children: ComponentChildren }) {
  const current = pageOf(params.value);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="site">
        <a class="brand" href={hrefFor({})}>
          PeriodO
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([page, label]) => (
              <li key={page}>
                <a href={hrefFor({ page })} aria-current={current === page ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <SignInSlot />
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer class="site">
        <p>
          PeriodO is a gazetteer of scholarly definitions of historical periods. Its data is in the public domain (CC0).
        </p>
      </footer>
    </>
  );
}
