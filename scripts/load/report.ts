/** The load run's figures as a table. */

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export interface LoadFigures {
  periods: number;
  readers: number;
  paths: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  readErrors: number;
  patches: number;
  editors: number;
  writeSeconds: number;
  submitP50: number;
  submitP99: number;
  mergeP50: number;
  mergeP99: number;
  versions: string;
  finalEqual: boolean;
  statuses: Record<string, number>;
}

const ms = (x: number) => `${Math.round(x)} ms`;

export function printTable(f: LoadFigures): void {
  const rows: [string, string][] = [
    ['dataset', `${f.periods} periods`],
    ['readers (connections)', `${f.readers} over ${f.paths} paths`],
    ['reads', `${f.requests} in ${f.seconds} s`],
    ['reads/s (mean)', f.rps.toFixed(0)],
    ['read latency p50 / p99 / max', `${ms(f.p50)} / ${ms(f.p99)} / ${ms(f.max)}`],
    ['read errors (socket or 60 s timeout, non-2xx)', String(f.readErrors)],
    ['read statuses', JSON.stringify(f.statuses)],
    ['patches submitted + merged', `${f.patches} by ${f.editors} editors in ${f.writeSeconds.toFixed(1)} s`],
    ['submit p50 / p99', `${ms(f.submitP50)} / ${ms(f.submitP99)}`],
    ['merge p50 / p99', `${ms(f.mergeP50)} / ${ms(f.mergeP99)}`],
    ['versions', f.versions],
    ['final dataset = start + patches in merge order', f.finalEqual ? 'yes' : 'NO'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('');
  console.log(`| ${'measure'.padEnd(width)} | value |`);
  console.log(`|${'-'.repeat(width + 2)}|-------|`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
}
