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
