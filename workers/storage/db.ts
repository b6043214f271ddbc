import { and, gt, isNull, lte, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = DrizzleD1Database<typeof schema>;

export function database(d1: D1Database): Db {
  return drizzle(d1, { schema });
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
