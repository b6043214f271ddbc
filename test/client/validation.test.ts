import { describe, expect, it } from 'vitest';
import type { Entity } from '../../workers/client/src/editing/change-set';
import { validateAuthority, validatePeriod } from '../../workers/client/src/editing/validation';
import { referenceDataset } from './support/fixtures';

const archaic = (referenceDataset().authorities.p0trgkv.periods as Record<string, Entity>).p0trgkvwbjd;
const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe('validating a period', () => {
  it('accepts every period of the reference data', () => {
    for (const period of Object.values(referenceDataset().authorities.p0trgkv.periods as Record<string, Entity>)) expect(validatePeriod(period)).toEqual([]);
  });

  it('asks for a label, a start and a stop', () => {
    const problems = validatePeriod({ type: 'Period', label: '  ' });
    expect(fields(problems)).toEqual(['label', 'start', 'stop']);
    expect(problems[0].message).toBe('A period needs a label.');
  });

  it('asks for the label and the years of a start or stop', () => {
    expect(fields(validatePeriod({ ...archaic, start: { label: '', in: { year: '-0679' } }, stop: { label: '547 B.C.', in: {} } }))).toEqual(['start.label', 'stop.in']);
  });

  it('refuses malformed years, an earliest year after the latest, and a stop before the start', () => {
    expect(fields(validatePeriod({ ...archaic, start: { label: '680 B.C.', in: { year: '-679' } } }))).toEqual(['start.in']);
    expect(fields(validatePeriod({ ...archaic, stop: { label: 'x', in: { earliestYear: '0100', latestYear: '0050' } } }))).toEqual(['stop.in']);
    const backwards = validatePeriod({ ...archaic, stop: { label: '700 B.C.', in: { year: '-0699' } } });
    expect(backwards).toEqual([{ field: 'stop', message: 'The stop (-699) is before the start (-679).' }]);
  });

  it('accepts a stop that overlaps an uncertain start', () => {
    expect(validatePeriod({ ...archaic, start: { label: '7th century BC', in: { earliestYear: '-0699', latestYear: '-0600' } }, stop: { label: '650 BC', in: { year: '-0649' } } })).toEqual([]);
  });

  it('checks languages, alternate labels and places', () => {
    const problems = validatePeriod({
      ...archaic,
      language: 'English',
      localizedLabels: { 'fra-latn': ['Archaïque', ''] },
      spatialCoverage: [{ id: 'Turkey', label: '' }],
    });
    expect(fields(problems)).toEqual(['language', 'localizedLabels', 'spatialCoverage.0.id', 'spatialCoverage.0.label']);
  });
});

describe('validating an authority', () => {
  it('accepts the reference authority', () => {
    expect(validateAuthority(referenceDataset().authorities.p0trgkv)).toEqual([]);
  });

  it('asks for a source with a title or citation, and well-formed year and URLs', () => {
    expect(fields(validateAuthority({ type: 'Authority' }))).toEqual(['source']);
    expect(fields(validateAuthority({ source: { locator: 'p. 4' } }))).toEqual(['source.title']);
    expect(fields(validateAuthority({ source: { citation: 'Smith 1990', yearPublished: 'nineteen', url: 'ftp://x' } }))).toEqual(['source.yearPublished', 'source.url']);
  });
});
