import { describe, expect, it } from 'vitest';
import { corsProxyFor, fromCrossref, fromWorldcat, lookupTarget, upstreamUrl } from '../../workers/client/src/editing/source-lookup';

describe('looking up a source', () => {
  it('reads DOIs and WorldCat URLs as people paste them', () => {
    expect(lookupTarget('10.1017/S0003598X00047815')).toMatchObject({ kind: 'doi', doi: '10.1017/S0003598X00047815' });
    expect(lookupTarget('https://doi.org/10.1017/S0003598X00047815')).toMatchObject({ kind: 'doi', identifier: 'https://doi.org/10.1017/S0003598X00047815' });
    expect(lookupTarget('http://www.worldcat.org/oclc/36343383')).toEqual({ kind: 'worldcat', oclc: '36343383', identifier: 'http://www.worldcat.org/oclc/36343383' });
    expect(lookupTarget('https://search.worldcat.org/title/36343383')).toBeNull();
    expect(lookupTarget('https://worldcat.org/title/36343383')).toMatchObject({ oclc: '36343383' });
    expect(lookupTarget('a book I read')).toBeNull();
    expect(upstreamUrl(lookupTarget('doi:10.1000/x y'.replace(' ', ''))!)).toBe('https://api.crossref.org/works/10.1000%2Fxy');
  });

  it('goes through the CORS proxy beside the data API', () => {
    expect(corsProxyFor('https://data.perio.do/')).toBe('https://corsproxy.perio.do/');
    expect(corsProxyFor('https://data.staging.perio.do/')).toBe('https://corsproxy.staging.perio.do/');
    expect(corsProxyFor('http://localhost:8787/')).toBe('http://corsproxy.localhost:8787/');
  });

  it('fills the form from a Crossref record', () => {
    const record = {
      message: {
        title: ['Chronologies of the Aegean'],
        author: [{ given: 'Ann', family: 'Smith', ORCID: 'https://orcid.org/0000-0001-0000-0001' }, { name: 'The Survey Team' }],
        issued: { 'date-parts': [[1997, 3]] },
        DOI: '10.1000/xyz',
        URL: 'https://doi.org/10.1000/xyz',
        abstract: '<jats:p>Periods of the Aegean.</jats:p>',
      },
    };
    expect(fromCrossref(record)).toEqual({
      title: 'Chronologies of the Aegean',
      creators: [
        { name: 'Smith, Ann', id: 'https://orcid.org/0000-0001-0000-0001' },
        { name: 'The Survey Team', id: '' },
      ],
      yearPublished: '1997',
      identifier: 'https://doi.org/10.1000/xyz',
      url: 'https://doi.org/10.1000/xyz',
      abstract: 'Periods of the Aegean.',
    });
    expect(fromCrossref({ status: 'error' })).toBeNull();
  });

  it('fills the form from a WorldCat page', () => {
    const page = `<html><script type="application/ld+json">{"@graph":[{"@id":"x","name":"The Corinthian, Attic, and Lakonian pottery from Sardis","author":[{"name":"Schaeffer, Judith Snyder"}],"datePublished":"1997"}]}</script></html>`;
    expect(fromWorldcat(page, 'http://www.worldcat.org/oclc/36343383')).toEqual({
      title: 'The Corinthian, Attic, and Lakonian pottery from Sardis',
      creators: [{ name: 'Schaeffer, Judith Snyder', id: '' }],
      yearPublished: '1997',
      identifier: 'http://www.worldcat.org/oclc/36343383',
    });
    expect(fromWorldcat('<html>no record</html>', 'x')).toBeNull();
  });
});
