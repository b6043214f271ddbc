/** Helpers of the edge-cache tests: one-period merges and reading a response's cache status. */
import { expect } from 'vitest';

export const SKOLEM = 'https://perio.do/.well-known/genid/';

/** A patch adding one period (labelled `label`) to an authority. */
export function addPeriodPatch(authority: string, label: string): unknown[] {
  const skolem = `${SKOLEM}cache${label.replace(/[^a-z0-9]/gi, '')}${Math.random().toString(16).slice(2)}`;
  return [
    {
      op: 'add',
      path: `/authorities/${authority}/periods/${skolem.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      value: {
        id: skolem,
        label,
        language: 'eng-latn',
        localizedLabels: { 'eng-latn': [label] },
        spatialCoverage: [{ '@id': 'http://www.wikidata.org/entity/Q43', label: 'Turkey' }],
        start: { in: { year: '1976' }, label: '1976 A.D.' },
        stop: { in: { year: '1977' }, label: '1977 A.D.' },
      },
    },
  ];
}

export function cacheStatus(response: Response): string | null {
  return response.headers.get('X-Cache-Status');
}

/** Reads a response's body and checks its cache status. */
export async function expectStatus(response: Response, status: string): Promise<string> {
  const text = await response.text();
  expect(cacheStatus(response), `X-Cache-Status of ${response.url || 'response'} (${response.status})`).toBe(status);
  return text;
}

/** The response's headers without those that may differ between a MISS and a HIT (X-Request-Id is per request). */
export function stableHeaders(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of response.headers) if (k !== 'date' && k !== 'x-cache-status' && k !== 'x-request-id') out[k] = v;
  return out;
}
