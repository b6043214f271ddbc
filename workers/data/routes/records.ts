/** Whole-database views: the identifier map and the SQL export, both streamed. */
import type { Context, Hono } from 'hono';
import { asc, eq, sql } from 'drizzle-orm';
import type { Env } from '../../env';
import { database } from '../../storage/db';
import { identifierMap, versions } from '../../storage/schema';
import { byteStream } from '../../shared/streams';
import { httpDate, LONG_TIME, redirect, setMaxAge } from '../responses';

type C = Context<{ Bindings: Env }>;

async function identifierMapRoute(c: C): Promise<Response> {
  const db = database(c.env.DB);
  const [last] = await db
    .select({ createdAt: versions.createdAt })
    .from(versions)
    .where(eq(versions.id, sql`(SELECT MAX(${identifierMap.version}) FROM ${identifierMap})`));
  async function* body(): AsyncGenerator<string> {
    yield '{"identifier_map": {';
    let after = { version: -1, skolem: '' };
    let first = true;
    for (;;) {
      // Later merges come later, so a skolem id mapped twice ends with its last mapping.
      const page = await db
        .select({ skolemId: identifierMap.skolemId, permanentId: identifierMap.permanentId, version: identifierMap.version })
        .from(identifierMap)
        .where(sql`(${identifierMap.version}, ${identifierMap.skolemId}) > (${after.version}, ${after.skolem})`)
        .orderBy(asc(identifierMap.version), asc(identifierMap.skolemId))
        .limit(2000);
      if (page.length === 0) break;
      yield page.map((r, i) => `${first && i === 0 ? '' : ', '}${JSON.stringify(r.skolemId)}: ${JSON.stringify(r.permanentId)}`).join('');
      first = false;
      const end = page[page.length - 1];
      after = { version: end.version, skolem: end.skolemId };
    }
    yield '}}\n';
  }
  const headers = new Headers({
    'Content-Type': 'application/json',
    'Content-Disposition': 'attachment; filename="periodo-identifier-map.json"',
  });
  if (last) headers.set('Last-Modified', httpDate(last.createdAt));
  setMaxAge(headers, LONG_TIME, true);
  return new Response(byteStream(body()), { headers });
}

function sqlValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
    const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return `X'${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}'`;
  }
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** Tables whose rows stay private: credentials and sign-in state. */
const PRIVATE_TABLES = new Set(['users', 'auth_states']);

async function exportSql(c: C): Promise<Response> {
  const d1 = c.env.DB;
  async function* body(): AsyncGenerator<string> {
    const { results: objects } = await d1
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY type = 'table' DESC, name")
      .all<{ type: string; name: string; sql: string }>();
    yield 'BEGIN TRANSACTION;\n';
    for (const o of objects.filter((x) => x.type === 'table')) {
      yield `${o.sql};\n`;
      if (PRIVATE_TABLES.has(o.name)) continue;
      let after = 0;
      for (;;) {
        const { results } = await d1.prepare(`SELECT rowid AS __rowid, * FROM "${o.name.replace(/"/g, '""')}" WHERE rowid > ? ORDER BY rowid LIMIT 500`).bind(after).all<Record<string, unknown>>();
        if (!results.length) break;
        let text = '';
        for (const row of results) {
          after = row.__rowid as number;
          const values = Object.entries(row)
            .filter(([k]) => k !== '__rowid')
            .map(([, v]) => sqlValue(v));
          text += `INSERT INTO "${o.name}" VALUES(${values.join(',')});\n`;
        }
        yield text;
      }
    }
    for (const o of objects.filter((x) => x.type !== 'table')) yield `${o.sql};\n`;
    yield 'COMMIT;\n';
  }
  return new Response(byteStream(body()), {
    headers: {
      'Content-Type': 'text/plain',
      'Content-Disposition': `attachment; filename="periodo-export-${new Date().toUTCString()}.sql"`,
    },
  });
}

export function registerRecordRoutes(app: Hono<{ Bindings: Env }>): void {
  app.get('/identifier-map', (c) => redirect(c.req.raw, `/identifier-map/${new URL(c.req.url).search}`, 308));
  app.get('/identifier-map/', identifierMapRoute);
  app.get('/identifier-map.json', identifierMapRoute);
  app.get('/export.sql', exportSql);
}
