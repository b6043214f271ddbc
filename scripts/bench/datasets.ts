/**
 * Benchmark datasets: a seed dataset's authorities replicated under fresh, valid
 * identifiers until the wanted number of periods is reached.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from '../lib/scratch-dir.ts';

const XDIGITS = '23456789bcdfghjkmnpqrstvwxz';
const ASSIGNED = 'https://perio.do/.well-known/genid/assigned/';

type Json = Record<string, unknown>;

function checkDigit(sequence: string): string {
  let total = 0;
  for (let i = 0; i < sequence.length; i++) total += Math.max(0, XDIGITS.indexOf(sequence[i])) * (i + 1);
  return XDIGITS[total % XDIGITS.length];
}

function authoritySequence(n: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    s = XDIGITS[n % XDIGITS.length] + s;
    n = Math.floor(n / XDIGITS.length);
  }
  return s;
}

/** The default seed: the 2015 PeriodO dataset the project ships as a test fixture. */
export function defaultSeedPath(): string {
  return fileURLToPath(new URL('../../test/fixtures/periodo-2015.json', import.meta.url));
}

export function periodCount(dataset: Json): number {
  let n = 0;
  for (const a of Object.values(dataset.authorities as Record<string, Json>)) n += Object.keys(a.periods as Json).length;
  return n;
}

const bare = (key: string) => key.replace(ASSIGNED, '');

/**
 * The seed as it is, then copies of its authorities under new ids (periods keep their
 * 3-character sequence under the new authority, with a recomputed check digit).
 */
export function replicate(seed: Json, targetPeriods: number): Json {
  const seedAuthorities = Object.entries(seed.authorities as Record<string, Json>);
  const used = new Set(seedAuthorities.map(([k]) => bare(k)));
  const authorities: Record<string, unknown> = {};
  let periods = 0;
  let counter = 0;
  for (const [key, a] of seedAuthorities) {
    if (periods >= targetPeriods) break;
    authorities[key] = a;
    periods += Object.keys(a.periods as Json).length;
  }
  while (periods < targetPeriods) {
    for (const [key, a] of seedAuthorities) {
      if (periods >= targetPeriods) break;
      let newId: string;
      do {
        const sequence = authoritySequence(counter++);
        newId = `p0${sequence}${checkDigit(sequence)}`;
      } while (used.has(newId));
      used.add(newId);
      const oldId = bare(key);
      let text = JSON.stringify(a);
      for (const periodKey of Object.keys(a.periods as Json)) {
        const oldPeriod = bare(periodKey);
        const sequence = newId.slice(2) + oldPeriod.slice(oldId.length, oldId.length + 3);
        text = text.split(oldPeriod).join(`p0${sequence}${checkDigit(sequence)}`);
      }
      text = text.split(oldId).join(newId);
      authorities[`${ASSIGNED}${newId}`] = JSON.parse(text);
      periods += Object.keys(a.periods as Json).length;
    }
  }
  return { ...seed, authorities };
}

export function loadSeed(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

/** A replicated dataset of about `target` periods, written to a temporary file for `load-data`. */
export async function datasetFile(seedPath: string, target: number): Promise<{ dataset: Json; periods: number; file: string; text: string }> {
  const dataset = replicate(loadSeed(seedPath), target);
  const dir = scratchDir('periodo-bench-');
  const file = join(dir, 'dataset.json');
  const text = JSON.stringify(dataset);
  writeFileSync(file, text);
  return { dataset, periods: periodCount(dataset), file, text };
}
