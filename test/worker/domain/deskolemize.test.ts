/**
 * Skolem id replacement at merge time (spec §9.3, §14.2 test_replace_skolem_ids_*):
 * `deskolemize` against the reference's test data and patch fixtures.
 */
import { describe, expect, it } from 'vitest';
import type { Operation } from 'fast-json-patch';
import addsItems from '../../fixtures/server/test-patch-adds-items.json';
import replacesAuthorities from '../../fixtures/server/test-patch-replaces-authorities.json';
import replacesPeriods from '../../fixtures/server/test-patch-replaces-periods.json';
import { checkIdentifier, IdentifierError, XDIGITS } from '../../../workers/domain/identifiers';
import { appliedPatch, deskolemize, type DeskolemizeContext } from '../../../workers/domain/patch';

const X = `[${XDIGITS}]`;
type Json = Record<string, unknown>;

/** The ids of the test data (test-data.json), as a dataset loaded from it holds them. */
const TEST_DATA_IDS = new Set(['p0trgkv', 'p0trgkv4kxb', 'p0trgkvkhrv', 'p0trgkvwbjd']);

function context(used: Set<string> = TEST_DATA_IDS, mapped: Record<string, string> = {}): DeskolemizeContext {
  return { isUsed: (id) => used.has(id), alreadyMapped: (s) => mapped[s] };
}

function run(patch: unknown, ctx = context()) {
  const ops = structuredClone(patch) as Operation[];
  const result = deskolemize(ops, ctx);
  return { ...result, input: ops };
}

function checkAuthorityId(aid: unknown, idMap: Record<string, string>) {
  expect(typeof aid).toBe('string');
  expect(() => checkIdentifier(aid as string)).not.toThrow();
  expect(aid).toMatch(new RegExp(`^p0${X}{5}$`));
  expect(Object.values(idMap)).toContain(aid);
}

function checkPeriodId(pid: unknown, aid: string, idMap: Record<string, string>) {
  expect(typeof pid).toBe('string');
  expect(() => checkIdentifier(pid as string)).not.toThrow();
  expect(pid).toMatch(new RegExp(`^${aid}${X}{4}$`));
  expect(Object.values(idMap)).toContain(pid);
}

describe('test_replace_skolem_ids_when_adding_items', () => {
  const { ops, idMap, input } = run(addsItems);
  const op = ops as (Operation & { value: Json })[];

  it('gives the added period a new id under p0trgkv, in its path too', () => {
    expect(op[0].path).toMatch(new RegExp(`^/authorities/p0trgkv/periods/p0trgkv${X}{4}$`));
    checkPeriodId(op[0].value.id, 'p0trgkv', idMap);
    expect(op[0].path).toBe(`/authorities/p0trgkv/periods/${op[0].value.id}`);
  });

  it('gives the added authority a new id, and each of its periods a new id under it', () => {
    expect(op[1].path).toMatch(new RegExp(`^/authorities/p0${X}{5}$`));
    const aid = op[1].value.id as string;
    checkAuthorityId(aid, idMap);
    expect(op[1].path).toBe(`/authorities/${aid}`);
    const periods = op[1].value.periods as Record<string, Json>;
    expect(Object.keys(periods)).toHaveLength(2);
    for (const [key, period] of Object.entries(periods)) {
      checkPeriodId(key, aid, idMap);
      expect(key).toBe(period.id);
      checkPeriodId(period.broader ?? period.narrower, aid, idMap);
      for (const derived of (period.derivedFrom as string[] | undefined) ?? []) checkPeriodId(derived, 'p0trgkv', idMap);
    }
    // derivedFrom names the period op 0 added.
    const derived = Object.values(periods).flatMap((p) => (p.derivedFrom as string[] | undefined) ?? []);
    expect(derived).toEqual([op[0].value.id]);
  });

  it('maps the four skolem ids to four distinct new ids and leaves no skolem id behind', () => {
    expect(Object.keys(idMap)).toHaveLength(4);
    expect(new Set(Object.values(idMap)).size).toBe(4);
    for (const id of Object.values(idMap)) expect(TEST_DATA_IDS.has(id)).toBe(false);
    expect(JSON.stringify(ops)).not.toContain('.well-known/genid');
  });

  it('does not change the submitted patch', () => {
    expect(input).toEqual(addsItems);
  });
});

describe('test_replace_skolem_ids_when_replacing_periods', () => {
  const { ops, idMap } = run(replacesPeriods);
  const op = ops as (Operation & { value: Json })[];

  it('keeps the path and indexes the period by its new id', () => {
    expect(op[0].path).toBe((replacesPeriods as Operation[])[0].path);
    const entries = Object.entries(op[0].value);
    expect(entries).toHaveLength(1);
    const [key, period] = entries[0] as [string, Json];
    expect(key).toBe(period.id);
    checkPeriodId(key, 'p0trgkv', idMap);
  });
});

describe('test_replace_skolem_ids_when_replacing_authorities', () => {
  const { ops, idMap } = run(replacesAuthorities);
  const op = ops as (Operation & { value: Json })[];

  it('keeps the path and indexes the authority and its periods by their new ids', () => {
    expect(op[0].path).toBe('/authorities');
    const entries = Object.entries(op[0].value);
    expect(entries).toHaveLength(1);
    const [aid, authority] = entries[0] as [string, Json];
    expect(aid).toBe(authority.id);
    checkAuthorityId(aid, idMap);
    const [pid, period] = Object.entries(authority.periods as Json)[0] as [string, Json];
    expect(pid).toBe(period.id);
    checkPeriodId(pid, aid, idMap);
  });
});

describe('skolem id rules', () => {
  const assigned = (id: string) => `https://perio.do/.well-known/genid/assigned/${id}`;
  const addAuthority = (skolem: string, periods: Json = {}): Operation[] => [
    { op: 'add', path: `/authorities/${skolem.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: { id: skolem, periods } },
  ];

  it('keeps the id of an assigned skolem IRI', () => {
    const { ops, idMap } = run(addAuthority(assigned('p0fh3zc'), { [assigned('p0fh3zcqs6h')]: { id: assigned('p0fh3zcqs6h') } }));
    expect(idMap).toEqual({ [assigned('p0fh3zc')]: 'p0fh3zc', [assigned('p0fh3zcqs6h')]: 'p0fh3zcqs6h' });
    expect(ops[0].path).toBe('/authorities/p0fh3zc');
    expect((ops[0] as { value: Json }).value).toEqual({ id: 'p0fh3zc', periods: { p0fh3zcqs6h: { id: 'p0fh3zcqs6h' } } });
  });

  it('refuses an assigned id that is already used', () => {
    expect(() => run(addAuthority(assigned('p0trgkv')))).toThrow(new IdentifierError('ID collision on p0trgkv'));
  });

  it('refuses a skolem IRI an earlier merge already mapped', () => {
    const skolem = 'https://perio.do/.well-known/genid/36c1db27acc00e91c8a628abcaa64eb0';
    expect(() => run(addAuthority(skolem), context(TEST_DATA_IDS, { [skolem]: 'p0fh3zc' }))).toThrow('Skolem ID is already mapped to p0fh3zc');
  });

  it('refuses a new entity whose id is no skolem IRI', () => {
    expect(() =>
      run([{ op: 'add', path: '/authorities/p0trgkv/periods/https:~1~1perio.do~1.well-known~1genid~1abc', value: { id: 'http://example.org/period' } }]),
    ).toThrow('Non-skolem ID for new entity: http://example.org/period');
  });

  it('gives up when every minted id is taken', () => {
    const everything = { has: () => true } as unknown as Set<string>;
    expect(() => run(addAuthority('https://perio.do/.well-known/genid/fresh'), context(everything))).toThrow(/Too many identifier collisions/);
  });

  it('leaves a patch without skolem ids as it is', () => {
    const patch: Operation[] = [{ op: 'replace', path: '/authorities/p0trgkv/periods/p0trgkvwbjd/label', value: 'Archaic' }];
    expect(run(patch)).toMatchObject({ ops: patch, idMap: {} });
  });
});

describe('the applied patch, rebuilt from the submitted one and the recorded identifier map', () => {
  const assigned = (id: string) => `https://perio.do/.well-known/genid/assigned/${id}`;
  const cases: [string, unknown][] = [
    ['adds a period and an authority with periods (the reference fixture)', addsItems],
    ['replaces an authority\'s periods', replacesPeriods],
    ['replaces the authorities map', replacesAuthorities],
    [
      'adds an authority with assigned ids (as load-data sends)',
      [{ op: 'add', path: `/authorities/${assigned('p0fh3zc').replace(/\//g, '~1')}`, value: { id: assigned('p0fh3zc'), periods: { [assigned('p0fh3zcqs6h')]: { id: assigned('p0fh3zcqs6h') } } } }],
    ],
    ['changes a label (no skolem id)', [{ op: 'replace', path: '/authorities/p0trgkv/periods/p0trgkvwbjd/label', value: 'Archaic' }]],
  ];

  it.each(cases)('is byte for byte the patch the merge applied: %s', (_, patch) => {
    const submitted = JSON.stringify(patch);
    // The merge hands its freshly parsed operations over, to be rewritten in place (no copy).
    const handedOver = JSON.parse(submitted) as Operation[];
    const merged = deskolemize(handedOver, { ...context(), handedOver: true });
    expect(handedOver).toEqual(merged.ops);
    const rebuilt = appliedPatch(JSON.parse(submitted) as Operation[], JSON.parse(JSON.stringify(merged.idMap)) as Record<string, string>);
    expect(JSON.stringify(rebuilt)).toBe(JSON.stringify(merged.ops));
  });

  it('refuses a map that lacks one of the patch\'s skolem ids', () => {
    const merged = deskolemize(structuredClone(addsItems) as Operation[], context());
    const [first, ...rest] = Object.keys(merged.idMap);
    const partial = Object.fromEntries(rest.map((k) => [k, merged.idMap[k]]));
    expect(() => appliedPatch(structuredClone(addsItems) as Operation[], partial)).toThrow(new IdentifierError(`The merge recorded no identifier for ${first}.`));
  });
});
