/**
 * The page's side of the search Worker: one Worker per page, started on first use, which
 * loads the data API's `/search-index.json` (the head version's index, edge-cached).
 */
import { signal } from '@preact/signals';
import { apiUrl } from '../api/client';
import type { PeriodRow, SearchQuery } from './engine';
import type { AuthoritySummary, FromWorker, IndexSummary, ToWorker } from './protocol';

export type IndexState = { status: 'idle' | 'loading' } | { status: 'ready'; summary: IndexSummary } | { status: 'failed'; message: string; retryIn: number | null };

export const indexState = signal<IndexState>({ status: 'idle' });

export type QueryResult = Extract<FromWorker, { type: 'result' }>;

declare global {
  interface Window {
    /** The home's index request and Worker, started by the page's inline boot script (vite.config.ts) before this code arrived. */
    periodoSearch?: { index: Promise<Response>; worker?: Worker };
  }
}

let worker: Worker | null = null;
let nextId = 1;
let failures = 0;
const waiting = new Map<number, (message: FromWorker) => void>();

function send(message: ToWorker): void {
  start().postMessage(message);
}

function start(): Worker {
  if (worker) return worker;
  const booted = window.periodoSearch;
  delete window.periodoSearch;
  worker = booted?.worker ?? new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'periodo-search' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (message.type === 'ready') {
      failures = 0;
      // Marks for profiling (scripts/bench/client.ts reads them): when the Worker could answer.
      performance.mark('periodo:index-ready', { detail: message.summary });
      indexState.value = { status: 'ready', summary: message.summary };
    } else if (message.type === 'failed') {
      failed(message.message, message.transient);
    } else {
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    }
  };
  void loadIndex(booted?.index);
  return worker;
}

function failed(message: string, transient: boolean): void {
  const retryIn = transient ? Math.min(30, 2 ** failures++) : null;
  indexState.value = { status: 'failed', message, retryIn };
  if (retryIn !== null) setTimeout(reloadIndex, retryIn * 1000);
}

/**
 * Fetches the index here (while the Worker's script is still loading) and hands the bytes
 * over; `started`: the boot script's request, the first time on the home.
 */
async function loadIndex(started?: Promise<Response>): Promise<void> {
  indexState.value = { status: 'loading' };
  let response: Response;
  try {
    response = await (started ?? fetch(await apiUrl('search-index.json')));
  } catch {
    failed('The PeriodO data API could not be reached.', true);
    return;
  }
  if (!response.ok) {
    failed(`The data API answered ${response.status} for the search index.`, response.status >= 500 || response.status === 429);
    return;
  }
  try {
    const buffer = await response.arrayBuffer();
    worker!.postMessage({ type: 'load', buffer } satisfies ToWorker, [buffer]);
  } catch {
    failed('The search index was cut off while loading.', true);
  }
}

export function ensureIndex(): void {
  start();
}

export function reloadIndex(): void {
  if (!worker) start();
  else void loadIndex();
}

function ask<T extends FromWorker>(build: (id: number) => ToWorker): Promise<T> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, (m) => resolve(m as T));
    send(build(id));
  });
}

export function query(q: SearchQuery, options: { rows?: number; extents?: boolean; facets?: number | null } = {}): Promise<QueryResult> {
  return ask((id) => ({ type: 'query', id, query: q, rows: options.rows ?? 60, extents: options.extents ?? false, facets: options.facets ?? null }));
}

/** Rows [from, to) of the result of query `id` (the latest query only). */
export function rows(queryId: number, from: number, to: number): Promise<PeriodRow[]> {
  return ask<Extract<FromWorker, { type: 'rows' }>>((id) => ({ type: 'rows', id, queryId, from, to })).then((m) => m.rows);
}

export function authorities(): Promise<AuthoritySummary[]> {
  return ask<Extract<FromWorker, { type: 'authorities' }>>((id) => ({ type: 'authorities', id })).then((m) => m.authorities);
}
