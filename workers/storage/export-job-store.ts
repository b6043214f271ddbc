/**
 * Bookkeeping of export jobs (`export_jobs`): whether a version's export in one format has
 * been asked for, is being generated, is done or has failed. The row is what makes
 * enqueueing happen once per version and format, however many requests race for it.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { ExportJob } from '../env';
import type { Db } from './db';
import { exportJobs } from './schema';

type ExportFormat = ExportJob['format'];
export type ExportJobRow = typeof exportJobs.$inferSelect;

/** A `queued` or `running` job not heard of for this long is presumed lost and queued again. */
export const STALE_JOB_MS = 15 * 60_000;
/** A job that failed every delivery (dead-lettered) is tried again on demand after this long. */
export const FAILED_RETRY_MS = 60 * 60_000;

/**
 * Marks the jobs of `version` in `formats` as queued, and returns the formats whose
 * message the caller must now send: those never asked for, and those whose job is done
 * (yet asked for again: its file is missing), stale or failed long enough ago. The others
 * are already on their way.
 */
export async function claimExportJobs(db: Db, version: number, formats: readonly ExportFormat[], now = new Date()): Promise<ExportFormat[]> {
  const stamp = now.toISOString();
  const staleBefore = new Date(now.getTime() - STALE_JOB_MS).toISOString();
  const failedBefore = new Date(now.getTime() - FAILED_RETRY_MS).toISOString();
  const rows = await db
    .insert(exportJobs)
    .values(formats.map((format) => ({ version, format, state: 'queued' as const, enqueued: 1, attempts: 0, updatedAt: stamp })))
    .onConflictDoUpdate({
      target: [exportJobs.version, exportJobs.format],
      set: { state: 'queued', enqueued: sql`${exportJobs.enqueued} + 1`, updatedAt: stamp, error: null },
      setWhere: sql`${exportJobs.state} = 'done'
        OR (${exportJobs.state} IN ('queued', 'running') AND ${exportJobs.updatedAt} < ${staleBefore})
        OR (${exportJobs.state} = 'failed' AND ${exportJobs.updatedAt} < ${failedBefore})`,
    })
    .returning({ format: exportJobs.format });
  return rows.map((r) => r.format);
}

/** Undoes a claim whose message could not be sent, so the next request tries again. */
export async function releaseExportJob(db: Db, version: number, format: ExportFormat, error: string): Promise<void> {
  await db
    .update(exportJobs)
    .set({ state: 'failed', updatedAt: new Date(0).toISOString(), error })
    .where(and(eq(exportJobs.version, version), eq(exportJobs.format, format)));
}

/** Forgets a job nobody needs any more, so a later request for its file queues it afresh. */
export async function forgetExportJob(db: Db, version: number, format: ExportFormat): Promise<void> {
  await db.delete(exportJobs).where(and(eq(exportJobs.version, version), eq(exportJobs.format, format)));
}

export async function exportJob(db: Db, version: number, format: ExportFormat): Promise<ExportJobRow | undefined> {
  return db.query.exportJobs.findFirst({ where: and(eq(exportJobs.version, version), eq(exportJobs.format, format)) });
}

async function update(db: Db, version: number, format: ExportFormat, values: Partial<ExportJobRow>): Promise<void> {
  const row = { version, format, state: 'queued' as const, enqueued: 0, attempts: 0, updatedAt: new Date().toISOString(), ...values };
  await db
    .insert(exportJobs)
    .values(row)
    .onConflictDoUpdate({ target: [exportJobs.version, exportJobs.format], set: { ...values, updatedAt: row.updatedAt } });
}

export function markExportRunning(db: Db, version: number, format: ExportFormat, attempt: number): Promise<void> {
  return update(db, version, format, { state: 'running', attempts: attempt });
}

export function markExportDone(db: Db, version: number, format: ExportFormat, result: { bytes: number; durationMs: number }): Promise<void> {
  return update(db, version, format, { state: 'done', error: null, ...result });
}

/** A failed attempt that the queue will deliver again. */
export function markExportRetrying(db: Db, version: number, format: ExportFormat, attempt: number, error: string): Promise<void> {
  return update(db, version, format, { state: 'queued', attempts: attempt, error });
}

/** A job the queue gave up on (it reached the dead-letter queue). */
export function markExportFailed(db: Db, version: number, format: ExportFormat, error: string): Promise<void> {
  return update(db, version, format, { state: 'failed', error });
}
