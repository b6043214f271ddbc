/**
 * Running wrangler from the operator CLI and the deploy script: always the project's own
 * wrangler on this Node (24), whatever `node` is first on PATH, without telemetry prompts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeScratchDir, scratchDir } from './scratch-dir.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const wranglerJs = join(root, 'node_modules/wrangler/bin/wrangler.js');

export class WranglerError extends Error {}

/** Runs `wrangler ARGS` in the project root; returns stdout, throws with wrangler's own message on failure. */
export function wrangler(args: string[], options: { inherit?: boolean } = {}): string {
  const result = spawnSync(process.execPath, [wranglerJs, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: options.inherit ? 'inherit' : 'pipe',
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  });
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new WranglerError(`wrangler ${args.slice(0, 3).join(' ')} failed${output ? `:\n${output}` : ''}`);
  }
  return result.stdout ?? '';
}

/** Where an environment's D1 database is: this machine's (optionally another state folder) or Cloudflare's. */
export type D1Location = { kind: 'local'; persistTo?: string } | { kind: 'remote'; env: string };

export function describeLocation(location: D1Location): string {
  return location.kind === 'local' ? `the local database${location.persistTo ? ` in ${location.persistTo}` : ''}` : `the ${location.env} database`;
}

/** The dev database's id in wrangler.toml: local D1 files are named after it. */
const DEV_DATABASE = { binding: 'DB', database_name: 'periodo-dev', database_id: '00000000-0000-4000-8000-000000000001' };

function locationArgs(location: D1Location): string[] {
  if (location.kind === 'remote') return ['--remote', '--env', location.env];
  return ['--local', ...(location.persistTo ? ['--persist-to', resolve(location.persistTo)] : [])];
}

/**
 * `wrangler d1 export` of the given tables' rows (no schema). Its `--local` has no
 * `--persist-to`: it reads `.wrangler/state` next to the config file, so for another
 * state folder it is pointed at a throw-away config beside a link to that folder.
 */
export function exportD1(location: D1Location, tables: readonly string[], output: string): void {
  const tableArgs = tables.flatMap((t) => ['--table', t]);
  if (location.kind === 'remote') {
    wrangler(['d1', 'export', 'DB', '--remote', '--env', location.env, '--no-schema', ...tableArgs, '--output', output]);
    return;
  }
  if (!location.persistTo) {
    wrangler(['d1', 'export', 'DB', '--local', '-c', join(root, 'wrangler.toml'), '--no-schema', ...tableArgs, '--output', output]);
    return;
  }
  const dir = scratchDir('periodo-export-config-');
  try {
    mkdirSync(join(dir, '.wrangler'));
    symlinkSync(resolve(location.persistTo), join(dir, '.wrangler/state'));
    const config = join(dir, 'wrangler.json');
    writeFileSync(config, JSON.stringify({ name: 'periodo-export', d1_databases: [DEV_DATABASE] }));
    wrangler(['d1', 'export', 'DB', '--local', '-c', config, '--no-schema', ...tableArgs, '--output', output]);
  } finally {
    // Only the link goes: rm does not follow it into the state folder.
    removeScratchDir(dir);
  }
}

/** `wrangler d1 execute --file`: runs a SQL file against an environment's database. */
export function executeD1File(location: D1Location, file: string): void {
  wrangler(['d1', 'execute', 'DB', ...locationArgs(location), '--file', file, '--yes']);
}
