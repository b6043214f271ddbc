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

let worker: Worker | null = null;
let nextId = 1;
let failures = 0;
const waiting = new Map<number, (message: FromWorker) => void>();

function send(message: ToWorker): void {
  start().postMessage(message);
}

function start(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'periodo-search' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (message.type === 'ready') {
      failures = 0;
      indexState.value = { status: 'ready', summary: message.summary };
    } else if (message.type === 'failed') {
      const retryIn = message.transient ? Math.min(30, 2 ** failures++) : null;
      indexState.value = { status: 'failed', message: message.message, retryIn };
      if (retryIn !== null) setTimeout(reloadIndex, retryIn * 1000);
    } else {
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    }
  };
  indexState.value = { status: 'loading' };
  void apiUrl('search-index.json').then((url) => worker!.postMessage({ type: 'load', url } satisfies ToWorker));
  return worker;
}

export function ensureIndex(): void {
  start();
}

export function reloadIndex(): void {
  indexState.value = { status: 'loading' };
  void apiUrl('search-index.json').then((url) => send({ type: 'load', url }));
}

function ask<T extends FromWorker>(build: (id: number) => ToWorker): Promise<T> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, (m) => resolve(m as T));
    send(build(id));
  });
}

export function query(q: SearchQuery, options: { rows?: number; extents?: boolean } = {}): Promise<QueryResult> {
  return ask((id) => ({ type: 'query', id, query: q, rows: options.rows ?? 60, extents: options.extents ?? false }));
}

/** Rows [from, to) of the result of query `id` (the latest query only). */
export function rows(queryId: number, from: number, to: number): Promise<PeriodRow[]> {
  return ask<Extract<FromWorker, { type: 'rows' }>>((id) => ({ type: 'rows', id, queryId, from, to })).then((m) => m.rows);
}

export function authorities(): Promise<AuthoritySummary[]> {
  return ask<Extract<FromWorker, { type: 'authorities' }>>((id) => ({ type: 'authorities', id })).then((m) => m.authorities);
}
