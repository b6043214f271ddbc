/**
 * Which data API this client reads: `?backendID=web-<url>` (as the reference client's
 * links carry it), else the URL the client app wrote into the page, else the `dataUrl`
 * of the client app's `/config.json` (both the Worker's DATA_URL for this environment).
 */
import { backendFromQuery } from './backend-id';

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
