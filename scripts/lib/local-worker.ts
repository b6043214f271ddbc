/**
 * The whole Worker on workerd (local D1, R2, Queues and Durable Objects, configured from
 * wrangler.toml) started in-process through wrangler's dev API: for benchmarks and
 * browser tests.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_dev } from 'wrangler';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface LocalWorker {
  url: URL;
  /** The workerd process serving the Worker (for memory measurements). */
  workerdPid: number | null;
  /**
   * Every workerd process this Worker started: wrangler runs two (its proxy and the
   * runtime the Worker and its D1, R2 and queues run in), and `workerdPid` may be the proxy.
   */
  workerdPids: number[];
  persistDir: string;
  dispose(): Promise<void>;
}

function workerdProcesses(): number[] {
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

/** Starts the Worker from wrangler.toml on a free port, with migrated local storage in a temp dir. */
export async function startLocalWorker(options: { vars?: Record<string, string> } = {}): Promise<LocalWorker> {
  const persistDir = await mkdtemp(join(tmpdir(), 'periodo-local-'));
  // Run wrangler on this Node (24), whatever `node` is first on PATH.
  execFileSync(process.execPath, [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  const before = new Set(workerdProcesses());
  const worker = await unstable_dev(join(root, 'workers/index.ts'), {
    config: join(root, 'wrangler.toml'),
    persistTo: persistDir,
    ip: '127.0.0.1',
    port: 0,
    logLevel: (['debug', 'info', 'log', 'warn'] as const).find((l) => l === process.env.PERIODO_LOG_LEVEL) ?? 'error',
    vars: options.vars,
    experimental: { disableExperimentalWarning: true },
  });
  const workerdPid = workerdProcesses().find((pid) => !before.has(pid)) ?? null;
  return {
    url: new URL(`http://127.0.0.1:${worker.port}/`),
    workerdPid,
    // Read when asked: the runtime may start after the proxy.
    get workerdPids() {
      return workerdProcesses().filter((pid) => !before.has(pid));
    },
    persistDir,
    dispose: () => worker.stop(),
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
