/** The guard every patch passes before it is parsed: nesting depth and numbers that would change. */
import { describe, expect, it } from 'vitest';
import { checkJsonLimits, JsonLimitError, numberKeepsItsValue } from '../../../workers/domain/json-limits';

describe('numbers', () => {
  it('accepts every number a 64-bit float holds exactly as written', () => {
    for (const text of ['0', '-0', '1', '-1', '1.0', '1e16', '1E+16', '0.1', '-0.5', '1.25e-7', '123.450', '9007199254740992', '-9007199254740992', '1.7976931348623157e308', '5e-324', '0e400']) {
      expect(numberKeepsItsValue(text), text).toBe(true);
    }
  });

  it('refuses numbers out of range, rounding to 0, or losing digits', () => {
    for (const text of ['1e400', '-1e400', '1e-400', '9007199254740993', '1180591620717411303424', '0.1000000000000000000001', '1.7976931348623159e308']) {
      expect(numberKeepsItsValue(text), text).toBe(false);
    }
  });

  it('looks at numbers only, not at digits inside strings', () => {
    expect(() => checkJsonLimits('{"n": "1e400", "m": "\\"9007199254740993"}', 10)).not.toThrow();
    expect(() => checkJsonLimits('{"n": [1, 2, 1e400]}', 10)).toThrow(/The number 1e400 \(at character 13\)/);
  });
});

describe('depth', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(() => checkJsonLimits('[[[["]]]]]]]]"]]]]', 4)).not.toThrow();
    expect(() => checkJsonLimits('[[[[[]]]]]', 4)).toThrow(JsonLimitError);
    expect(() => checkJsonLimits(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`, 100)).toThrow(/nested deeper than 100 levels \(at character 100\)/);
  });
});
