/**
 * The history of the dataset and the activity feed: `/h` (303 by Accept), `/h.ttl`
 * (301 to `/h.nt`), `/h.nt` and `/history.nt` (the PROV graph of every merged change as
 * N-Triples, streamed; `?full` adds the entities each change generated or invalidated),
 * and `/feed.xml` (Atom, the 32 most recent activities on patch requests).
 */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import { activityFeed, HistoryGraphWriter, type HistoryNaming } from '../../domain/provenance';
import { DatasetStore } from '../../storage/dataset-store';
import { database } from '../../storage/db';
import { mergedChanges, recentActivity } from '../../storage/patch-store';
import { CONTENT_TYPES, entityMimetype } from '../negotiation';
import { clientPage, served } from '../representation';
import { byteStream } from '../../shared/streams';
import { forwardedQuery, MEDIUM_TIME, notFound, redirect, setMaxAge } from '../responses';

type C = Context<{ Bindings: Env }>;

/** The ARK base when the dataset has no context yet (the reference's data always has one). */
const DEFAULT_ARK_BASE = 'http://n2t.net/ark:/99152/';

/** Bytes of N-Triples gathered before a chunk is handed to the response stream. */
const CHUNK_CHARS = 64 * 1024;


/** The head dataset's `@base`, which canonical URIs are built on. */
async function arkBase(env: Env): Promise<string> {
  const store = new DatasetStore(env.DB);
  const meta = await store.meta(await store.headVersion());
  if (!meta) return DEFAULT_ARK_BASE;
  const context = (JSON.parse(meta.json) as { '@context'?: unknown })['@context'];
  const base = context && typeof context === 'object' && !Array.isArray(context) ? (context as Record<string, unknown>)['@base'] : undefined;
  return typeof base === 'string' && base ? base : DEFAULT_ARK_BASE;
}

async function* historyText(env: Env, naming: HistoryNaming, full: boolean): AsyncGenerator<string> {
  const graph = new HistoryGraphWriter(naming, { full });
  let buffer = '';
  for await (const change of mergedChanges(database(env.DB), { full })) {
    for (const text of graph.change(change)) {
      buffer += text;
      if (buffer.length >= CHUNK_CHARS) {
        yield buffer;
        buffer = '';
      }
    }
  }
  yield buffer + graph.end();
}


async function history(c: C): Promise<Response> {
  const s = served(c.req.raw, c.env);
  const naming: HistoryNaming = { canonical: s.canonical, origin: s.origin, arkBase: s.canonical ? await arkBase(c.env) : DEFAULT_ARK_BASE };
  const headers = new Headers({
    'Content-Type': CONTENT_TYPES.nt,
    'Content-Disposition': 'attachment; filename="periodo-history.nt"',
  });
  setMaxAge(headers, MEDIUM_TIME, true);
  if (c.req.method === 'HEAD') return new Response(null, { headers });
  return new Response(byteStream(historyText(c.env, naming, s.url.searchParams.has('full')), 'history stream'), { headers });
}

async function feed(c: C): Promise<Response> {
  const s = served(c.req.raw, c.env);
  const activities = await recentActivity(database(c.env.DB), 32);
  const xml = activityFeed({ origin: s.origin, clientUrl: s.clientUrl }, activities);
  if (xml === null) return notFound(c.req.raw);
  return new Response(xml, { headers: { 'Content-Type': 'application/atom+xml' } });
}

export function registerProvenanceRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get('/h', (c) => {
    const s = served(c.req.raw, c.env);
    const mimetype = entityMimetype(c.req.header('Accept'));
    const location = mimetype === null ? clientPage(s, { page: 'backend-history' }) : `/h.nt${forwardedQuery(s.url)}`;
    return redirect(c.req.raw, location, 303);
  });
  app.get('/h.ttl', (c) => redirect(c.req.raw, `/h.nt${forwardedQuery(new URL(c.req.url))}`, 301));
  app.get('/h.nt', history);
  app.get('/history.nt', history);
  app.get('/feed.xml', feed);
}
