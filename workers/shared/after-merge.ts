/**
 * What follows a merge once its version is committed: purge cached responses it made
 * stale (the edge cache) and queue the new version's exports. Neither may undo or fail
 * the merge: failures are logged by each part, which retries as it sees fit.
 */
import type { Env } from '../env';
import { purgeAfterMerge } from '../cache/purge';
import { enqueueExports } from '../exports/enqueue';
import { logEvent } from './request-log';

export interface MergeEvent {
  version: number;
  /** Ids of the authorities and periods the merge created, updated or removed. */
  entities: string[];
  patchRequestId: number | null;
  /**
   * False for all but the last patch of an operator's load: its version is superseded at
   * once, so its exports would be work thrown away (a request for it still queues them).
   */
  queueExports?: boolean;
}

export async function afterMerge(env: Env, event: MergeEvent): Promise<void> {
  const results = await Promise.allSettled([purgeAfterMerge(env, event), event.queueExports === false ? Promise.resolve() : enqueueExports(env, event.version)]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  logEvent(
    'merge',
    { app: 'data', datasetVersion: event.version, patchRequestId: event.patchRequestId, entities: event.entities.length, sideEffects: failures.length ? 'failed' : 'done', failures },
    failures.length ? 'error' : 'info',
  );
}
