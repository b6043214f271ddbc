/**
 * What follows a merge once its version is committed: purge cached responses it made
 * stale (the edge cache) and queue the new version's exports. Neither may undo, fail or
 * hold up the merge: each part logs its own failures, and the merge waits for them at
 * most `AFTER_MERGE_BUDGET_MS` (a hanging purge API would otherwise stall every later
 * write, which the coordinator serialises). Correctness never depends on them finishing:
 * cache keys carry the head version, and a request for a missing export queues it.
 */
import type { Env } from '../env';
import { purgeAfterMerge } from '../cache/purge';
import { enqueueExports } from '../exports/enqueue';
import { within } from './deadline';
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

export const AFTER_MERGE_BUDGET_MS = 3000;

const TIMED_OUT = Symbol('timed out');

export async function afterMerge(env: Env, event: MergeEvent, budgetMs = AFTER_MERGE_BUDGET_MS): Promise<void> {
  const parts: [string, Promise<unknown>][] = [['the cache purge', purgeAfterMerge(env, event)]];
  if (event.queueExports !== false) parts.push(['queueing its exports', enqueueExports(env, event.version)]);
  const outcomes = await Promise.all(
    parts.map(async ([name, work]): Promise<string | null> => {
      try {
        if ((await within(work, budgetMs, TIMED_OUT)) === TIMED_OUT) {
          // Still logged if it fails later.
          work.catch((error) => console.error(`after merge of version ${event.version}: ${name} failed: ${String(error)}`));
          return `${name} is still running after ${budgetMs} ms; the merge does not wait for it`;
        }
        return null;
      } catch (error) {
        return `${name} failed: ${String(error)}`;
      }
    }),
  );
  const failures = outcomes.filter((o): o is string => o !== null);
  for (const f of failures) console.error(`after merge of version ${event.version}: ${f}`);
  logEvent(
    'merge',
    { app: 'data', datasetVersion: event.version, patchRequestId: event.patchRequestId, entities: event.entities.length, sideEffects: failures.length ? 'failed' : 'done', failures },
    failures.length ? 'error' : 'info',
  );
}
