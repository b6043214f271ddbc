import type { Env, ExportJob } from '../env';

/**
 * Export queue consumer (issue 5 renders Turtle / N-Triples / CSV into R2).
 * Until then a job is acknowledged and logged so the queue never backs up.
 */
export async function handleExportBatch(batch: MessageBatch<ExportJob>, _env: Env, _ctx: ExecutionContext): Promise<void> {
  for (const message of batch.messages) {
    console.log(`export job for version ${message.body.version} (${message.body.format}) skipped: exports not implemented yet`);
    message.ack();
  }
}
