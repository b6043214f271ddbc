/**
 * Which data API this client reads: `?backendID=web-<url>` (as the reference client's
 * links carry it), else the URL the client app wrote into the page, else the `dataUrl`
 * of the client app's `/config.json` (both the Worker's DATA_URL for this environment).
 */
export function backendFromQuery(search: string): string | null {
  const id = new URLSearchParams(search).get('backendID');
  if (!id || !id.startsWith('web-')) return null;
  try {
    const url = new URL(id.slice(4));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.href.endsWith('/') ? url.href : `${url.href}/`;
  } catch {
    return null;
  }
}

let resolved: Promise<string> | null = null;

export function dataUrl(): Promise<string> {
  resolved ??= (async () => {
    const fromQuery = backendFromQuery(location.search);
    if (fromQuery) return fromQuery;
    // The client app writes its environment's data URL into the page; /config.json says the same.
    const fromPage = document.querySelector<HTMLMetaElement>('meta[name="periodo-data-url"]')?.content;
    if (fromPage) return fromPage;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch('/config.json', { cache: 'no-cache' });
        if (response.ok) return ((await response.json()) as { dataUrl: string }).dataUrl;
      } catch {
        /* offline or the client host is down: retried below */
      }
      await new Promise((r) => setTimeout(r, Math.min(8000, 500 * 2 ** attempt)));
    }
  })();
  return resolved;
}
