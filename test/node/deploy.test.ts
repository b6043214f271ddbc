/**
 * Deploys: a dirty tree is refused unless forced, SERVER_VERSION is `git describe`, D1
 * migrations are applied before the code, and `deploy:check` dry-runs both environments
 * and the monitor Worker offline.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeScratchDir, scratchDir } from '../../scripts/lib/scratch-dir.ts';
import { assertDeployable, deploySteps, serverVersion } from '../../scripts/deploy.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let repo = '';
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo, encoding: 'utf8' }).trim();

beforeAll(() => {
  repo = scratchDir('periodo-deploy-');
  git('init', '-q');
  writeFileSync(join(repo, 'a.txt'), 'one\n');
  git('add', '.');
  git('commit', '-qm', 'first');
  git('tag', 'v1.4.0');
});

afterAll(() => removeScratchDir(repo));

describe('deploy guards and version stamp', () => {
  it('stamps SERVER_VERSION with git describe, naming the environment except in production', () => {
    expect(serverVersion(repo, 'production')).toBe('periodo-edge/v1.4.0');
    expect(serverVersion(repo, 'staging')).toBe('periodo-edge/v1.4.0 (staging)');
    writeFileSync(join(repo, 'a.txt'), 'two\n');
    git('commit', '-qam', 'second');
    expect(serverVersion(repo, 'production')).toMatch(/^periodo-edge\/v1\.4\.0-1-g[0-9a-f]{7,}$/);
  });

  it('refuses a tree with uncommitted or untracked changes unless forced', () => {
    expect(() => assertDeployable(repo, false)).not.toThrow();
    writeFileSync(join(repo, 'a.txt'), 'edited\n');
    writeFileSync(join(repo, 'new.txt'), 'new\n');
    expect(() => assertDeployable(repo, false)).toThrow(/^the working tree has uncommitted changes; commit them \(or deploy anyway with --force\):\n {2}M a\.txt\n {2}\?\? new\.txt$/);
    expect(() => assertDeployable(repo, true)).not.toThrow();
    expect(serverVersion(repo, 'production')).toMatch(/-dirty$/);
  });

  it('applies D1 migrations before uploading the code, to the same environment', () => {
    expect(deploySteps('production', 'periodo-edge/v2', false)).toEqual([
      ['d1', 'migrations', 'apply', 'DB', '--remote', '--env', 'production'],
      ['deploy', '--env', 'production', '--var', 'SERVER_VERSION:periodo-edge/v2'],
    ]);
    expect(deploySteps('monitor', 'x', false)).toEqual([['deploy', '-c', 'workers/monitor/wrangler.toml', '--env', 'production']]);
  });

  it('dry-runs a deploy with the stamped version through wrangler', () => {
    const r = spawnSync(process.execPath, ['scripts/deploy.ts', 'staging', '--dry-run'], { cwd: root, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const describe = execFileSync('git', ['describe', '--tags', '--always', '--dirty'], { cwd: root, encoding: 'utf8' }).trim();
    expect(r.stdout).toContain(`SERVER_VERSION periodo-edge/${describe} (staging)`);
    expect(r.stdout).toContain(`$ wrangler deploy --env staging --var SERVER_VERSION:periodo-edge/${describe} (staging) --dry-run`);
    expect(r.stdout).toContain('--dry-run: exiting now.');
    expect(r.stdout).toContain('env.DB (periodo-staging)');
  });

  it('refuses an unknown environment', () => {
    const r = spawnSync(process.execPath, ['scripts/deploy.ts', 'prod'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: node scripts/deploy.ts staging|production|monitor|check');
  });
});
