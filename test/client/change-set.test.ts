import { applyPatch, deepClone } from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { addEdit, buildPatch, emptyChangeSet, isSkolemId, newSkolemId, removeEdit, type ChangeSet, type Edit, type Entity } from '../../workers/client/src/editing/change-set';
import { applyToFragment } from '../../workers/client/src/editing/review';
import { editsFromFragments } from '../../workers/client/src/editing/revise';
import { readPatch, referenceDataset } from './support/fixtures';

const dataset = referenceDataset();
const authority = dataset.authorities.p0trgkv;
const periods = authority.periods as Record<string, Entity>;
const archaic = periods.p0trgkvwbjd;

function edits(...list: Edit[]): ChangeSet {
  return list.reduce(addEdit, emptyChangeSet());
}

function withStop(period: Entity, label: string, year: string): Entity {
  // The form writes a terminus label first, then its years.
  return { ...deepClone(period), stop: { label, in: { year } } };
}

describe('building one JSON Patch from a change set', () => {
  it('replaces only the fields an edit changed (the reference fixture, operation for operation)', () => {
    const patch = buildPatch(edits({ type: 'update-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: archaic, after: withStop(archaic, '577 B.C.', '-0576') }));
    expect(patch).toEqual(readPatch('test-patch-replace-values-1.json'));
  });

  it('removes a period and an authority', () => {
    expect(buildPatch(edits({ type: 'remove-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: archaic }))).toEqual(readPatch('test-patch-remove-period.json'));
    expect(buildPatch(edits({ type: 'remove-authority', id: 'p0trgkv', before: authority }))).toEqual(readPatch('test-patch-remove-authority.json'));
  });

  it('adds a new period and a new authority under their skolem ids, as the reference fixture does', () => {
    const [addPeriod, addAuthority] = readPatch('test-patch-adds-items.json') as { value: Entity }[];
    const patch = buildPatch(
      edits({ type: 'add-period', authorityId: 'p0trgkv', period: addPeriod.value }, { type: 'add-authority', authority: addAuthority.value }),
    );
    // New authorities come first, so periods added to them have somewhere to go.
    expect(patch).toEqual([readPatch('test-patch-adds-items.json')[1], readPatch('test-patch-adds-items.json')[0]]);
    expect(buildPatch(edits({ type: 'add-period', authorityId: 'p0trgkv', period: (readPatch('test-patch-add-period.json')[0] as { value: Entity }).value }))).toEqual(
      readPatch('test-patch-add-period.json'),
    );
  });

  it('adds removed and new fields, and leaves nested values alone unless they changed', () => {
    const after: Entity = { ...deepClone(archaic), editorialNote: 'checked', spatialCoverage: [{ id: 'http://www.wikidata.org/entity/Q41', label: 'Greece' }] };
    delete after.note;
    const patch = buildPatch(edits({ type: 'update-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: archaic, after }));
    expect(patch).toEqual([
      { op: 'remove', path: '/authorities/p0trgkv/periods/p0trgkvwbjd/note' },
      { op: 'replace', path: '/authorities/p0trgkv/periods/p0trgkvwbjd/spatialCoverage', value: after.spatialCoverage },
      { op: 'add', path: '/authorities/p0trgkv/periods/p0trgkvwbjd/editorialNote', value: 'checked' },
    ]);
    const result = applyPatch(deepClone(dataset), patch).newDocument;
    expect(result.authorities.p0trgkv.periods.p0trgkvwbjd).toEqual(after);
  });

  it('edits an authority without touching its periods', () => {
    const before = deepClone(authority) as Entity;
    const after = deepClone(authority) as Entity;
    (after.source as { locator: string }).locator = 'page 5';
    (after.periods as Record<string, Entity>).p0trgkvwbjd.label = 'not part of this edit';
    expect(buildPatch(edits({ type: 'update-authority', id: 'p0trgkv', before, after }))).toEqual([
      { op: 'replace', path: '/authorities/p0trgkv/source/locator', value: 'page 5' },
    ]);
  });

  it('makes skolem ids under the data API', () => {
    const id = newSkolemId('http://localhost:8787/');
    expect(id).toMatch(/^http:\/\/localhost:8787\/\.well-known\/genid\/[0-9a-f]{32}$/);
    expect(newSkolemId('http://localhost:8787')).not.toBe(id);
    expect(isSkolemId(id)).toBe(true);
    expect(isSkolemId('p0trgkvwbjd')).toBe(false);
  });

  it('applies, as built, to the dataset (adding a period to a new authority in the same patch)', () => {
    const newAuthority: Entity = { id: newSkolemId('https://data.perio.do'), type: 'Authority', source: { title: 'A new source' } };
    const newPeriod: Entity = { id: newSkolemId('https://data.perio.do'), type: 'Period', label: 'New', start: { label: '1950', in: { year: '1950' } }, stop: { label: '1960', in: { year: '1960' } } };
    const set = edits({ type: 'add-period', authorityId: String(newAuthority.id), period: newPeriod }, { type: 'add-authority', authority: newAuthority });
    const result = applyPatch(deepClone(dataset), buildPatch(set)).newDocument;
    expect(result.authorities[String(newAuthority.id)].periods[String(newPeriod.id)]).toEqual(newPeriod);
  });
});

describe('folding edits into a draft', () => {
  const stop577 = withStop(archaic, '577 B.C.', '-0576');
  const stop578 = withStop(archaic, '578 B.C.', '-0577');

  it('keeps one edit per entity, measured from the first "before"', () => {
    const set = edits(
      { type: 'update-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: archaic, after: stop577 },
      { type: 'update-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: stop577, after: stop578 },
    );
    expect(set.edits).toHaveLength(1);
    expect(buildPatch(set)).toEqual([
      { op: 'replace', path: '/authorities/p0trgkv/periods/p0trgkvwbjd/stop/label', value: '578 B.C.' },
      { op: 'replace', path: '/authorities/p0trgkv/periods/p0trgkvwbjd/stop/in/year', value: '-0577' },
    ]);
  });

  it('drops an edit that returns the entity to where it began', () => {
    const set = edits(
      { type: 'update-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: archaic, after: stop577 },
      { type: 'update-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: stop577, after: archaic },
    );
    expect(set.edits).toEqual([]);
  });

  it('keeps a new period an addition however often it is edited, and forgets it when removed', () => {
    const id = newSkolemId('http://localhost:8787');
    const added: Entity = { id, type: 'Period', label: 'Draft' };
    const renamed: Entity = { ...added, label: 'Renamed' };
    let set = edits({ type: 'add-period', authorityId: 'p0trgkv', period: added }, { type: 'update-period', authorityId: 'p0trgkv', id, before: added, after: renamed });
    expect(buildPatch(set)).toEqual([{ op: 'add', path: `/authorities/p0trgkv/periods/${id.replace(/\//g, '~1')}`, value: renamed }]);
    set = addEdit(set, { type: 'remove-period', authorityId: 'p0trgkv', id, before: renamed });
    expect(set.edits).toEqual([]);
  });

  it('turns an edited period that is then removed into a plain removal', () => {
    const set = edits(
      { type: 'update-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: archaic, after: stop577 },
      { type: 'remove-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: stop577 },
    );
    expect(buildPatch(set)).toEqual(readPatch('test-patch-remove-period.json'));
  });

  it('drops edits of the periods of an authority that is removed, and of a new authority when its addition is removed', () => {
    let set = edits(
      { type: 'update-period', authorityId: 'p0trgkv', id: 'p0trgkvwbjd', before: archaic, after: stop577 },
      { type: 'remove-authority', id: 'p0trgkv', before: authority },
    );
    expect(buildPatch(set)).toEqual(readPatch('test-patch-remove-authority.json'));

    const newAuthority: Entity = { id: newSkolemId('http://localhost:8787'), type: 'Authority', source: { title: 'T' } };
    set = edits({ type: 'add-authority', authority: newAuthority }, { type: 'add-period', authorityId: String(newAuthority.id), period: { id: newSkolemId('http://localhost:8787'), label: 'P' } });
    expect(removeEdit(set, 0).edits).toEqual([]);
    expect(removeEdit(set, 1).edits).toHaveLength(1);
  });
});

describe('turning a proposal back into a draft', () => {
  it('gives edits whose patch does what the proposal did', () => {
    for (const name of ['test-patch-replace-values-1.json', 'test-patch-adds-items.json', 'test-patch-remove-period.json', 'test-patch-remove-authority.json', 'test-patch-replaces-periods.json']) {
      const proposed = applyToFragment(dataset, readPatch(name));
      const set = editsFromFragments(dataset, proposed);
      expect(set.edits.length, name).toBeGreaterThan(0);
      expect(applyToFragment(dataset, buildPatch(set)), name).toEqual(proposed);
    }
    expect(buildPatch(editsFromFragments(dataset, applyToFragment(dataset, readPatch('test-patch-replace-values-1.json'))))).toEqual(
      readPatch('test-patch-replace-values-1.json').slice().reverse(),
    );
  });
});
