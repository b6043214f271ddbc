import { describe, expect, it } from 'vitest';
import { linkRels, proposalsPath, statusOf, versionOf } from '../../workers/client/src/contribute/patch-list';

describe('reading the data API’s patch request lists', () => {
  it('follows the Link header the API sends', () => {
    const header = '<http://localhost:8787/patches/?open=true&limit=25>; rel="prev", <http://localhost:8787/patches/?open=true&limit=25&from=50>; rel="next"';
    expect(linkRels(header)).toEqual({ prev: 'http://localhost:8787/patches/?open=true&limit=25', next: 'http://localhost:8787/patches/?open=true&limit=25&from=50' });
    expect(linkRels('</patches/2/merge>;rel="merge"')).toEqual({ merge: '/patches/2/merge' });
    expect(linkRels(null)).toEqual({});
  });

  it('asks for each status newest first', () => {
    expect(proposalsPath('open')).toBe('patches/?sort=created_at&order=desc&limit=25&open=true');
    expect(proposalsPath('merged')).toBe('patches/?sort=created_at&order=desc&limit=25&merged=true');
    expect(proposalsPath('rejected')).toBe('patches/?sort=created_at&order=desc&limit=25&open=false&merged=false');
    expect(proposalsPath('all', 250)).toBe('patches/?sort=created_at&order=desc&limit=250');
  });

  it('reads status and versions', () => {
    expect([statusOf({ open: true, merged: false }), statusOf({ open: false, merged: true }), statusOf({ open: false, merged: false })]).toEqual(['open', 'merged', 'rejected']);
    expect(versionOf('http://localhost:8787/dataset/?version=12')).toBe(12);
    expect(versionOf(null)).toBeNull();
  });
});
