/**
 * `npm run deploy:staging|production|monitor [-- --force] [--dry-run]`, and
 * `npm run deploy:check` (every deploy dry-run, offline: what CI runs).
 *
 * A deploy of the main Worker refuses a working tree with uncommitted changes (unless
 * --force: the version then says `-dirty`), stamps SERVER_VERSION with `git describe`
 * (served as X-PeriodO-Server-Version), applies the environment's pending D1 migrations
 * and only then uploads the code that needs them. The monitor Worker deploys on its own.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { root, wrangler, WranglerError } from './lib/wrangler.ts';

export type Target = 'staging' | 'production' | 'monitor';

export class DeployError extends Error {}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Uncommitted changes (tracked or not, ignored files aside) that a deploy would ship unrecorded. */
export function uncommittedChanges(cwd: string): string[] {
  return git(cwd, ['status', '--porcelain', '--untracked-files=normal']).split('\n').filter(Boolean);
}

/** Refuses a dirty tree unless forced. */
export function assertDeployable(cwd: string, force: boolean): void {
  const changes = uncommittedChanges(cwd);
  if (changes.length && !force) {
    const list = changes.slice(0, 10).map((c) => `  ${c}`).join('\n');
    throw new DeployError(`the working tree has uncommitted changes; commit them (or deploy anyway with --force):\n${list}${changes.length > 10 ? `\n  … ${changes.length - 10} more` : ''}`);
  }
}

/** `periodo-edge/<git describe>`, e.g. `periodo-edge/v1.2.0-3-gabc1234` or `…-dirty`, with the environment unless production. */
export function serverVersion(cwd: string, environment: string): string {
  const described = git(cwd, ['describe', '--tags', '--always', '--dirty']);
  return `periodo-edge/${described}${environment === 'production' ? '' : ` (${environment})`}`;
}

/** The wrangler steps of a deploy, in order: migrations before the code. */
export function deploySteps(target: Target, version: string, dryRun: boolean): string[][] {
  if (target === 'monitor') {
    return [['deploy', '-c', 'workers/monitor/wrangler.toml', '--env', 'production', ...(dryRun ? ['--dry-run', '--outdir', '.wrangler/dry-run/monitor'] : [])]];
  }
  const deploy = ['deploy', '--env', target, '--var', `SERVER_VERSION:${version}`];
  if (dryRun) return [[...deploy, '--dry-run', '--outdir', `.wrangler/dry-run/${target}`]];
  return [['d1', 'migrations', 'apply', 'DB', '--remote', '--env', target], deploy];
}

export function deploy(target: Target, options: { force: boolean; dryRun: boolean; log?: (line: string) => void }): void {
  const log = options.log ?? console.log;
  // A dry run uploads nothing, so it may check a tree being worked on.
  if (!options.dryRun) assertDeployable(root, options.force);
  const version = serverVersion(root, target);
  if (target !== 'monitor') log(`SERVER_VERSION ${version}`);
  for (const step of deploySteps(target, version, options.dryRun)) {
    log(`$ wrangler ${step.join(' ')}`);
    const out = wrangler(step);
    if (options.dryRun) log(out.trim());
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { force: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false } },
  });
  const [what] = positionals;
  if (what === 'check') {
    for (const target of ['staging', 'production', 'monitor'] as const) deploy(target, { force: true, dryRun: true });
    return;
  }
  if (what !== 'staging' && what !== 'production' && what !== 'monitor') {
    throw new DeployError('usage: node scripts/deploy.ts staging|production|monitor|check [--force] [--dry-run]');
  }
  deploy(what, { force: values.force!, dryRun: values['dry-run']! });
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof DeployError || error instanceof WranglerError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`deploy: ${(error as Error).message}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  });
}
