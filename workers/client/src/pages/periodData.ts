/** What the authority and period pages derive from one authority document. */
import { terminusYears } from '../../../domain/search-index';
import type { Period } from '../api/types';

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
export function languageName(tag: string): string {
  const [lang, script] = tag.split('-');
  try {
    const names = new Intl.DisplayNames(['en'], { type: 'language' });
    const scripts = new Intl.DisplayNames(['en'], { type: 'script' });
    const name = names.of(lang);
    const scriptName = script ? scripts.of(script[0].toUpperCase() + script.slice(1)) : undefined;
    if (!name || name === lang) return tag;
    return scriptName && scriptName !== script ? `${name} (${scriptName})` : name;
  } catch {
    return tag;
  }
}
