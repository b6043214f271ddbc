/**
 * Off-site monitoring of one PeriodO environment over its public URLs: the probes, the
 * incident bookkeeping that alerts once per incident (and once on recovery), and the
 * alert webhook and heartbeat calls. Runs in the monitor Worker (workers/monitor/index.ts)
 * and in Node (`npm run periodo -- monitor`), so this file imports nothing but types and
 * uses only `fetch`.
 */

/** The public URLs of one environment's apps. */
export interface MonitorTarget {
  /** A name for messages: `production`, `staging`. */
  name: string;
  data: string;
  client?: string;
  corsproxy?: string;
  legacy?: string;
}

export interface ProbeResult {
  check: string;
  url: string;
  ok: boolean;
  status: number | null;
  ms: number;
  detail?: string;
}

export type Fetcher = (request: Request) => Promise<Response>;

const PROBE_TIMEOUT_MS = 20_000;

function at(base: string, path: string): string {
  return new URL(path, base.endsWith('/') ? base : `${base}/`).toString();
}

async function probe(fetcher: Fetcher, check: string, request: Request, expected: number[]): Promise<{ result: ProbeResult; body: string | null }> {
  const started = Date.now();
  const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const response = await fetcher(new Request(request, { signal, redirect: 'manual' }));
    const body = response.headers.get('Content-Type')?.includes('json') ? await response.text() : (await response.body?.cancel(), null);
    const ok = expected.includes(response.status);
    return {
      result: { check, url: request.url, ok, status: response.status, ms: Date.now() - started, ...(ok ? {} : { detail: `answered ${response.status}, expected ${expected.join(' or ')}` }) },
      body,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    const reason = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)) + (cause ? ` (${cause.code ?? cause.message})` : '');
    return { result: { check, url: request.url, ok: false, status: null, ms: Date.now() - started, detail: `no answer: ${reason}` }, body: null };
  }
}

interface HealthBody {
  status?: string;
  datasetVersion?: number | null;
  checks?: Record<string, { ok?: boolean; error?: string }>;
  exports?: { version: number | null; missing?: string[]; overdue?: boolean };
  deadLetteredExports?: number;
  lastMerge?: { version: number; exportsDone: boolean; overdue?: boolean } | null;
}

/**
 * Every check of one environment: the data app's health report (and each store it
 * reaches), the head version's exports, the dead-letter count, the last merge's side
 * effects, and one cheap request to each of the other apps.
 */
export async function runProbes(target: MonitorTarget, fetcher: Fetcher = (r) => fetch(r)): Promise<ProbeResult[]> {
  const healthUrl = at(target.data, '.well-known/health');
  const health = await probe(fetcher, 'data', new Request(healthUrl, { headers: { Accept: 'application/json' } }), [200]);
  const results: ProbeResult[] = [];
  let report: HealthBody | null = null;
  try {
    report = health.body ? (JSON.parse(health.body) as HealthBody) : null;
  } catch {
    report = null;
  }
  if (health.result.ok && !report) {
    health.result.ok = false;
    health.result.detail = `answered ${health.result.status} without a health report`;
  }
  results.push(health.result);
  if (report) {
    const base = { url: healthUrl, status: health.result.status, ms: health.result.ms };
    for (const [name, c] of Object.entries(report.checks ?? {})) {
      results.push({ ...base, check: `data.${name}`, ok: c.ok === true, ...(c.ok ? {} : { detail: c.error ?? 'not reachable' }) });
    }
    const missing = report.exports?.missing ?? [];
    const overdue = report.exports?.overdue === true;
    results.push({
      ...base,
      check: 'exports',
      ok: !overdue,
      ...(overdue ? { detail: `version ${report.exports?.version} has no ${missing.join(', ')} export` } : {}),
    });
    const dead = report.deadLetteredExports ?? 0;
    results.push({ ...base, check: 'dead-letters', ok: dead === 0, ...(dead ? { detail: `${dead} export job(s) dead-lettered` } : {}) });
    const merge = report.lastMerge;
    const mergeOk = !merge || merge.exportsDone || merge.overdue !== true;
    results.push({ ...base, check: 'last-merge', ok: mergeOk, ...(mergeOk ? {} : { detail: `the side effects of the merge of version ${merge!.version} did not finish` }) });
  }
  results.push((await probe(fetcher, 'data.index', new Request(at(target.data, 'index.json')), [200])).result);
  if (target.client) results.push((await probe(fetcher, 'client', new Request(at(target.client, '')), [200])).result);
  // No Origin and no upstream: the proxy answers 403 itself and contacts nobody.
  if (target.corsproxy) results.push((await probe(fetcher, 'corsproxy', new Request(at(target.corsproxy, ''), { method: 'OPTIONS' }), [403])).result);
  if (target.legacy) results.push((await probe(fetcher, 'legacy', new Request(at(target.legacy, '')), [301])).result);
  return results;
}

/** What is remembered between runs, per environment. */
export interface IncidentState {
  /** Since when something has been failing (null: all well). */
  since: string | null;
  /** The failing checks at the last run. */
  failing: string[];
  /** Whether the incident's alert reached the webhook (if not, the next run tries again). */
  alerted: boolean;
}

export const HEALTHY: IncidentState = { since: null, failing: [], alerted: false };

export interface Alert {
  kind: 'incident' | 'recovery';
  environment: string;
  text: string;
  failing: ProbeResult[];
  since: string;
}

/**
 * The next state after a run, and the alert to send, if any: one when an incident starts
 * (or its alert has not been delivered yet), one when everything passes again, none while
 * an incident goes on.
 */
export function trackIncident(target: MonitorTarget, previous: IncidentState, results: ProbeResult[], now: Date): { state: IncidentState; alert: Alert | null } {
  const failing = results.filter((r) => !r.ok);
  if (failing.length) {
    const since = previous.since ?? now.toISOString();
    const state: IncidentState = { since, failing: failing.map((r) => r.check), alerted: previous.alerted };
    if (previous.alerted) return { state, alert: null };
    const lines = failing.map((r) => `- ${r.check}: ${r.detail ?? 'failed'} (${r.url})`);
    return {
      state,
      alert: { kind: 'incident', environment: target.name, since, failing, text: `PeriodO ${target.name}: ${failing.length} check(s) failing since ${since}\n${lines.join('\n')}` },
    };
  }
  // Nothing was going on, or an incident whose alert never went out: no recovery message.
  if (previous.since === null || !previous.alerted) return { state: HEALTHY, alert: null };
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(previous.since)) / 60_000));
  return {
    state: HEALTHY,
    alert: { kind: 'recovery', environment: target.name, since: previous.since, failing: [], text: `PeriodO ${target.name}: recovered; every check passes again (failing for ${minutes} min since ${previous.since})` },
  };
}

export interface MonitorRun {
  results: ProbeResult[];
  state: IncidentState;
  alert: Alert | null;
  /** Whether the alert reached the webhook (false as well when none is configured). */
  delivered: boolean;
  errors: string[];
}

/**
 * One monitoring run of one environment: probe, decide, alert, ping the heartbeat. An
 * alert that does not get through is tried again at the next run (the state says it was
 * not delivered); without a webhook the alert is only returned, for the caller to log.
 */
export async function monitorOnce(
  target: MonitorTarget,
  previous: IncidentState,
  options: { fetcher?: Fetcher; webhook?: string; heartbeat?: string; now?: Date } = {},
): Promise<MonitorRun> {
  const fetcher = options.fetcher ?? ((r: Request) => fetch(r));
  const results = await runProbes(target, fetcher);
  let { state, alert } = trackIncident(target, previous, results, options.now ?? new Date());
  const errors: string[] = [];
  let delivered = false;
  if (alert) {
    if (options.webhook) {
      try {
        await sendAlert(options.webhook, alert, fetcher);
        delivered = true;
      } catch (error) {
        errors.push(`alert to ${redactUrl(options.webhook)} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    // Without a webhook there is nobody to tell; do not repeat the alert every run.
    const done = delivered || !options.webhook;
    if (alert.kind === 'incident') state = { ...state, alerted: done };
    else if (!done) state = previous;
  }
  if (options.heartbeat) {
    try {
      await pingHeartbeat(options.heartbeat, fetcher);
    } catch (error) {
      errors.push(`heartbeat to ${redactUrl(options.heartbeat)} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { results, state, alert, delivered, errors };
}

/**
 * POSTs an alert as JSON: `text` (Slack, Mattermost, most SMS gateways) and `content`
 * (Discord) carry the message; the rest is for machines. Throws unless the webhook
 * answers 2xx.
 */
export async function sendAlert(webhook: string, alert: Pick<Alert, 'kind' | 'environment' | 'text'> & Partial<Alert>, fetcher: Fetcher = (r) => fetch(r)): Promise<void> {
  const body = JSON.stringify({
    text: alert.text,
    content: alert.text,
    kind: alert.kind,
    environment: alert.environment,
    since: alert.since,
    failing: alert.failing?.map((r) => ({ check: r.check, url: r.url, status: r.status, detail: r.detail })),
  });
  const response = await fetcher(new Request(webhook, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }));
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the alert webhook answered ${response.status}`);
}

/** The dead-man's switch: a GET the heartbeat service expects every run. */
export async function pingHeartbeat(url: string, fetcher: Fetcher = (r) => fetch(r)): Promise<void> {
  const response = await fetcher(new Request(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }));
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the heartbeat URL answered ${response.status}`);
}

/** A webhook URL without its path and query (where secrets live), for log lines. */
export function redactUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}
