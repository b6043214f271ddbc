/** What the authority and period pages derive from one authority document. */
import { terminusYears } from '../../../domain/search-index';
import type { Period } from '../api/types';
import { knownLanguageName } from './languageNames';

/** Start earliest, start latest, stop earliest, stop latest of each period (NaN when unknown). */
export function periodExtents(periods: Period[]): Float64Array {
  const out = new Float64Array(periods.length * 4);
  periods.forEach((p, i) => {
    const [se, sl] = terminusYears(p.start);
    const [ee, el] = terminusYears(p.stop);
    const or = (v: number | null, w: number | null) => v ?? w ?? NaN;
    out.set([or(se, sl), or(sl, se), or(ee, el), or(el, ee)], i * 4);
  });
  return out;
}

export function languageOf(p: Period): string {
  return p.languageTag ?? p.language ?? '';
}

/** `eng-latn` → `English (Latin)` where the browser knows the names, else the tag. */
// Facets name languages on every keystroke: the formatters are made once, names kept.
let displayNames: { names: Intl.DisplayNames; scripts: Intl.DisplayNames } | null = null;
const languageNames = new Map<string, string>();

export function languageName(tag: string): string {
  let found = languageNames.get(tag);
  if (found === undefined) languageNames.set(tag, (found = nameOfLanguage(tag)));
  return found;
}

function nameOfLanguage(tag: string): string {
  const [lang, script] = tag.split('-');
  const known = knownLanguageName(lang, script);
  if (known) return known;
  try {
    displayNames ??= { names: new Intl.DisplayNames(['en'], { type: 'language' }), scripts: new Intl.DisplayNames(['en'], { type: 'script' }) };
    const name = displayNames.names.of(lang);
    const scriptName = script ? displayNames.scripts.of(script[0].toUpperCase() + script.slice(1)) : undefined;
    if (!name || name === lang) return tag;
    return scriptName && scriptName !== script ? `${name} (${scriptName})` : name;
  } catch {
    return tag;
  }
}

/**
 * The periods to draw beside `at` on its page: those overlapping its extent widened by its
 * own length on each side, nearest first, at most `max` — always bars, never aggregated.
 */
export function neighbourhood(extents: Float64Array, at: number, max: number): number[] {
  const count = extents.length / 4;
  const lo = Math.min(extents[4 * at], extents[4 * at + 1]);
  const hi = Math.max(extents[4 * at + 2], extents[4 * at + 3]);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [at];
  const span = Math.max(1, hi - lo);
  const near: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const s = extents[4 * i];
    const e = extents[4 * i + 3];
    if (i === at || !Number.isFinite(s) || !Number.isFinite(e) || s > hi + span || e < lo - span) continue;
    near.push([i, Math.abs(s - lo) + Math.abs(e - hi)]);
  }
  near.sort((x, y) => x[1] - y[1]);
  return [at, ...near.slice(0, max - 1).map(([i]) => i)];
}

/** The extents of the chosen items, in their order. */
export function pick(extents: Float64Array, items: number[]): Float64Array {
  const out = new Float64Array(items.length * 4);
  items.forEach((item, i) => out.set(extents.subarray(4 * item, 4 * item + 4), 4 * i));
  return out;
}
