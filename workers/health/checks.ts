/**
 * The main Worker's five-minute cron: the monitor's probes (workers/monitor/probes.ts) run
 * in-process through the Worker's own fetch handler, one log line per check, so each
 * environment's logs show its own health even without the monitor Worker.
 */
import type { Env } from '../env';
import { runProbes, type Fetcher, type MonitorTarget, type ProbeResult } from '../monitor/probes';

function firstHost(list: string): string {
  return list.split(',')[0].trim();
}

/** This environment's apps at their first configured host. */
export function healthTarget(env: Env): MonitorTarget {
  const scheme = env.ENVIRONMENT === 'development' ? 'http' : 'https';
  const origin = (hosts: string) => `${scheme}://${firstHost(hosts)}/`;
  return {
    name: env.ENVIRONMENT,
    data: origin(env.DATA_HOSTS),
    client: origin(env.CLIENT_HOSTS),
    corsproxy: origin(env.CORSPROXY_HOSTS),
    legacy: origin(env.LEGACY_HOSTS),
  };
}

/** Runs every probe and logs one line per check; a failing check is reported, never thrown. */
export async function runHealthChecks(env: Env, fetcher: Fetcher): Promise<ProbeResult[]> {
  const results = await runProbes(healthTarget(env), fetcher);
  for (const r of results) {
    const line = `health ${r.check} ${r.ok ? 'ok' : 'FAILING'} ${r.status ?? r.detail} ${r.ms}ms ${r.url}${r.ok || !r.detail ? '' : ` (${r.detail})`}`;
    if (r.ok) console.log(line);
    else console.error(line);
  }
  return results;
}
