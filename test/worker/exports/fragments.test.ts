/**
 * Turtle and N-Triples exports assembled from per-authority fragments in R2
 * (workers/exports/fragments.ts), on the 2015 dataset (71 authorities, 1,791 periods):
 * after each kind of merge the file the consumer writes is byte for byte the full
 * rebuild of that version (`exportDataset` over every authority read from D1), only the
 * authorities the merge touched are rendered, a damaged or missing fragment is rendered
 * again, and a job failing midway leaves nothing visible and completes on its retry.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import periodo2015 from '../../fixtures/periodo-2015.json';
import { datasetPatches } from '../../../scripts/lib/load-patches';
import { assembleAuthority } from '../../../workers/domain/merge';
import { exportDataset, StringSink } from '../../../workers/exports/dataset-export';
import { exportKey } from '../../../workers/exports/enqueue';
import { FRAGMENT_PREFIX, indexKey } from '../../../workers/exports/fragments';
import { DatasetStore } from '../../../workers/storage/dataset-store';
import { authoritiesMapChunks } from '../../../workers/data/dataset-stream';
import { load } from '../read-api/support';
import { deliver, EXPORT_QUEUE, exportNow, exportObject } from './support';

type Json = Record<string, unknown>;
type RdfFormat = 'ttl' | 'nt';
const FORMATS: RdfFormat[] = ['ttl', 'nt'];
const GENID = 'https://perio.do/.well-known/genid/';

/** The export as a full rebuild writes it: every authority of the version converted now. */
async function fullRebuild(version: number, format: RdfFormat): Promise<string> {
  const store = new DatasetStore(env.DB);
  const meta = await store.meta(version);
  async function* entries() {
    for await (const a of store.authoritiesAt(version)) yield { id: a.id, authority: assembleAuthority(a) };
  }
  const sink = new StringSink();
  await exportDataset(format, meta?.json ?? null, entries(), sink);
  return sink.text;
}

/** The JSON document as the D1 stream serves it: every authority's stored rows, read now. */
async function jsonFromD1(version: number): Promise<string> {
  let text = '';
  for await (const chunk of authoritiesMapChunks(new DatasetStore(env.DB), version)) text += chunk;
  return text;
}

/** Runs the job through the consumer and reads back the file it wrote. */
async function exported(version: number, format: RdfFormat | 'json'): Promise<string> {
  await exportNow(version, format as RdfFormat);
  const object = await env.EXPORTS.get(exportKey(version, format));
  return object!.text();
}

/** Every stored fragment of a format: key → R2's upload id (a new one for every put). */
async function fragments(format: RdfFormat): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await env.EXPORTS.list({ prefix: `${FRAGMENT_PREFIX}${format}/`, cursor });
    for (const o of page.objects) if (isFragment(o.key)) out.set(o.key, o.version);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

function fragmentsOf(all: Map<string, string>, authorityId: string): string[] {
  return [...all.keys()].filter((k) => k.split('/')[2] === authorityId);
}

/** The keys of the fragments themselves (not the index of the last export). */
function isFragment(key: string): boolean {
  return !key.startsWith(`${FRAGMENT_PREFIX}index/`);
}

/** Fragments put since `before`: new keys, and keys written again. */
function putSince(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k.split('/')[2]);
}

let version = 0;
const authorityIds: string[] = [];

/** Merges a patch, exports the new version in both formats and checks each against the full rebuild; returns the authorities rendered per format. */
async function mergeAndCompare(patch: unknown[]): Promise<Record<RdfFormat, string[]>> {
  version = (await load(patch)).version;
  const rendered = {} as Record<RdfFormat, string[]>;
  for (const format of FORMATS) {
    const before = await fragments(format);
    const text = await exported(version, format);
    expect(text.length).toBeGreaterThan(100_000);
    expect(text === (await fullRebuild(version, format)), `${format} of version ${version} is the full rebuild, byte for byte`).toBe(true);
    rendered[format] = putSince(before, await fragments(format)).sort();
  }
  const json = await exported(version, 'json');
  expect(json.length).toBeGreaterThan(100_000);
  expect(json === (await jsonFromD1(version)), `the JSON document of version ${version} is the D1 stream, byte for byte`).toBe(true);
  return rendered;
}

beforeAll(async () => {
  const patches = datasetPatches({}, periodo2015 as unknown as Json, { maxPeriods: 5000, maxBytes: 1e9 });
  for (const patch of patches) version = (await load(patch)).version;
  const store = new DatasetStore(env.DB);
  for await (const a of store.authoritiesAt(version, 2000, { withJson: false })) authorityIds.push(a.id);
  expect(authorityIds).toHaveLength(71);
  // The first export of the dataset renders every authority.
  for (const format of FORMATS) {
    const text = await exported(version, format);
    expect(text === (await fullRebuild(version, format)), format).toBe(true);
    expect(fragmentsOf(await fragments(format), authorityIds[0])).toHaveLength(1);
    expect((await fragments(format)).size).toBe(71);
  }
  expect((await exported(version, 'json')) === (await jsonFromD1(version))).toBe(true);
}, 120_000);

async function periodsOf(authorityId: string): Promise<string[]> {
  const a = await new DatasetStore(env.DB).authority(authorityId, version);
  return [...a!.periods.keys()];
}

describe('an export assembled from fragments', () => {
  it('after a one-period change: is the full rebuild, rendering only that authority', async () => {
    const aid = authorityIds[3];
    const [pid] = await periodsOf(aid);
    const rendered = await mergeAndCompare([{ op: 'replace', path: `/authorities/${aid}/periods/${pid}/label`, value: 'A changed label' }]);
    expect(rendered).toEqual({ ttl: [aid], nt: [aid] });
  });

  it('after an authority is added: is the full rebuild, rendering only the new authority', async () => {
    const key = `${GENID}fragments-test-authority`;
    const period = `${GENID}fragments-test-period`;
    const authority = {
      id: key,
      type: 'Authority',
      source: { title: 'A source added by the fragments test', yearPublished: '2026' },
      periods: {
        [period]: {
          id: period,
          type: 'Period',
          label: 'Test period',
          language: 'eng-latn',
          localizedLabels: { 'eng-latn': ['Test period'] },
          spatialCoverage: [{ id: 'http://www.wikidata.org/entity/Q43', label: 'Turkey' }],
          start: { in: { year: '-0999' }, label: '1000 B.C.' },
          stop: { in: { year: '-0499' }, label: '500 B.C.' },
        },
      },
    };
    const rendered = await mergeAndCompare([{ op: 'add', path: `/authorities/${key.replace(/\//g, '~1')}`, value: authority }]);
    const ids: string[] = [];
    for await (const a of new DatasetStore(env.DB).authoritiesAt(version, 2000, { withJson: false })) ids.push(a.id);
    expect(ids).toHaveLength(72);
    const added = ids.filter((id) => !authorityIds.includes(id));
    expect(added).toHaveLength(1);
    expect(rendered).toEqual({ ttl: added, nt: added });
    authorityIds.push(added[0]);
  });

  it('after an authority is removed: is the full rebuild, rendering nothing', async () => {
    const [aid] = authorityIds.splice(10, 1);
    const rendered = await mergeAndCompare([{ op: 'remove', path: `/authorities/${aid}` }]);
    expect(rendered).toEqual({ ttl: [], nt: [] });
  });

  it('after a period moves to another authority: is the full rebuild, rendering both authorities', async () => {
    const [from, to] = [authorityIds[5], authorityIds[40]];
    const [pid] = await periodsOf(from);
    const rendered = await mergeAndCompare([{ op: 'move', from: `/authorities/${from}/periods/${pid}`, path: `/authorities/${to}/periods/${pid}` }]);
    expect(rendered).toEqual({ ttl: [from, to].sort(), nt: [from, to].sort() });
    expect(await periodsOf(to)).toContain(pid);
  });

  it('copies the authorities a merge left alone from the previous export, in ranged reads', async () => {
    // The previous file with one unchanged authority's bytes altered (same length): the
    // alteration shows up in the next export, so those bytes were copied, not rendered.
    const previous = await env.EXPORTS.get(exportKey(version, 'ttl'));
    const original = await previous!.text();
    const at = original.indexOf('skos:prefLabel', Math.floor(original.length / 2));
    const altered = `${original.slice(0, at)}SKOS${original.slice(at + 4)}`;
    await env.EXPORTS.put(exportKey(version, 'ttl'), altered);
    const aid = authorityIds[2];
    const [pid] = await periodsOf(aid);
    version = (await load([{ op: 'replace', path: `/authorities/${aid}/periods/${pid}/label`, value: 'Copied around' }])).version;
    const text = await exported(version, 'ttl');
    expect(text).toContain('SKOS:prefLabel');
    expect(text.replace('SKOS:prefLabel', 'skos:prefLabel') === (await fullRebuild(version, 'ttl'))).toBe(true);
    // Without the index of the last export, the next export reads each fragment instead.
    await env.EXPORTS.delete(indexKey('ttl'));
  });

  it('reuses an unchanged authority’s stored fragment as it is, without rendering it', async () => {
    // A stored fragment replaced by other text with a valid checksum shows up in the next
    // export (no index of a previous export: the previous test removed it): the file is
    // assembled from what is stored.
    const aid = authorityIds[20];
    const [key] = fragmentsOf(await fragments('ttl'), aid);
    const original = await (await env.EXPORTS.get(key))!.text();
    const stand_in = new TextEncoder().encode(`${original}# stand-in fragment of ${aid}\n`);
    const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', stand_in))].map((b) => b.toString(16).padStart(2, '0')).join('');
    await env.EXPORTS.put(key, stand_in, { customMetadata: { sha256: digest, length: String(stand_in.length), stats: '{"triples":0,"tags":0}' } });
    const [otherAid] = [authorityIds[30]];
    const [pid] = await periodsOf(otherAid);
    version = (await load([{ op: 'replace', path: `/authorities/${otherAid}/periods/${pid}/label`, value: 'Another label' }])).version;
    const text = await exported(version, 'ttl');
    expect(text).toContain(`# stand-in fragment of ${aid}\n`);
    expect(text.replace(`# stand-in fragment of ${aid}\n`, '') === (await fullRebuild(version, 'ttl'))).toBe(true);
    await env.EXPORTS.put(key, original, { customMetadata: { sha256: '', length: '0', stats: '{}' } }); // damaged: rendered again below
  });

  it('renders a damaged or missing fragment again, and the file is still the full rebuild', async () => {
    await env.EXPORTS.delete(indexKey('ttl'));
    const damaged = authorityIds[20]; // its checksum no longer matches (previous test)
    const missing = authorityIds[50];
    const before = await fragments('ttl');
    for (const key of fragmentsOf(before, missing)) await env.EXPORTS.delete(key);
    // Another version, so the export job runs again.
    const aid = authorityIds[60];
    const [pid] = await periodsOf(aid);
    version = (await load([{ op: 'replace', path: `/authorities/${aid}/periods/${pid}/label`, value: 'Yet another label' }])).version;
    const text = await exported(version, 'ttl');
    expect(text === (await fullRebuild(version, 'ttl'))).toBe(true);
    expect(putSince(before, await fragments('ttl')).sort()).toEqual([damaged, missing, aid].sort());
  });

  it('fails midway without leaving an export visible, and its retry completes it from what the failure stored', async () => {
    // The tests above exported only Turtle of their versions: bring N-Triples up to date first.
    await exported(version, 'nt');
    const [early, late] = [authorityIds[0], authorityIds[authorityIds.length - 2]];
    const [earlyPeriod] = await periodsOf(early);
    const [latePeriod] = await periodsOf(late);
    version = (await load([
      { op: 'replace', path: `/authorities/${early}/periods/${earlyPeriod}/label`, value: 'Changed early' },
      { op: 'replace', path: `/authorities/${late}/periods/${latePeriod}/label`, value: 'Changed late' },
    ])).version;
    // The late authority's new period row cannot be read: the job fails while converting it.
    const row = await env.DB.prepare('SELECT json FROM periods WHERE id = ? AND valid_from = ?').bind(latePeriod, version).first<{ json: string }>();
    expect(row).not.toBeNull();
    await env.DB.prepare(`UPDATE periods SET json = '{"broken' WHERE id = ? AND valid_from = ?`).bind(latePeriod, version).run();
    const beforeFailure = await fragments('nt');

    const failed = await deliver(EXPORT_QUEUE, [{ version, format: 'nt', trigger: 'request' }]);
    expect(failed.retryMessages).toHaveLength(1);
    expect(await exportObject(version, 'nt')).toBeNull();
    expect((await env.EXPORTS.list({ prefix: `exports/v${version}/` })).objects).toEqual([]);
    const afterFailure = await fragments('nt');
    expect(putSince(beforeFailure, afterFailure)).toEqual([early]);

    await env.DB.prepare('UPDATE periods SET json = ? WHERE id = ? AND valid_from = ?').bind(row!.json, latePeriod, version).run();
    const retried = await deliver(EXPORT_QUEUE, [{ version, format: 'nt', trigger: 'request' }], 2);
    expect(retried.retryMessages).toEqual([]);
    const text = await (await env.EXPORTS.get(exportKey(version, 'nt')))!.text();
    expect(text === (await fullRebuild(version, 'nt'))).toBe(true);
    // The retry rendered only what the failed attempt had not stored.
    expect(putSince(afterFailure, await fragments('nt'))).toEqual([late]);
  });
});
