import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const migrations = await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url)));

export default defineConfig({
  test: {
    // One JSON line per request would drown the output; tests that check them spy on console.
    onConsoleLog: (log: string) => !log.startsWith('{"type":"request"'),
    projects: [
      {
        // The Worker, D1, Durable Objects, Queues, R2 and the Cache API, in workerd.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
          }),
        ],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          exclude: ['test/worker/exports/**', 'test/worker/ops/**'],
          setupFiles: ['./test/worker/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The same, except that the export queue has no consumer running on its own: the
        // export and operations tests deliver each batch to the consumer themselves and
        // assert what it wrote.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { TEST_MIGRATIONS: migrations },
              queueProducers: { EXPORT_QUEUE: { queueName: 'periodo-exports-unconsumed-in-tests' } },
            },
          }),
        ],
        test: {
          name: 'worker-exports',
          include: ['test/worker/exports/**/*.test.ts', 'test/worker/ops/**/*.test.ts'],
          exclude: ['test/worker/ops/monitor/**'],
          setupFiles: ['./test/worker/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The web client's pure modules (date labels, change sets, review diffs), in Node.
        test: {
          name: 'client',
          environment: 'node',
          include: ['test/client/**/*.test.ts'],
        },
      },
      {
        // The monitor Worker on its own config (workers/monitor/wrangler.toml): KV state, cron.
        plugins: [cloudflareTest({ wrangler: { configPath: './workers/monitor/wrangler.toml' } })],
        test: {
          name: 'monitor',
          include: ['test/worker/ops/monitor/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // Configuration, the operator CLI and the local server, in Node.
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/node/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        // The web client in headless Chromium against the whole local system (test/browser/support/).
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // Each file starts workerd and Chromium: one file at a time on a small machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
