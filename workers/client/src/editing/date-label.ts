/**
 * Turns the label of a period's start or stop ("616 B.C.", "c. 1200 BCE", "3rd century AD",
 * "early 5th millennium BC", "1950s", "31 December 192 AD") into the years PeriodO records:
 * one `year`, or an `earliestYear`–`latestYear` span.
 *
 * Years are astronomical (1 B.C. is year 0, 616 B.C. is -615) and written as the dataset
 * writes them: a sign for negative years and at least four digits ("-0615", "0476", "-150000").
 * BP counts back from 1950 (radiocarbon convention), b2k from 2000.
 */

export type YearSpan = { year: string } | { earliestYear: string; latestYear: string };

/** A year as the dataset writes it: `-0615`, `0476`, `1950`, `-150000`. */
export function formatYear(year: number): string {
  const digits = String(Math.abs(year)).padStart(4, '0');
  return year < 0 ? `-${digits}` : digits;
}

const YEAR_TEXT = /^-?\d{4,}$/;

/** The number a well-formed year string stands for, or null (`"-0615"` → -615; `"615"` → null). */
export function parseYear(text: string): number | null {
  return YEAR_TEXT.test(text) ? Number(text) : null;
}

type Era = 'ad' | 'bc' | 'bp' | 'b2k' | null;

const ERA_PATTERNS: [RegExp, Era][] = [
  [/^(?:c14\s*)?(?:years\s+)?b\.?\s?p\.?$/, 'bp'],
  [/^b2k$/, 'b2k'],
  [/^(?:b\.?\s?c\.?\s?e\.?|b\.?\s?c\.?|a\.?\s?c\.?)$/, 'bc'],
  [/^(?:a\.?\s?d\.?|c\.?\s?e\.?)$/, 'ad'],
];

function eraOf(text: string): Era | undefined {
  const t = text.trim();
  if (t === '') return null;
  for (const [re, era] of ERA_PATTERNS) if (re.test(t)) return era;
  return undefined;
}

/** Splits "1200 bce", "a.d. 43", "c14 bp" around a number: [number text, era] or null. */
function splitEra(text: string): [string, Era] | null {
  const after = /^(-?[\d,]+)\s*(\??)\s*(.*)$/.exec(text);
  if (after) {
    const era = eraOf(after[3]);
    if (era !== undefined) return [after[1], era];
  }
  const before = /^(a\.?\s?d\.?|c\.?\s?e\.?)\s*(\d+)$/.exec(text);
  if (before) return [before[2], 'ad'];
  return null;
}

function toNumber(digits: string): number | null {
  const clean = digits.replace(/,(?=\d{3}(?:\D|$))/g, '');
  return /^-?\d+$/.test(clean) ? Number(clean) : null;
}

/** A calendar year named with an era → astronomical year. */
function astronomical(n: number, era: Era): number {
  switch (era) {
    case 'bc':
      return -(n - 1);
    case 'bp':
      return 1950 - n;
    case 'b2k':
      return 2000 - n;
    default:
      return n;
  }
}

const ORDINAL_WORDS = [
  'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth',
  'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth',
  'eighteenth', 'nineteenth', 'twentieth', 'twenty-first',
];

function ordinal(text: string): number | null {
  const numeric = /^(\d+)(?:st|nd|rd|th|\.)?$/.exec(text);
  if (numeric) return Number(numeric[1]);
  const i = ORDINAL_WORDS.indexOf(text);
  return i < 0 ? null : i + 1;
}

/** The part of a century or millennium a qualifier names, as fractions of its length. */
const PARTS: [RegExp, number, number][] = [
  [/^(?:early|beginning of|start of|the beginning of|the start of)$/, 0, 1 / 3],
  [/^(?:mid|mid-|middle|middle of|the middle of)$/, 1 / 3, 2 / 3],
  [/^(?:late|end of|the end of)$/, 2 / 3, 1],
  [/^(?:first half of|the first half of|1st half of)$/, 0, 1 / 2],
  [/^(?:second half of|the second half of|2nd half of)$/, 1 / 2, 1],
  [/^(?:first quarter of|the first quarter of)$/, 0, 1 / 4],
  [/^(?:second quarter of|the second quarter of)$/, 1 / 4, 1 / 2],
  [/^(?:third quarter of|the third quarter of)$/, 1 / 2, 3 / 4],
  [/^(?:fourth quarter of|last quarter of|the last quarter of|the fourth quarter of)$/, 3 / 4, 1],
];

const SPAN = /^(?:(.+?)\s+)?(?:the\s+)?(\S+)\s+(century|cent\.?|c\.|millennium|mill\.?)\s*(.*)$/;

function spanOfUnit(label: string): YearSpan | null {
  const m = SPAN.exec(label);
  if (!m) return null;
  const [, qualifier, ord, unitText, eraText] = m;
  const n = ordinal(ord);
  const era = eraOf(eraText);
  if (n === null || n < 1 || era === undefined || (era !== null && era !== 'ad' && era !== 'bc')) return null;
  const size = unitText.startsWith('mill') ? 1000 : 100;
  // The first and last astronomical years of the whole unit.
  const first = era === 'bc' ? -(n * size - 1) : (n - 1) * size + 1;
  const last = era === 'bc' ? -((n - 1) * size) : n * size;
  if (!qualifier) return span(first, last);
  const part = PARTS.find(([re]) => re.test(qualifier));
  if (!part) return null;
  const from = first + Math.floor(size * part[1]);
  const to = part[2] === 1 ? last : first + Math.floor(size * part[2]);
  return span(from, to);
}

function span(earliest: number, latest: number): YearSpan {
  return earliest === latest ? { year: formatYear(earliest) } : { earliestYear: formatYear(earliest), latestYear: formatYear(latest) };
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH = `(?:${MONTHS.map((m) => `${m}|${m.slice(0, 3)}\\.?`).join('|')})`;
const DAY_MONTH = new RegExp(`^(?:\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH}|${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?|${MONTH})\\s+(.+)$`);
const ISO_DATE = /^(-?\d{4,})-\d{2}(?:-\d{2})?$/;

function singleYear(text: string): number | null {
  const parts = splitEra(text);
  if (!parts) return null;
  const n = toNumber(parts[0]);
  if (n === null) return null;
  if (n < 0) return parts[1] === null ? n : null; // "-332" is already astronomical; "-332 BC" means nothing
  return astronomical(n, parts[1]);
}

/** "1800/1750 BCE", "1190/85 B.C.E.", "146/125" (counting down, so B.C.). */
function slashRange(text: string): YearSpan | null {
  const m = /^(\d+)\s*\/\s*(\d+)\s*(.*)$/.exec(text);
  if (!m) return null;
  let era = eraOf(m[3]);
  if (era === undefined) return null;
  const a = Number(m[1]);
  // "1190/85": the second year repeats the first one's leading digits.
  const b = m[2].length < m[1].length ? Number(m[1].slice(0, m[1].length - m[2].length) + m[2]) : Number(m[2]);
  if (era === null && a > b) era = 'bc';
  const x = astronomical(a, era);
  const y = astronomical(b, era);
  return span(Math.min(x, y), Math.max(x, y));
}

/** "1950s", "330s BC", "640s A.D." */
function decade(text: string): YearSpan | null {
  const m = /^(\d*0)'?s\s*(.*)$/.exec(text);
  if (!m) return null;
  const era = eraOf(m[2]);
  if (era !== null && era !== 'ad' && era !== 'bc') return null;
  const n = Number(m[1]);
  return era === 'bc' ? span(astronomical(n + 9, 'bc'), astronomical(n, 'bc')) : span(n, n + 9);
}

export type BareNumberEra = 'ad' | 'bc' | 'bp' | 'b2k';

export interface LabelOptions {
  /**
   * What a label that is just a number ("6900") counts in. Most authorities mean A.D., but
   * some count years before present throughout; `bareNumberEra` infers it from an
   * authority's existing periods.
   */
  bareNumbers?: BareNumberEra;
}

/**
 * The era an authority's plain-number labels count in, judged from its periods whose
 * label is just a number and whose recorded year fits exactly one reading; A.D. unless
 * another reading fits more of them.
 */
export function bareNumberEra(periods: Iterable<{ start?: unknown; stop?: unknown }>): BareNumberEra {
  const votes: Record<BareNumberEra, number> = { ad: 0, bc: 0, bp: 0, b2k: 0 };
  for (const period of periods) {
    for (const terminus of [period.start, period.stop]) {
      if (typeof terminus !== 'object' || terminus === null) continue;
      const { label, in: years } = terminus as { label?: unknown; in?: { year?: unknown } };
      if (typeof label !== 'string' || !/^\d+$/.test(label.trim()) || typeof years?.year !== 'string') continue;
      const n = Number(label.trim());
      const recorded = parseYear(years.year);
      for (const era of Object.keys(votes) as BareNumberEra[]) if (astronomical(n, era) === recorded) votes[era]++;
    }
  }
  let best: BareNumberEra = 'ad';
  for (const era of Object.keys(votes) as BareNumberEra[]) if (votes[era] > votes[best]) best = era;
  return best;
}

const APPROXIMATE = /^(?:c\.(?!\s?e\.)|ca\.?|circa|about|around|approx\.?|approximately|~)\s*/;

/**
 * The years a start or stop label names, or null when it names none this parser knows
 * ("present", "before 1000", "586 or 539 BCE"). The person can always correct the result.
 */
export function parseDateLabel(label: string, options: LabelOptions = {}): YearSpan | null {
  let text = label.trim().toLowerCase().replace(/\s+/g, ' ');
  text = text.replace(APPROXIMATE, '').replace(/\s*\(.*\)$/, '').trim();
  if (text === '') return null;

  const iso = ISO_DATE.exec(text);
  if (iso) return { year: formatYear(Number(iso[1])) };
  const dated = DAY_MONTH.exec(text);
  if (dated) text = dated[1];

  const bare = /^\d+$/.test(text) ? options.bareNumbers : undefined;
  if (bare && bare !== 'ad') return { year: formatYear(astronomical(Number(text), bare)) };
  const one = singleYear(text);
  if (one !== null) return { year: formatYear(one) };
  return slashRange(text) ?? decade(text) ?? spanOfUnit(text);
}

/** The years of a start or stop as a closed range of numbers, or null if they are missing or malformed. */
export function yearRange(value: unknown): [number, number] | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.year === 'string') {
    const y = parseYear(v.year);
    return y === null ? null : [y, y];
  }
  if (typeof v.earliestYear === 'string' && typeof v.latestYear === 'string') {
    const a = parseYear(v.earliestYear);
    const b = parseYear(v.latestYear);
    return a === null || b === null ? null : [a, b];
  }
  return null;
}
