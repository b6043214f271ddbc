/**
 * The whole Worker on workerd (local D1, R2, Queues, Durable Objects, the Cache API and
 * static assets, configured from wrangler.toml) started in-process on a Miniflare
 * instance: for benchmarks, browser tests and the load run.
 *
 * Miniflare is driven directly (not through wrangler's `unstable_dev`): the bundle is the
 * one `wrangler deploy` would upload (`--dry-run --outdir`), the options are wrangler's own
 * reading of wrangler.toml (`unstable_getMiniflareWorkerOptions`), and storage persists in
 * the same layout (`<dir>/v3/…`). `unstable_dev` adds wrangler's dev proxy (a second workerd
 * every request crosses) and its inspector, about 10 ms a request on this machine; see
 * docs/dataset-reads.md ("The harness"). `npm start` still runs `wrangler dev`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { removeScratchDir, scratchDir } from './scratch-dir.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const wranglerJs = join(root, 'node_modules/wrangler/bin/wrangler.js');
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' };

export interface LocalWorker {
  url: URL;
  /** The workerd process serving the Worker (for memory measurements). */
  workerdPid: number | null;
  persistDir: string;
  dispose(): Promise<void>;
}

export function workerdProcesses(): number[] {
  try {
    const out = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' });
    const rows = out.split('\n').map((l) => l.trim().split(/\s+/)).filter((r) => r.length >= 3);
    // workerd runs as a child of this process or of one of its children.
    const mine = new Set([process.pid, ...rows.filter((r) => Number(r[1]) === process.pid).map((r) => Number(r[0]))]);
    return rows.filter((r) => r[2].includes('workerd') && mine.has(Number(r[1]))).map((r) => Number(r[0]));
  } catch {
    return [];
  }
}

let bundled: Promise<string> | null = null;
let running = 0;

/**
 * The Worker bundled as `wrangler deploy` bundles it, once for all the Workers running at a
 * time in this process; returns the folder, which goes when the last of them is disposed.
 */
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const outdir = scratchDir('periodo-bundle-');
    // Run wrangler on this Node (24), whatever `node` is first on PATH.
    execFileSync(process.execPath, [wranglerJs, 'deploy', '--dry-run', '--outdir', outdir], { cwd: root, stdio: 'ignore', env: wranglerEnv });
    return outdir;
  })();
  return bundled;
}

const LEVELS = ['debug', 'info', 'log', 'warn', 'error'];

/** Which console lines of the Worker are printed: `PERIODO_LOG_LEVEL` and above (default: errors). */
function printable(level: string): boolean {
  const wanted = LEVELS.indexOf(process.env.PERIODO_LOG_LEVEL ?? 'error');
  return LEVELS.indexOf(level) >= (wanted < 0 ? LEVELS.length - 1 : wanted);
}

/**
 * Starts the Worker from wrangler.toml on a free port, with migrated local storage in a temp
 * dir that `dispose` removes (a `persistDir` passed in is the caller's and is kept).
 */
export async function startLocalWorker(options: { vars?: Record<string, string>; persistDir?: string } = {}): Promise<LocalWorker> {
  const persistDir = options.persistDir ?? scratchDir('periodo-local-');
  const release = async () => {
    if (!options.persistDir) removeScratchDir(persistDir);
    if (--running === 0 && bundled) {
      const dir = await bundled.catch(() => '');
      bundled = null;
      if (dir) removeScratchDir(dir);
    }
  };
  running++;
  let mf: Miniflare | undefined;
  let started: Miniflare;
  let url: URL;
  let workerdPid: number | null;
  try {
    const outdir = await bundle();
    execFileSync(process.execPath, [wranglerJs, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir], { cwd: root, stdio: 'ignore', env: wranglerEnv });
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, 'wrangler.toml'));
    const before = new Set(workerdProcesses());
    const worker = {
      ...workerOptions,
      name: 'periodo',
      bindings: { ...(workerOptions.bindings as Record<string, unknown>), ...options.vars },
      modulesRoot: outdir,
      modules: [{ type: 'ESModule', path: join(outdir, 'index.js') }],
    };
    mf = new Miniflare(
      convertV4MiniflareOptions({
        host: '127.0.0.1',
        port: 0,
        // MF_INSPECT=<port>: workerd's inspector, for CPU profiles of the Worker and its simulators.
        ...(process.env.MF_INSPECT ? { inspectorPort: Number(process.env.MF_INSPECT) } : {}),
        // wrangler dev's layout under --persist-to: D1, R2, Durable Objects and the cache in <dir>/v3.
        resourcePersistencePath: join(persistDir, 'v3'),
        workers: [worker],
        handleStructuredLogs: ({ level, message }: { level: string; message: string }) => {
          if (printable(level)) process.stderr.write(`${message}\n`);
        },
      } as Parameters<typeof convertV4MiniflareOptions>[0]),
    );
    url = await mf.ready;
    started = mf;
    workerdPid = workerdProcesses().find((pid) => !before.has(pid)) ?? null;
  } catch (e) {
    // A Worker that did not start leaves nothing behind either.
    await mf?.dispose().catch(() => undefined);
    await release();
    throw e;
  }
  return {
    url: new URL(`http://127.0.0.1:${url.port}/`),
    workerdPid,
    persistDir,
    dispose: async () => {
      await started.dispose();
      await release();
    },
  };
}

/** Peak resident memory (VmHWM) of a process, in bytes. */
export function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Starts a new peak-RSS measurement window for a process (Linux clear_refs). */
export function resetPeakRss(pid: number): boolean {
  try {
    execFileSync('sh', ['-c', `echo 5 > /proc/${pid}/clear_refs`]);
    return true;
  } catch {
    return false;
  }
}
