/**
 * Rows longer than D1's 100 KB statement limit (a 256 KB blob chunk, a large entity) are
 * imported as an INSERT plus appending UPDATEs; SQLite (node:sqlite) holds the same row
 * afterwards, quotes, semicolons and astral characters included.
 */
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { d1Executable, MAX_STATEMENT_BYTES, statements, withinStatementLimit } from '../../scripts/lib/sql-statements.ts';

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

describe('statements within D1 limits', () => {
  it('splits SQL at semicolons outside string literals only', () => {
    const sql = `PRAGMA defer_foreign_keys=TRUE;\nINSERT INTO "t" ("a") VALUES('x; y ''quoted'';\nnext line');\nINSERT INTO "t" ("a") VALUES(NULL);\n`;
    expect([...statements(sql)]).toEqual(['PRAGMA defer_foreign_keys=TRUE;', `INSERT INTO "t" ("a") VALUES('x; y ''quoted'';\nnext line');`, 'INSERT INTO "t" ("a") VALUES(NULL);']);
  });

  it('leaves short statements alone and rebuilds long rows exactly', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE blob_chunks (blob_id text NOT NULL, seq integer NOT NULL, data text NOT NULL, PRIMARY KEY(blob_id, seq))');
    db.exec('CREATE TABLE periods (id text, authority_id text, valid_from integer, valid_to integer, authority_position integer, position integer, json text, hash text, PRIMARY KEY(id, valid_from))');
    const big = Array.from({ length: 9000 }, (_, i) => `{"label": "it's ${i}; 😀 Ωmega"}`).join(',');
    expect(Buffer.byteLength(big)).toBeGreaterThan(3 * MAX_STATEMENT_BYTES);
    const rows = [
      `INSERT INTO "blob_chunks" ("blob_id","seq","data") VALUES('patch/7/original',0,${q(big)});`,
      `INSERT INTO "blob_chunks" ("blob_id","seq","data") VALUES('patch/7/original',1,'short');`,
      `INSERT INTO "periods" ("id","authority_id","valid_from","valid_to","authority_position","position","json","hash") VALUES('p0abcdefghi','p0abcde',3,NULL,2,5,${q(big.slice(0, 150_000))},'${'f'.repeat(64)}');`,
    ];
    const out = withinStatementLimit(rows[0]);
    expect(out.length).toBeGreaterThan(3);
    expect(out[0]).toBe(`INSERT INTO "blob_chunks" ("blob_id","seq","data") VALUES('patch/7/original',0,'');`);
    expect(withinStatementLimit(rows[1])).toEqual([rows[1]]);
    const sql = d1Executable(rows.join('\n'));
    const all = [...statements(sql)];
    for (const s of all) expect(Buffer.byteLength(s)).toBeLessThanOrEqual(MAX_STATEMENT_BYTES);
    for (const s of all) db.exec(s);
    expect(db.prepare('SELECT data FROM blob_chunks WHERE seq = 0').get()).toEqual({ data: big });
    expect(db.prepare('SELECT data FROM blob_chunks WHERE seq = 1').get()).toEqual({ data: 'short' });
    expect(db.prepare('SELECT json, valid_to, position FROM periods').get()).toEqual({ json: big.slice(0, 150_000), valid_to: null, position: 5 });
  });

  it('refuses a long statement it cannot split rather than sending it', () => {
    expect(() => withinStatementLimit(`INSERT INTO "users" ("id","name") VALUES('x',${q('n'.repeat(200_000))});`)).toThrow(/is too long for D1 and is not a row of a promoted table/);
  });
});
