/**
 * What every benchmark shares: percentiles, the printed tables, and `bench/results.json`,
 * which each benchmark updates under its own key so a filtered run keeps the others' figures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export const RESULTS_FILE = join(import.meta.dirname, '..', 'results.json');

/** Nearest-rank percentile of an ascending list. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? 0);

export const ascending = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

export const median = (values: readonly number[]): number => percentile(ascending(values), 0.5);

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const machine = () => ({
  nproc: cpus().length,
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  ramGiB: round(totalmem() / 1024 ** 3, 1),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  /** Other work on the machine skews every figure: the 1-minute load average when saved. */
  loadAverage: round(loadavg()[0] ?? 0, 1),
});

type Cell = string | number | boolean | undefined;

/** Prints an aligned table; numbers are right-aligned. */
export const printTable = (title: string, headers: readonly string[], rows: readonly Cell[][]): void => {
  const text = (c: Cell) => (c === undefined ? '–' : typeof c === 'number' ? format(c) : String(c));
  const cells = rows.map((r) => r.map(text));
  const widths = headers.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i] ?? ''))));
  const line = (r: readonly string[], raw?: readonly Cell[]) =>
    r
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c)));
        return typeof raw?.[i] === 'number' ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((raw, i) => {
    console.log(line(cells[i] ?? [], raw));
  });
};

const format = (n: number): string => {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  if (abs >= 100) return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return n.toFixed(abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
};

/** Terminal columns: CJK characters take two. */
const width = (s: string): number => {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u.test(ch) ? 2 : 1;
  return w;
};

/** Stores one benchmark's figures under `key`, keeping every other benchmark's. */
export const saveResults = (key: string, figures: unknown): void => {
  const previous = existsSync(RESULTS_FILE)
    ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>)
    : {};
  const results = {
    ...previous,
    machine: machine(),
    [key]: { measuredAt: new Date().toISOString(), ...(figures as object) },
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  // In the project's own format, so that `npm run lint` passes with the file committed.
  execFileSync(
    join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'biome'),
    ['format', '--write', RESULTS_FILE],
    {
      stdio: 'ignore',
    },
  );
};
