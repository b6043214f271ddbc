/** Builds the web client (workers/client/) into workers/client/dist/, which [assets] serves. */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The home's search Worker and its index request start from a few lines inline in
 * index.html, while the app's code is still loading: the Worker's start-up then overlaps
 * the page's first render instead of following it. The client app writes
 * `<meta name="periodo-search-index">` (the index's URL) into the home only
 * (workers/client/app.ts); the app's code takes both over (src/search/client.ts).
 */
function searchBoot(): Plugin {
  return {
    name: 'periodo-search-boot',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const worker = Object.keys(ctx.bundle ?? {}).find((f) => /^assets\/worker-[\w-]+\.js$/.test(f));
        if (!worker) throw new Error('the search Worker is missing from the build');
        const boot = `(function(){var m=document.querySelector('meta[name="periodo-search-index"]');if(!m||typeof Worker!=='function')return;var s={index:fetch(m.content)};s.index.catch(function(){});try{s.worker=new Worker('/${worker}',{type:'module',name:'periodo-search'})}catch(e){}window.periodoSearch=s})()`;
        // Before the stylesheet: an inline script after one waits for it to load.
        const at = html.search(/<(?:script type="module"|link rel="stylesheet")/);
        if (at < 0) throw new Error('index.html has no module script or stylesheet to put the search boot before');
        return `${html.slice(0, at)}<script>${boot}</script>\n    ${html.slice(at)}`;
      },
    },
  };
}

/**
 * The stylesheet goes inline in index.html (≈ 2.5 KB gzipped): a linked one blocks the
 * page's first frame until it has arrived, and the client app writes a period or authority
 * page's heading into that frame (workers/client/page-shell.ts). In Chromium at 50k periods
 * the heading then shows as the page is parsed instead of after a second round trip.
 */
function inlineStylesheet(): Plugin {
  return {
    name: 'periodo-inline-stylesheet',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const link = /<link rel="stylesheet"[^>]* href="\/(assets\/[\w-]+\.css)">/.exec(html);
        const asset = link ? ctx.bundle?.[link[1]] : undefined;
        if (!link || !asset || asset.type !== 'asset') throw new Error('index.html links no stylesheet of the build to inline');
        // The file is not written: nothing else asks for it.
        delete ctx.bundle![link[1]];
        const css = String(asset.source).replace(/<\/style/gi, '<\\/style');
        return html.replace(link[0], () => `<style>${css}</style>`);
      },
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  plugins: [searchBoot(), inlineStylesheet()],
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
