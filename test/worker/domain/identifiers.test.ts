/**
 * Port of the reference's test/test_identifiers.py (spec §14.2, §9): check digits, loose
 * (old-style) and strict validity, detection of substitutions and transpositions, minting.
 */
import { describe, expect, it } from 'vitest';
import {
  checkDigitFor,
  checkIdentifier,
  IdentifierError,
  IDENTIFIER_RE,
  isValidIdentifier,
  mintAuthorityId,
  mintPeriodId,
  oldCheckDigitFor,
  XDIGITS,
} from '../../../workers/domain/identifiers';

const X = `[${XDIGITS}]`;
const MINTS = 500;

/** The reference's `assert_valid(id, strict)`: check of the prefixed id. */
const assertValid = (id: string, strict = true) => checkIdentifier(`p0${id}`, strict);

/** Replaces s[2] by the next xdigit, wrapping around. */
function substitute(s: string): string {
  const next = XDIGITS[(XDIGITS.indexOf(s[2]) + 1) % XDIGITS.length];
  return s.slice(0, 2) + next + s.slice(3);
}

/** From index -3 down to -len, swaps the first pair of adjacent characters that differ. */
function transpose(s: string): string {
  for (let i = s.length - 3; i >= 0; i--) {
    if (s[i] !== s[i + 1]) return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
  }
  return s;
}

function expectAuthorityId(aid: string) {
  expect(() => checkIdentifier(aid)).not.toThrow();
  expect(aid).toMatch(new RegExp(`^p0${X}{5}$`));
}

function expectPeriodId(pid: string, aid: string) {
  expect(() => checkIdentifier(pid)).not.toThrow();
  expect(pid).toMatch(new RegExp(`^${aid}${X}{4}$`));
}

describe('the alphabet and the pattern', () => {
  it('uses the 27 NOID betanumeric digits without 0 and 1', () => {
    expect(XDIGITS).toBe('23456789bcdfghjkmnpqrstvwxz');
    expect(new Set(XDIGITS).size).toBe(27);
  });

  it('accepts authority (7) and period (11) ids only', () => {
    expect(IDENTIFIER_RE.test('p0trgkv')).toBe(true);
    expect(IDENTIFIER_RE.test('p0trgkvwbjd')).toBe(true);
    for (const bad of ['trgkv', 'p0trgk', 'p0trgkvw', 'p0trgkvwbj', 'p0trgkvwbjdd', 'p0trgka', 'P0trgkv', 'p0TRGKV', 'p1trgkv']) {
      expect(IDENTIFIER_RE.test(bad), bad).toBe(false);
    }
  });
});

describe('check digits (worked values of §9.2)', () => {
  it.each([
    ['trgkv', 'v', 'v'],
    ['trgkvwbjd', 'p', 'd'],
    ['3wskd4mmt', 'k', 't'],
    ['jrrjb8spw', 'w', 'k'],
    ['trgkv4kxb', 'v', 'f'],
    ['trgkvkhrv', 'r', 'j'],
  ])('%s: new-style %s, old-style %s', (id, newDigit, oldDigit) => {
    const sequence = id.slice(0, -1);
    expect(checkDigitFor(sequence)).toBe(newDigit);
    expect(oldCheckDigitFor(sequence)).toBe(oldDigit);
  });

  it('computes the same digit both ways for authority sequences', () => {
    for (let i = 0; i < 100; i++) {
      const sequence = mintAuthorityId().slice(2, -1);
      expect(oldCheckDigitFor(sequence)).toBe(checkDigitFor(sequence));
    }
  });
});

describe('test_assert_valid_loose', () => {
  it('accepts old-style check digits when not strict', () => {
    expect(() => assertValid('3wskd4mmt', false)).not.toThrow();
    expect(() => assertValid('jrrjb8spw', false)).not.toThrow();
    expect(() => assertValid('trgkvwbjd', false)).not.toThrow();
    for (const id of ['fh3zc', 'fh3zcqs6h', 'fh3zcg927', 'trgkv']) expect(() => assertValid(id, false), id).not.toThrow();
  });
});

describe('test_assert_valid_strict', () => {
  it('accepts only new-style check digits when strict', () => {
    expect(() => assertValid('3wskd4mmt')).toThrow(IdentifierError);
    expect(() => assertValid('trgkvwbjd')).toThrow(IdentifierError);
    expect(() => assertValid('jrrjb8spw')).not.toThrow();
  });

  it('says which check digit was expected', () => {
    expect(() => assertValid('3wskd4mmt')).toThrow('Malformed identifier: p03wskd4mmt (check digit was t but should have been k)');
  });

  it('rejects ids that are wrong in both styles (trgkv4kxb, trgkvkhrv)', () => {
    for (const id of ['trgkv4kxb', 'trgkvkhrv']) {
      expect(isValidIdentifier(`p0${id}`, false), id).toBe(false);
      expect(isValidIdentifier(`p0${id}`, true), id).toBe(false);
    }
  });
});

describe('test_check_altered_identifier', () => {
  for (const [name, alter] of [
    ['substitute', substitute],
    ['transpose', transpose],
  ] as const) {
    it(`detects a ${name} in any minted authority or period id`, () => {
      for (let i = 0; i < MINTS; i++) {
        const aid = mintAuthorityId();
        expect(() => checkIdentifier(aid)).not.toThrow();
        const alteredAid = alter(aid);
        expect(alteredAid).not.toBe(aid);
        expect(() => checkIdentifier(alteredAid), `${aid} -> ${alteredAid}`).toThrow(IdentifierError);

        const pid = mintPeriodId(aid);
        expect(() => checkIdentifier(pid)).not.toThrow();
        const alteredPid = alter(pid);
        expect(alteredPid).not.toBe(pid);
        expect(() => checkIdentifier(alteredPid), `${pid} -> ${alteredPid}`).toThrow(IdentifierError);
      }
    });
  }
});

describe('test_id_has_wrong_shape', () => {
  it('rejects ids too short or with a slash', () => {
    expect(() => checkIdentifier('p06rw8')).toThrow('malformed identifier: p06rw8');
    expect(() => checkIdentifier('p06rw87/669p')).toThrow('malformed identifier: p06rw87/669p');
    expect(() => checkIdentifier('p06rw8', false)).toThrow(IdentifierError);
    expect(() => checkIdentifier('p06rw87/669p', false)).toThrow(IdentifierError);
  });
});

describe('test_generate_period_id', () => {
  it('mints period ids under their authority, 11 characters long', () => {
    for (let i = 0; i < MINTS; i++) {
      const aid = mintAuthorityId();
      expectAuthorityId(aid);
      const pid = mintPeriodId(aid);
      expect(pid.startsWith(aid)).toBe(true);
      expect(pid).toHaveLength(11);
      expectPeriodId(pid, aid);
    }
  });

  it('mints under an authority with an old-style id too, and never under a malformed one', () => {
    expectPeriodId(mintPeriodId('p0trgkv'), 'p0trgkv');
    expect(() => mintPeriodId('p0trgkx')).toThrow(IdentifierError);
    expect(() => mintPeriodId('trgkv')).toThrow(IdentifierError);
  });

  it('mints varied ids', () => {
    const ids = new Set(Array.from({ length: 200 }, () => mintAuthorityId()));
    expect(ids.size).toBeGreaterThan(190);
  });
});
