import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const migrations = await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url)));

export default defineConfig({
  test: {
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
          exclude: ['test/worker/exports/**'],
          setupFiles: ['./test/worker/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The same, except that the export queue has no consumer running on its own: the
        // export tests deliver each batch to the consumer themselves and assert what it wrote.
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
          include: ['test/worker/exports/**/*.test.ts'],
          setupFiles: ['./test/worker/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
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
    ],
  },
});
