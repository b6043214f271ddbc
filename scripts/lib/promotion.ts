/**
 * Promotion and refresh: moving a whole environment's dataset state — versions, entities,
 * identifiers, patch requests and comments, bags and graphs; never users, tokens or
 * sign-in state — from one environment into an empty other one.
 *
 * `export` reads the rows with `wrangler d1 export` and wraps them in a file that says
 * what it holds: a header (schema, every version's content hash, row counts, hashes of a
 * sample of route bodies) and a footer with the body's SHA-256, so a truncated or altered
 * file is refused. `import` checks the target is empty and on the same schema, runs the
 * rows with `wrangler d1 execute`, asks the target to rebuild what it derives (its
 * coordinator's memory, caches, the head version's exports) and proves the result equals
 * the source: every version's content hash, the full audit, the row counts and the sample
 * bodies.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROMOTED_TABLES } from '../../workers/storage/promoted-tables.ts';
import { d1Executable } from './sql-statements.ts';
import { describeLocation, executeD1File, exportD1, type D1Location } from './wrangler.ts';


const MAGIC = '-- periodo-export ';
const END = '-- periodo-export-end ';
const FORMAT = 1;

export class PromotionError extends Error {}

export interface EnvironmentState {
  schema: string | null;
  head: number;
  rows: Record<string, number>;
  empty: boolean;
}

export interface VersionHash {
  id: number;
  contentHash: string;
}

export interface ExportHeader {
  format: number;
  schema: string | null;
  source: { url: string; serverVersion: string | null };
  exportedAt: string;
  head: number;
  rows: Record<string, number>;
  versions: [number, string][];
  /** SHA-256 of sample routes' bodies, with the source's origin replaced by `{origin}`. */
  samples: Record<string, string>;
}

/** The admin API of one running environment (the operator CLI's `call`, passed in). */
export interface Admin {
  url: string;
  get(path: string): Promise<unknown>;
  post(path: string, body?: unknown): Promise<unknown>;
  /** A public GET: the raw body text and the server version header. */
  fetchText(path: string): Promise<{ status: number; text: string; serverVersion: string | null }>;
}

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Routes whose bodies an import must reproduce: the stored dataset at its first, middle and head versions, the patch list and the identifier map. */
function samplePaths(head: number): string[] {
  const versions = head === 0 ? [] : [...new Set([1, Math.ceil(head / 2), head])];
  return [...versions.map((v) => `admin/dataset?version=${v}`), 'patches.json?limit=250', 'identifier-map.json'];
}

async function sampleHashes(admin: Admin, head: number): Promise<Record<string, string>> {
  const origin = new URL(admin.url).origin;
  const out: Record<string, string> = {};
  for (const path of samplePaths(head)) {
    const { status, text } = await admin.fetchText(path);
    if (status !== 200) throw new PromotionError(`GET /${path} answered ${status}`);
    out[path] = sha256(text.split(origin).join('{origin}'));
  }
  return out;
}

function insertCounts(sql: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of sql.matchAll(/^INSERT INTO "([a-z_]+)"/gm)) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
  return counts;
}

function sameRows(a: Record<string, number>, b: Record<string, number>): string[] {
  return PROMOTED_TABLES.filter((t) => (a[t] ?? 0) !== (b[t] ?? 0)).map((t) => `${t}: ${a[t] ?? 0} vs ${b[t] ?? 0}`);
}

/** `periodo export FILE`: the source environment's dataset state into FILE. */
export async function exportEnvironment(admin: Admin, location: D1Location, file: string, log: (line: string) => void = console.log): Promise<ExportHeader> {
  const before = (await admin.get('admin/state')) as EnvironmentState;
  const dir = mkdtempSync(join(tmpdir(), 'periodo-export-'));
  try {
    const raw = join(dir, 'rows.sql');
    log(`exporting ${PROMOTED_TABLES.length} tables from ${describeLocation(location)} (version ${before.head}) with wrangler d1 export…`);
    exportD1(location, PROMOTED_TABLES, raw);
    const body = readFileSync(raw, 'utf8').replace(/\n*$/, '\n');
    const after = (await admin.get('admin/state')) as EnvironmentState;
    const counts = insertCounts(body);
    const changed = sameRows(before.rows, after.rows);
    if (after.head !== before.head || changed.length) {
      throw new PromotionError(`the source changed during the export (version ${before.head} → ${after.head}${changed.length ? `; ${changed.join(', ')}` : ''}); export again when no merge is running`);
    }
    const missing = sameRows(counts, after.rows);
    if (missing.length) {
      throw new PromotionError(`wrangler d1 export did not read what the Worker sees (${missing.join(', ')}): are --local/--persist-to or --env the database behind ${admin.url}?`);
    }
    const versions = (await admin.get('admin/versions')) as VersionHash[];
    const { serverVersion } = await admin.fetchText('index.json');
    const header: ExportHeader = {
      format: FORMAT,
      schema: after.schema,
      source: { url: admin.url, serverVersion },
      exportedAt: new Date().toISOString(),
      head: after.head,
      rows: after.rows,
      versions: versions.map((v) => [v.id, v.contentHash]),
      samples: await sampleHashes(admin, after.head),
    };
    const footer = { sha256: sha256(body), bytes: Buffer.byteLength(body), statements: Object.values(counts).reduce((a, b) => a + b, 0) };
    writeFileSync(file, `${MAGIC}${JSON.stringify(header)}\n${body}${END}${JSON.stringify(footer)}\n`);
    log(`wrote ${file}: versions 0–${header.head}, ${footer.statements} rows, ${footer.bytes} bytes`);
    return header;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads and checks an export file: its header, its footer and the body's hash. */
export function readExportFile(file: string): { header: ExportHeader; body: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PromotionError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (!text.startsWith(MAGIC)) throw new PromotionError(`${file} is not a PeriodO export (it does not start with "${MAGIC.trim()}")`);
  const firstNewline = text.indexOf('\n');
  let header: ExportHeader;
  try {
    header = JSON.parse(text.slice(MAGIC.length, firstNewline)) as ExportHeader;
  } catch {
    throw new PromotionError(`${file} has an unreadable header`);
  }
  if (header.format !== FORMAT) throw new PromotionError(`${file} is export format ${header.format}; this CLI reads format ${FORMAT}`);
  const endAt = text.lastIndexOf(`\n${END}`);
  if (endAt < 0) throw new PromotionError(`${file} is truncated: its end marker is missing (the file was cut short; export it again)`);
  let footer: { sha256: string; bytes: number };
  try {
    footer = JSON.parse(text.slice(endAt + 1 + END.length).trim());
  } catch {
    throw new PromotionError(`${file} is truncated: its end marker is incomplete`);
  }
  const body = text.slice(firstNewline + 1, endAt + 1);
  if (Buffer.byteLength(body) !== footer.bytes || sha256(body) !== footer.sha256) {
    throw new PromotionError(`${file} is damaged: its rows do not match the checksum written at export (${Buffer.byteLength(body)} of ${footer.bytes} bytes)`);
  }
  return { header, body };
}

export interface ImportCheck {
  check: string;
  ok: boolean;
  detail: string;
}

/** Compares a target with an export's header: versions and hashes, audit, row counts, sample bodies. */
export async function verifyAgainst(admin: Admin, header: ExportHeader): Promise<ImportCheck[]> {
  const checks: ImportCheck[] = [];
  const versions = (await admin.get('admin/versions')) as VersionHash[];
  const expected = new Map(header.versions);
  const wrong = versions.filter((v) => expected.get(v.id) !== v.contentHash).map((v) => v.id);
  const absent = header.versions.filter(([id]) => !versions.some((v) => v.id === id)).map(([id]) => id);
  checks.push({
    check: 'content hash of every version',
    ok: wrong.length === 0 && absent.length === 0,
    detail: wrong.length || absent.length ? `differ: ${wrong.join(', ') || '–'}; missing: ${absent.join(', ') || '–'}` : `${versions.length} versions match`,
  });
  const audit = (await admin.get('admin/audit?all')) as { ok: boolean; versionsChecked: number; problems: { version: number | null; entity: string | null; problem: string }[] };
  checks.push({
    check: 'audit of every version',
    ok: audit.ok,
    detail: audit.ok ? `${audit.versionsChecked} versions recomputed from their rows` : audit.problems.slice(0, 5).map((p) => `version ${p.version}${p.entity ? ` ${p.entity}` : ''}: ${p.problem}`).join('; '),
  });
  const state = (await admin.get('admin/state')) as EnvironmentState;
  const rows = sameRows(state.rows, header.rows);
  checks.push({ check: 'row counts', ok: rows.length === 0, detail: rows.length ? rows.join(', ') : PROMOTED_TABLES.map((t) => `${t} ${state.rows[t]}`).join(', ') });
  const samples = await sampleHashes(admin, header.head);
  for (const [path, hash] of Object.entries(header.samples)) {
    checks.push({ check: `GET /${path}`, ok: samples[path] === hash, detail: samples[path] === hash ? 'same body as the source' : 'the body differs from the source' });
  }
  return checks;
}

/** `periodo import FILE`: an export into an empty environment, rebuilt and verified. */
export async function importEnvironment(admin: Admin, location: D1Location, file: string, log: (line: string) => void = console.log): Promise<ImportCheck[]> {
  const { header, body } = readExportFile(file);
  const target = (await admin.get('admin/state')) as EnvironmentState;
  if (target.schema !== header.schema) {
    throw new PromotionError(`schema mismatch: ${file} comes from schema ${header.schema ?? '(unknown)'}, the target is at ${target.schema ?? '(none)'}; apply the same migrations to both (npm run deploy:… applies them)`);
  }
  if (!target.empty) {
    const held = Object.entries(target.rows).filter(([t, n]) => n > (t === 'versions' ? 1 : 0)).map(([t, n]) => `${t} ${n}`);
    throw new PromotionError(`the target is not empty (version ${target.head}; ${held.join(', ')}): an import only goes into a freshly migrated database`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'periodo-import-'));
  try {
    const sql = join(dir, 'rows.sql');
    // The empty version 0 of the target's migration makes way for the source's own.
    writeFileSync(sql, `DELETE FROM versions;\n${d1Executable(body)}`);
    log(`importing versions 0–${header.head} from ${header.source.url} (exported ${header.exportedAt}) into ${describeLocation(location)} with wrangler d1 execute…`);
    executeD1File(location, sql);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rebuilt = (await admin.post('admin/rebuild')) as { head: number; exportsQueued: string[] };
  log(`rebuilt: head version ${rebuilt.head}, caches purged, exports queued: ${rebuilt.exportsQueued.join(', ') || 'none'}`);
  const checks = await verifyAgainst(admin, header);
  for (const c of checks) log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
  return checks;
}
