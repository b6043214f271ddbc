/**
 * Generations: short values read from D1 that change whenever the state behind a family
 * of latest resources changes. They are part of cache keys, so a write makes older entries
 * unreachable everywhere at once, without waiting for any purge.
 *
 * - head: the newest dataset version (every merge adds one; versions are never removed).
 * - comments: the newest comment's id (comments on merged changes are part of the history).
 * - graphs: the number of graph versions, of deleted ones, and the newest creation time.
 *   A PUT adds a version (count and time move), a DELETE marks the graph's versions deleted
 *   (the deleted count moves), so every change gives a new value.
 */
import { count, max, sql } from 'drizzle-orm';
import type { Env } from '../env';
import { bothReads, database, runRead, type BatchRead, type Db } from '../storage/db';
import { graphs, patchRequestComments, versions } from '../storage/schema';
import type { Generations } from './keys';
import type { Generation } from './policy';

/** Reads the generations a key needs, in one D1 round trip. */
export async function currentGenerations(env: Env, keyedBy: Generation[]): Promise<Generations> {
  if (keyedBy.length === 0) return {};
  const db = database(env.DB);
  return runRead(db, generationsRead(db, keyedBy));
}

/**
 * The generations a key needs and `also` (a route's own first read), in one D1 round trip:
 * the two see the same state, so the route's answer is the one the key names.
 */
export async function generationsWith<T>(env: Env, keyedBy: Generation[], also: BatchRead<T>): Promise<[Generations, T]> {
  const db = database(env.DB);
  if (keyedBy.length === 0) return [{}, await runRead(db, also)];
  return runRead(db, bothReads(generationsRead(db, keyedBy), also));
}

function generationsRead(db: Db, keyedBy: Generation[]): BatchRead<Generations> {
  const queries = {
    head: db.select({ v: max(versions.id) }).from(versions),
    graphs: db
      .select({ n: count(), deleted: sql<number>`COALESCE(SUM(${graphs.deleted}), 0)`, newest: max(graphs.createdAt) })
      .from(graphs),
    comments: db.select({ v: max(patchRequestComments.id) }).from(patchRequestComments),
  };
  const wanted = (['head', 'graphs', 'comments'] as const).filter((g) => keyedBy.includes(g));
  return {
    queries: wanted.map((g) => queries[g]),
    decode: (results) => {
      const out: Generations = {};
      wanted.forEach((g, i) => {
        const row = (results[i] as unknown[])[0] as { v?: number | null; n?: number; deleted?: number; newest?: string | null } | undefined;
        if (g === 'head') out.head = row?.v ?? 0;
        else if (g === 'comments') out.comments = row?.v ?? 0;
        else out.graphs = graphsToken(row as { n: number; deleted: number; newest: string | null } | undefined);
      });
      return out;
    },
  };
}

function graphsToken(row: { n: number; deleted: number; newest: string | null } | undefined): string {
  if (!row || !row.n) return '0';
  return `${row.n}.${row.deleted}.${row.newest ? Date.parse(row.newest) : 0}`;
}

/** The head each request's cache lookup read (for the route to start its reads of that version early). */
const headsSeen = new WeakMap<Request, number>();

export function noteHeadSeen(request: Request, head: number): void {
  headsSeen.set(request, head);
}

/**
 * The head version the edge cache read for this request, if it read one: a hint, taken
 * before the route's own D1 read (a merge may come between), so a route checks it.
 */
export function headSeenBy(request: Request): number | undefined {
  return headsSeen.get(request);
}
