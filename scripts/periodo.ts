/**
 * The operator CLI: `npm run periodo -- <command> [--url URL] [--admin-token TOKEN]`.
 * The same commands work locally and against a deployed environment; they call the
 * data app's admin endpoints, which exist only where an admin token is configured.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { HEALTHY, monitorOnce, type IncidentState, type MonitorTarget } from '../workers/monitor/probes.ts';
import { datasetPatches } from './lib/load-patches.ts';
import { exportEnvironment, importEnvironment, PromotionError, type Admin } from './lib/promotion.ts';
import { WranglerError, type D1Location } from './lib/wrangler.ts';

const USAGE = `usage: npm run periodo -- <command> [options]

commands:
  load-data FILE                 patch the dataset to FILE, merged as user initial-data-loader
        [--max-periods N]        periods per merged patch (default 5000; large loads are split)
  users add --orcid ORCID --name NAME --token TOKEN [--permissions a,b] [--expires-in S]
  users grant ORCID PERMISSION...
  audit [--version N]            recompute every version's content hash from the rows (or only version N);
                                 exits 1 naming each drifting version and entity
  purge [--all | URL...]         purge cached responses (the whole data app with --all)
  export FILE                    the environment's dataset state (versions, entities, identifiers, patch
                                 requests, comments, bags, graphs; no users or tokens) into FILE
  import FILE                    FILE into an empty environment, then rebuild and prove it equals the source
        where the database is:   --local [--persist-to DIR] (default) or --env staging|production
  monitor [--env E]              probe every app of an environment over its public URLs; exits 1 on failure
        [--client URL] [--corsproxy URL] [--legacy URL]   (derived from --url for localhost, from --env otherwise)
        [--webhook URL] [--heartbeat URL] [--state FILE]  alert once per incident (state kept in FILE)

options (also as --name=value; a negative number needs that form: --expires-in=-3600):
  --url URL              the data app (default http://localhost:8787, or the --env's DATA_URL)
  --admin-token TOKEN    the admin token (default: the development token, or $PERIODO_ADMIN_TOKEN)`;

const DEV_ADMIN_TOKEN = 'dev-admin-token';

export class CliError extends Error {}

export interface Options {
  url: string;
  adminToken: string;
}

/** Bodies above this are sent gzip-compressed (level 1: fast; JSON shrinks 5–7×). */
const COMPRESS_ABOVE = 64 * 1024;

function requestBody(body: unknown): { body?: BodyInit; headers: Record<string, string> } {
  if (body === undefined) return { headers: {} };
  const text = JSON.stringify(body);
  if (text.length <= COMPRESS_ABOVE) return { body: text, headers: {} };
  return { body: gzipSync(text, { level: 1 }), headers: { 'Content-Encoding': 'gzip' } };
}

async function call(options: Options, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, options.url.endsWith('/') ? options.url : `${options.url}/`);
  const payload = requestBody(body);
  const send = () =>
    fetch(url, {
      method,
      headers: { Authorization: `Bearer ${options.adminToken}`, 'Content-Type': 'application/json', ...payload.headers },
      body: payload.body,
    });
  let response: Response;
  try {
    response = await send().catch((error: Error) => {
      // A kept-alive connection the server closed while idle (a long wrangler step ran in
      // between): requests that are safe to repeat are sent once more, on a new one.
      const idempotent = method === 'GET' || path === 'admin/rebuild';
      if (idempotent && (error.cause as { code?: string })?.code === 'UND_ERR_SOCKET') return send();
      throw error;
    });
  } catch (error) {
    throw new CliError(`cannot reach ${url.origin}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await response.text();
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  if (!response.ok) {
    const message = (data as { message?: string })?.message ?? text;
    if (response.status === 404 && path.startsWith('admin/')) {
      throw new CliError(`${url.origin} has no admin endpoints (is an admin token configured there?)`);
    }
    throw new CliError(`${method} ${url.pathname} failed: ${response.status} ${message}`);
  }
  return data;
}

async function currentDataset(options: Options): Promise<Record<string, unknown>> {
  const data = (await call(options, 'GET', 'admin/dataset')) as Record<string, unknown>;
  return data;
}

export async function loadData(options: Options, file: string, maxPeriods: number): Promise<void> {
  let target: Record<string, unknown>;
  try {
    target = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  if (typeof target !== 'object' || target === null || Array.isArray(target)) throw new CliError(`${file} is not a PeriodO dataset (a JSON object)`);
  const authorities = (target as { authorities?: unknown }).authorities;
  if (typeof authorities !== 'object' || authorities === null || Array.isArray(authorities)) {
    throw new CliError(`${file} is not a PeriodO dataset: it has no "authorities" object`);
  }
  if (typeof (target as { '@context'?: unknown })['@context'] !== 'object') {
    throw new CliError(`${file} is not a PeriodO dataset: it has no "@context" object`);
  }
  const current = await currentDataset(options);
  const patches = datasetPatches(current, target, { maxPeriods, maxBytes: 20 * 1024 * 1024 });
  if (patches.length === 0) {
    console.log('The dataset already matches that file: nothing to load.');
    return;
  }
  for (const [i, patch] of patches.entries()) {
    // Every version but the last is superseded at once: only the last one's exports are worth making.
    const last = i === patches.length - 1;
    const result = (await call(options, 'POST', last ? 'admin/load' : 'admin/load?exports=later', patch)) as { version: number; created: string[]; updated: string[]; removed: string[] };
    console.log(
      `patch ${i + 1}/${patches.length}: merged as version ${result.version} (${result.created.length} created, ${result.updated.length} updated, ${result.removed.length} removed)`,
    );
  }
}

/** A failed check (audit drift, a failing probe, an import that differs): exit status 1. */
export class AuditFailure extends Error {}

interface HistoryAudit {
  ok: boolean;
  head: number;
  versionsChecked: number;
  rowsChecked: number;
  problems: { version: number | null; entity: string | null; problem: string }[];
}

function adminApi(options: Options): Admin {
  const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  return {
    url: base,
    get: (path) => call(options, 'GET', path),
    post: (path, body) => call(options, 'POST', path, body ?? {}),
    async fetchText(path) {
      const headers: Record<string, string> = path.startsWith('admin/') ? { Authorization: `Bearer ${options.adminToken}` } : {};
      const response = await fetch(new URL(path, base), { headers });
      return { status: response.status, text: await response.text(), serverVersion: response.headers.get('X-PeriodO-Server-Version') };
    },
  };
}

/** The public URLs of a deployed environment, from its vars in wrangler.toml. */
export async function environmentUrls(env: string): Promise<MonitorTarget> {
  // Loaded only when needed: importing wrangler takes seconds.
  process.env.WRANGLER_LOG ??= 'error';
  const { unstable_readConfig } = await import('wrangler');
  const vars = unstable_readConfig({ config: new URL('../wrangler.toml', import.meta.url).pathname, env }).vars as Record<string, string>;
  const first = (hosts: string) => `https://${hosts.split(',')[0].trim()}/`;
  return { name: env, data: vars.DATA_URL, client: first(vars.CLIENT_HOSTS), corsproxy: first(vars.CORSPROXY_HOSTS), legacy: first(vars.LEGACY_HOSTS) };
}

/** For a local data URL (localhost:P), the other apps are client.localhost:P and so on. */
function localTarget(url: string): MonitorTarget {
  const u = new URL(url);
  const local = ['localhost', '127.0.0.1', 'data.localhost'].includes(u.hostname);
  const other = (app: string) => (local ? `${u.protocol}//${app}.localhost${u.port ? `:${u.port}` : ''}/` : undefined);
  return { name: local ? 'development' : u.host, data: url, client: other('client'), corsproxy: other('corsproxy'), legacy: other('legacy') };
}

async function monitor(options: Options, values: Record<string, string | boolean | undefined>, environment: MonitorTarget | null): Promise<void> {
  const base = environment && values.url === undefined ? environment : localTarget(options.url);
  const target: MonitorTarget = {
    ...base,
    client: (values.client as string | undefined) ?? base.client,
    corsproxy: (values.corsproxy as string | undefined) ?? base.corsproxy,
    legacy: (values.legacy as string | undefined) ?? base.legacy,
  };
  const stateFile = values.state as string | undefined;
  let previous: IncidentState = HEALTHY;
  if (stateFile) {
    try {
      previous = JSON.parse(await readFile(stateFile, 'utf8')) as IncidentState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`cannot read the state file ${stateFile}: ${(error as Error).message}`);
    }
  }
  const run = await monitorOnce(target, previous, {
    webhook: (values.webhook as string | undefined) ?? process.env.PERIODO_ALERT_WEBHOOK,
    heartbeat: (values.heartbeat as string | undefined) ?? process.env.PERIODO_HEARTBEAT_URL,
  });
  for (const r of run.results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.check.padEnd(20)} ${String(r.status ?? '-').padStart(3)} ${String(r.ms).padStart(5)} ms  ${r.url}${r.detail ? `  ${r.detail}` : ''}`);
  if (run.alert) console.log(`${run.alert.kind === 'incident' ? 'alert' : 'recovery'}${run.delivered ? ' sent' : ' not sent (no --webhook, or it failed)'}: ${run.alert.text.split('\n')[0]}`);
  for (const e of run.errors) console.error(`periodo: ${e}`);
  if (stateFile) await writeFile(stateFile, JSON.stringify(run.state));
  const failing = run.results.filter((r) => !r.ok);
  if (failing.length) throw new AuditFailure(`${failing.length} check(s) failing on ${target.name}`);
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'admin-token': { type: 'string' },
      orcid: { type: 'string' },
      name: { type: 'string' },
      token: { type: 'string' },
      permissions: { type: 'string' },
      'expires-in': { type: 'string' },
      'max-periods': { type: 'string', default: '5000' },
      all: { type: 'boolean', default: false },
      version: { type: 'string' },
      local: { type: 'boolean', default: false },
      'persist-to': { type: 'string' },
      env: { type: 'string' },
      client: { type: 'string' },
      corsproxy: { type: 'string' },
      legacy: { type: 'string' },
      webhook: { type: 'string' },
      heartbeat: { type: 'string' },
      state: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.env !== undefined && !['staging', 'production'].includes(values.env)) throw new CliError('--env takes staging or production');
  if (values.env && values.local) throw new CliError('give --local or --env, not both');
  const environment = values.env ? await environmentUrls(values.env) : null;
  const options: Options = {
    url: values.url ?? environment?.data ?? 'http://localhost:8787',
    adminToken: values['admin-token'] ?? process.env.PERIODO_ADMIN_TOKEN ?? DEV_ADMIN_TOKEN,
  };
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  switch (command) {
    case 'load-data': {
      if (!sub) throw new CliError('load-data needs a FILE');
      const maxPeriods = Number(values['max-periods']);
      if (!Number.isInteger(maxPeriods) || maxPeriods < 1) throw new CliError('--max-periods takes a positive whole number');
      return loadData(options, sub, maxPeriods);
    }
    case 'users': {
      if (sub === 'add') {
        const { orcid, name, token } = values;
        if (!orcid || !name || !token) throw new CliError('users add needs --orcid, --name and --token');
        let expiresIn: number | undefined;
        if (values['expires-in'] !== undefined) {
          expiresIn = Number(values['expires-in']);
          if (!Number.isInteger(expiresIn)) throw new CliError('--expires-in takes a whole number of seconds (negative: already expired)');
        }
        const permissions = values.permissions?.split(',').map((p) => p.trim()).filter(Boolean);
        const user = await call(options, 'PUT', `admin/users/${encodeURIComponent(orcid)}`, { name, token, permissions, expiresIn });
        console.log(JSON.stringify(user, null, 2));
        return;
      }
      if (sub === 'grant') {
        const [orcid, ...permissions] = rest;
        if (!orcid || permissions.length === 0) throw new CliError('users grant needs an ORCID and at least one permission');
        const user = await call(options, 'PUT', `admin/users/${encodeURIComponent(orcid)}/permissions`, { permissions });
        console.log(JSON.stringify(user, null, 2));
        return;
      }
      throw new CliError('users takes "add" or "grant"');
    }
    case 'audit': {
      const version = values.version;
      if (version !== undefined && !/^\d+$/.test(version)) throw new CliError('--version takes a whole number');
      if (version !== undefined) {
        const report = (await call(options, 'GET', `admin/audit?version=${version}`)) as { ok: boolean; version: number };
        console.log(JSON.stringify(report, null, 2));
        if (!report.ok) throw new AuditFailure(`version ${report.version} does not match its recorded content hash`);
        return;
      }
      const report = (await call(options, 'GET', 'admin/audit?all')) as HistoryAudit;
      if (report.ok) {
        console.log(`ok: all ${report.versionsChecked} versions (0–${report.head}) match their recorded content hashes (${report.rowsChecked} rows checked)`);
        return;
      }
      for (const p of report.problems) console.log(`version ${p.version ?? '-'}${p.entity ? `, ${p.entity}` : ''}: ${p.problem}`);
      throw new AuditFailure(`${report.problems.length}${report.problems.length === 100 ? '+' : ''} problem(s) in ${report.versionsChecked} versions`);
    }
    case 'export':
    case 'import': {
      if (!sub) throw new CliError(`${command} needs a FILE`);
      const location: D1Location = values.env ? { kind: 'remote', env: values.env } : { kind: 'local', persistTo: values['persist-to'] };
      if (command === 'export') {
        await exportEnvironment(adminApi(options), location, sub);
        return;
      }
      const checks = await importEnvironment(adminApi(options), location, sub);
      const failed = checks.filter((c) => !c.ok);
      if (failed.length) throw new AuditFailure(`the imported environment differs from the source: ${failed.map((c) => c.check).join(', ')}`);
      console.log(`imported and verified: ${checks.length} checks passed`);
      return;
    }
    case 'monitor':
      return monitor(options, values, environment);
    case 'purge': {
      const urls = [sub, ...rest].filter(Boolean) as string[];
      if (!values.all && urls.length === 0) throw new CliError('purge needs --all or one or more URLs');
      const result = await call(options, 'POST', 'admin/purge', values.all ? { all: true } : { urls });
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    default:
      throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof AuditFailure) {
      console.error(`periodo: ${error.message}`);
      process.exit(1);
    }
    if (error instanceof CliError || error instanceof PromotionError || error instanceof WranglerError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`periodo: ${(error as Error).message}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  });
}
