/** Year axis arithmetic for the timeline (astronomical years; labels in BCE/CE). */
import { formatYear, grouped } from '../search/years';

/** The extent of finite values among `extents` (4 per item), padded by 2 %; null when none. */
export function domainOf(extents: Float64Array): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of extents) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return null;
  if (lo === hi) return [lo - 10, hi + 10];
  const pad = (hi - lo) * 0.02;
  return [Math.floor(lo - pad), Math.ceil(hi + pad)];
}

/** Round tick positions across [lo, hi], about `wanted` of them. */
export function ticks(lo: number, hi: number, wanted: number): number[] {
  const span = Math.max(1, hi - lo);
  const raw = span / Math.max(1, wanted);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  // Ticks fall on round CE/BCE years: astronomical year 1 - k*step for BCE reads as k*step BCE.
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) out.push(t);
  return out;
}

export function tickLabel(year: number): string {
  // Round numbers read naturally: astronomical 0 is 1 BCE, so BCE ticks are shown as their round distance from 0.
  return year <= 0 ? (year === 0 ? '1 BCE' : `${grouped(-year)} BCE`) : formatYear(year);
}

/** Zooms [lo, hi] by `factor` (< 1 zooms in) around `at`, never past `limit`. */
export function zoom([lo, hi]: [number, number], factor: number, at: number, limit: [number, number]): [number, number] {
  const span = Math.min(limit[1] - limit[0], Math.max(10, (hi - lo) * factor));
  const ratio = (at - lo) / (hi - lo || 1);
  return clamp([at - span * ratio, at - span * ratio + span], limit);
}

export function pan([lo, hi]: [number, number], by: number, limit: [number, number]): [number, number] {
  return clamp([lo + by, hi + by], limit);
}

function clamp([lo, hi]: [number, number], [min, max]: [number, number]): [number, number] {
  const span = hi - lo;
  if (lo < min) return [min, min + span];
  if (hi > max) return [max - span, max];
  return [lo, hi];
}
