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

export interface MergeEvent {
  version: number;
  /** Ids of the authorities and periods the merge created, updated or removed. */
  entities: string[];
  patchRequestId: number | null;
}

export const AFTER_MERGE_BUDGET_MS = 3000;

const TIMED_OUT = Symbol('timed out');

function withinBudget<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export async function afterMerge(env: Env, event: MergeEvent, budgetMs = AFTER_MERGE_BUDGET_MS): Promise<void> {
  const parts: [string, Promise<unknown>][] = [
    ['the cache purge', purgeAfterMerge(env, event)],
    ['queueing its exports', enqueueExports(env, event.version)],
  ];
  await Promise.all(
    parts.map(async ([name, work]) => {
      try {
        if ((await withinBudget(work, budgetMs)) === TIMED_OUT) {
          console.error(`after merge of version ${event.version}: ${name} is still running after ${budgetMs} ms; the merge does not wait for it`);
          // Still logged if it fails later.
          work.catch((error) => console.error(`after merge of version ${event.version}: ${name} failed: ${String(error)}`));
        }
      } catch (error) {
        console.error(`after merge of version ${event.version}: ${name} failed: ${String(error)}`);
      }
    }),
  );
}
