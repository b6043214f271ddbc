/**
 * Audit of a stored version: recomputes its content hash from the rows valid at that
 * version (and each row's own hash from its JSON) and compares with what was recorded at
 * merge time. Any drift — an edited, lost or extra row — shows as a mismatch.
 */
import { addToContentHash, contribution, EMPTY_CONTENT_HASH, sha256Hex } from '../domain/hashing';
import type { DatasetStore } from './dataset-store';

export interface AuditReport {
  version: number;
  storedHash: string;
  recomputedHash: string;
  authorities: number;
  periods: number;
  /** Rows whose JSON no longer matches their recorded hash (at most 50 listed). */
  alteredRows: string[];
  ok: boolean;
}

export async function auditVersion(store: DatasetStore, version: number): Promise<AuditReport | null> {
  const row = await store.version(version);
  if (!row) return null;
  const altered: string[] = [];
  const add: bigint[] = [];
  const note = (what: string) => {
    if (altered.length < 50) altered.push(what);
  };
  const meta = await store.meta(version);
  if (meta) {
    if ((await sha256Hex(meta.json)) !== meta.hash) note(`dataset_meta@${meta.validFrom}`);
    add.push(await contribution('meta', '', meta.hash));
  }
  let authorities = 0;
  let periods = 0;
  for await (const a of store.authoritiesAt(version)) {
    authorities++;
    if ((await sha256Hex(a.json)) !== a.hash) note(`authority ${a.id}@${a.validFrom}`);
    add.push(await contribution('authority', a.id, a.hash));
    for (const p of a.periods.values()) {
      periods++;
      if ((await sha256Hex(p.json)) !== p.hash) note(`period ${p.id}`);
      add.push(await contribution('period', p.id, p.hash));
    }
  }
  const recomputedHash = addToContentHash(EMPTY_CONTENT_HASH, add, []);
  const ok = recomputedHash === row.contentHash && altered.length === 0 && authorities === row.authorityCount && periods === row.periodCount;
  return { version, storedHash: row.contentHash, recomputedHash, authorities, periods, alteredRows: altered, ok };
}

export interface AuditProblem {
  /** The first version the problem shows in (absent: the row is outside every version). */
  version: number | null;
  /** `authority p0abc`, `period p0abcdef`, `dataset_meta` — the entity whose row drifted, if known. */
  entity: string | null;
  problem: string;
}

export interface HistoryAuditReport {
  ok: boolean;
  head: number;
  versionsChecked: number;
  rowsChecked: number;
  /** At most 100 problems, earliest version first. */
  problems: AuditProblem[];
}

interface Delta {
  add: bigint;
  remove: bigint;
  authorities: number;
  periods: number;
}

const MOD = 1n << 256n;
const PAGE = 1000;

/**
 * Audits every stored version in one pass over the entity tables: each row's JSON against
 * its recorded hash, and each version's content hash and counts rebuilt from version 0 by
 * adding the rows that start at it and removing those that end at it — the same
 * order-free sum a merge maintains. Rows are read in pages, so the cost is one read of
 * every row, not one read of the whole dataset per version.
 */
export async function auditHistory(d1: D1Database): Promise<HistoryAuditReport> {
  const problems: AuditProblem[] = [];
  const note = (p: AuditProblem) => problems.push(p);
  const { results: versionRows } = await d1
    .prepare('SELECT id, content_hash, authority_count, period_count FROM versions ORDER BY id')
    .all<{ id: number; content_hash: string; authority_count: number; period_count: number }>();
  const head = versionRows.length ? versionRows[versionRows.length - 1].id : 0;
  versionRows.forEach((v, i) => {
    if (v.id !== i) note({ version: v.id, entity: null, problem: `version ${i} is missing: versions are not gapless` });
  });

  const deltas = new Map<number, Delta>();
  const delta = (v: number) => {
    let d = deltas.get(v);
    if (!d) deltas.set(v, (d = { add: 0n, remove: 0n, authorities: 0, periods: 0 }));
    return d;
  };
  let rowsChecked = 0;
  const tables = [
    { table: 'dataset_meta', kind: 'meta' as const, select: "'' AS id, valid_from, valid_to, json, hash" },
    { table: 'authorities', kind: 'authority' as const, select: 'id, valid_from, valid_to, json, hash' },
    { table: 'periods', kind: 'period' as const, select: 'id, valid_from, valid_to, json, hash' },
  ];
  for (const { table, kind, select } of tables) {
    let after = 0;
    for (;;) {
      const { results } = await d1
        .prepare(`SELECT rowid AS r, ${select} FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`)
        .bind(after)
        .all<{ r: number; id: string; valid_from: number; valid_to: number | null; json: string; hash: string }>();
      for (const row of results) {
        rowsChecked++;
        const name = kind === 'meta' ? 'dataset_meta' : `${kind} ${row.id}`;
        const actual = await sha256Hex(row.json);
        if (actual !== row.hash) note({ version: row.valid_from, entity: name, problem: `the row valid from version ${row.valid_from} no longer matches its recorded hash` });
        if (row.valid_to !== null && row.valid_to <= row.valid_from) {
          note({ version: row.valid_from, entity: name, problem: `the row valid from version ${row.valid_from} ends at ${row.valid_to}` });
          continue;
        }
        if (row.valid_from > head) {
          note({ version: null, entity: name, problem: `a row starts at version ${row.valid_from}, after the head (${head})` });
          continue;
        }
        // The contribution of what the row holds now, so an edited row shows in every version it is part of.
        const c = await contribution(kind, row.id, actual);
        const start = delta(row.valid_from);
        start.add = (start.add + c) % MOD;
        if (kind === 'authority') start.authorities++;
        if (kind === 'period') start.periods++;
        if (row.valid_to !== null) {
          const end = delta(row.valid_to);
          end.remove = (end.remove + c) % MOD;
          if (kind === 'authority') end.authorities--;
          if (kind === 'period') end.periods--;
        }
      }
      if (results.length < PAGE) break;
      after = results[results.length - 1].r;
    }
  }

  let sum = 0n;
  let authorityCount = 0;
  let periodCount = 0;
  for (const v of versionRows) {
    const d = deltas.get(v.id);
    if (d) {
      sum = (sum + d.add - d.remove + MOD) % MOD;
      authorityCount += d.authorities;
      periodCount += d.periods;
    }
    const recomputed = sum.toString(16).padStart(64, '0');
    if (recomputed !== v.content_hash) note({ version: v.id, entity: null, problem: `content hash ${recomputed} differs from the recorded ${v.content_hash}` });
    if (authorityCount !== v.authority_count || periodCount !== v.period_count) {
      note({ version: v.id, entity: null, problem: `${authorityCount} authorities and ${periodCount} periods, but ${v.authority_count} and ${v.period_count} recorded` });
    }
  }
  problems.sort((a, b) => (a.version ?? Infinity) - (b.version ?? Infinity));
  return { ok: problems.length === 0, head, versionsChecked: versionRows.length, rowsChecked, problems: problems.slice(0, 100) };
}
