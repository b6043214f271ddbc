/**
 * The export queue's consumer: renders one dataset version in one format into R2, reading
 * the version from D1 authority by authority and streaming the output into R2 in parts
 * (workers/exports/dataset-export.ts, r2-writer.ts). A failed attempt is retried
 * by the queue (`max_retries` in wrangler.toml) and finally dead-lettered; the dead-letter
 * queue's batches come here too and are recorded as failed jobs. Nothing partial is ever
 * visible in R2: an export appears at its key only once all of it is stored.
 */
import type { Env, ExportJob } from '../env';
import { assembleAuthority, type StoredAuthority } from '../domain/merge';
import { DatasetStore } from '../storage/dataset-store';
import { database } from '../storage/db';
import { recordDocumentSpans, spanRows, SPAN_MIN_BYTES, type AuthoritySpan } from '../storage/document-span-store';
import { exportJob, forgetExportJob, markExportDone, markExportFailed, markExportRetrying, markExportRunning } from '../storage/export-job-store';
import { CONTENT_TYPES } from '../data/negotiation';
import { authoritiesMapChunks } from '../data/dataset-stream';
import { batched } from '../shared/streams';
import { afterForeground, fairly } from '../shared/fair-share';
import { exportDataset, type ExportSummary } from './dataset-export';
import { exportKey, JOB_FORMATS } from './enqueue';
import { partLayout } from './part-objects';
import { R2StreamWriter } from './r2-writer';
import { storeSearchIndex } from './search-index';
import { logEvent } from '../shared/request-log';

/** Dead-letter queues are named `periodo-exports-dlq-<environment>`. */
export function isDeadLetterQueue(queue: string): boolean {
  return /-dlq(-|$)/.test(queue);
}

function isExportJob(body: unknown): body is ExportJob {
  const job = body as ExportJob;
  return typeof job === 'object' && job !== null && Number.isInteger(job.version) && job.version >= 0 && JOB_FORMATS.includes(job.format);
}

function describe(job: ExportJob): string {
  if (job.format === 'json') return `JSON document of version ${job.version}`;
  return job.format === 'search-index' ? `search index of version ${job.version}` : `export of version ${job.version} as ${job.format}`;
}

export async function handleExportBatch(batch: MessageBatch<ExportJob>, env: Env, _ctx: ExecutionContext): Promise<void> {
  if (isDeadLetterQueue(batch.queue)) return handleDeadLetters(batch, env);
  // The merge or load that queued these jobs is likely still sending its answer.
  await afterForeground();
  // One job at a time: each holds at most one authority and one upload part in memory.
  for (const message of batch.messages) {
    const job = message.body;
    if (!isExportJob(job)) {
      console.error(`export queue: dropping a malformed message ${JSON.stringify(job)}`);
      message.ack();
      continue;
    }
    try {
      // A merge's exports are for its own version: once a newer version exists nobody
      // asked for them, and a request for that version will queue them again.
      if (job.trigger === 'merge' && (await new DatasetStore(env.DB).headVersion()) > job.version) {
        await forgetExportJob(database(env.DB), job.version, job.format);
        console.log(`${describe(job)} skipped: a newer version exists`);
        message.ack();
        continue;
      }
      await runExportJob(env, job, message.attempts);
      message.ack();
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      console.error(`${describe(job)} failed (attempt ${message.attempts}): ${reason}`);
      logEvent('export', { datasetVersion: job.version, format: job.format, state: 'retrying', attempt: message.attempts, error: reason }, 'error');
      await markExportRetrying(database(env.DB), job.version, job.format, message.attempts, reason).catch((e) =>
        console.error(`recording the failure of the ${describe(job)} failed: ${String(e)}`),
      );
      message.retry();
    }
  }
}

async function* assembled(authorities: AsyncIterable<StoredAuthority>): AsyncGenerator<Record<string, unknown>> {
  for await (const a of authorities) yield assembleAuthority(a);
}

/** Renders one export into R2 (nothing to do when it is already there). */
export async function runExportJob(env: Env, job: ExportJob, attempt = 1): Promise<void> {
  const db = database(env.DB);
  const key = exportKey(job.version, job.format);
  const existing = await env.EXPORTS.head(key);
  if (existing) {
    await markExportDone(db, job.version, job.format, { bytes: partLayout(existing).size, durationMs: 0 });
    return;
  }
  const store = new DatasetStore(env.DB);
  if (!(await store.version(job.version))) throw new Error(`dataset version ${job.version} does not exist`);
  await markExportRunning(db, job.version, job.format, attempt);
  if (job.format === 'search-index') {
    // A few MB at 50k periods: built whole, then one put (the object appears complete or not at all).
    const result = await storeSearchIndex(env, job.version);
    console.log(`${describe(job)}: ${result.bytes} bytes, ${result.durationMs} ms`);
    await markExportDone(db, job.version, job.format, result);
    logEvent('export', { datasetVersion: job.version, format: job.format, state: 'done', attempt, ...result });
    return;
  }

  const started = Date.now();
  const meta = await store.meta(job.version);
  const writer = new R2StreamWriter(env.EXPORTS, key, {
    httpMetadata: { contentType: job.format === 'json' ? 'application/json' : CONTENT_TYPES[job.format] },
    customMetadata: { version: String(job.version), format: job.format, generator: env.SERVER_VERSION },
    // The JSON document is read on every cold dataset request, in ranges too: plain objects
    // (part-objects.ts). The other formats are downloads, read whole: one multipart object.
    layout: job.format === 'json' ? 'objects' : 'multipart',
  });
  let summary: ExportSummary | null = null;
  let object: R2Object;
  const spans = job.format === 'json' ? { minBytes: SPAN_MIN_BYTES, found: [] as AuthoritySpan[] } : undefined;
  try {
    if (job.format === 'json') {
      // The same chunks the D1 stream serves, so both answers are byte for byte the same.
      for await (const text of batched(fairly(authoritiesMapChunks(store, job.version, spans)), 256 * 1024)) await writer.write(text);
    } else {
      summary = await exportDataset(job.format, meta?.json ?? null, assembled(fairly(store.authoritiesAt(job.version))), writer);
    }
    object = await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const durationMs = Date.now() - started;
  if (!summary) {
    // Once the document is whole: a span never points into an object that is not there.
    const rows = spanRows(job.version, spans!.found, partLayout(object).partBytes);
    await recordDocumentSpans(db, job.version, rows);
    console.log(`${describe(job)}: ${writer.bytes} bytes in ${writer.partsUploaded || 1} part(s), ${rows.length} large authorities located, ${durationMs} ms`);
    await markExportDone(db, job.version, job.format, { bytes: writer.bytes, durationMs });
    return;
  }
  const { stats } = summary;
  const dropped = [...stats.droppedKeys].map(([k, n]) => `"${k}" ×${n}`);
  console.log(
    `${describe(job)}: ${summary.authorities} authorities, ${summary.periods} periods${summary.rows !== undefined ? `, ${summary.rows} rows` : ''}, ` +
      `${object.size} bytes in ${writer.partsUploaded || 1} part(s), ${durationMs} ms` +
      (dropped.length ? `; keys JSON-LD ignores: ${dropped.join(', ')}` : '') +
      (stats.droppedTriples ? `; ${stats.droppedTriples} triples with relative or malformed IRIs left out` : '') +
      (stats.droppedLanguageTags ? `; ${stats.droppedLanguageTags} literals with unwritable language tags left out` : ''),
  );
  await markExportDone(db, job.version, job.format, { bytes: object.size, durationMs });
  logEvent('export', { datasetVersion: job.version, format: job.format, state: 'done', attempt, bytes: object.size, durationMs });
}

/** Jobs the queue gave up on: logged and recorded, so requests say so and retry later. */
async function handleDeadLetters(batch: MessageBatch<ExportJob>, env: Env): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const job = message.body;
    if (!isExportJob(job)) {
      console.error(`export dead-letter queue: malformed message ${JSON.stringify(job)}`);
      message.ack();
      continue;
    }
    try {
      const row = await exportJob(db, job.version, job.format);
      const reason = `gave up after ${row?.attempts ?? '?'} attempts${row?.error ? `; last error: ${row.error}` : ''}`;
      console.error(`${describe(job)} dead-lettered: ${reason}`);
      logEvent('export', { datasetVersion: job.version, format: job.format, state: 'dead-lettered', error: reason }, 'error');
      await markExportFailed(db, job.version, job.format, reason);
      message.ack();
    } catch (error) {
      console.error(`recording the dead-lettered ${describe(job)} failed: ${String(error)}`);
      message.retry();
    }
  }
}
