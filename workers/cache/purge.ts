import type { Env } from '../env';
import type { MergeEvent } from '../shared/after-merge';

/** Purges cached responses a merge made stale (the edge cache, issue 4: nothing is cached yet). */
export async function purgeAfterMerge(_env: Env, _event: MergeEvent): Promise<void> {}
