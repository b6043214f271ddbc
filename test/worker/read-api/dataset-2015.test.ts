/**
 * The real 2015 PeriodO dataset (71 authorities, 1,791 periods, most period ids with
 * old-style check digits), loaded in several patches as the operator CLI does: every
 * authority and period is reachable at its permanent id, and the dataset reads back as loaded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import periodo2015 from '../../fixtures/periodo-2015.json';
import { datasetPatches } from '../../../scripts/lib/load-patches';
import { checkIdentifier } from '../../../workers/domain/identifiers';
import { ARK, ASSIGNED, deskolemized, get, getAccepting, H, json, load, NS, parseTurtle } from './support';

type Json = Record<string, unknown>;
const data = periodo2015 as unknown as { authorities: Record<string, { id: string; periods: Record<string, { id: string }> }> };

const authorityIds: string[] = [];
const periodIds: [string, string][] = [];
for (const authority of Object.values(data.authorities)) {
  const aid = authority.id.slice(ASSIGNED.length);
  authorityIds.push(aid);
  for (const period of Object.values(authority.periods)) periodIds.push([period.id.slice(ASSIGNED.length), aid]);
}

async function inBatches<T>(items: T[], check: (item: T) => Promise<void>, size = 50): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(check));
}

let patchCount = 0;

beforeAll(async () => {
  const patches = datasetPatches({}, periodo2015 as unknown as Json, { maxPeriods: 400, maxBytes: 1e9 });
  patchCount = patches.length;
  for (const [i, patch] of patches.entries()) expect((await load(patch)).version).toBe(i + 1);
}, 180_000);

describe('the 2015 dataset', () => {
  it('is the dataset described (71 authorities, 1,791 periods, mostly old-style check digits)', () => {
    expect(patchCount).toBeGreaterThan(3);
    expect(authorityIds).toHaveLength(71);
    expect(periodIds).toHaveLength(1791);
    const oldStyle = periodIds.filter(([id]) => {
      try {
        checkIdentifier(id);
        return false;
      } catch {
        checkIdentifier(id, false);
        return true;
      }
    });
    expect(oldStyle).toHaveLength(1724);
  });

  it('serves every authority at /<id>.json and redirects its bare id', async () => {
    await inBatches(authorityIds, async (id) => {
      const raw = id.slice(2);
      const r = await get(`/${raw}.json`);
      expect(r.status, id).toBe(200);
      const body = await json(r);
      expect(body.id).toBe(id);
      expect(Object.keys(body.periods as object)).toEqual(
        Object.keys(data.authorities[`${ASSIGNED}${id}`].periods).map((k) => k.slice(ASSIGNED.length)),
      );
      const bare = await getAccepting(`/${raw}`, 'application/json');
      expect(bare.status, id).toBe(303);
      expect(bare.headers.get('Location')).toBe(`${H}/${raw}.json`);
    });
  }, 120_000);

  it('serves every period at /<id>.json and redirects its bare id, old-style check digits included', async () => {
    await inBatches(periodIds, async ([id, authorityId]) => {
      const raw = id.slice(2);
      const r = await get(`/${raw}.json`);
      expect(r.status, id).toBe(200);
      const body = await json(r);
      expect(body.id).toBe(id);
      expect(body.authority).toBe(authorityId);
      const bare = await getAccepting(`/${raw}`, 'application/json');
      expect(bare.status, id).toBe(303);
      expect(bare.headers.get('Location')).toBe(`${H}/${raw}.json`);
    });
  }, 300_000);

  it('reads back as the loaded file, in the same order', async () => {
    const served = await json(await get('/d.json'));
    const expected = deskolemized(periodo2015 as unknown as Json);
    expect(JSON.stringify(served.authorities)).toBe(JSON.stringify(expected.authorities));
    expect(served.id).toBe(expected.id);
    expect(served.type).toBe(expected.type);
    const context = (await json(await get('/c')))['@context'];
    expect(JSON.stringify(context)).toBe(JSON.stringify(expected['@context']));
  }, 60_000);

  it('counts every authority and period in the VoID description', async () => {
    const g = parseTurtle(await (await getAccepting('/', 'text/turtle')).text());
    const counts = new Map<string, number>();
    for (const part of g.filter((q) => q.subject.value === `${ARK}p0d` && q.predicate.value === `${NS.void}classPartition`)) {
      const clazz = g.find((q) => q.subject.equals(part.object) && q.predicate.value === `${NS.void}class`)!.object.value;
      counts.set(clazz, Number(g.find((q) => q.subject.equals(part.object) && q.predicate.value === `${NS.void}entities`)!.object.value));
    }
    expect(counts.get(`${NS.skos}Concept`)).toBe(1791);
    expect(counts.get(`${NS.skos}ConceptScheme`)).toBe(71);
  });
});
