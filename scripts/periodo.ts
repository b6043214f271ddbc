/**
 * The operator CLI: `npm run periodo -- <command> [--url URL] [--admin-token TOKEN]`.
 * The same commands work locally and against a deployed environment; they call the
 * data app's admin endpoints, which exist only where an admin token is configured.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { datasetPatches } from './lib/load-patches.ts';

const USAGE = `usage: npm run periodo -- <command> [options]

commands:
  load-data FILE                 patch the dataset to FILE, merged as user initial-data-loader
        [--max-periods N]        periods per merged patch (default 5000; large loads are split)
  users add --orcid ORCID --name NAME --token TOKEN [--permissions a,b] [--expires-in S]
  users grant ORCID PERMISSION...
  audit [--version N]            recompute a version's content hash from its rows (default: head)
  purge [--all | URL...]         purge cached responses (the whole data app with --all)

options (also as --name=value; a negative number needs that form: --expires-in=-3600):
  --url URL              the data app (default http://localhost:8787)
  --admin-token TOKEN    the admin token (default: the development token, or $PERIODO_ADMIN_TOKEN)`;

const DEV_ADMIN_TOKEN = 'dev-admin-token';

export class CliError extends Error {}

export interface Options {
  url: string;
  adminToken: string;
}

async function call(options: Options, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, options.url.endsWith('/') ? options.url : `${options.url}/`);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${options.adminToken}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
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

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', default: 'http://localhost:8787' },
      'admin-token': { type: 'string' },
      orcid: { type: 'string' },
      name: { type: 'string' },
      token: { type: 'string' },
      permissions: { type: 'string' },
      'expires-in': { type: 'string' },
      'max-periods': { type: 'string', default: '5000' },
      all: { type: 'boolean', default: false },
      version: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const options: Options = {
    url: values.url!,
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
      const report = (await call(options, 'GET', `admin/audit${version === undefined ? '' : `?version=${version}`}`)) as { ok: boolean; version: number };
      console.log(JSON.stringify(report, null, 2));
      if (!report.ok) throw new CliError(`version ${report.version} does not match its recorded content hash`);
      return;
    }
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
    if (error instanceof CliError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`periodo: ${(error as Error).message}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  });
}
