/**
 * D1 refuses SQL statements over 100 KB (SQLITE_TOOBIG), but `wrangler d1 export` writes
 * one INSERT per row, and rows may hold up to 1–2 MB (a 256 KB blob chunk, a large
 * entity). Before `wrangler d1 execute` runs an export, each long INSERT becomes an INSERT
 * with its long texts empty, followed by UPDATEs that append them piece by piece.
 */

/** Under D1's 100 KB statement limit with room for the UPDATE around a piece. */
export const MAX_STATEMENT_BYTES = 90_000;
/** UTF-16 units per appended piece: at most 3 UTF-8 bytes each, doubled quotes aside. */
const PIECE_UNITS = 20_000;

/** Primary keys of the promoted tables: how an UPDATE finds the row it appends to. */
const PRIMARY_KEYS: Record<string, string[]> = {
  versions: ['id'],
  dataset_meta: ['valid_from'],
  authorities: ['id', 'valid_from'],
  periods: ['id', 'valid_from'],
  identifiers: ['id'],
  identifier_map: ['skolem_id', 'version'],
  blob_chunks: ['blob_id', 'seq'],
  patch_requests: ['id'],
  patch_request_comments: ['id'],
  bags: ['uuid', 'version'],
  graphs: ['id', 'version'],
};

/** Splits SQL text into statements at semicolons outside string literals. */
export function* statements(sql: string): Generator<string> {
  let start = 0;
  let inString = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (c === 39 /* ' */) inString = !inString; // '' inside a literal toggles twice
    else if (c === 59 /* ; */ && !inString) {
      const s = sql.slice(start, i + 1).trim();
      if (s) yield s;
      start = i + 1;
    }
  }
  const rest = sql.slice(start).trim();
  if (rest) yield rest;
}

/** The literals of `VALUES(...)`, as written (strings keep their quotes). */
function values(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === "'" || (text[i] === 'X' && text[i + 1] === "'")) {
      let j = text.indexOf("'", i) + 1;
      for (;;) {
        const k = text.indexOf("'", j);
        if (k < 0) throw new Error('unterminated string literal');
        if (text[k + 1] === "'") j = k + 2;
        else {
          j = k + 1;
          break;
        }
      }
      out.push(text.slice(i, j));
      i = j;
    } else {
      let j = text.indexOf(',', i);
      if (j < 0) j = text.length;
      out.push(text.slice(i, j).trim());
      i = j;
    }
    if (text[i] === ',') i++;
  }
  return out;
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Pieces of a string of at most `units` UTF-16 units, never splitting a surrogate pair. */
function pieces(value: string, units: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    let end = Math.min(i + units, value.length);
    const last = value.charCodeAt(end - 1);
    if (end < value.length && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(value.slice(i, end));
    i = end;
  }
  return out;
}

/** One statement as D1 accepts it: itself, or an INSERT with long texts appended by UPDATEs. */
export function withinStatementLimit(statement: string): string[] {
  if (Buffer.byteLength(statement) <= MAX_STATEMENT_BYTES) return [statement];
  const m = /^INSERT INTO "([a-z_]+)" \(([^)]*)\) VALUES\(([\s\S]*)\);$/.exec(statement);
  if (!m || !PRIMARY_KEYS[m[1]]) throw new Error(`a statement of ${Buffer.byteLength(statement)} bytes is too long for D1 and is not a row of a promoted table`);
  const [, table, columnList, valueList] = m;
  const columns = columnList.split(',').map((c) => c.trim());
  const literals = values(valueList);
  if (literals.length !== columns.length) throw new Error(`cannot read a row of ${table}: ${columns.length} columns, ${literals.length} values`);
  const key = PRIMARY_KEYS[table].map((k) => {
    const at = columns.indexOf(`"${k}"`);
    return `"${k}" = ${literals[at]}`;
  });
  const where = key.join(' AND ');
  const appends: string[] = [];
  const row = literals.map((literal, i) => {
    if (literal.length < 1000 || !literal.startsWith("'")) return literal;
    const text = literal.slice(1, -1).replace(/''/g, "'");
    for (const piece of pieces(text, PIECE_UNITS)) appends.push(`UPDATE "${table}" SET ${columns[i]} = ${columns[i]} || ${quote(piece)} WHERE ${where};`);
    return "''";
  });
  return [`INSERT INTO "${table}" (${columnList}) VALUES(${row.join(',')});`, ...appends];
}

/** The whole file, every statement within D1's limit. */
export function d1Executable(sql: string): string {
  const out: string[] = [];
  for (const s of statements(sql)) out.push(...withinStatementLimit(s));
  return `${out.join('\n')}\n`;
}
