import type { Env } from '../env';

/** Queues the Turtle, N-Triples and CSV exports of a new version. */
export async function enqueueExports(env: Env, version: number): Promise<void> {
  await env.EXPORT_QUEUE.sendBatch((['ttl', 'nt', 'csv'] as const).map((format) => ({ body: { version, format } })));
}
