/**
 * The search Web Worker: reads the search index the page fetched, keeps it (and nothing
 * else) in memory, and answers queries. The page only ever holds the rows it shows.
 */
/// <reference lib="webworker" />
import type { SearchIndex } from '../../../domain/search-index';
import { SearchEngine } from './engine';
import type { FromWorker, ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const startedAt = performance.timeOrigin + performance.now();

let engine: SearchEngine | null = null;
/** The order of the last query's result, for later row windows. */
let lastOrder: Int32Array = new Int32Array(0);
let lastQueryId = -1;
const pending: ToWorker[] = [];

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function load(buffer: ArrayBuffer): void {
  try {
    const started = performance.now();
    const receivedAt = performance.timeOrigin + started;
    const index = JSON.parse(new TextDecoder().decode(buffer)) as SearchIndex;
    const parsed = performance.now();
    engine = new SearchEngine(index);
    const summary = { version: index.version, created: index.created, authorities: index.authorities.id.length, periods: engine.size };
    post({ type: 'ready', summary: { ...summary, parseMs: parsed - started, buildMs: performance.now() - parsed, startedAt, receivedAt } });
    for (const message of pending.splice(0)) handle(message);
    // In case no query comes soon: the texts are ready before the first keystroke.
    setTimeout(prepareText, 500);
  } catch (error) {
    post({ type: 'failed', message: `The search index could not be read (${(error as Error).message}).`, transient: false });
  }
}

/** Builds the searched texts (a few hundred ms at 50k periods) once the page has its first answer. */
function prepareText(): void {
  engine?.prepareText();
}

function handle(message: ToWorker): void {
  if (message.type === 'load') {
    load(message.buffer);
    return;
  }
  if (!engine) {
    pending.push(message);
    return;
  }
  if (message.type === 'query') {
    const started = performance.now();
    // Thousands of authorities at 50k periods: copying every facet value to the page on each
    // keystroke costs more than the search, and the page shows a dozen until asked for all.
    const result = engine.search(message.query, { facets: message.facets });
    lastOrder = result.order;
    lastQueryId = message.id;
    const rows = Array.from(result.order.subarray(0, message.rows), (pos) => engine!.row(pos));
    const extents = message.extents ? engine.extents(result.order) : null;
    const { facets, facetTotals } = result;
    post(
      { type: 'result', id: message.id, count: result.count, facets, facetTotals, rows, extents, ms: performance.now() - started },
      extents ? [extents.buffer] : [],
    );
    setTimeout(prepareText, 0);
  } else if (message.type === 'rows') {
    // Rows of a superseded query are not worth computing: the page drops them anyway.
    const rows = message.queryId === lastQueryId ? Array.from(lastOrder.subarray(message.from, message.to), (pos) => engine!.row(pos)) : [];
    post({ type: 'rows', id: message.id, from: message.from, rows });
  } else if (message.type === 'authorities') {
    post({ type: 'authorities', id: message.id, authorities: engine.authoritySummaries() });
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => handle(event.data);

/**
 * Sets up ICU (number and date formats, language names): 20–100 ms the first time in a
 * renderer process, whichever thread asks first. Done here while the index is on its way,
 * it is not done on the page's main thread when it first shows a count or a date.
 */
function prepareIntl(): void {
  try {
    (1000).toLocaleString('en');
    new Date(0).toLocaleDateString('en', { dateStyle: 'medium' });
    new Intl.DisplayNames(['en'], { type: 'language' }).of('en');
  } catch {
    /* an engine without Intl: the page formats without it */
  }
}
prepareIntl();
