/**
 * Content hashes. Each entity row carries SHA-256 of its JSON; a version's content hash is
 * the sum modulo 2^256 of SHA-256(kind:id:entity-hash) over every entity valid at that
 * version. The sum is order-free, so a merge updates it from the rows it changes alone,
 * while an audit recomputes it from all rows and detects any drift.
 */
const MOD = 1n << 256n;

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export type EntityKind = 'meta' | 'authority' | 'period';

export async function contribution(kind: EntityKind, id: string, hash: string): Promise<bigint> {
  return BigInt(`0x${await sha256Hex(`${kind}:${id}:${hash}`)}`);
}

export const EMPTY_CONTENT_HASH = '0'.repeat(64);

export function addToContentHash(current: string, add: bigint[], remove: bigint[]): string {
  let sum = BigInt(`0x${current}`);
  for (const a of add) sum = (sum + a) % MOD;
  for (const r of remove) sum = (sum - r + MOD) % MOD;
  return sum.toString(16).padStart(64, '0');
}
