import { deepClone } from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { addressedAuthorities, applyToFragment, conflicts, diffPatch, PatchDoesNotApply } from '../../workers/client/src/editing/review';
import { readPatch, referenceDataset } from './support/fixtures';

const dataset = referenceDataset();

describe('what a patch changes, field by field', () => {
  it('shows the changed fields of an edited period with before and after', () => {
    const changes = diffPatch(dataset, readPatch('test-patch-replace-values-1.json'));
    expect(changes).toEqual([
      {
        kind: 'period',
        id: 'p0trgkvwbjd',
        authorityId: 'p0trgkv',
        label: 'Archaic',
        status: 'changed',
        fields: [
          { field: 'stop.in.year', status: 'changed', before: '-0546', after: '-0576' },
          { field: 'stop.label', status: 'changed', before: '547 B.C.', after: '577 B.C.' },
        ],
      },
    ]);
  });

  it('shows a new period with every field added, and a new authority', () => {
    const changes = diffPatch(dataset, readPatch('test-patch-adds-items.json'));
    expect(changes.map((c) => [c.kind, c.status, c.label])).toEqual([
      ['period', 'added', 'Herakleid'],
      ['authority', 'added', changes[1].label],
      ...changes.slice(2).map((c) => ['period', 'added', c.label]),
    ]);
    const herakleid = changes[0];
    expect(herakleid.fields.every((f) => f.status === 'added')).toBe(true);
    expect(herakleid.fields.find((f) => f.field === 'start.label')).toEqual({ field: 'start.label', status: 'added', after: '1185 B.C.' });
    expect(herakleid.fields.find((f) => f.field === 'spatialCoverage')?.after).toEqual([{ '@id': 'http://www.wikidata.org/entity/Q43', label: 'Turkey' }]);
  });

  it('shows a removed authority and each of its periods as removed', () => {
    const changes = diffPatch(dataset, readPatch('test-patch-remove-authority.json'));
    expect(changes.map((c) => [c.kind, c.id, c.status])).toEqual([
      ['authority', 'p0trgkv', 'removed'],
      ['period', 'p0trgkvkhrv', 'removed'],
      ['period', 'p0trgkv4kxb', 'removed'],
      ['period', 'p0trgkvwbjd', 'removed'],
    ]);
    expect(changes[0].label).toBe('The Corinthian, Attic, and Lakonian pottery from Sardis');
  });

  it('reads a replaced periods map as the periods it adds and removes', () => {
    const changes = diffPatch(dataset, readPatch('test-patch-replaces-periods.json'));
    const byStatus = (s: string) => changes.filter((c) => c.status === s).map((c) => c.id);
    expect(byStatus('removed')).toEqual(['p0trgkvkhrv', 'p0trgkv4kxb', 'p0trgkvwbjd']);
    expect(byStatus('added')).toEqual(['https://perio.do/.well-known/genid/53f38e07f928ecdb849c1a98bbc24917']);
  });

  it('names the authorities to fetch for a review', () => {
    expect(addressedAuthorities(readPatch('test-patch-replace-values-1.json'))).toEqual({ ids: ['p0trgkv'], all: false });
    expect(addressedAuthorities(readPatch('test-patch-adds-items.json')).ids).toEqual(['p0trgkv', 'https://perio.do/.well-known/genid/36c1db27acc00e91c8a628abcaa64eb0']);
    expect(addressedAuthorities(readPatch('test-patch-replaces-authorities.json')).all).toBe(true);
    expect(addressedAuthorities(readPatch('test-patch-modify-context.json'))).toEqual({ ids: [], all: false });
  });

  it('says which operation does not apply, and leaves the fragment as it was', () => {
    const before = JSON.stringify(dataset);
    expect(() => applyToFragment(dataset, [{ op: 'replace', path: '/authorities/p0nothing/label', value: 'x' }])).toThrow(PatchDoesNotApply);
    expect(() => applyToFragment(dataset, [{ op: 'replace', path: '/authorities/p0nothing/label', value: 'x' }])).toThrow(/operation 1 \(replace \/authorities\/p0nothing\/label\)/);
    applyToFragment(dataset, readPatch('test-patch-remove-authority.json'));
    expect(JSON.stringify(dataset)).toBe(before);
  });
});

describe('conflicts with changes merged since the proposal was made', () => {
  const current = applyToFragment(dataset, readPatch('test-patch-replace-values-2.json'));

  it('names the field both changed to different values, not the one both changed alike', () => {
    // Both set the stop label to "577 B.C."; the merged patch made the year -0577, the proposal -0576.
    expect(conflicts(dataset, current, readPatch('test-patch-replace-values-1.json'))).toEqual([
      { kind: 'period', id: 'p0trgkvwbjd', authorityId: 'p0trgkv', fields: [{ field: 'stop.in.year', base: '-0546', current: '-0577', proposed: '-0576' }] },
    ]);
  });

  it('finds none when the dataset moved on elsewhere', () => {
    const moved = deepClone(dataset);
    moved.authorities.p0trgkv.periods.p0trgkvkhrv.label = 'Iron Age (revised)';
    expect(conflicts(dataset, moved, readPatch('test-patch-replace-values-1.json'))).toEqual([]);
    expect(conflicts(dataset, dataset, readPatch('test-patch-replace-values-1.json'))).toEqual([]);
  });

  it('says when an entity the proposal edits has been removed since', () => {
    const removed = applyToFragment(dataset, readPatch('test-patch-remove-period.json'));
    expect(conflicts(dataset, removed, readPatch('test-patch-replace-values-1.json'))).toEqual([
      { kind: 'period', id: 'p0trgkvwbjd', authorityId: 'p0trgkv', fields: [], entity: 'removed since' },
    ]);
  });
});
