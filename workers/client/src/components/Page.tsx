import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

/** A page's title (document title and `h1`) and body. */
export function Page({ title, heading, children, lang }: { title: string; heading?: ComponentChildren; children?: ComponentChildren; lang?: string }) {
  useEffect(() => {
    document.title = title ? `${title} · PeriodO` : 'PeriodO';
  }, [title]);
  return (
    <>
      <h1 lang={lang}>{heading ?? title}</h1>
      {children}
    </>
  );
}
