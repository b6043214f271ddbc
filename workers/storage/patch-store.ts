/** Reading patch requests and their comments. */
import { and, eq, gt } from 'drizzle-orm';
import type { Db } from './db';
import { patchRequests } from './schema';

/** The operator's loads are merged as this user; it is no person, so never a contributor. */
export const INITIAL_DATA_LOADER = 'initial-data-loader';

/** Users whose merged patches count as contributions (the initial load, patch 1, does not). */
export async function contributorsOfMergedPatches(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ createdBy: patchRequests.createdBy, updatedBy: patchRequests.updatedBy })
    .from(patchRequests)
    .where(and(eq(patchRequests.merged, true), gt(patchRequests.id, 1)));
  const out = new Set<string>();
  for (const r of rows) {
    out.add(r.createdBy);
    if (r.updatedBy) out.add(r.updatedBy);
  }
  out.delete(INITIAL_DATA_LOADER);
  return [...out];
}
