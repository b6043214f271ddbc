import { describe, expect, it } from 'vitest';
import type { Entity } from '../../workers/client/src/editing/change-set';
import { periodToState, stateToPeriod, yearsFromLabel } from '../../workers/client/src/editing/period-form';
import { readFixture, referenceDataset } from './support/fixtures';

const dataset = readFixture<{ authorities: Record<string, { periods: Record<string, Entity> }> }>('periodo-2015.json');
const archaic = (referenceDataset().authorities.p0trgkv.periods as Record<string, Entity>).p0trgkvwbjd;

describe('the period form', () => {
  it('gives back every period of the 2015 dataset unchanged when nothing is edited', () => {
    let n = 0;
    for (const authority of Object.values(dataset.authorities)) {
      for (const period of Object.values(authority.periods)) {
        expect(stateToPeriod(periodToState(period), period), String(period.id)).toEqual(period);
        n++;
      }
    }
    expect(n).toBe(1791);
  });

  it('writes edited fields in the dataset form', () => {
    const state = periodToState(archaic);
    state.label = 'Archaic (Lydian)';
    state.alternates.push({ tag: 'fra-latn', label: 'Archaïque' });
    state.stop = { label: '546 B.C.', mode: 'year', year: '-545', earliest: '', latest: '' };
    state.places.push({ id: 'http://www.wikidata.org/entity/Q41', label: 'Greece' });
    state.note = '';
    state.editorialNote = 'Checked against the table.';
    state.narrower = ['p0trgkvkhrv'];
    const period = stateToPeriod(state, archaic);
    expect(period.label).toBe('Archaic (Lydian)');
    expect(period.localizedLabels).toEqual({ 'eng-latn': ['Archaic (Lydian)'], 'fra-latn': ['Archaïque'] });
    expect(period.stop).toEqual({ label: '546 B.C.', in: { year: '-0545' } });
    expect(period.spatialCoverage).toEqual([{ '@id': 'http://www.wikidata.org/entity/Q43', label: 'Turkey' }, { id: 'http://www.wikidata.org/entity/Q41', label: 'Greece' }]);
    expect(period).not.toHaveProperty('note');
    expect(period.editorialNote).toBe('Checked against the table.');
    expect(period.narrower).toEqual(['p0trgkvkhrv']);
    expect(period.id).toBe(archaic.id);
    expect(period.type).toBe('Period');
  });

  it('builds a new period from an empty form', () => {
    const state = periodToState({});
    Object.assign(state, { label: 'Lydian', placeDescription: 'Lydia' });
    state.start = { label: '7th century BC', mode: 'range', year: '', earliest: '-699', latest: '-600' };
    state.stop = { label: '546 BC', mode: 'year', year: '-545', earliest: '', latest: '' };
    expect(stateToPeriod(state, { id: 'http://localhost/.well-known/genid/ab', type: 'Period' })).toEqual({
      id: 'http://localhost/.well-known/genid/ab',
      type: 'Period',
      label: 'Lydian',
      language: 'eng-latn',
      localizedLabels: { 'eng-latn': ['Lydian'] },
      spatialCoverageDescription: 'Lydia',
      start: { label: '7th century BC', in: { earliestYear: '-0699', latestYear: '-0600' } },
      stop: { label: '546 BC', in: { year: '-0545' } },
    });
  });

  it('fills a terminus from its label', () => {
    expect(yearsFromLabel('early 5th millennium BC')).toEqual({ mode: 'range', year: '', earliest: '-4999', latest: '-4666' });
    expect(yearsFromLabel('616 B.C.')).toEqual({ mode: 'year', year: '-0615', earliest: '', latest: '' });
    expect(yearsFromLabel('whenever')).toBeNull();
  });
});
