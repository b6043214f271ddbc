/** The timeline's tick labels: BCE/CE, grouped as toLocaleString('en') groups them (without its locale data). */
import { describe, expect, it } from 'vitest';
import { grouped } from '../../../workers/client/src/search/years';
import { tickLabel } from '../../../workers/client/src/timeline/scale';

describe('timeline tick labels', () => {
  it('groups whole numbers exactly as toLocaleString("en") does', () => {
    const samples = [0, 1, 12, 999, 1000, 9999, 10000, 12345, 100000, 999999, 1000000, 2500000, 123456789, Number.MAX_SAFE_INTEGER];
    for (let n = 1; n < 1e15; n *= 7) samples.push(n);
    for (const n of samples) expect(grouped(n), String(n)).toBe(n.toLocaleString('en'));
    // Fractions (a timeline zoomed to less than a year) still go through toLocaleString.
    expect(grouped(0.30000000000000004)).toBe('0.3');
  });

  it('labels ticks as people read years', () => {
    expect(tickLabel(0)).toBe('1 BCE');
    expect(tickLabel(-12000)).toBe('12,000 BCE');
    expect(tickLabel(-500)).toBe('500 BCE');
    expect(tickLabel(1200)).toBe('1200 CE');
    expect(tickLabel(-1500000)).toBe('1,500,000 BCE');
  });
});
