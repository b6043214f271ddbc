/**
 * The whole system for browser tests: the Worker on workerd (startLocalWorker: free port,
 * temp storage), loaded with a fixture dataset through the operator CLI's path, and the
 * client's and data API's URLs on that port (Chromium resolves *.localhost to loopback).
 */
import { fileURLToPath } from 'node:url';
import { loadData } from '../../../scripts/periodo.ts';
import { startLocalWorker, type LocalWorker } from '../../../scripts/lib/local-worker.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const ADMIN_TOKEN = 'dev-admin-token';

export interface System {
  worker: LocalWorker;
  port: number;
  /** http://client.localhost:<port>/ */
  client: string;
  /** http://localhost:<port>/ (the data API, as the client's /config.json names it) */
  data: string;
  stop(): Promise<void>;
}

/** Starts the Worker and loads `datasets` (paths under test/fixtures/) in order. */
export async function startSystem(datasets: string[] = []): Promise<System> {
  const worker = await startLocalWorker();
  const port = Number(worker.url.port);
  const data = `http://localhost:${port}/`;
  const quiet = console.log;
  console.log = () => undefined;
  try {
    for (const file of datasets) await loadData({ url: worker.url.origin, adminToken: ADMIN_TOKEN }, FIXTURES + file, 5000);
  } finally {
    console.log = quiet;
  }
  return { worker, port, client: `http://client.localhost:${port}/`, data, stop: () => worker.dispose() };
}
