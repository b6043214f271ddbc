/**
 * An environment's dataset state at a glance, for promotion between environments: the
 * schema it is migrated to, its head version and how many rows each promoted table
 * holds. An import goes only into an environment where all of them are empty.
 */

import { PROMOTED_TABLES } from './promoted-tables';

export interface EnvironmentState {
  /** The last D1 migration applied (wrangler's `d1_migrations`), e.g. `0005_blob_encoding.sql`. */
  schema: string | null;
  head: number;
  rows: Record<(typeof PROMOTED_TABLES)[number], number>;
  /** Nothing but the empty version 0 every environment starts from. */
  empty: boolean;
}

export async function environmentState(d1: D1Database): Promise<EnvironmentState> {
  const counts = await d1.batch(PROMOTED_TABLES.map((t) => d1.prepare(`SELECT COUNT(*) AS n FROM ${t}`)));
  const rows = Object.fromEntries(PROMOTED_TABLES.map((t, i) => [t, (counts[i].results[0] as { n: number }).n])) as EnvironmentState['rows'];
  const head = (await d1.prepare('SELECT MAX(id) AS v FROM versions').first<{ v: number | null }>())?.v ?? 0;
  let schema: string | null = null;
  try {
    schema = (await d1.prepare('SELECT name FROM d1_migrations ORDER BY id DESC LIMIT 1').first<{ name: string }>())?.name ?? null;
  } catch {
    schema = null; // no migrations table: not migrated by wrangler
  }
  const empty = head === 0 && rows.versions <= 1 && PROMOTED_TABLES.every((t) => t === 'versions' || rows[t] === 0);
  return { schema, head, rows, empty };
}
