import type { Env } from '../env';

export interface HealthResult {
  app: string;
  url: string;
  expected: number[];
  status: number | null;
  ok: boolean;
  ms: number;
  error?: string;
}

type Fetcher = (request: Request) => Promise<Response>;

function firstHost(list: string): string {
  return list.split(',')[0].trim();
}

/** The synthetic probes: one cheap request per app, with the statuses that mean "healthy". */
export function healthProbes(env: Env): { app: string; request: Request; expected: number[] }[] {
  const scheme = env.ENVIRONMENT === 'development' ? 'http' : 'https';
  const url = (hosts: string, path: string) => `${scheme}://${firstHost(hosts)}${path}`;
  return [
    { app: 'data', request: new Request(url(env.DATA_HOSTS, '/index.json')), expected: [200] },
    { app: 'client', request: new Request(url(env.CLIENT_HOSTS, '/')), expected: [200] },
    {
      app: 'corsproxy',
      // No Origin and no upstream: the proxy answers itself, with its 403, never contacting anyone.
      request: new Request(url(env.CORSPROXY_HOSTS, '/'), { method: 'OPTIONS' }),
      expected: [403],
    },
    { app: 'legacy', request: new Request(url(env.LEGACY_HOSTS, '/')), expected: [301] },
  ];
}

/** Runs every probe through the Worker's own fetch handler and logs one line per app. */
export async function runHealthChecks(env: Env, fetcher: Fetcher): Promise<HealthResult[]> {
  const results: HealthResult[] = [];
  for (const probe of healthProbes(env)) {
    const started = Date.now();
    try {
      const response = await fetcher(probe.request);
      await response.body?.cancel();
      const ok = probe.expected.includes(response.status);
      results.push({ app: probe.app, url: probe.request.url, expected: probe.expected, status: response.status, ok, ms: Date.now() - started });
    } catch (error) {
      results.push({ app: probe.app, url: probe.request.url, expected: probe.expected, status: null, ok: false, ms: Date.now() - started, error: String(error) });
    }
  }
  for (const r of results) {
    const line = `health ${r.app} ${r.ok ? 'ok' : 'FAILING'} ${r.status ?? r.error} ${r.ms}ms ${r.url}`;
    if (r.ok) console.log(line);
    else console.error(line);
  }
  return results;
}
