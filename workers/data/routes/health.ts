/**
 * `GET /.well-known/health`: what a monitor needs to know, without secrets — the server
 * and dataset versions, whether D1, the DatasetCoordinator, R2 and the export queue
 * answer, whether the head version's exports exist, whether any export was
 * dead-lettered, and whether the last merge's exports finished. 200 when every store
 * answers (`status` "ok", or "degraded" with `warnings`), 503 when one does not.
 */
import type { Hono } from 'hono';
import type { Env } from '../../env';
import { EXPORT_FORMATS } from '../../exports/dataset-export';
import { exportKey } from '../../exports/enqueue';

/** Exports of a version may take this long after its merge before their absence is a problem. */
export const EXPORT_GRACE_MS = 15 * 60_000;
/** A job queued this long ago and never picked up means the queue is not delivering. */
export const QUEUE_STALL_MS = 15 * 60_000;

interface Check {
  ok: boolean;
  ms: number;
  error?: string;
  [detail: string]: unknown;
}

async function timed(fn: () => Promise<Record<string, unknown>>): Promise<Check> {
  const started = Date.now();
  try {
    const detail = await fn();
    return { ok: detail.ok !== false, ms: Date.now() - started, ...detail } as Check;
  } catch (error) {
    // Only the error's kind and message: never bindings, headers or tokens.
    return { ok: false, ms: Date.now() - started, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'failing';
  environment: string;
  serverVersion: string;
  datasetVersion: number | null;
  checkedAt: string;
  checks: { d1: Check; durableObject: Check; r2: Check; queue: Check };
  /** `overdue`: exports still missing longer than EXPORT_GRACE_MS after the version's merge. */
  exports: { version: number | null; present: string[]; missing: string[]; overdue: boolean };
  deadLetteredExports: number;
  lastMerge: { version: number; createdAt: string; exportsDone: boolean; overdue: boolean } | null;
  warnings: string[];
}

export async function healthReport(env: Env, now = new Date()): Promise<HealthReport> {
  let head: { id: number; created_at: string } | null = null;
  const d1 = await timed(async () => {
    head = await env.DB.prepare('SELECT id, created_at FROM versions ORDER BY id DESC LIMIT 1').first<{ id: number; created_at: string }>();
    return { ok: head !== null };
  });
  const headRow = head as { id: number; created_at: string } | null;
  const durableObject = await timed(async () => {
    const { head: held } = await env.COORDINATOR.getByName('dataset').ping();
    return { heldVersion: held };
  });
  const present: string[] = [];
  const r2 = await timed(async () => {
    if (!headRow) return {};
    const heads = await Promise.all(EXPORT_FORMATS.map((f) => env.EXPORTS.head(exportKey(headRow.id, f))));
    EXPORT_FORMATS.forEach((f, i) => heads[i] && present.push(f));
    return {};
  });
  let deadLettered = 0;
  const queue = await timed(async () => {
    const stalledBefore = new Date(now.getTime() - QUEUE_STALL_MS).toISOString();
    const row = await env.DB.prepare(
      "SELECT SUM(state = 'failed') AS failed, SUM(state = 'queued' AND attempts = 0 AND updated_at < ?) AS stalled FROM export_jobs",
    )
      .bind(stalledBefore)
      .first<{ failed: number | null; stalled: number | null }>();
    deadLettered = row?.failed ?? 0;
    const stalled = row?.stalled ?? 0;
    return stalled > 0 ? { ok: false, error: `${stalled} export job(s) queued over ${QUEUE_STALL_MS / 60_000} minutes ago were never delivered` } : {};
  });

  const warnings: string[] = [];
  const missing = headRow && headRow.id > 0 ? EXPORT_FORMATS.filter((f) => !present.includes(f)) : [];
  const age = headRow ? now.getTime() - Date.parse(headRow.created_at) : 0;
  const overdue = r2.ok && missing.length > 0 && age > EXPORT_GRACE_MS;
  if (overdue) {
    warnings.push(`version ${headRow!.id} has no ${missing.join(', ')} export ${Math.round(age / 60_000)} minutes after its merge`);
  }
  if (deadLettered > 0) warnings.push(`${deadLettered} export job(s) were dead-lettered`);
  const checks = { d1, durableObject, r2, queue };
  const failing = Object.values(checks).some((c) => !c.ok);
  return {
    status: failing ? 'failing' : warnings.length ? 'degraded' : 'ok',
    environment: env.ENVIRONMENT,
    serverVersion: env.SERVER_VERSION,
    datasetVersion: headRow?.id ?? null,
    checkedAt: now.toISOString(),
    checks,
    exports: { version: headRow?.id ?? null, present, missing, overdue },
    deadLetteredExports: deadLettered,
    lastMerge: headRow && headRow.id > 0 ? { version: headRow.id, createdAt: headRow.created_at, exportsDone: missing.length === 0, overdue } : null,
    warnings,
  };
}

export function registerHealthRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get('/.well-known/health', async (c) => {
    const report = await healthReport(c.env);
    return new Response(JSON.stringify(report, null, 2), {
      status: report.status === 'failing' ? 503 : 200,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        ...(report.datasetVersion !== null ? { 'X-PeriodO-Dataset-Version': String(report.datasetVersion) } : {}),
      },
    });
  });
}
