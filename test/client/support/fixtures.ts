import { readFileSync } from 'node:fs';
import type { Operation } from 'fast-json-patch';
import type { Entity, Json } from '../../../workers/client/src/editing/change-set';
import type { DatasetFragment } from '../../../workers/client/src/editing/review';

export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url).pathname, 'utf8')) as T;
}

export function readPatch(name: string): Operation[] {
  return readFixture<Operation[]>(`server/${name}`);
}

const ASSIGNED = 'https://perio.do/.well-known/genid/assigned/';

function permanent(value: Json): Json {
  if (typeof value === 'string') return value.startsWith(ASSIGNED) ? value.slice(ASSIGNED.length) : value;
  if (Array.isArray(value)) return value.map(permanent);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [permanent(k) as string, permanent(v)]));
  return value;
}

/**
 * The reference's test data as the data API serves it once loaded: `…/genid/assigned/<id>`
 * becomes the permanent id `<id>` (one authority p0trgkv with three periods).
 */
export function referenceDataset(): DatasetFragment {
  const data = readFixture<{ authorities: Record<string, Entity> }>('server/test-data.json');
  return { authorities: permanent(data.authorities) as Record<string, Entity> };
}
