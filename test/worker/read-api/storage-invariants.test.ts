/**
 * Storage invariants an operator's audit relies on: each version's stored content hash
 * (versions.content_hash: sum mod 2^256 of SHA-256("kind:id:SHA-256(json)") over every
 * entity valid at that version) matches a recomputation from the rows in D1, tampering
 * shows, and a merge writes rows only for what it changed.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import addPeriod from '../../fixtures/server/test-patch-add-period.json';
import addsItems from '../../fixtures/server/test-patch-adds-items.json';
import modifyContext from '../../fixtures/server/test-patch-modify-context.json';
import removePeriod from '../../fixtures/server/test-patch-remove-period.json';
import replaceValues1 from '../../fixtures/server/test-patch-replace-values-1.json';
import { get, headVersion, json, load, loadTestData, type LoadResult } from './support';

const MOD = 1n << 256n;

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

interface Row {
  id: string;
  json: string;
  hash: string;
}

const VALID_AT = 'valid_from <= ?1 AND (valid_to IS NULL OR valid_to > ?1)';

async function rowsAt(version: number): Promise<{ kind: string; rows: Row[] }[]> {
  const [meta, authorities, periods] = await env.DB.batch<Row>([
    env.DB.prepare(`SELECT '' AS id, json, hash FROM dataset_meta WHERE ${VALID_AT}`).bind(version),
    env.DB.prepare(`SELECT id, json, hash FROM authorities WHERE ${VALID_AT}`).bind(version),
    env.DB.prepare(`SELECT id, json, hash FROM periods WHERE ${VALID_AT}`).bind(version),
  ]);
  return [
    { kind: 'meta', rows: meta.results },
    { kind: 'authority', rows: authorities.results },
    { kind: 'period', rows: periods.results },
  ];
}

/** The audit: the content hash of version N recomputed from the entity texts valid at N. */
async function recomputedHash(version: number): Promise<string> {
  let sum = 0n;
  for (const { kind, rows } of await rowsAt(version)) {
    for (const row of rows) sum = (sum + BigInt(`0x${await sha256(`${kind}:${row.id}:${await sha256(row.json)}`)}`)) % MOD;
  }
  return sum.toString(16).padStart(64, '0');
}

async function storedHash(version: number): Promise<string> {
  const row = await env.DB.prepare('SELECT content_hash FROM versions WHERE id = ?').bind(version).first<{ content_hash: string }>();
  return row!.content_hash;
}

async function rowCounts(): Promise<Record<string, number>> {
  const row = await env.DB.prepare(
    `SELECT (SELECT COUNT(*) FROM dataset_meta) AS meta, (SELECT COUNT(*) FROM authorities) AS authorities,
            (SELECT COUNT(*) FROM periods) AS periods, (SELECT COUNT(*) FROM identifiers) AS identifiers`,
  ).first<Record<string, number>>();
  return row!;
}

async function rowsWrittenBy(version: number) {
  const q = (table: string, column: string) => env.DB.prepare(`SELECT id FROM ${table} WHERE ${column} = ? ORDER BY id`).bind(version);
  const [insertedAuthorities, closedAuthorities, insertedPeriods, closedPeriods] = await env.DB.batch<{ id: string }>([
    q('authorities', 'valid_from'),
    q('authorities', 'valid_to'),
    q('periods', 'valid_from'),
    q('periods', 'valid_to'),
  ]);
  const ids = (r: D1Result<{ id: string }>) => r.results.map((x) => x.id);
  return {
    insertedAuthorities: ids(insertedAuthorities),
    closedAuthorities: ids(closedAuthorities),
    insertedPeriods: ids(insertedPeriods),
    closedPeriods: ids(closedPeriods),
  };
}

const loads: LoadResult[] = [];
const counts: Record<string, number>[] = [];

beforeAll(async () => {
  counts.push(await rowCounts());
  loads.push(await loadTestData()); // v1
  counts.push(await rowCounts());
  for (const patch of [addsItems, replaceValues1, addPeriod, modifyContext, removePeriod]) {
    loads.push(await load(patch)); // v2..v6
    counts.push(await rowCounts());
  }
});

const delta = (v: number) => Object.fromEntries(Object.entries(counts[v]).map(([k, n]) => [k, n - counts[v - 1][k]]));

describe('content hashes', () => {
  it('start from the empty dataset at version 0', async () => {
    expect(await storedHash(0)).toBe('0'.repeat(64));
    expect(await recomputedHash(0)).toBe('0'.repeat(64));
  });

  it('match a recomputation from the rows valid at every version', async () => {
    const head = await headVersion();
    expect(head).toBe(6);
    const stored = new Set<string>();
    for (let v = 0; v <= head; v++) {
      const hash = await storedHash(v);
      expect(hash, `version ${v}`).toMatch(/^[0-9a-f]{64}$/);
      expect(await recomputedHash(v), `version ${v}`).toBe(hash);
      stored.add(hash);
    }
    // Every merge changed the content, so every version has its own hash.
    expect(stored.size).toBe(head + 1);
  });

  it('store each row with the SHA-256 of its JSON text', async () => {
    for (const table of ['dataset_meta', 'authorities', 'periods']) {
      const { results } = await env.DB.prepare(`SELECT json, hash FROM ${table}`).all<{ json: string; hash: string }>();
      expect(results.length, table).toBeGreaterThan(0);
      for (const row of results) expect(row.hash).toBe(await sha256(row.json));
    }
  });

  it('stay right when the coordinator rebuilds its state from D1', async () => {
    await env.COORDINATOR.getByName('dataset').resetMemory();
    const v7 = await load([{ op: 'replace', path: '/authorities/p0trgkv/periods/p0trgkv4kxb/label', value: 'Herakleid dynasty' }]);
    expect(v7.version).toBe(7);
    expect([...v7.updated].sort()).toEqual(['p0trgkv', 'p0trgkv4kxb']);
    expect(await recomputedHash(7)).toBe(await storedHash(7));
  });
});

describe('rows a merge writes', () => {
  it('writes one authority row and its periods for the initial load, and the dataset members', () => {
    expect(delta(1)).toEqual({ meta: 1, authorities: 1, periods: 3, identifiers: 4 });
  });

  it('writes exactly one period row and one authority row for a one-period change', async () => {
    expect(loads[2].updated.sort()).toEqual(['p0trgkv', 'p0trgkvwbjd']);
    expect(delta(3)).toEqual({ meta: 0, authorities: 1, periods: 1, identifiers: 0 });
    expect(await rowsWrittenBy(3)).toEqual({
      insertedAuthorities: ['p0trgkv'],
      closedAuthorities: ['p0trgkv'],
      insertedPeriods: ['p0trgkvwbjd'],
      closedPeriods: ['p0trgkvwbjd'],
    });
  });

  it('writes one period row and one authority row for an added period, closing no period', async () => {
    const [created] = loads[3].created;
    expect(delta(4)).toEqual({ meta: 0, authorities: 1, periods: 1, identifiers: 1 });
    expect(await rowsWrittenBy(4)).toEqual({ insertedAuthorities: ['p0trgkv'], closedAuthorities: ['p0trgkv'], insertedPeriods: [created], closedPeriods: [] });
  });

  it('writes only a dataset row for a context change', async () => {
    expect(delta(5)).toEqual({ meta: 1, authorities: 0, periods: 0, identifiers: 0 });
    expect(await rowsWrittenBy(5)).toEqual({ insertedAuthorities: [], closedAuthorities: [], insertedPeriods: [], closedPeriods: [] });
  });

  it('closes the removed period and writes one authority row for a removal', async () => {
    expect(delta(6)).toEqual({ meta: 0, authorities: 1, periods: 0, identifiers: 0 });
    expect(await rowsWrittenBy(6)).toEqual({ insertedAuthorities: ['p0trgkv'], closedAuthorities: ['p0trgkv'], insertedPeriods: [], closedPeriods: ['p0trgkvwbjd'] });
  });
});

describe('an audit detects tampering', () => {
  it('recomputes a different hash once a period row is changed behind the coordinator', async () => {
    const head = await headVersion();
    const before = await storedHash(head);
    // p0trgkvkhrv's row from the initial load is still valid at the head.
    const target = await env.DB.prepare('SELECT valid_from, json FROM periods WHERE id = ? AND valid_to IS NULL').bind('p0trgkvkhrv').first<{ valid_from: number; json: string }>();
    expect(target!.valid_from).toBe(1);
    const tampered = target!.json.replace('"Iron Age"', '"Iron Age (edited)"');
    expect(tampered).not.toBe(target!.json);
    await env.DB.prepare('UPDATE periods SET json = ? WHERE id = ? AND valid_from = 1').bind(tampered, 'p0trgkvkhrv').run();

    // The edit shows in what is served…
    expect((await json(await get('/trgkvkhrv.json'))).label).toBe('Iron Age (edited)');
    // …and the audit catches it at every version the row is valid in, and only there.
    expect(await storedHash(head)).toBe(before);
    for (let v = 0; v <= head; v++) {
      if (v === 0) expect(await recomputedHash(v)).toBe(await storedHash(v));
      else expect(await recomputedHash(v), `version ${v}`).not.toBe(await storedHash(v));
    }
  });
});
