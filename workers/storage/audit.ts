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
