import { defineConfig } from 'drizzle-kit';

// Flat NNNN_name.sql output in migrations/: what `wrangler d1 migrations apply` and the
// vitest plugin's readD1Migrations both read.
export default defineConfig({
  dialect: 'sqlite',
  schema: './workers/storage/schema.ts',
  out: './migrations',
});
