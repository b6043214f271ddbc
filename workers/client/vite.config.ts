/** Builds the web client (workers/client/) into workers/client/dist/, which [assets] serves. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        // What the first page runs stays one file: without this group, the modules the lazy
        // pages share with it (Preact, Page…) become separate chunks the first page must fetch too.
        codeSplitting: { groups: [{ name: 'index', tags: ['$initial'] }] },
      },
    },
  },
  worker: { format: 'es' },
});
