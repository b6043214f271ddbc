/**
 * Stored entities are written as Python's json.dumps writes them (the reference's bytes).
 * pyJson takes a shortcut through the engine's JSON.stringify; it must give exactly the
 * text that writing each member in turn gives, for any JSON value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pyJson } from '../../../workers/domain/json-format';

/** The definition: `", "` and `": "` separators, members in order, strings as JSON.stringify writes them. */
function memberByMember(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (Array.isArray(value)) return `[${value.map(memberByMember).join(', ')}]`;
      return `{${Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${JSON.stringify(k)}: ${memberByMember(v)}`)
        .join(', ')}}`;
    default:
      return 'null';
  }
}

describe('pyJson', () => {
  it('writes what Python writes, for tricky strings', () => {
    const value = { 'a,b': 'x: "y", z\\', 'q\\"': ['\\\\', ',', ':', '"'], n: [1.5, -0, 1e21], e: {}, l: [], u: 'Ḫattuša — 北京' };
    expect(pyJson(value)).toBe(
      '{"a,b": "x: \\"y\\", z\\\\", "q\\\\\\"": ["\\\\\\\\", ",", ":", "\\""], "n": [1.5, 0, 1e+21], "e": {}, "l": [], "u": "Ḫattuša — 北京"}',
    );
    expect(JSON.parse(pyJson(value))).toEqual({ ...value, n: [1.5, 0, 1e21] });
  });

  it('equals writing member by member, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(pyJson(value)).toBe(memberByMember(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes undefined members as Python has none: left out of objects, null in arrays', () => {
    expect(pyJson({ a: undefined, b: [undefined, 1] })).toBe('{"b": [null, 1]}');
    expect(pyJson(undefined)).toBe('null');
  });
});
