/**
 * Limits on JSON text checked before it is parsed into JavaScript values, so that hostile
 * input is refused with a reason instead of exhausting the stack or changing data:
 *
 * - nesting depth (arrays and objects) is capped;
 * - every number must keep its value through a 64-bit float, the form JavaScript (and
 *   every stored entity) holds it in: `1e400` (out of range), `1e-400` (underflows to 0),
 *   `9007199254740993` or `1180591620717411303424` (digits lost) are refused, never
 *   silently changed. `1.0` and `1e16` keep their value and are accepted.
 *
 * One linear pass over the text, skipping strings; syntax errors are left to JSON.parse.
 */

export class JsonLimitError extends Error {}

/** Nesting deeper than this is refused in patches (a period is about eight levels deep). */
export const MAX_PATCH_DEPTH = 100;

const NUMBER = /-?(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?/y;

/** The significant digits and decimal exponent of a decimal number's text: `120.50` → ["1205", 2]. */
function decimalDigits(intPart: string, frac: string, exp: number): [string, number] {
  const all = `${intPart}${frac}`;
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(lead).replace(/0+$/, '');
  // The value is 0.<digits> × 10^point.
  const point = intPart.length - lead + exp;
  return [digits, point];
}

/** Whether the number written as `text` is exactly the double JavaScript reads it as. */
export function numberKeepsItsValue(text: string): boolean {
  NUMBER.lastIndex = 0;
  const m = NUMBER.exec(text);
  if (!m || m[0].length !== text.length) return false;
  const value = Number(text);
  if (!Number.isFinite(value)) return false;
  const [digits, point] = decimalDigits(m[1], m[2] ?? '', Number(m[3] ?? 0));
  if (digits === '') return value === 0;
  if (value === 0) return false;
  // The shortest digits that read back as the same double (JavaScript's own repr).
  const [mantissa, e] = Math.abs(value).toExponential().split('e');
  const shortest = mantissa.replace('.', '').replace(/0+$/, '');
  return shortest === digits && Number(e) + 1 === point;
}

/** Throws JsonLimitError when `text` nests deeper than `maxDepth` or holds a number that would change. */
export function checkJsonLimits(text: string, maxDepth: number): void {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string (escapes included); an unterminated one is JSON.parse's to report.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) {
        throw new JsonLimitError(`JSON nested deeper than ${maxDepth} levels (at character ${i}) is not accepted.`);
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) continue;
      if (!numberKeepsItsValue(m[0])) {
        throw new JsonLimitError(
          `The number ${m[0].length > 40 ? `${m[0].slice(0, 40)}…` : m[0]} (at character ${i}) cannot be stored exactly: numbers must be within ±1.8e308, not round to 0, and have at most about 15–17 significant digits (integers up to 2^53 = 9007199254740992). Send such a value as a string.`,
        );
      }
      i += m[0].length - 1;
    }
  }
}
