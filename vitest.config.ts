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
          exclude: ['test/worker/ops/monitor/**'],
          setupFiles: ['./test/worker/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
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
    ],
  },
});
