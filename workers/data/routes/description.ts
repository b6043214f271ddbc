/** The index (`/`), the VoID description, the vocabulary and the highlight stylesheet. */
import type { Context, Hono } from 'hono';
import type { Env } from '../../env';
import { VOID_DATA_HOST } from '../../domain/void';
import { DatasetStore } from '../../storage/dataset-store';
import { HIGHLIGHT_CSS, highlightJsonPage, highlightTurtlePage } from '../html-view';
import { acceptBest, chooseRepresentation } from '../negotiation';
import { jsonText, LONG_TIME, redirect, setMaxAge, SHORT_TIME } from '../responses';
import { VOCABULARY_TURTLE } from '../vocabulary';

type C = Context<{ Bindings: Env }>;

const VOID_LINK = '</>; rel="alternate"; type="text/html"';

function index(c: C) {
  const o = new URL(c.req.url).origin;
  const entry = (description: string, url: string) => ({ description, url });
  return {
    client: entry('PeriodO client (browse and edit periods)', c.env.CLIENT_URL),
    dataset: entry('PeriodO dataset', `${o}/dataset/`),
    description: entry('description of the PeriodO dataset', `${o}/.well-known/void`),
    patches: entry('patches submitted to the PeriodO dataset', `${o}/patches/`),
    history: entry('history of changes to the PeriodO dataset', `${o}/h`),
    bags: entry('user-defined subsets of the PeriodO dataset', `${o}/bags/`),
    'identifier-map': entry('a map of skolem IRIs that have been replaced with persistent IRIs', `${o}/identifier-map/`),
    context: entry('PeriodO JSON-LD context', `${o}/context`),
    vocabulary: entry('PeriodO RDF vocabulary', `${o}/v`),
    'client-packages': entry('PeriodO client installation packages', `${o}/client-packages/`),
  };
}

/** The head version's VoID description, with the data host of this request filled in. */
async function voidTurtle(c: C): Promise<string> {
  const row = await new DatasetStore(c.env.DB).headVersionRow();
  const turtle = row?.voidTurtle ?? 'Initial empty dataset.';
  return turtle.split(VOID_DATA_HOST).join(new URL(c.req.url).origin);
}

async function voidResponse(c: C): Promise<Response> {
  return new Response(await voidTurtle(c), { headers: { 'Content-Type': 'text/turtle', Link: VOID_LINK } });
}

async function voidHtml(c: C): Promise<Response> {
  return new Response(highlightTurtlePage(await voidTurtle(c)), { headers: { 'Content-Type': 'text/html; charset=utf-8', Link: VOID_LINK } });
}

export function registerDescriptionRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get('/', async (c) => {
    const representation = chooseRepresentation('/', c.req.header('Accept'), ['json', 'ttl', 'html']);
    if (representation === 'html') {
      const headers = new Headers();
      headers.append('Link', '<>; rel="alternate"; type="application/json"');
      headers.append('Link', '</>; rel="alternate"; type="text/turtle"; title="VoID description of the PeriodO Period Gazetteer"');
      return redirect(c.req.raw, '/index.json.html', 303, headers);
    }
    if (representation === 'ttl') return voidResponse(c);
    return new Response(jsonText(index(c)), { headers: { 'Content-Type': 'application/json' } });
  });
  app.get('/index.json', (c) => new Response(jsonText(index(c)), { headers: { 'Content-Type': 'application/json' } }));
  app.get('/index.json.html', (c) => {
    const headers = new Headers({ 'Content-Type': 'text/html; charset=utf-8' });
    setMaxAge(headers, SHORT_TIME);
    return new Response(highlightJsonPage(index(c)), { headers });
  });
  // The index has no RDF of its own; its Turtle forms are the VoID description.
  app.get('/index.ttl', voidResponse);
  app.get('/index.ttl.html', voidHtml);

  for (const path of ['/.well-known/void', '/.well-known/void.ttl', '/.wellknown/void', '/.wellknown/void.ttl']) {
    app.get(path, (c) => {
      if (acceptBest(c.req.header('Accept')) === 'text/html') return redirect(c.req.raw, '/.wellknown/void.ttl.html', 303);
      return voidResponse(c);
    });
  }
  app.get('/.well-known/void.ttl.html', voidHtml);
  app.get('/.wellknown/void.ttl.html', voidHtml);

  app.get('/v', (c) => redirect(c.req.raw, acceptBest(c.req.header('Accept')) === 'text/turtle' ? '/v.ttl' : '/v.ttl.html', 303));
  const vocabulary = () => {
    const headers = new Headers({ 'Content-Type': 'text/turtle' });
    setMaxAge(headers, LONG_TIME);
    return new Response(VOCABULARY_TURTLE, { headers });
  };
  app.get('/v.ttl', vocabulary);
  app.get('/vocabulary.ttl', vocabulary);
  app.get('/v.ttl.html', () => {
    const headers = new Headers({ 'Content-Type': 'text/html; charset=utf-8' });
    setMaxAge(headers, LONG_TIME);
    return new Response(highlightTurtlePage(VOCABULARY_TURTLE), { headers });
  });
  app.get('/highlight-style.css', () => {
    const headers = new Headers({ 'Content-Type': 'text/css; charset=utf-8' });
    setMaxAge(headers, LONG_TIME);
    return new Response(HIGHLIGHT_CSS, { headers });
  });
}
