/**
 * JSON read and written as the reference's Python does (json.loads, then json.dumps with
 * ensure_ascii=False): the texts bags and graphs are stored and served in. Expected values
 * are what CPython 3 prints for the same input.
 */
import { describe, expect, it } from 'vitest';
import { closeDocument, dumpOrdered, JsonSyntaxError, openDocument, parseOrdered, pythonFloat, type OrderedObject } from '../../../workers/domain/ordered-json';

const roundTrip = (text: string) => dumpOrdered(parseOrdered(text));

describe('numbers', () => {
  it("writes floats as Python's repr", () => {
    const cases: [number, string][] = [
      [1, '1.0'],
      [-0, '-0.0'],
      [0, '0.0'],
      [0.1, '0.1'],
      [1.5, '1.5'],
      [100000, '100000.0'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [1.2345678901234567e20, '1.2345678901234567e+20'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.5e-7, '1.5e-07'],
      [-93.265, '-93.265'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
    ];
    for (const [value, python] of cases) expect(pythonFloat(value), String(value)).toBe(python);
  });

  it('keeps integers exactly, whatever their size; reads float lexemes as Python floats', () => {
    expect(roundTrip('[0, -0, 42, -7, 123456789012345678901234567890]')).toBe('[0, 0, 42, -7, 123456789012345678901234567890]');
    expect(roundTrip('[1.0, 1.50, 1E5, 2e-3, 123.0e-2, -0.0]')).toBe('[1.0, 1.5, 100000.0, 0.002, 1.23, -0.0]');
  });

  it('refuses numbers Python would turn into Infinity, and what JSON does not allow', () => {
    for (const text of ['1e400', 'NaN', '01', '1.', '.5', '+1', '-']) expect(() => parseOrdered(text), text).toThrow(JsonSyntaxError);
  });
});

describe('objects and strings', () => {
  it('keeps member order, integer-like keys included', () => {
    expect(roundTrip('{"b": 1, "2019": 2, "a": 3, "1": 4}')).toBe('{"b": 1, "2019": 2, "a": 3, "1": 4}');
  });

  it('keeps a repeated key at its first place with its last value, as a Python dict does', () => {
    expect(roundTrip('{"a": 1, "b": 2, "a": 3}')).toBe('{"a": 3, "b": 2}');
  });

  it('writes non-ASCII as it is and escapes what Python escapes', () => {
    expect(roundTrip('"Ülm — \\u00e9\\n\\t\\"\\\\ \\u001f \\/"')).toBe('"Ülm — é\\n\\t\\"\\\\ \\u001f /"');
    expect(roundTrip('{ "a" :[ true,false , null ] }')).toBe('{"a": [true, false, null]}');
  });

  it('refuses malformed text, saying where', () => {
    for (const text of ['', '{', '{"a" 1}', '{"a": 1,}', '[1 2]', '"abc', '"a\u0001b"', '"\\x"', '{a: 1}', '[1] x', 'tru']) {
      expect(() => parseOrdered(text), JSON.stringify(text)).toThrow(JsonSyntaxError);
    }
    expect(() => parseOrdered('{"a": 1,}')).toThrow(/at character 8 /);
  });

  it('refuses nesting deeper than Python can read, without overflowing the stack', () => {
    expect(() => parseOrdered(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toThrow(/Nesting deeper/);
    expect(roundTrip(`${'['.repeat(500)}${']'.repeat(500)}`)).toBe(`${'['.repeat(500)}${']'.repeat(500)}`);
  });
});

describe('documents with one member left open', () => {
  const doc = () => parseOrdered('{"title": "T", "n": 1.0}') as OrderedObject;

  it('appends the member at the end, or leaves the document as sent', () => {
    const open = openDocument(doc(), 'wasRevisionOf');
    expect(closeDocument(open, 'x?version=0')).toBe('{"title": "T", "n": 1.0, "wasRevisionOf": "x?version=0"}');
    expect(closeDocument(open)).toBe('{"title": "T", "n": 1.0}');
  });

  it('sets a member the document already has in its place, or keeps the value sent', () => {
    const open = openDocument(parseOrdered('{"wasRevisionOf": "old", "a": [1, 2]}') as OrderedObject, 'wasRevisionOf');
    expect(closeDocument(open, 'new')).toBe('{"wasRevisionOf": "new", "a": [1, 2]}');
    expect(closeDocument(open)).toBe('{"wasRevisionOf": "old", "a": [1, 2]}');
  });

  it('handles an empty document', () => {
    const open = openDocument(new Map(), 'k');
    expect(closeDocument(open)).toBe('{}');
    expect(closeDocument(open, 'v')).toBe('{"k": "v"}');
  });
});
