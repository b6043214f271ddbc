/**
 * The history of the dataset (`/h`, `/h.ttl`, `/h.nt`, `/history.nt`) and the activity
 * feed (`/feed.xml`). Ports the reference's test/test_provenance.py (spec §14.5) through
 * the real patch-request routes, then covers `?full` (created, updated, removed), CANONICAL
 * mode, N-Triples escaping, paging through many merges, and the Atom feed. Later describes
 * build on the state earlier ones leave (storage is per file, tests run in order).
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import addsItems from '../fixtures/server/test-patch-adds-items.json';
import removePeriod from '../fixtures/server/test-patch-remove-period.json';
import { dataApp } from '../../workers/data/app';
import { Parser, type Quad } from '../../workers/shared/rdf';
import { database } from '../../workers/storage/db';
import { mergedChanges } from '../../workers/storage/patch-store';
import { patchRequestComments, patchRequests } from '../../workers/storage/schema';
import type { MergedChange } from '../../workers/domain/provenance';
import { ADMIN_TOKEN, ARK, BROWSER_ACCEPT, get, getAccepting, H, load, loadTestData, location } from './read-api/support';

const PROV = 'http://www.w3.org/ns/prov#';
const AS = 'https://www.w3.org/ns/activitystreams#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const FOAF = 'http://xmlns.com/foaf/0.1/';
const DCTERMS = 'http://purl.org/dc/terms/';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const W3CDTF = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

const CONTRIBUTOR = { orcid: '1234-5678-9101-112X', name: 'Connie Contributor', token: 'this-token-has-normal-permissions', permissions: ['submit-patch', 'create-bag'] };
// A name that needs escaping in XML and HTML.
const EDITOR = { orcid: '1211-1098-7654-321X', name: 'Ed "the editor" <Ed> & Co', token: 'this-token-has-admin-permissions', permissions: ['submit-patch', 'create-bag', 'accept-patch', 'create-graph'] };
const CONTRIBUTOR_IRI = `https://orcid.org/${CONTRIBUTOR.orcid}`;
const EDITOR_IRI = `https://orcid.org/${EDITOR.orcid}`;
const CLIENT = 'http://client.localhost:8787';
const BACKEND = 'web-http%3A%2F%2Flocalhost%2F';

/** `h#change-1` etc.: a URI on the data host, as the reference test's HOST namespace. */
const h = (path: string) => `${H}/${path}`;

function send(method: string, path: string, as: typeof CONTRIBUTOR | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (as) headers.Authorization = `Bearer ${btoa(as.token)}`;
  return get(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function submit(patch: unknown, as = CONTRIBUTOR): Promise<string> {
  const response = await send('PATCH', '/d/', as, patch);
  expect(response.status, await response.clone().text()).toBe(202);
  return location(response).pathname;
}

async function comment(patchPath: string, as: typeof CONTRIBUTOR, message: string): Promise<void> {
  const response = await send('POST', `${patchPath}messages`, as, { message });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function review(patchPath: string, action: 'merge' | 'reject', as = EDITOR): Promise<void> {
  const response = await send('POST', `${patchPath}${action}`, as);
  expect(response.status, await response.clone().text()).toBe(204);
}

async function addUser(u: typeof CONTRIBUTOR): Promise<void> {
  const response = await get(`/admin/users/${u.orcid}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: u.name, token: u.token, permissions: u.permissions }),
  });
  expect(response.status).toBe(200);
}

/** The body as UTF-8 text (workerd warns on `.text()` of a type it does not know as text). */
async function bodyText(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

function parseNt(text: string): Quad[] {
  return new Parser({ format: 'N-Triples' }).parse(text);
}

async function historyGraph(path = '/history.nt?full'): Promise<{ text: string; quads: Quad[] }> {
  const response = await get(path);
  expect(response.status).toBe(200);
  const text = await bodyText(response);
  return { text, quads: parseNt(text) };
}

/** A view of a parsed graph with the reference test's vocabulary: `has(s, p, o)`, `value(s, p)`. */
function graph(quads: Quad[]) {
  const match = (q: Quad, s: string | null, p: string | null, o: string | null) =>
    (s === null || q.subject.value === s) && (p === null || q.predicate.value === p) && (o === null || q.object.value === o);
  return {
    has: (s: string | null, p: string | null, o: string | null) => quads.some((q) => match(q, s, p, o)),
    objects: (s: string, p: string) => quads.filter((q) => match(q, s, p, null)).map((q) => q.object),
    subjects: (p: string, o: string) => quads.filter((q) => match(q, null, p, o)).map((q) => q.subject.value),
    value(s: string, p: string) {
      const os = quads.filter((q) => match(q, s, p, null)).map((q) => q.object);
      expect(os, `${s} ${p}`).toHaveLength(1);
      return os[0];
    },
    /** The members of the RDF list headed by `head`, which must end with rdf:nil. */
    list(head: string): string[] {
      const out: string[] = [];
      let node = head;
      for (let n = 0; n < 100_000; n++) {
        const first = quads.filter((q) => q.subject.value === node && q.predicate.value === `${RDF}first`);
        const rest = quads.filter((q) => q.subject.value === node && q.predicate.value === `${RDF}rest`);
        expect(first, `rdf:first of ${node}`).toHaveLength(1);
        expect(rest, `rdf:rest of ${node}`).toHaveLength(1);
        out.push(first[0].object.value);
        if (rest[0].object.value === `${RDF}nil`) return out;
        expect(rest[0].object.termType).toBe('BlankNode');
        node = rest[0].object.value;
      }
      throw new Error('list does not end');
    },
  };
}

/**
 * A request to the data app with CANONICAL=true (the production setting). A canonical
 * deployment is another deployment: its own server version keeps its edge-cache entries
 * apart from this file's non-canonical ones.
 */
async function canonicalFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const canonicalEnv = { ...env, CANONICAL: 'true', SERVER_VERSION: `${env.SERVER_VERSION} (canonical)` };
  const response = await dataApp.fetch(new Request(`${H}${path}`, { redirect: 'manual', ...init }), canonicalEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

// ---------------------------------------------------------------------------------------
// A minimal strict XML reader: enough to prove the feed well-formed and to read it.

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

function parseXml(text: string): XmlElement {
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(text)) throw new Error('character not allowed in XML');
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
  };
  const decode = (raw: string): string => {
    if (!/^(?:[^&<]|&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)*$/.test(raw)) fail(`bad character data ${JSON.stringify(raw.slice(0, 60))}`);
    return raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      if (named[e]) return named[e];
      return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    });
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const name = (): string => {
    const m = /^[A-Za-z_][\w.:-]*/.exec(text.slice(i, i + 200));
    if (!m) fail('expected a name');
    i += m![0].length;
    return m![0];
  };
  const element = (): XmlElement => {
    if (text[i] !== '<') fail('expected <');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [] };
    for (;;) {
      const before = i;
      skipSpace();
      if (text.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (text[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('expected space before attribute');
      const attr = name();
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      if (text[i] !== '=') fail('expected =');
      i++;
      const quote = text[i];
      if (quote !== '"' && quote !== "'") fail('expected a quote');
      const end = text.indexOf(quote, i + 1);
      if (end < 0) fail('unterminated attribute');
      el.attrs[attr] = decode(text.slice(i + 1, end));
      i = end + 1;
    }
    for (;;) {
      if (i >= text.length) fail(`unclosed <${el.name}>`);
      if (text.startsWith('</', i)) {
        i += 2;
        if (name() !== el.name) fail(`mismatched </…> for <${el.name}>`);
        skipSpace();
        if (text[i] !== '>') fail('expected >');
        i++;
        return el;
      }
      if (text[i] === '<') {
        el.children.push(element());
      } else {
        const end = text.indexOf('<', i);
        if (end < 0) fail('text after the last element');
        el.children.push(decode(text.slice(i, end)));
        i = end;
      }
    }
  };
  const declaration = /^<\?xml version=(['"])1\.0\1 encoding=(['"])UTF-8\2\?>\s*/.exec(text);
  if (!declaration) fail('expected the XML declaration');
  i = declaration![0].length;
  const root = element();
  skipSpace();
  if (i !== text.length) fail('content after the root element');
  return root;
}

const childElements = (el: XmlElement, name: string) => el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
const child = (el: XmlElement, name: string): XmlElement => {
  const found = childElements(el, name);
  expect(found, `<${name}> in <${el.name}>`).toHaveLength(1);
  return found[0];
};
const textOf = (el: XmlElement) => el.children.filter((c): c is string => typeof c === 'string').join('');

interface FeedEntry {
  id: string;
  title: string;
  updated: string;
  link: string;
  content: string;
}

async function readFeed(): Promise<{ feed: XmlElement; entries: FeedEntry[] }> {
  const response = await get('/feed.xml');
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toBe('application/atom+xml');
  const feed = parseXml(await response.text());
  expect(feed.name).toBe('feed');
  expect(feed.attrs.xmlns).toBe('http://www.w3.org/2005/Atom');
  const entries = childElements(feed, 'entry').map((e) => {
    const link = child(e, 'link');
    const content = child(e, 'content');
    expect(content.attrs.type).toBe('html');
    return { id: textOf(child(e, 'id')), title: textOf(child(e, 'title')), updated: textOf(child(e, 'updated')), link: link.attrs.href, content: textOf(content) };
  });
  return { feed, entries };
}

const reviewUrl = (id: number) => `${CLIENT}/?page=review-patch&backendID=${BACKEND}&patchURL=patches%2F${id}%2F`;

// ---------------------------------------------------------------------------------------

describe('before any change', () => {
  it('the history is the provenance link alone, and there is no feed (404)', async () => {
    const { text, quads } = await historyGraph('/h.nt');
    expect(text).toBe(`<${h('d')}> <${DCTERMS}provenance> <${h('h#changes')}> .\n`);
    expect(quads).toHaveLength(1);
    const feed = await get('/feed.xml');
    expect(feed.status).toBe(404);
  });
});

describe('test_get_history (the reference scenario, through the patch-request routes)', () => {
  beforeAll(async () => {
    await loadTestData();
    await addUser(CONTRIBUTOR);
    await addUser(EDITOR);
    const patch = await submit(addsItems);
    expect(patch).toBe('/patches/2/');
    await comment(patch, CONTRIBUTOR, 'Here is my patch');
    await comment(patch, EDITOR, 'Looks good to me');
    await review(patch, 'merge');
  });

  it('/h redirects (303) to /h.nt for Turtle, JSON-LD and N-Triples', async () => {
    for (const accept of ['text/turtle', 'application/ld+json', 'application/n-triples', 'application/json']) {
      const response = await getAccepting('/h', accept);
      expect(response.status, accept).toBe(303);
      expect(location(response).toString(), accept).toBe(`${H}/h.nt`);
    }
  });

  it('GET /history.nt?full answers 200 N-Triples, as a download, cached by the edge for a week', async () => {
    const response = await get('/history.nt?full');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/n-triples');
    expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-history.nt"');
    expect(response.headers.get('X-Accel-Expires')).toBe('604800');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=0');
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    parseNt(await bodyText(response));
  });

  it('describes the initial data load', async () => {
    const g = graph((await historyGraph()).quads);
    expect(g.has(h('h#change-1'), `${PROV}endedAtTime`, null)).toBe(true);
    expect(g.has(h('h#change-1'), `${PROV}used`, h('d?version=0'))).toBe(true);
    expect(g.has(h('d?version=0'), `${PROV}specializationOf`, h('d'))).toBe(true);
    expect(g.has(h('h#change-1'), `${RDFS}seeAlso`, h('h#patch-request-1'))).toBe(true);
    expect(g.has(h('h#patch-request-1'), `${FOAF}page`, h('patches/1/'))).toBe(true);
    expect(g.has(h('h#patch-request-1'), `${AS}replies`, h('h#patch-request-1-comments'))).toBe(false);
    expect(g.has(h('h#change-1'), `${PROV}used`, h('h#patch-1'))).toBe(true);
    expect(g.has(h('h#patch-1'), `${FOAF}page`, h('patches/1/patch.jsonpatch'))).toBe(true);
    expect(g.has(h('h#change-1'), `${PROV}generated`, h('d?version=1'))).toBe(true);
    expect(g.has(h('d?version=1'), `${PROV}specializationOf`, h('d'))).toBe(true);
    expect(g.has(h('h#change-1'), `${PROV}generated`, h('trgkv?version=1'))).toBe(true);
    expect(g.has(h('trgkv?version=1'), `${PROV}specializationOf`, h('trgkv'))).toBe(true);
    expect(g.has(h('h#change-1'), `${PROV}generated`, h('trgkvwbjd?version=1'))).toBe(true);
    expect(g.has(h('trgkvwbjd?version=1'), `${PROV}specializationOf`, h('trgkvwbjd'))).toBe(true);
    // The loader is no agent: no association at all.
    expect(g.has(h('h#change-1'), `${PROV}wasAssociatedWith`, null)).toBe(false);
    expect(g.has(h('h#change-1'), `${PROV}qualifiedAssociation`, null)).toBe(false);
  });

  it('describes the contributed change: times, agents and their roles', async () => {
    const g = graph((await historyGraph()).quads);
    for (const p of ['startedAtTime', 'endedAtTime']) {
      const time = g.value(h('h#change-2'), `${PROV}${p}`);
      expect(time.termType).toBe('Literal');
      expect((time as Quad['object'] & { datatype: { value: string } }).datatype.value).toBe(`${XSD}dateTime`);
      expect(time.value).toMatch(W3CDTF);
    }
    expect(g.has(h('h#change-2'), `${PROV}wasAssociatedWith`, CONTRIBUTOR_IRI)).toBe(true);
    expect(g.has(h('h#change-2'), `${PROV}wasAssociatedWith`, EDITOR_IRI)).toBe(true);

    const contributorRoles = g.subjects(`${PROV}agent`, CONTRIBUTOR_IRI).map((a) => g.value(a, `${PROV}hadRole`).value);
    expect(contributorRoles.sort()).toEqual([h('v#submitted'), h('v#updated')]);
    const mergers = g.subjects(`${PROV}agent`, EDITOR_IRI);
    expect(mergers).toEqual([h('h#patch-2-merged')]);
    expect(g.has(h('h#change-2'), `${PROV}qualifiedAssociation`, mergers[0])).toBe(true);
    expect(g.has(mergers[0], `${PROV}hadRole`, h('v#merged'))).toBe(true);
    expect(g.has(h('h#change-2'), `${PROV}used`, h('d?version=1'))).toBe(true);
    expect(g.has(h('d?version=1'), `${PROV}specializationOf`, h('d'))).toBe(true);
    expect(g.has(h('h#change-2'), `${RDFS}seeAlso`, h('h#patch-request-2'))).toBe(true);
    expect(g.has(h('h#patch-request-2'), `${FOAF}page`, h('patches/2/'))).toBe(true);
  });

  it('describes its comments as ActivityStreams notes', async () => {
    const g = graph((await historyGraph()).quads);
    const comments = h('h#patch-request-2-comments');
    expect(g.has(h('h#patch-request-2'), `${AS}replies`, comments)).toBe(true);
    const count = g.value(comments, `${AS}totalItems`) as Quad['object'] & { datatype: { value: string } };
    expect(count.value).toBe('2');
    expect(count.datatype.value).toBe(`${XSD}nonNegativeInteger`);
    expect(g.has(comments, `${AS}first`, h('h#patch-request-2-comment-1'))).toBe(true);
    expect(g.has(comments, `${AS}last`, h('h#patch-request-2-comment-2'))).toBe(true);
    const check = (n: number, commenter: string, message: string) => {
      const note = h(`h#patch-request-2-comment-${n}`);
      expect(g.has(comments, `${AS}items`, note)).toBe(true);
      expect(g.has(note, `${RDF}type`, `${AS}Note`)).toBe(true);
      expect(g.value(note, `${AS}published`).value).toMatch(W3CDTF);
      expect(g.value(note, `${AS}mediaType`).value).toBe('text/plain');
      expect(g.has(note, `${AS}attributedTo`, commenter)).toBe(true);
      expect(g.value(note, `${AS}content`).value).toBe(message);
    };
    check(1, CONTRIBUTOR_IRI, 'Here is my patch');
    check(2, EDITOR_IRI, 'Looks good to me');
  });

  it('lists the versions and entities the change used and generated', async () => {
    const g = graph((await historyGraph()).quads);
    expect(g.has(h('h#change-2'), `${PROV}used`, h('h#patch-2'))).toBe(true);
    expect(g.has(h('h#patch-2'), `${FOAF}page`, h('patches/2/patch.jsonpatch'))).toBe(true);
    expect(g.has(h('h#change-2'), `${PROV}generated`, h('d?version=2'))).toBe(true);
    expect(g.has(h('d?version=2'), `${PROV}specializationOf`, h('d'))).toBe(true);
    expect(g.has(h('h#change-2'), `${PROV}generated`, h('trgkv?version=2'))).toBe(true);
    expect(g.has(h('trgkv?version=2'), `${PROV}specializationOf`, h('trgkv'))).toBe(true);
    expect(g.has(h('trgkv?version=2'), `${PROV}wasRevisionOf`, h('trgkv?version=1'))).toBe(true);

    const generated = g.objects(h('h#change-2'), `${PROV}generated`);
    for (const version of generated) {
      const entity = g.value(version.value, `${PROV}specializationOf`);
      expect(`${entity.value}?version=2`).toBe(version.value);
    }
    // The dataset, p0trgkv and the four entities the patch created.
    expect(generated).toHaveLength(6);
  });

  it('orders the changes as an RDF list at <h#changes>, the provenance of <d>', async () => {
    const g = graph((await historyGraph()).quads);
    expect(g.list(h('h#changes'))).toEqual([h('h#change-1'), h('h#change-2')]);
    expect(g.has(h('d'), `${DCTERMS}provenance`, h('h#changes'))).toBe(true);
  });

  it('writes every triple once', async () => {
    const { text } = await historyGraph();
    const lines = text.split('\n').filter(Boolean);
    expect(new Set(lines).size).toBe(lines.length);
    // d?version=1 is both what change 1 generated and what change 2 used: described once.
    expect(lines.filter((l) => l === `<${h('d?version=1')}> <${PROV}specializationOf> <${h('d')}> .`)).toHaveLength(1);
  });
});

describe('without ?full, and the redirects and 404s around the history', () => {
  it('/h.nt without ?full leaves out the entities but keeps the versions of the dataset', async () => {
    const { quads } = await historyGraph('/h.nt');
    const g = graph(quads);
    expect(g.has(h('h#change-2'), `${PROV}generated`, h('d?version=2'))).toBe(true);
    expect(g.has(h('h#change-2'), `${PROV}generated`, h('trgkv?version=2'))).toBe(false);
    expect(g.has(null, `${PROV}wasRevisionOf`, null)).toBe(false);
    expect(g.objects(h('h#change-2'), `${PROV}generated`)).toHaveLength(1);
    expect(g.has(h('h#patch-request-2-comments'), `${AS}totalItems`, null)).toBe(true);
  });

  it('/h.nt and /history.nt are the same graph', async () => {
    expect(await bodyText(await get('/h.nt?full'))).toBe(await bodyText(await get('/history.nt?full')));
  });

  it('/h sends browsers (and clients without a preference) to the web client’s history page', async () => {
    const expected = `${CLIENT}/?page=backend-history&backendID=${BACKEND}`;
    for (const accept of [BROWSER_ACCEPT, '*/*', 'text/html']) {
      const response = await getAccepting('/h', accept);
      expect(response.status, accept).toBe(303);
      expect(response.headers.get('Location'), accept).toBe(expected);
    }
    const bare = await get('/h');
    expect(bare.status).toBe(303);
    expect(bare.headers.get('Location')).toBe(expected);
  });

  it('/h keeps the query when it redirects to /h.nt', async () => {
    const response = await getAccepting('/h?full', 'application/n-triples');
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`${H}/h.nt?full=`);
  });

  it('/h.ttl moved permanently (301) to /h.nt, query kept', async () => {
    const plain = await get('/h.ttl');
    expect(plain.status).toBe(301);
    expect(plain.headers.get('Location')).toBe(`${H}/h.nt`);
    const full = await get('/h.ttl?full');
    expect(full.status).toBe(301);
    expect(full.headers.get('Location')).toBe(`${H}/h.nt?full=`);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await get('/h.nt?full', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/n-triples');
    expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="periodo-history.nt"');
    expect(await bodyText(response)).toBe('');
  });

  it('/h.nt/, /history.nt/, /history and /history.json are 404', async () => {
    for (const path of ['/h.nt/', '/history.nt/', '/history', '/history.json', '/h.json']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
    }
  });
});

/** Posted on merged change 2 before change 3 (the history is cached per dataset version). */
const TRICKY = 'She said "no" \\ then\nleft.\r\tTab, bell \u0007, Ωé 😀 <script>&';

describe('?full: updates and removals', () => {
  beforeAll(async () => {
    await comment('/patches/2/', EDITOR, TRICKY);
    // Change 3: the operator removes a period (and so updates its authority).
    const result = await load(removePeriod);
    expect(result.patchRequestId).toBe(3);
    expect(result.version).toBe(3);
  });

  it('a removed entity is invalidated by the change; its authority is revised', async () => {
    const g = graph((await historyGraph()).quads);
    expect(g.has(h('h#change-3'), `${PROV}invalidated`, h('trgkvwbjd'))).toBe(true);
    expect(g.has(h('h#change-3'), `${PROV}generated`, h('trgkvwbjd?version=3'))).toBe(false);
    expect(g.has(h('h#change-3'), `${PROV}generated`, h('trgkv?version=3'))).toBe(true);
    expect(g.has(h('trgkv?version=3'), `${PROV}specializationOf`, h('trgkv'))).toBe(true);
    expect(g.has(h('trgkv?version=3'), `${PROV}wasRevisionOf`, h('trgkv?version=2'))).toBe(true);
    expect(g.has(h('h#change-3'), `${PROV}used`, h('d?version=2'))).toBe(true);
    expect(g.has(h('h#change-3'), `${PROV}generated`, h('d?version=3'))).toBe(true);
    expect(g.has(h('h#change-3'), `${PROV}wasAssociatedWith`, null)).toBe(false);
    expect(g.list(h('h#changes'))).toEqual([h('h#change-1'), h('h#change-2'), h('h#change-3')]);
  });

  it('without ?full there is no invalidation either', async () => {
    const g = graph((await historyGraph('/h.nt')).quads);
    expect(g.has(null, `${PROV}invalidated`, null)).toBe(false);
  });
});

describe('CANONICAL mode: ARK URIs', () => {
  it('names everything in the history with ARKs on the dataset’s @base', async () => {
    const response = await canonicalFetch('/h.nt?full');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/n-triples');
    const text = await bodyText(response);
    const g = graph(parseNt(text));
    const ark = (path: string) => `${ARK}p0${path}`;
    expect(g.has(ark('h#change-1'), `${PROV}used`, ark('d?version=0'))).toBe(true);
    expect(g.has(ark('d?version=0'), `${PROV}specializationOf`, ark('d'))).toBe(true);
    expect(g.has(ark('h#patch-1'), `${FOAF}page`, ark('patches/1/patch.jsonpatch'))).toBe(true);
    expect(g.has(ark('h#patch-request-2'), `${FOAF}page`, ark('patches/2/'))).toBe(true);
    expect(g.has(ark('h#change-2'), `${PROV}generated`, ark('trgkv?version=2'))).toBe(true);
    expect(g.has(ark('trgkv?version=2'), `${PROV}specializationOf`, ark('trgkv'))).toBe(true);
    expect(g.has(ark('trgkv?version=2'), `${PROV}wasRevisionOf`, ark('trgkv?version=1'))).toBe(true);
    expect(g.has(ark('h#change-3'), `${PROV}invalidated`, ark('trgkvwbjd'))).toBe(true);
    expect(g.has(ark('h#patch-2-merged'), `${PROV}hadRole`, ark('v#merged'))).toBe(true);
    expect(g.has(ark('h#patch-request-2-comments'), `${AS}first`, ark('h#patch-request-2-comment-1'))).toBe(true);
    expect(g.list(ark('h#changes'))).toEqual([ark('h#change-1'), ark('h#change-2'), ark('h#change-3')]);
    expect(g.has(ark('d'), `${DCTERMS}provenance`, ark('h#changes'))).toBe(true);
    // Nothing is named on the data host.
    expect(text).not.toContain(H);
  });

  it('still redirects to the data host', async () => {
    const response = await canonicalFetch('/h', { headers: { Accept: 'text/turtle' } });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`${H}/h.nt`);
  });
});

describe('N-Triples escaping of comments', () => {
  const tricky = TRICKY;

  it('keeps any comment text exactly, one triple per line', async () => {
    const { text, quads } = await historyGraph();
    const g = graph(quads);
    expect(g.value(h('h#patch-request-2-comments'), `${AS}totalItems`).value).toBe('3');
    expect(g.value(h('h#patch-request-2-comment-3'), `${AS}content`).value).toBe(tricky);
    expect(g.has(h('h#patch-request-2-comments'), `${AS}last`, h('h#patch-request-2-comment-3'))).toBe(true);
    expect(g.has(h('h#patch-request-2-comments'), `${AS}last`, h('h#patch-request-2-comment-2'))).toBe(false);
    for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(/^(<[^<>"\s]+>|_:b\d+) <[^<>"\s]+> .+ \.$/);
  });
});

describe('the activity feed', () => {
  let submittedAndUpdated: string;
  let rejected: string;

  beforeAll(async () => {
    submittedAndUpdated = await submit([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'first' }]);
    const put = await send('PUT', `${submittedAndUpdated}patch.jsonpatch`, CONTRIBUTOR, [{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'second' }]);
    expect(put.status).toBe(200);
    await comment(submittedAndUpdated, CONTRIBUTOR, '<script>alert("x")</script> & see https://example.org/a?b=1&c=2.');
    rejected = await submit([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'third' }]);
    await review(rejected, 'reject');
    expect([submittedAndUpdated, rejected]).toEqual(['/patches/4/', '/patches/5/']);
  });

  it('lists every activity, newest first, titled "{who} {what} change #{id}"', async () => {
    const { entries } = await readFeed();
    const editor = EDITOR.name;
    const connie = CONTRIBUTOR.name;
    expect(entries.map((e) => e.title)).toEqual([
      `${editor} rejected change #5`,
      `${connie} submitted change #5`,
      `${connie} commented on change #4`,
      `${connie} updated change #4`,
      `${connie} submitted change #4`,
      'initial data loader merged change #3',
      `${editor} commented on change #2`,
      `${editor} merged change #2`,
      `${editor} commented on change #2`,
      `${connie} commented on change #2`,
      `${connie} submitted change #2`,
      'initial data loader merged change #1',
    ]);
  });

  it('gives each entry the patch request’s URL as id, its review page as link, and W3CDTF times', async () => {
    const { feed, entries } = await readFeed();
    expect(textOf(child(feed, 'id'))).toBe(`${H}/feed.xml`);
    expect(textOf(child(feed, 'title'))).toBe('PeriodO changes');
    expect(child(feed, 'link').attrs).toEqual({ href: `${H}/feed.xml`, rel: 'self' });
    const author = child(feed, 'author');
    expect(textOf(child(author, 'name'))).toBe('PeriodO');
    expect(textOf(child(author, 'uri'))).toBe('https://perio.do/');
    expect(textOf(child(feed, 'updated'))).toBe(entries[0].updated);

    for (const e of entries) {
      const id = Number(/#(\d+)$/.exec(e.title)![1]);
      expect(e.id).toBe(`${H}/patches/${id}/`);
      expect(e.link).toBe(reviewUrl(id));
      expect(e.updated).toMatch(W3CDTF);
      expect(e.content).toContain(`<a href="${reviewUrl(id).replace(/&/g, '&amp;')}"`);
    }
    const times = entries.map((e) => e.updated);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('escapes names and comments: no markup from users reaches the feed', async () => {
    const response = await get('/feed.xml');
    const xml = await response.text();
    expect(xml).not.toContain('<script');
    expect(xml).not.toContain('<Ed>');
    const { entries } = await readFeed();
    const commented = entries.find((e) => e.title.endsWith('commented on change #4'))!;
    // The entry's HTML shows the comment as text, with its web address as a link.
    expect(commented.content).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; see ');
    expect(commented.content).toContain('<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow">https://example.org/a?b=1&amp;c=2</a>.');
    expect(commented.content).not.toContain('<script');
    expect(commented.content).toContain(`<a href="${CONTRIBUTOR_IRI}" rel="nofollow">${CONTRIBUTOR.name}</a> commented on a change initially proposed by`);
    const merged = entries.find((e) => e.title.endsWith('merged change #2'))!;
    expect(merged.title).toBe(`${EDITOR.name} merged change #2`);
    expect(merged.content).toContain(`<a href="${EDITOR_IRI}" rel="nofollow">Ed &quot;the editor&quot; &lt;Ed&gt; &amp; Co</a> merged a change initially proposed by <a href="${CONTRIBUTOR_IRI}" rel="nofollow">${CONTRIBUTOR.name}</a>:`);
    // The merge entry quotes the comments on the change made before it.
    expect(merged.content).toContain('Here is my patch');
    expect(merged.content).toContain('Looks good to me');
  });

  it('names users unknown to the server by their id', async () => {
    const stranger = 'https://orcid.org/0000-0001-2345-6789';
    await database(env.DB).insert(patchRequestComments).values({ patchRequestId: 5, author: stranger, message: 'late', postedAt: new Date(Date.now() + 60_000).toISOString() });
    const { entries } = await readFeed();
    expect(entries[0].title).toBe(`${stranger} commented on change #5`);
  });

  it('holds the 32 most recent activities', async () => {
    const start = Date.now() + 120_000;
    const notes = Array.from({ length: 40 }, (_, n) => ({ patchRequestId: 4, author: CONTRIBUTOR_IRI, message: `note ${n}`, postedAt: new Date(start + n * 1000).toISOString() }));
    // D1 binds at most 100 parameters per statement.
    for (let i = 0; i < notes.length; i += 20) await database(env.DB).insert(patchRequestComments).values(notes.slice(i, i + 20));
    const { feed, entries } = await readFeed();
    expect(entries).toHaveLength(32);
    expect(entries.every((e) => e.title === `${CONTRIBUTOR.name} commented on change #4`)).toBe(true);
    expect(entries[0].content).toContain('note 39');
    expect(entries[31].content).toContain('note 8');
    expect(entries[31].content).not.toContain('note 7');
    expect(textOf(child(feed, 'updated'))).toBe(`${new Date(start + 39_000).toISOString().slice(0, 19)}+00:00`);
  });
});

describe('many merges, large changes', () => {
  const FIRST = 1001;
  const COUNT = 200;
  const BIG = 3000;
  const bigIds = Array.from({ length: BIG }, (_, n) => `p0zz${String(n).padStart(3, '0')}`);
  let last: number;

  beforeAll(async () => {
    const db = database(env.DB);
    const at = (n: number) => new Date(Date.UTC(2001, 0, 1) + n * 60_000).toISOString();
    const rows = Array.from({ length: COUNT }, (_, n) => ({
      id: FIRST + n,
      createdBy: CONTRIBUTOR_IRI,
      updatedBy: CONTRIBUTOR_IRI,
      mergedBy: EDITOR_IRI,
      createdAt: at(n),
      updatedAt: at(n),
      mergedAt: at(n),
      open: false,
      merged: n % 10 !== 9, // every tenth was rejected: not part of the history
      appliedToVersion: n % 10 !== 9 ? 100 + n : null,
      resultedInVersion: n % 10 !== 9 ? 101 + n : null,
      originalPatchBlob: `patch/${FIRST + n}/original`,
      createdEntities: JSON.stringify(n === 0 ? bigIds : [`p0zz${String(n).padStart(3, '0')}x${'y'.repeat(3)}`]),
      updatedEntities: JSON.stringify(n % 3 === 0 ? ['p0trgkv'] : []),
      removedEntities: JSON.stringify(n % 7 === 0 ? ['p0trgkv4kxb'] : []),
    }));
    for (let i = 0; i < rows.length; i += 5) await db.insert(patchRequests).values(rows.slice(i, i + 5));
    await db.insert(patchRequestComments).values([
      { patchRequestId: FIRST + 95, author: EDITOR_IRI, message: 'b', postedAt: at(96) },
      { patchRequestId: FIRST + 95, author: CONTRIBUTOR_IRI, message: 'a', postedAt: at(95) },
    ]);
    // A real merge after the rows written above: a new dataset version, as every merge makes.
    last = (await load([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'after many merges' }])).patchRequestId;
    expect(last).toBeGreaterThan(FIRST + COUNT - 1);
  });

  it('pages through every merge, in id order, with every entity of a large change', async () => {
    const { text, quads } = await historyGraph();
    const g = graph(quads);
    const merged = Array.from({ length: COUNT }, (_, n) => n).filter((n) => n % 10 !== 9);
    expect(g.list(h('h#changes'))).toEqual([1, 2, 3, ...merged.map((n) => FIRST + n), last].map((id) => h(`h#change-${id}`)));
    expect(g.has(h(`h#change-${FIRST + 9}`), null, null)).toBe(false);
    const generated = g.objects(h(`h#change-${FIRST}`), `${PROV}generated`).map((o) => o.value);
    expect(generated).toHaveLength(BIG + 2); // the dataset, the big list, p0trgkv (updated)
    for (const id of bigIds) expect(generated).toContain(h(`${id.slice(2)}?version=101`));
    expect(g.has(h(`h#change-${FIRST + 7}`), `${PROV}invalidated`, h('trgkv4kxb'))).toBe(true);
    // Comments come in the order they were posted.
    expect(g.has(h(`h#patch-request-${FIRST + 95}-comments`), `${AS}first`, null)).toBe(true);
    const first = g.value(h(`h#patch-request-${FIRST + 95}-comments`), `${AS}first`).value;
    expect(g.value(first, `${AS}content`).value).toBe('a');
    const lines = text.split('\n').filter(Boolean);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('reads the same changes whatever the page size and entity-list budget', async () => {
    const collect = async (options: Parameters<typeof mergedChanges>[1]) => {
      const out: MergedChange[] = [];
      for await (const c of mergedChanges(database(env.DB), options)) out.push(c);
      return out;
    };
    const reference = await collect({ full: true });
    expect(reference.map((c) => c.id)).toEqual([1, 2, 3, ...Array.from({ length: COUNT }, (_, n) => n).filter((n) => n % 10 !== 9).map((n) => FIRST + n), last]);
    expect(await collect({ full: true, pageSize: 7, entityListBudget: 50 })).toEqual(reference);
    const lean = await collect({ full: false, pageSize: 13 });
    expect(lean.map((c) => ({ ...c, created: [], updated: [], removed: [] }))).toEqual(reference.map((c) => ({ ...c, created: [], updated: [], removed: [] })));
    expect(lean.every((c) => c.created.length === 0 && c.updated.length === 0 && c.removed.length === 0)).toBe(true);
  });
});
