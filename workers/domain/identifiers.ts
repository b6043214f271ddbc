/**
 * PeriodO ARK identifiers: `p0` + 4-character authority sequence + check digit, and for
 * periods the authority's 5 characters + 3 more + check digit. Check digits follow the
 * NOID algorithm over PeriodO's alphabet of 27 "xdigits".
 */
import { HttpError } from '../shared/errors';

export const PREFIX = 'p0';
export const XDIGITS = '23456789bcdfghjkmnpqrstvwxz';
export const AUTHORITY_SEQUENCE_LENGTH = 4;
export const PERIOD_SEQUENCE_LENGTH = 3;

const X = `[${XDIGITS}]`;
export const IDENTIFIER_RE = new RegExp(`^${PREFIX}${X}{${AUTHORITY_SEQUENCE_LENGTH}}(?:${X}${X}{${PERIOD_SEQUENCE_LENGTH}})?${X}$`);
export const AUTHORITY_ID_RE = new RegExp(`^${PREFIX}${X}{${AUTHORITY_SEQUENCE_LENGTH + 1}}$`);
export const PERIOD_ID_RE = new RegExp(`^${PREFIX}${X}{${AUTHORITY_SEQUENCE_LENGTH + 1 + PERIOD_SEQUENCE_LENGTH + 1}}$`);

export const SKOLEM_RE = /^(.*)\/\.well-known\/genid\/(.*)$/;
export const ASSIGNED_SKOLEM_RE = /^(.*)\/\.well-known\/genid\/assigned\/(.*)$/;

/** A malformed or unusable identifier in a patch (400). */
export class IdentifierError extends HttpError {
  constructor(message: string) {
    super(400, message, {}, { message, status: 400 });
  }
}

export function checkDigitFor(sequence: string): string {
  let total = 0;
  for (let i = 0; i < sequence.length; i++) {
    const ordinal = XDIGITS.indexOf(sequence[i]);
    total += (ordinal < 0 ? 0 : ordinal) * (i + 1);
  }
  return XDIGITS[total % XDIGITS.length];
}

/** Check digits of the periods of the 2015 initial load: authority and period joined by `/`. */
export function oldCheckDigitFor(sequence: string): string {
  if (sequence.length > AUTHORITY_SEQUENCE_LENGTH) {
    const authority = sequence.slice(0, -PERIOD_SEQUENCE_LENGTH);
    const period = sequence.slice(-PERIOD_SEQUENCE_LENGTH);
    return checkDigitFor(`${authority}/${period}`);
  }
  return checkDigitFor(sequence);
}

/** Throws IdentifierError with the reason when `id` is not a well-formed PeriodO id. */
export function checkIdentifier(id: string, strict = true): void {
  if (!IDENTIFIER_RE.test(id)) throw new IdentifierError(`malformed identifier: ${id}`);
  const sequence = id.slice(PREFIX.length, -1);
  const expected = checkDigitFor(sequence);
  const actual = id[id.length - 1];
  if (actual === expected) return;
  if (!strict && oldCheckDigitFor(sequence) === actual) return;
  throw new IdentifierError(`Malformed identifier: ${id} (check digit was ${actual} but should have been ${expected})`);
}

export function isValidIdentifier(id: string, strict = true): boolean {
  try {
    checkIdentifier(id, strict);
    return true;
  } catch {
    return false;
  }
}

function randomSequence(length: number): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  // 27 does not divide 256; the slight bias is irrelevant for identifiers.
  return Array.from(bytes, (b) => XDIGITS[b % XDIGITS.length]).join('');
}

export function idFromSequence(sequence: string): string {
  return PREFIX + sequence + checkDigitFor(sequence);
}

export function mintAuthorityId(): string {
  return idFromSequence(randomSequence(AUTHORITY_SEQUENCE_LENGTH));
}

export function mintPeriodId(authorityId: string): string {
  checkIdentifier(authorityId, false);
  return idFromSequence(authorityId.slice(PREFIX.length) + randomSequence(PERIOD_SEQUENCE_LENGTH));
}

const GENID = '/.well-known/genid/';

/** Called on every string of a patch: a substring test first, as SKOLEM_RE's leading `(.*)` backtracks over each one. */
export function isSkolemIri(value: unknown): value is string {
  return typeof value === 'string' && value.includes(GENID) && SKOLEM_RE.test(value);
}
