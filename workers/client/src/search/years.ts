/** Years as PeriodO stores them (astronomical: 0 is 1 BCE, -615 is 616 BCE) and as people read them. */

/** `-615` → `616 BCE`, `1200` → `1200 CE`. */
export function formatYear(year: number | null | undefined): string {
  if (year === null || year === undefined || !Number.isFinite(year)) return '?';
  return year <= 0 ? `${yearNumber(1 - year)} BCE` : `${yearNumber(year)} CE`;
}

/** Year numbers: 12000 → 12,000; four-digit years stay as written (1200). */
function yearNumber(n: number): string {
  return n >= 10000 ? grouped(n) : String(n);
}

/**
 * 12000 → `12,000`, as toLocaleString('en') writes it. Whole numbers are grouped here: the
 * first toLocaleString of a page loads the browser's number-format data (≈ 60 ms of a
 * period page's first timeline).
 */
export function grouped(n: number): string {
  return Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : n.toLocaleString('en');
}

/** A single year, or `earliest–latest` when they differ. */
export function formatRange(earliestYear: number | null | undefined, latestYear: number | null | undefined): string {
  const earliest = Number.isFinite(earliestYear) ? earliestYear : null;
  const latest = Number.isFinite(latestYear) ? latestYear : null;
  if (earliest === latest || latest === null || latest === undefined) return formatYear(earliest);
  if (earliest === null || earliest === undefined) return formatYear(latest);
  return `${formatYear(earliest)}–${formatYear(latest)}`;
}

/**
 * A year typed by a person, to an astronomical year: `500 BCE`, `500 BC`, `-499`, `500 CE`,
 * `AD 500`, `500`. Null for anything else.
 */
export function parseUserYear(text: string | null | undefined): number | null {
  if (!text) return null;
  const t = text.trim().toUpperCase().replace(/\./g, '');
  let m = /^(-?\d+)$/.exec(t);
  if (m) return Number(m[1]);
  m = /^(\d+)\s*(BCE|BC)$/.exec(t);
  if (m) return 1 - Number(m[1]);
  m = /^(?:(\d+)\s*(?:CE|AD)|(?:AD|CE)\s*(\d+))$/.exec(t);
  if (m) return Number(m[1] ?? m[2]);
  return null;
}

/** An astronomical year as a person would type it back (`616 BCE`, `1200`). */
export function userYear(year: number | null): string {
  if (year === null) return '';
  return year <= 0 ? `${1 - year} BCE` : String(year);
}
