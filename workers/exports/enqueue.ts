/**
 * Asking for exports: a job per version and format goes on the export queue once (the
 * `export_jobs` row dedupes), whether a merge or a request asks first.
 */
import type { Env, ExportJob } from '../env';
import { database } from '../storage/db';
import { claimExportJobs, releaseExportJob } from '../storage/export-job-store';
import { EXPORT_FORMATS } from './dataset-export';
import { searchIndexKey } from './search-index';

/**
 * What a job writes: an RDF/CSV export, `json` (the authorities map `/d.json` is served
 * from) or `search-index` (what `/search-index.json` serves: workers/exports/search-index.ts).
 */
export type JobFormat = ExportJob['format'];
/** Every job a version gets, the JSON document and the web client's search index first (what most requests read). */
export const JOB_FORMATS: readonly JobFormat[] = ['json', 'search-index', ...EXPORT_FORMATS];

/** The R2 key of a version's export: immutable once written, kept for every version. */
export function exportKey(version: number, format: JobFormat): string {
  if (format === 'search-index') return searchIndexKey(version);
  return format === 'json' ? `exports/v${version}/authorities.json` : `exports/v${version}/periodo-dataset.${format}`;
}

/** Queues the given exports of `version` unless they are already on their way; returns those sent. */
export async function requestExports(
  env: Env,
  version: number,
  formats: readonly JobFormat[] = JOB_FORMATS,
  trigger: 'merge' | 'request' = 'request',
): Promise<JobFormat[]> {
  const db = database(env.DB);
  const claimed = await claimExportJobs(db, version, formats);
  if (claimed.length === 0) return [];
  try {
    await env.EXPORT_QUEUE.sendBatch(claimed.map((format) => ({ body: { version, format, trigger } })));
  } catch (error) {
    await Promise.all(claimed.map((format) => releaseExportJob(db, version, format, `could not be queued: ${String(error)}`)));
    throw error;
  }
  return claimed;
}

/** After a merge: the new version's JSON document, search index, Turtle, N-Triples and CSV, without waiting for a request. */
export async function enqueueExports(env: Env, version: number): Promise<void> {
  await requestExports(env, version, JOB_FORMATS, 'merge');
}
