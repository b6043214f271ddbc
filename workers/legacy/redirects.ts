/**
 * Where a URL on the legacy subdomain (`test.perio.do`, PeriodO's first host) now lives.
 * Pure: the HTTP plumbing is in ./app.ts.
 */

export interface LegacyConfig {
  /** The web client's URL, with trailing slash: `https://client.perio.do/`. */
  clientUrl: string;
  /** The data app's URL, with trailing slash: `https://data.perio.do/`. */
  dataUrl: string;
  /** What an identifier path is appended to: `https://n2t.net/ark:/99152/p0`. */
  permalinkBase: string;
}

export function legacyConfigFromEnv(env: { CLIENT_URL: string; DATA_URL: string; PERMALINK_BASE: string }): LegacyConfig {
  for (const [name, value] of Object.entries({ CLIENT_URL: env.CLIENT_URL, DATA_URL: env.DATA_URL, PERMALINK_BASE: env.PERMALINK_BASE })) {
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
      throw new Error(`${name}: ${JSON.stringify(value)} is not an absolute http(s) URL without query or fragment.`);
    }
  }
  return { clientUrl: env.CLIENT_URL, dataUrl: env.DATA_URL, permalinkBase: env.PERMALINK_BASE };
}

/** The client's home page for this environment's data app. */
export function clientHome(config: LegacyConfig): string {
  const base = config.clientUrl.endsWith('/') ? config.clientUrl : `${config.clientUrl}/`;
  return `${base}?page=backend-home&backendID=web-${encodeURIComponent(config.dataUrl)}`;
}

/**
 * The permanent new home of a legacy URL, given its path and query exactly as requested
 * (still percent-encoded):
 * - `/` (whatever the query) → the client's home page for the data app;
 * - `/<path>?<query>` → permalink base + `<path>?<query>`: in production
 *   `/trgkv` → `https://n2t.net/ark:/99152/p0trgkv`, in staging
 *   `https://data.staging.perio.do/trgkv`.
 * The path only ever extends the base's path: the target's origin is always the base's.
 */
export function legacyTarget(pathname: string, search: string, config: LegacyConfig): string {
  if (pathname === '/' || pathname === '') return clientHome(config);
  const target = `${config.permalinkBase}${pathname.slice(1)}${search}`;
  // Defence in depth: a path can never move the redirect to another site.
  if (new URL(target).origin !== new URL(config.permalinkBase).origin) return config.permalinkBase;
  return target;
}
