import { describe, expect, it } from 'vitest';
import type { Entity } from '../../workers/client/src/editing/change-set';
import { authorityToState, stateToAuthority } from '../../workers/client/src/editing/authority-form';
import { readFixture, referenceDataset } from './support/fixtures';

const dataset = readFixture<{ authorities: Record<string, Entity> }>('periodo-2015.json');

describe('the authority form', () => {
  it('gives back every authority of the 2015 dataset unchanged when nothing is edited', () => {
    for (const authority of Object.values(dataset.authorities)) expect(stateToAuthority(authorityToState(authority), authority)).toEqual(authority);
  });

  it('edits the larger work a source is part of, and the locator', () => {
    const authority = referenceDataset().authorities.p0trgkv;
    const state = authorityToState(authority);
    expect(state.title).toBe('The Corinthian, Attic, and Lakonian pottery from Sardis');
    state.locator = 'pages 4–5';
    state.yearPublished = '1998';
    state.creators[0].name = 'Schaeffer, Judith S.';
    const edited = stateToAuthority(state, authority) as { source: { locator: string; partOf: { yearPublished: number; creators: unknown } } };
    expect(edited.source.locator).toBe('pages 4–5');
    expect(edited.source.partOf.yearPublished).toBe(1998);
    expect(edited.source.partOf.creators).toEqual([{ id: 'http://viaf.org/viaf/2614945', name: 'Schaeffer, Judith S.' }]);
  });

  it('builds the source of a new authority', () => {
    const state = authorityToState({});
    Object.assign(state, { title: 'A history of Lydia', yearPublished: '2001', identifier: 'https://doi.org/10.1000/xyz', locator: 'p. 12' });
    state.creators = [{ name: 'Roosevelt, C.', id: '' }];
    expect(stateToAuthority(state, { id: 'x', type: 'Authority' })).toEqual({
      id: 'x',
      type: 'Authority',
      source: { title: 'A history of Lydia', creators: [{ name: 'Roosevelt, C.' }], yearPublished: 2001, id: 'https://doi.org/10.1000/xyz', locator: 'p. 12' },
    });
  });
});
