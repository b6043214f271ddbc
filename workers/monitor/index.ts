/**
 * The monitor Worker: a separate, small deployment (workers/monitor/wrangler.toml) that
 * probes each PeriodO environment over its public URLs every five minutes, so it keeps
 * watching when the main Worker is broken. Incidents alert the ALERT_WEBHOOK once and
 * once more on recovery (state in the MONITOR_STATE KV namespace); every completed run
 * pings HEARTBEAT_URL, the dead-man's switch that notices a dead monitor.
 */
import { HEALTHY, monitorOnce, type IncidentState, type MonitorTarget, type ProbeResult } from './probes';

export interface MonitorEnv {
  /** JSON: `[{"name": "production", "data": "https://data.perio.do/", "client": …, "corsproxy": …, "legacy": …}]`. */
  TARGETS: string;
  MONITOR_STATE: KVNamespace;
  /** Secrets. */
  ALERT_WEBHOOK?: string;
  HEARTBEAT_URL?: string;
}

interface StoredRun {
  state: IncidentState;
  checkedAt: string;
  results: ProbeResult[];
}

export function targets(env: MonitorEnv): MonitorTarget[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(env.TARGETS);
  } catch {
    throw new Error('TARGETS is not JSON: give a list of {"name", "data", "client", "corsproxy", "legacy"} objects');
  }
  if (!Array.isArray(parsed) || !parsed.every((t) => typeof t?.name === 'string' && typeof t?.data === 'string')) {
    throw new Error('TARGETS must be a list of objects with at least "name" and "data" URLs');
  }
  return parsed as MonitorTarget[];
}

function log(level: 'info' | 'error', line: Record<string, unknown>): void {
  const text = JSON.stringify({ type: 'event', app: 'monitor', time: new Date().toISOString(), ...line });
  if (level === 'error') console.error(text);
  else console.log(text);
}

/** One run over every target; returns what was stored per target. */
export async function runMonitor(env: MonitorEnv, now = new Date()): Promise<Record<string, StoredRun>> {
  const out: Record<string, StoredRun> = {};
  for (const target of targets(env)) {
    const key = `state:${target.name}`;
    const previous = ((await env.MONITOR_STATE.get<StoredRun>(key, 'json')) ?? null)?.state ?? HEALTHY;
    // The heartbeat is pinged once per run, after the last target, below.
    const run = await monitorOnce(target, previous, { webhook: env.ALERT_WEBHOOK, now });
    for (const r of run.results) if (!r.ok) log('error', { event: 'probe', environment: target.name, check: r.check, url: r.url, status: r.status, detail: r.detail });
    if (run.alert) log(run.alert.kind === 'incident' ? 'error' : 'info', { event: 'alert', environment: target.name, kind: run.alert.kind, delivered: run.delivered, webhook: Boolean(env.ALERT_WEBHOOK) });
    for (const e of run.errors) log('error', { event: 'alert', environment: target.name, error: e });
    const stored: StoredRun = { state: run.state, checkedAt: now.toISOString(), results: run.results };
    await env.MONITOR_STATE.put(key, JSON.stringify(stored));
    out[target.name] = stored;
  }
  if (env.HEARTBEAT_URL) {
    try {
      const response = await fetch(env.HEARTBEAT_URL, { signal: AbortSignal.timeout(20_000) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`answered ${response.status}`);
    } catch (error) {
      log('error', { event: 'heartbeat', error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}

export default {
  async scheduled(_controller, env, ctx): Promise<void> {
    ctx.waitUntil(runMonitor(env));
  },
  /** `GET /status`: the last run of each environment (URLs and results; never the webhook or heartbeat). */
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== '/status' || request.method !== 'GET') return Response.json({ code: 404, message: 'Only GET /status is here.' }, { status: 404 });
    const body: Record<string, unknown> = {};
    for (const target of targets(env)) body[target.name] = await env.MONITOR_STATE.get(`state:${target.name}`, 'json');
    return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
  },
} satisfies ExportedHandler<MonitorEnv>;
