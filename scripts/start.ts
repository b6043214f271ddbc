/**
 * `npm start [-- --port P] [--persist-to DIR] [other wrangler dev options]`: applies the
 * D1 migrations to the local database (under .wrangler/ unless --persist-to), starts
 * `wrangler dev`, and loads the demo dataset into an empty database (unless
 * PERIODO_SEED=none).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadData } from './periodo.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// Run wrangler on this Node (24), whatever `node` is first on PATH.
const wranglerJs = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const DEMO = fileURLToPath(new URL('./seed/demo-dataset.json', import.meta.url));

/** The value of `--name V` or `--name=V` among wrangler dev's arguments. */
function option(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

/**
 * wrangler.toml's development URLs name port 8787; on another port, browsers sent to the
 * client (and legacy and permalink redirects) must land on this server, so the vars follow.
 */
function localUrlVars(port: number): string[] {
  const vars = {
    CLIENT_URL: `http://client.localhost:${port}/`,
    DATA_URL: `http://localhost:${port}/`,
    PERMALINK_BASE: `http://localhost:${port}/`,
  };
  return Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
}

async function waitUntilUp(origin: string, child: ReturnType<typeof spawn>, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${origin}/index.json`);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the local server did not answer at ${origin} within ${seconds} s`);
}

async function seed(origin: string): Promise<void> {
  if (process.env.PERIODO_SEED === 'none') {
    console.log('[periodo] PERIODO_SEED=none: not loading the demo dataset.');
    return;
  }
  const response = await fetch(`${origin}/admin/dataset`, { headers: { Authorization: 'Bearer dev-admin-token' } });
  await response.body?.cancel();
  if (response.headers.get('X-PeriodO-Dataset-Version') !== '0') return;
  console.log('[periodo] empty database: loading the demo dataset (set PERIODO_SEED=none to skip).');
  await loadData({ url: origin, adminToken: 'dev-admin-token' }, DEMO, 5000);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const port = Number(option(args, 'port') ?? 8787);
  const persistTo = option(args, 'persist-to');
  const migrateArgs = [wranglerJs, 'd1', 'migrations', 'apply', 'DB', '--local', ...(persistTo ? ['--persist-to', persistTo] : [])];
  const migrate = spawnSync(process.execPath, migrateArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, CI: 'true' } });
  if (migrate.status !== 0) process.exit(migrate.status ?? 1);

  const devArgs = ['dev', ...args];
  if (!args.some((a) => a.startsWith('--port'))) devArgs.push('--port', String(port));
  devArgs.push(...localUrlVars(port));
  const child = spawn(process.execPath, [wranglerJs, ...devArgs], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

  const origin = `http://localhost:${port}`;
  try {
    await waitUntilUp(origin, child);
    await seed(origin);
    console.log(`[periodo] ready: data API ${origin}/d.json · client http://client.localhost:${port}/ · CORS proxy http://corsproxy.localhost:${port}/ · legacy http://legacy.localhost:${port}/`);
  } catch (error) {
    console.error(`[periodo] ${(error as Error).message}`);
  }
}

main();
