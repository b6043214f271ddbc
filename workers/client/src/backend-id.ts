/**
 * The data API named by a reference-client URL's `?backendID=web-<url>`, or null. Pure: the
 * page reads it (src/config.ts) and so does the client app when it writes the page
 * (workers/client/app.ts).
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
