/**
 * Every version stays addressable forever, byte for byte: what a client read at
 * `?version=N` it reads again after later merges, and the head is the newest version.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import addsItems from '../../fixtures/server/test-patch-adds-items.json';
import replaceValues from '../../fixtures/server/test-patch-replace-values-1.json';
import { ARK, deskolemized, get, H, load, loadTestData, testData } from './support';

/** Python's json.dumps(ensure_ascii=False) text, as the reference writes dataset bodies. */
function pythonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonDumps).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonDumps(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

const text = async (path: string) => {
  const r = await get(path);
  expect(r.status, path).toBe(200);
  return r.text();
};

const V1_PATHS = ['/d.json?version=1', '/d.jsonld?version=1', '/c?version=1', '/trgkv.json?version=1', '/trgkvwbjd.json?version=1', '/trgkvkhrv.jsonld?version=1'];
const captured = new Map<string, string>();
let v2Text: string;

beforeAll(async () => {
  await loadTestData();
  for (const path of V1_PATHS) captured.set(path, await text(path));
});

describe('version 1 right after the initial load', () => {
  it('is the loaded file, member order included, in the reference serialisation', () => {
    const { '@context': _context, ...rest } = deskolemized(testData) as Record<string, unknown>;
    const expected = {
      '@context': [`${H}/c?version=1`, { '@base': ARK }],
      ...rest,
      primaryTopicOf: { id: `${H}/d.json?version=1`, inDataset: { id: `${H}/d`, changes: `${H}/h#changes` } },
    };
    expect(captured.get('/d.json?version=1')).toBe(`${pythonDumps(expected)}\n`);
  });

  it('serves the context exactly as loaded', () => {
    const context = (deskolemized(testData) as Record<string, unknown>)['@context'];
    expect(captured.get('/c?version=1')).toBe(`${pythonDumps({ '@context': context })}\n`);
  });
});

describe('after two more merges', () => {
  beforeAll(async () => {
    expect((await load(addsItems)).version).toBe(2);
    v2Text = await text('/d.json?version=2');
    expect((await load(replaceValues)).version).toBe(3);
  });

  it('serves version 1 byte for byte as before', async () => {
    for (const path of V1_PATHS) expect(await text(path), path).toBe(captured.get(path));
  });

  it('serves version 2 byte for byte as before', async () => {
    expect(await text('/d.json?version=2')).toBe(v2Text);
  });

  it('has changed the head', async () => {
    const head = await text('/trgkvwbjd.json');
    expect(JSON.parse(head).stop.label).toBe('577 B.C.');
    expect(JSON.parse(captured.get('/trgkvwbjd.json?version=1')!).stop.label).toBe('547 B.C.');
  });

  it('serves the head as the head version, apart from the version in the context URL and the request URL', async () => {
    const head = await text('/d.json');
    const versioned = await text('/d.json?version=3');
    expect(head).not.toBe(versioned);
    const contextUrl = `[${JSON.stringify(`${H}/c`)}, `;
    const topic = `"primaryTopicOf": {"id": ${JSON.stringify(`${H}/d.json`)}, `;
    expect(head.startsWith(`{"@context": ${contextUrl}`)).toBe(true);
    expect(head).toContain(topic);
    const aligned = head
      .replace(contextUrl, `[${JSON.stringify(`${H}/c?version=3`)}, `)
      .replace(topic, `"primaryTopicOf": {"id": ${JSON.stringify(`${H}/d.json?version=3`)}, `);
    expect(aligned).toBe(versioned);
  });
});
