/**
 * Hostile input against the data API (issue 9), through the real Worker, D1 and the
 * DatasetCoordinator: every refusal is a 4xx with a JSON message a person can act on, and
 * leaves the dataset, its history, the identifier map and the patch requests as they were.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_COMMENT_BYTES, MAX_LOAD_BYTES, MAX_PATCH_BYTES, MAX_PATCH_DEPTH } from '../../workers/data/limits';
import { ADMIN_TOKEN, ASSIGNED, get, headVersion, load, loadTestData } from './read-api/support';
import { addUsers } from './support/editors';

const USERS = {
  contributor: { orcid: '1234-5678-9101-112X', token: 'hostile-contributor-token', permissions: ['submit-patch', 'create-bag'] },
  other: { orcid: '0000-0001-2345-6789', token: 'hostile-other-token', permissions: ['submit-patch', 'create-bag'] },
  editor: { orcid: '1211-1098-7654-321X', token: 'hostile-editor-token', permissions: ['submit-patch', 'create-bag', 'accept-patch', 'create-graph'] },
};
type UserName = keyof typeof USERS;

const INSUFFICIENT_SCOPE =
  'Bearer realm="PeriodO", error="insufficient_scope", error_description="The access token does not provide sufficient privileges", error_uri="http://tools.ietf.org/html/rfc6750#section-6.2.3"';
const UPDATE = 'can update submissions of proposed changes';

/** A second authority (check digit right: NOID over "3333" is "d"), loaded before the tests. */
const SECOND = 'p03333d';
const PERIOD = 'p0trgkvwbjd';

function send(method: string, path: string, as: UserName | null, body?: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { 'Content-Type': 'application/json', ...headers };
  if (as) h.Authorization = `Bearer ${btoa(USERS[as].token)}`;
  return get(path, { method, headers: h, body });
}

const submitText = (text: string, as: UserName = 'contributor') => send('PATCH', '/d/', as, text);
const submitPatch = (patch: unknown, as: UserName = 'contributor') => submitText(JSON.stringify(patch), as);

async function submitted(patch: unknown, as: UserName = 'contributor'): Promise<string> {
  const response = await submitPatch(patch, as);
  expect(response.status, await response.clone().text()).toBe(202);
  return new URL(response.headers.get('Location')!).pathname;
}

/** What a refused request must leave as it was: the dataset, history, identifier map, requests and comments. */
async function snapshot() {
  const texts = await Promise.all(['/d.json', '/h.nt', '/identifier-map.json', '/patches.json?limit=250'].map(async (p) => (await get(p)).text()));
  const counts = await env.DB.prepare(
    'SELECT (SELECT COUNT(*) FROM patch_requests) AS requests, (SELECT COUNT(*) FROM patch_request_comments) AS comments, (SELECT COUNT(*) FROM blob_chunks) AS chunks, (SELECT COUNT(*) FROM identifiers) AS ids',
  ).first();
  return { version: await headVersion(), texts, counts };
}

/** Runs a request that must be refused with `status` and a message; returns the message. */
async function refused(attempt: () => Promise<Response>, status: number): Promise<string> {
  const before = await snapshot();
  const response = await attempt();
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('Content-Type')).toBe('application/json');
  const message = (JSON.parse(text) as { message?: unknown }).message;
  expect(typeof message).toBe('string');
  expect((message as string).length).toBeGreaterThan(15);
  expect(await snapshot()).toEqual(before);
  return message as string;
}

/** Text of `[{"op": "add", …, "value": <value>}]` with the value nested `levels` arrays deep. */
function nestedPatchText(levels: number): string {
  return `[{"op": "add", "path": "/authorities/p0trgkv/editorialNote", "value": ${'['.repeat(levels)}"deep"${']'.repeat(levels)}}]`;
}

beforeAll(async () => {
  await loadTestData();
  await load([{ op: 'add', path: `/authorities/${ASSIGNED.replace(/\//g, '~1')}${SECOND}`, value: { id: `${ASSIGNED}${SECOND}`, periods: {} } }]);
  await addUsers(USERS);
});

describe('no 500 from a request', () => {
  it('answers a malformed percent-escape in a path with the 404 a wrong identifier gets', async () => {
    for (const [method, path, as] of [
      ['GET', '/%ff', null],
      ['GET', '/%ff.json', null],
      ['GET', '/%', null],
      ['GET', '/bags/%ff', null],
      ['PUT', '/bags/%ff', 'contributor'],
      ['GET', '/graphs/%ff', null],
      ['PUT', '/graphs/%ff', 'editor'],
      ['DELETE', '/graphs/%e0%a4', 'editor'],
    ] as const) {
      const response = await send(method, path, as, method === 'PUT' ? '{"title": "x"}' : undefined, { Accept: 'application/json' });
      const text = await response.text();
      expect(response.status, `${method} ${path}: ${text}`).toBe(404);
      expect((JSON.parse(text) as { message: string }).message, path).toMatch(/is not a valid PeriodO identifier/);
    }
  });

  it('refuses numbers too large to be a row number in ?from=, ?limit= and ?version= with 422', async () => {
    for (const [path, name] of [
      ['/patches/?from=12345678901234567890', 'from'],
      ['/patches.json?limit=99999999999999999999', 'limit'],
      ['/d.json?version=12345678901234567890', 'version'],
      ['/trgkvwbjd.json?version=9007199254740993', 'version'],
      ['/patches/?from=1.5', 'from'],
    ]) {
      const response = await get(path);
      const text = await response.text();
      expect(response.status, `${path}: ${text}`).toBe(422);
      expect(response.headers.get('Content-Type')).toBe('application/json');
      expect((JSON.parse(text) as { message: string }).message).toMatch(new RegExp(`^${name} must be .* whole number`));
    }
    // Within range they still page as before.
    expect((await get('/patches/?from=0&limit=250')).status).toBe(200);
  });
});

describe('bounded bodies and depth', () => {
  it(`refuses a patch over ${MAX_PATCH_BYTES} bytes with 413, before storing anything`, async () => {
    const big = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'x'.repeat(MAX_PATCH_BYTES) }]);
    const message = await refused(() => submitText(big), 413);
    expect(message).toContain('A patch may be at most 10 MB');
  });

  it('refuses a body over the limit even when it declares no length (read no further than the limit)', async () => {
    const chunk = new TextEncoder().encode(`"${'y'.repeat(64 * 1024)}", `);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_PATCH_BYTES * 2) return controller.close();
        controller.enqueue(sent === 0 ? new TextEncoder().encode('[') : chunk);
        sent += chunk.length;
      },
    });
    const message = await refused(() => send('PATCH', '/d/', 'contributor', stream), 413);
    expect(message).toContain('A patch may be at most');
    expect(sent).toBeLessThan(MAX_PATCH_BYTES * 2);
  });

  it('refuses an update over the limit with 413 and keeps the stored patch', async () => {
    const path = await submitted([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'small' }]);
    const stored = await (await get(`${path}patch.jsonpatch`)).text();
    const big = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'x'.repeat(MAX_PATCH_BYTES) }]);
    await refused(() => send('PUT', `${path}patch.jsonpatch`, 'contributor', big), 413);
    expect(await (await get(`${path}patch.jsonpatch`)).text()).toBe(stored);
  });

  it(`refuses a comment over ${MAX_COMMENT_BYTES} bytes with 413 and stores no comment`, async () => {
    const path = await submitted([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'to comment on' }]);
    const message = await refused(() => send('POST', `${path}messages`, 'contributor', JSON.stringify({ message: 'z'.repeat(MAX_COMMENT_BYTES) })), 413);
    expect(message).toContain('64 KB');
    // A comment within the limit is still stored.
    const ok = await send('POST', `${path}messages`, 'contributor', JSON.stringify({ message: 'z'.repeat(MAX_COMMENT_BYTES - 100) }));
    expect(ok.status).toBe(200);
    expect(((await (await get(path)).json()) as { comments: unknown[] }).comments).toHaveLength(1);
  });

  it('refuses patches nested 100,000 and 5,000 deep at submission (400), so none is shown mergeable and then fails to merge', async () => {
    for (const levels of [100_000, 5_000, MAX_PATCH_DEPTH]) {
      const message = await refused(() => submitText(nestedPatchText(levels)), 400);
      expect(message).toContain(`nested deeper than ${MAX_PATCH_DEPTH} levels`);
    }
  });

  it('accepts a patch nested just within the limit, shows it mergeable, and merges it', async () => {
    const path = new URL((await submitText(nestedPatchText(MAX_PATCH_DEPTH - 3))).headers.get('Location')!).pathname;
    expect(((await (await get(path)).json()) as { mergeable: boolean }).mergeable).toBe(true);
    const merged = await send('POST', `${path}merge`, 'editor');
    expect(merged.status, await merged.text()).toBe(204);
    const note = ((await (await get('/trgkv.json')).json()) as { editorialNote: unknown }).editorialNote;
    expect(JSON.stringify(note)).toBe(`${'['.repeat(MAX_PATCH_DEPTH - 3)}"deep"${']'.repeat(MAX_PATCH_DEPTH - 3)}`);
  });
});

describe('gzip-compressed bodies (Content-Encoding: gzip)', () => {
  const gzip = async (text: string): Promise<Uint8Array> => new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());

  it('are read as the text they hold: the stored patch is the text sent, not the compressed bytes', async () => {
    const text = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'compressed, é and 𓂀' }]);
    const response = await send('PATCH', '/d/', 'contributor', await gzip(text), { 'Content-Encoding': 'gzip' });
    expect(response.status, await response.clone().text()).toBe(202);
    const path = new URL(response.headers.get('Location')!).pathname;
    expect(await (await get(`${path}patch.jsonpatch`)).text()).toBe(text);
  });

  it('load through the operator endpoint (as load-data sends them)', async () => {
    const before = await headVersion();
    const text = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'loaded compressed' }]);
    const response = await get('/admin/load', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: await gzip(text) });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await headVersion()).toBe(before + 1);
    expect(((await (await get('/trgkv.json')).json()) as { editorialNote: string }).editorialNote).toBe('loaded compressed');
  });

  // The load's body is read by the dataset coordinator, not the Worker: its refusals must
  // come back from there with the same status and message, and leave nothing written.
  it('sent to the operator endpoint are refused there as anywhere: too large, not gzip, not UTF-8, another encoding', async () => {
    const load = (body: BodyInit, headers: Record<string, string> = {}) =>
      get('/admin/load', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', ...headers }, body });
    const text = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'x'.repeat(MAX_LOAD_BYTES) }]);
    const bomb = await gzip(text);
    expect(bomb.byteLength).toBeLessThan(MAX_LOAD_BYTES / 100);
    expect(await refused(() => load(bomb, { 'Content-Encoding': 'gzip' }), 413)).toContain('A patch loaded by the operator may be at most 24 MB');
    // The same text sent as it is, streamed with no Content-Length to refuse it by.
    const streamed = new Blob([text]).stream();
    expect(await refused(() => load(streamed), 413)).toContain('A patch loaded by the operator may be at most 24 MB');
    const small = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'never stored' }]);
    const whole = await gzip(small);
    expect(await refused(() => load(whole.subarray(0, whole.byteLength - 12), { 'Content-Encoding': 'gzip' }), 400)).toContain('declared gzip-compressed (Content-Encoding: gzip) but is not valid gzip data');
    const latin1 = new Uint8Array([...new TextEncoder().encode(small.slice(0, -3)), 0xe9, ...new TextEncoder().encode('"}]')]);
    expect(await refused(() => load(latin1), 400)).toContain('A patch loaded by the operator must be UTF-8 text');
    expect(await refused(() => load(small, { 'Content-Encoding': 'br' }), 415)).toContain('Content-Encoding "br" is not accepted');
    // Nothing of the refusals holds up the next load.
    const before = await headVersion();
    const loaded = await load(new Blob([await gzip(JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'streamed, é' }]))]).stream(), { 'Content-Encoding': 'gzip' });
    expect(loaded.status, await loaded.clone().text()).toBe(200);
    expect(await headVersion()).toBe(before + 1);
    expect(((await (await get('/trgkv.json')).json()) as { editorialNote: string }).editorialNote).toBe('streamed, é');
  });

  it('are refused with 413 once they inflate past the limit, however small they are sent', async () => {
    const bomb = await gzip(JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'x'.repeat(MAX_PATCH_BYTES * 2) }]));
    expect(bomb.byteLength).toBeLessThan(MAX_PATCH_BYTES / 100);
    const message = await refused(() => send('PATCH', '/d/', 'contributor', bomb, { 'Content-Encoding': 'gzip' }), 413);
    expect(message).toContain('A patch may be at most 10 MB');
  });

  it('are refused with 413 once the bytes sent pass the limit, though they inflate to almost nothing', async () => {
    const text = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'padded' }]);
    const whole = await gzip(text);
    // Empty stored deflate blocks (5 bytes each, no output) between the gzip header and the data.
    const EMPTY_BLOCK = [0x00, 0x00, 0x00, 0xff, 0xff];
    const blocks = Math.ceil(MAX_PATCH_BYTES / EMPTY_BLOCK.length) + 1;
    const padded = new Uint8Array(whole.byteLength + blocks * EMPTY_BLOCK.length);
    padded.set(whole.subarray(0, 10));
    for (let i = 0; i < blocks; i++) padded.set(EMPTY_BLOCK, 10 + i * EMPTY_BLOCK.length);
    padded.set(whole.subarray(10), 10 + blocks * EMPTY_BLOCK.length);
    // Streamed, with no Content-Length to refuse it by: the limit is found while reading.
    const streamed = () => {
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= padded.byteLength) return controller.close();
          controller.enqueue(padded.slice(at, (at += 64 * 1024)));
        },
      });
    };
    const message = await refused(() => send('PATCH', '/d/', 'contributor', streamed(), { 'Content-Encoding': 'gzip' }), 413);
    expect(message).toContain('A patch may be at most 10 MB');
    // The same padding below the limit is valid gzip: only its size was refused.
    const few = new Uint8Array([...whole.subarray(0, 10), ...EMPTY_BLOCK, ...EMPTY_BLOCK, ...whole.subarray(10)]);
    const accepted = await send('PATCH', '/d/', 'contributor', few, { 'Content-Encoding': 'gzip' });
    expect(accepted.status, await accepted.clone().text()).toBe(202);
    expect(await (await get(`${new URL(accepted.headers.get('Location')!).pathname}patch.jsonpatch`)).text()).toBe(text);
  });

  it('are refused with 400 when they are not gzip data, or end before their end', async () => {
    const text = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'never stored' }]);
    const whole = await gzip(text);
    for (const body of [new TextEncoder().encode(text), whole.subarray(0, whole.byteLength - 12)]) {
      const message = await refused(() => send('PATCH', '/d/', 'contributor', body, { 'Content-Encoding': 'gzip' }), 400);
      expect(message).toContain('declared gzip-compressed (Content-Encoding: gzip) but is not valid gzip data');
    }
  });

  it('are refused with 415 in any other encoding, naming the one accepted', async () => {
    const text = JSON.stringify([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'never stored' }]);
    const message = await refused(() => send('PATCH', '/d/', 'contributor', text, { 'Content-Encoding': 'br' }), 415);
    expect(message).toContain('gzip-compressed (Content-Encoding: gzip); Content-Encoding "br" is not accepted');
  });
});

describe("the dataset's invariants hold for every patch", () => {
  it('refuses a copy of a period into another authority under the same id', async () => {
    const message = await refused(
      () => submitPatch([{ op: 'copy', from: `/authorities/p0trgkv/periods/${PERIOD}`, path: `/authorities/${SECOND}/periods/${PERIOD}` }]),
      400,
    );
    expect(message).toContain(`Period ${PERIOD} would be in two authorities`);
    expect((await get(`/${PERIOD.slice(2)}.json`)).status).toBe(200);
  });

  it('refuses an add of an existing period id under another authority, with or without a test of the first', async () => {
    const period = (await (await get(`/${PERIOD.slice(2)}.json`)).json()) as Record<string, unknown>;
    const add = { op: 'add', path: `/authorities/${SECOND}/periods/${PERIOD}`, value: period };
    expect(await refused(() => submitPatch([{ op: 'test', path: '/authorities/p0trgkv/id', value: 'p0trgkv' }, add]), 400)).toContain('two authorities');
    expect(await refused(() => submitPatch([add]), 400)).toContain(`Identifier ${PERIOD} is already used`);
  });

  it('still lets a period move between authorities', async () => {
    const path = await submitted([{ op: 'move', from: '/authorities/p0trgkv/periods/p0trgkv4kxb', path: `/authorities/${SECOND}/periods/p0trgkv4kxb` }]);
    const merged = await send('POST', `${path}merge`, 'editor');
    expect(merged.status, await merged.text()).toBe(204);
    const owner = await env.DB.prepare('SELECT authority_id AS a FROM periods WHERE id = ? AND valid_to IS NULL').bind('p0trgkv4kxb').first<{ a: string }>();
    expect(owner!.a).toBe(SECOND);
  });

  it('reports a period moved between authorities as updated once, not removed and created', async () => {
    const moved = `${SECOND}bbb2`;
    const added = await load([{ op: 'add', path: `/authorities/${SECOND}/periods/${moved}`, value: { id: moved, label: 'Moving', type: 'Period' } }]);
    expect(added.created).toEqual([moved]);
    const result = await load([{ op: 'move', from: `/authorities/${SECOND}/periods/${moved}`, path: `/authorities/p0trgkv/periods/${moved}` }]);
    expect(result.updated.filter((id) => id === moved)).toHaveLength(1);
    expect(result.removed).not.toContain(moved);
    expect(result.created).not.toContain(moved);
  });

  it('refuses a new identifier whose check digit is wrong both ways, and accepts the right one', async () => {
    const authority = (id: string) => [{ op: 'add', path: `/authorities/${id}`, value: { id, periods: {} } }];
    const message = await refused(() => submitPatch(authority('p02222b')), 400);
    expect(message).toContain('p02222b');
    expect(message).toContain('should have been 2');
    const period = { id: 'p03333d2225', label: 'Wrong digit' };
    expect(await refused(() => submitPatch([{ op: 'add', path: `/authorities/${SECOND}/periods/${period.id}`, value: period }]), 400)).toContain('p03333d2225');
    expect((await submitPatch(authority('p022222'))).status).toBe(202);
  });

  it('refuses removing or emptying the authorities map, as it refuses removing the dataset', async () => {
    expect(await refused(() => submitPatch([{ op: 'remove', path: '/authorities' }]), 400)).toContain('authorities');
    expect(await refused(() => submitPatch([{ op: 'replace', path: '', value: {} }]), 400)).toContain('authorities');
    await refused(() => submitPatch([{ op: 'remove', path: '' }]), 400);
    expect((await get('/c')).status).toBe(200);
  });

  it("refuses a dataset @context its exports cannot read, from contributors and the operator alike, and accepts a changed one they can", async () => {
    const context = ((await (await get('/c')).json()) as { '@context': Record<string, unknown> })['@context'];
    for (const value of ['http://example.org/context.jsonld', [context], { ...context, '@import': 'http://example.org/more.jsonld' }]) {
      const patch = [{ op: 'replace', path: '/@context', value }];
      expect(await refused(() => submitPatch(patch), 400)).toContain('@context');
      const message = await refused(() => get('/admin/load', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(patch) }), 400);
      expect(message).toContain('@context');
    }
    const before = await headVersion();
    await load([{ op: 'add', path: '/@context/hostileTestTerm', value: 'http://example.org/hostile-test-term' }]);
    expect(await headVersion()).toBe(before + 1);
    expect(((await (await get('/c')).json()) as { '@context': Record<string, unknown> })['@context'].hostileTestTerm).toBe('http://example.org/hostile-test-term');
  });

  it('refuses a contribution the exports could not convert to RDF, naming the authority and why', async () => {
    const period = `/authorities/p0trgkv/periods/${PERIOD}`;
    for (const [patch, why] of [
      [[{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: { '@id': 7 } }], '@id must be a string'],
      [[{ op: 'add', path: `${period}/@context`, value: 'http://example.org/context.jsonld' }], '@context'],
      [[{ op: 'replace', path: `${period}/spatialCoverage/0/@id`, value: ['http://www.wikidata.org/entity/Q43'] }], '@id must be a string'],
      [[{ op: 'add', path: `${period}/spatialCoverage/0/id`, value: 'http://www.wikidata.org/entity/Q43' }], 'colliding keywords'],
    ] as const) {
      const message = await refused(() => submitPatch(patch), 400);
      expect(message).toContain('p0trgkv');
      expect(message).toContain(why);
    }
    expect(await refused(() => submitPatch([{ op: 'replace', path: '/type', value: { x: 1 } }]), 400)).toContain('members');
    // A place the exports can read, beside the one the period has, is accepted.
    const accepted = await submitPatch([{ op: 'add', path: `${period}/spatialCoverage/-`, value: { '@id': 'http://www.wikidata.org/entity/Q218', label: 'Romania' } }]);
    expect(accepted.status, await accepted.text()).toBe(202);
  });

  it('refuses numbers that would be stored changed: out of range, underflowing, or with more digits than kept', async () => {
    for (const number of ['1e400', '-1e400', '1e-400', '1180591620717411303424', '9007199254740993', '0.1000000000000000000001']) {
      const text = `[{"op": "add", "path": "/authorities/p0trgkv/editorialNote", "value": {"n": ${number}}}]`;
      const message = await refused(() => submitText(text), 400);
      expect(message).toContain(`The number ${number}`);
      expect(message).toContain('as a string');
    }
  });

  it('keeps the numbers it accepts exactly', async () => {
    const text = '[{"op": "add", "path": "/authorities/p0trgkv/editorialNote", "value": [9007199254740992, -0.5, 1.25e-7, 123456789012345]}]';
    const path = new URL((await submitText(text)).headers.get('Location')!).pathname;
    expect((await send('POST', `${path}merge`, 'editor')).status).toBe(204);
    const note = ((await (await get('/trgkv.json')).json()) as { editorialNote: unknown }).editorialNote;
    expect(note).toEqual([9007199254740992, -0.5, 1.25e-7, 123456789012345]);
  });

  it('shows an open patch that the merge would refuse as not mergeable', async () => {
    // Valid when submitted; a later merge takes the id it wants, so it can no longer merge.
    const period = { id: 'p03333d2228', label: 'Wanted twice' };
    const first = await submitted([{ op: 'add', path: `/authorities/${SECOND}/periods/${period.id}`, value: period }]);
    const second = await submitted([{ op: 'add', path: `/authorities/p0trgkv/periods/${period.id}`, value: period }]);
    expect(((await (await get(second)).json()) as { mergeable: boolean }).mergeable).toBe(true);
    expect((await send('POST', `${first}merge`, 'editor')).status).toBe(204);
    expect(((await (await get(second)).json()) as { mergeable: boolean }).mergeable).toBe(false);
    expect(await refused(() => send('POST', `${second}merge`, 'editor'), 400)).toMatch(/^Patch is not mergeable/);
  });
});

describe("the reference's authorization answers", () => {
  async function identityPermissions(as: UserName): Promise<string[]> {
    const response = await send('GET', '/identity', as);
    expect(response.status).toBe(200);
    return ((await response.json()) as { permissions: string[] }).permissions;
  }

  it('answers 403 insufficient_scope to a creator who updates their request after it was merged or rejected', async () => {
    const patch = [{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'closed soon' }];
    const merged = await submitted(patch);
    expect((await send('POST', `${merged}merge`, 'editor')).status).toBe(204);
    const rejected = await submitted(patch);
    expect((await send('POST', `${rejected}reject`, 'editor')).status).toBe(204);
    for (const path of [merged, rejected]) {
      const stored = await (await get(`${path}patch.jsonpatch`)).text();
      const before = await snapshot();
      const response = await send('PUT', `${path}patch.jsonpatch`, 'contributor', JSON.stringify(patch));
      expect(response.status, path).toBe(403);
      expect(response.headers.get('WWW-Authenticate')).toBe(INSUFFICIENT_SCOPE);
      expect(await snapshot()).toEqual(before);
      expect(await (await get(`${path}patch.jsonpatch`)).text()).toBe(stored);
    }
  });

  it('answers 403 insufficient_scope to someone else updating an open request', async () => {
    const path = await submitted([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'mine' }]);
    const response = await send('PUT', `${path}patch.jsonpatch`, 'other', '[]');
    expect(response.status).toBe(403);
    expect(response.headers.get('WWW-Authenticate')).toBe(INSUFFICIENT_SCOPE);
    expect(await (await get(`${path}patch.jsonpatch`)).text()).not.toBe('[]');
  });

  it('lists "can update submissions" exactly while the person has an open request of their own', async () => {
    // Close every open request first, so each user starts with none.
    const open = (await (await get('/patches.json?open=true&limit=250')).json()) as { url: string }[];
    for (const { url } of open) expect((await send('POST', `${new URL(url).pathname}reject`, 'editor')).status).toBe(204);

    expect(await identityPermissions('contributor')).not.toContain(UPDATE);
    expect(await identityPermissions('editor')).not.toContain(UPDATE);

    const path = await submitted([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'open' }]);
    expect(await identityPermissions('contributor')).toContain(UPDATE);
    expect(await identityPermissions('other')).not.toContain(UPDATE);
    expect(await identityPermissions('editor')).not.toContain(UPDATE);

    expect((await send('POST', `${path}merge`, 'editor')).status).toBe(204);
    expect(await identityPermissions('contributor')).not.toContain(UPDATE);

    await submitted([{ op: 'add', path: '/authorities/p0trgkv/editorialNote', value: 'the editor’s own' }], 'editor');
    expect(await identityPermissions('editor')).toContain(UPDATE);
  });
});

describe('one way to format', () => {
  it('writes numbers in an entity’s .json.html view exactly as its .json writes them', async () => {
    const text = '[{"op": "add", "path": "/authorities/p0trgkv/editorialNote", "value": [1.0, 1e16, 1e21, 1.5e-7, 0.25]}]';
    const path = new URL((await submitText(text)).headers.get('Location')!).pathname;
    expect((await send('POST', `${path}merge`, 'editor')).status).toBe(204);
    const json = await (await get('/trgkv.json')).text();
    const note = /"editorialNote": (\[[^\]]*\])/.exec(json)![1];
    const html = await (await get('/trgkv.json.html')).text();
    const shown = [...html.matchAll(/<span class="m[if]">([^<]*)<\/span>/g)].map((m) => m[1]);
    for (const number of note.slice(1, -1).split(', ')) expect(shown).toContain(number);
  });

  it('writes numbers in a bag’s .json.html view exactly as its .json writes them', async () => {
    const uuid = '0b6c0d6e-4ad2-4f8e-a4cf-0a3d1b2e9c11';
    const bag = '{"title": "Numbers", "items": ["p0trgkvwbjd", "p0trgkvkhrv"], "weights": [1.0, 1e16, 10000000000000000, 2.50]}';
    const put = await send('PUT', `/bags/${uuid}`, 'contributor', bag);
    expect(put.status, await put.text()).toBe(201);
    const json = await (await get(`/bags/${uuid}.json`)).text();
    expect(json).toContain('"weights": [1.0, 1e+16, 10000000000000000, 2.5]');
    const html = await (await get(`/bags/${uuid}.json.html`)).text();
    const shown = [...html.matchAll(/<span class="m[if]">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(shown).toEqual(expect.arrayContaining(['1.0', '1e+16', '10000000000000000', '2.5']));
  });
});

describe('one way to fail', () => {
  it('renders every refusal as JSON with the status it carries (401 and 403 from the shared guard)', async () => {
    const unauthenticated = await send('PATCH', '/d/', null, '[]');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('WWW-Authenticate')).toBe('Bearer realm="PeriodO"');
    expect(((await unauthenticated.json()) as { message: string }).message).toMatch(/authentication/);
    const forbidden = await send('POST', '/patches/1/merge', 'contributor');
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('WWW-Authenticate')).toBe(INSUFFICIENT_SCOPE);
    expect(forbidden.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });
});

