/**
 * Random and mutated JSON Patches (fast-check, seeded) submitted, updated and merged
 * through the real Worker, coordinator and D1. Every answer is a success or a 4xx with a
 * JSON message — never a 5xx — and whatever is refused writes nothing: the row counts of
 * every table and the served dataset stay as they were. Accepted merges keep the content
 * hash right, and no key of any patch reaches Object.prototype.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { get, json, loadTestData } from '../read-api/support';
import { addUsers, rowCounts, send } from '../support/editors';

const RUNS = 50;
const SEED = 13;

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Pointers that exist in the reference's test data, and pieces of hostile ones. */
const REAL = [
  '',
  '/',
  '/authorities',
  '/authorities/p0trgkv',
  '/authorities/p0trgkv/periods',
  '/authorities/p0trgkv/periods/p0trgkvwbjd',
  '/authorities/p0trgkv/periods/p0trgkvwbjd/label',
  '/authorities/p0trgkv/periods/p0trgkvwbjd/spatialCoverage/0',
  '/authorities/p0trgkv/editorialNote',
  '/authorities/p0trgkv/source',
  '/@context',
  '/type',
  '/id',
];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', '', '~', '~2', '..', '-', '0', '999999999999999999999', '\u0000', '\ud800', '<script>', 'x'.repeat(500)];

const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 }), fc.constantFrom('p0trgkv', 'p0trgkvwbjd', 'periods', 'authorities', 'label'));
const pointer = fc.oneof(
  fc.constantFrom(...REAL),
  fc.tuple(fc.constantFrom(...REAL), fc.array(key, { minLength: 1, maxLength: 3 })).map(([base, keys]) => `${base.replace(/\/$/, '')}/${keys.map(esc).join('/')}`),
  fc.array(key, { maxLength: 5 }).map((keys) => keys.map((k) => `/${esc(k)}`).join('')),
  fc.string({ maxLength: 20 }),
);

/** JSON texts, including what JSON.stringify cannot write: prototype keys and numbers beyond double. */
const valueText = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"__proto__": {"polluted": "yes"}}',
      '{"constructor": {"prototype": {"polluted": "yes"}}}',
      '{"id": "https://perio.do/.well-known/genid/prop", "type": "Period", "label": "ok", "__proto__": {"polluted": "yes"}}',
      '1e400',
      '-1e400',
      '123456789012345678901234567890',
      '{"label": 1e999}',
      '"\\ud800"',
      '"<script>alert(1)</script>"',
      `"${'x'.repeat(2000)}"`,
      '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map((n) =>
      JSON.stringify({ id: `https://perio.do/.well-known/genid/prop-${n}`, type: 'Period', label: `Property period ${n}` }),
    ),
  },
);

const opName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test') }, { weight: 1, arbitrary: fc.constantFrom('ADD', '', '__proto__', 'merge') }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });

/** One operation as JSON text; any member may be missing or of the wrong type. */
const operationText = fc
  .record(
    {
      op: opName,
      path: fc.oneof({ weight: 6, arbitrary: pointer.map((p) => JSON.stringify(p)) }, { weight: 1, arbitrary: valueText }),
      value: valueText,
      from: pointer.map((p) => JSON.stringify(p)),
      extra: fc.constantFrom('"__proto__": {"polluted": "yes"}', '"constructor": null', '"op": "remove"'),
    },
    { requiredKeys: ['op'] },
  )
  .map((o) => {
    const members = [`"op": ${JSON.stringify(o.op)}`];
    if (o.path !== undefined) members.push(`"path": ${o.path}`);
    if (o.value !== undefined) members.push(`"value": ${o.value}`);
    if (o.from !== undefined) members.push(`"from": ${o.from}`);
    if (o.extra !== undefined) members.push(o.extra);
    return `{${members.join(', ')}}`;
  });

/** A period addition that applies to the test data, the base of the mutated patches. */
const validPatch = fc.integer({ min: 0, max: 1_000_000 }).map((n) => {
  const skolem = `https://perio.do/.well-known/genid/valid-${n}`;
  return JSON.stringify([{ op: 'add', path: `/authorities/p0trgkv/periods/${esc(skolem)}`, value: { id: skolem, type: 'Period', label: `Valid ${n}` } }]);
});

/** Byte- and text-level damage to a valid patch. */
const mutated = fc.tuple(validPatch, fc.nat(), fc.constantFrom('cut', 'dup', 'swap', 'nul', 'bom', 'quote')).map(([text, at, how]) => {
  const i = at % text.length;
  switch (how) {
    case 'cut':
      return text.slice(0, i);
    case 'dup':
      return text.slice(0, i) + text.slice(i - 1);
    case 'swap':
      return text.slice(0, i) + '}' + text.slice(i + 1);
    case 'nul':
      return text.slice(0, i) + '\u0000' + text.slice(i);
    case 'bom':
      return '\ufeff' + text;
    default:
      return text.replace(/"/g, "'");
  }
});

const patchText = fc.oneof(
  { weight: 6, arbitrary: fc.array(operationText, { maxLength: 4 }).map((ops) => `[${ops.join(', ')}]`) },
  { weight: 2, arbitrary: validPatch },
  { weight: 2, arbitrary: mutated },
  { weight: 1, arbitrary: valueText },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

async function expectRefusedWithMessage(r: Response, what: string): Promise<void> {
  expect(r.status, what).toBeGreaterThanOrEqual(400);
  expect(r.status, what).toBeLessThan(500);
  const body = (await json(r)) as { message?: unknown };
  expect(typeof body.message, `${what}: ${JSON.stringify(body)}`).toBe('string');
  expect((body.message as string).length, what).toBeGreaterThan(10);
}

async function servedDataset(): Promise<string> {
  const r = await get('/d.json');
  expect(r.status).toBe(200);
  return r.text();
}

beforeAll(async () => {
  await loadTestData();
  await addUsers();
});

describe('random and mutated JSON Patches', () => {
  it('are answered with a success or a 4xx and a message, and a refusal writes nothing', async () => {
    const seen = { submitted: 0, updated: 0, merged: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(patchText, patchText, async (first, second) => {
        let rows = await rowCounts();
        let dataset = await servedDataset();

        const submitted = await send('PATCH', '/d/', 'contributor', first);
        if (submitted.status !== 202) {
          seen.refused++;
          await expectRefusedWithMessage(submitted, `submitting ${first}`);
          expect(await rowCounts()).toEqual(rows);
          return;
        }
        seen.submitted++;
        const path = new URL(submitted.headers.get('Location')!).pathname;
        const stored = await (await get(`${path}patch.jsonpatch`)).text();

        rows = await rowCounts();
        const updated = await send('PUT', `${path}patch.jsonpatch`, 'contributor', second);
        if (updated.status === 200) seen.updated++;
        else {
          await expectRefusedWithMessage(updated, `updating to ${second}`);
          expect(await rowCounts()).toEqual(rows);
          expect(await (await get(`${path}patch.jsonpatch`)).text()).toBe(stored);
        }

        rows = await rowCounts();
        const merged = await send('POST', `${path}merge`, 'editor');
        if (merged.status === 204) {
          seen.merged++;
          const audit = await get('/admin/audit', { headers: { Authorization: 'Bearer dev-admin-token' } });
          expect(await audit.json()).toMatchObject({ ok: true });
          dataset = await servedDataset();
        } else {
          await expectRefusedWithMessage(merged, `merging ${updated.status === 200 ? second : first}`);
          expect(await rowCounts()).toEqual(rows);
          expect(await servedDataset()).toBe(dataset);
        }
        expect(({} as Record<string, unknown>).polluted, 'Object.prototype polluted').toBeUndefined();
        // Reject what is left open, so later runs start from a clean list.
        if (merged.status !== 204) await (await send('POST', `${path}reject`, 'editor')).body?.cancel();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // The generators reach every branch: some patches are refused, some merged.
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.submitted).toBeGreaterThan(0);
    expect(seen.merged).toBeGreaterThan(0);
  }, 300_000);
});
