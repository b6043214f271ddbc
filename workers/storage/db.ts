import { and, gt, isNull, lte, or, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = DrizzleD1Database<typeof schema> & { $client: D1Database };

/** One drizzle instance per D1 binding: building one reads the whole schema (≈ 40 µs), and a request asks several times. */
const instances = new WeakMap<D1Database, Db>();

export function database(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    instances.set(d1, db);
  }
  return db;
}

/** D1 allows at most 100 bound parameters per statement. */
export const MAX_PARAMS = 100;

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Rows valid at version `v`: the storage's one rule of history. */
export function validAt(table: { validFrom: SQLiteColumn; validTo: SQLiteColumn }, version: number): SQL {
  return and(lte(table.validFrom, version), or(isNull(table.validTo), gt(table.validTo, version)))!;
}

/**
 * A read that can share one D1 batch with others: its queries, and how their results are
 * read. A batch is one transaction, so every read in it sees the same state.
 */
export interface BatchRead<T> {
  queries: BatchItem<'sqlite'>[];
  decode(results: unknown[]): T;
}

export async function runRead<T>(db: Db, read: BatchRead<T>): Promise<T> {
  return read.decode((await db.batch(read.queries as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as unknown[]);
}

/** Two reads in one batch (one round trip, one state). */
export function bothReads<A, B>(a: BatchRead<A>, b: BatchRead<B>): BatchRead<[A, B]> {
  return {
    queries: [...a.queries, ...b.queries],
    decode: (results) => [a.decode(results.slice(0, a.queries.length)), b.decode(results.slice(a.queries.length))],
  };
}

/** A statement of a write batch: a drizzle query, or a D1 statement drizzle cannot express. */
export type Statement = BatchItem<'sqlite'> | D1PreparedStatement;

/**
 * Runs `statements` as one D1 batch (one transaction). drizzle's own batch() cannot hold a
 * raw statement with bound parameters (its `db.run(sql)` has no prepared statement to bind),
 * so drizzle queries are turned into D1 statements here, with the SQL and parameters
 * drizzle would have sent.
 */
export async function runBatch(db: Db, statements: Statement[]): Promise<void> {
  const d1 = db.$client;
  await d1.batch(
    statements.map((s) => {
      if (!('toSQL' in s)) return s as D1PreparedStatement;
      const q = (s as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
      return d1.prepare(q.sql).bind(...q.params);
    }),
  );
}
