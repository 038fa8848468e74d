/**
 * What the seed says while it works: a line when a phase starts and ends, and in between its
 * items done and the time left. On a terminal the running phase's line is rewritten in
 * place; into a file or a pipe, plain lines come at most every `intervalMs`, so a log stays
 * short.
 */
import { formatDuration, formatRemaining, type MsPerItem, type PhaseState, remainingMs } from './estimate.js';

/** How the seed reports its work; every call is cheap, so it may be called per item. */
export interface SeedProgress {
  /** Every phase of the run in order, with its number of items, before the first starts. */
  plan(phases: readonly { name: string; total: number }[]): void;
  start(name: string): void;
  advance(count?: number): void;
  /**
   * `created`: how many of its items the phase created (none on a rerun that found them);
   * undefined for a phase whose work creates nothing countable.
   */
  end(created: number | undefined): void;
}

export interface ProgressReporter extends SeedProgress {
  /** Called by a timer, so a slow item (an upload being checked) does not look like a hang. */
  tick(): void;
  /** Ends a line left open on a terminal, before an error is printed after it. */
  close(): void;
}

export interface ReporterOptions {
  write: (text: string) => void;
  /** Rewrite one line in place (a terminal) rather than print plain lines. */
  tty: boolean;
  /** The terminal's width: a rewritten line that wraps can no longer be rewritten. */
  columns?: number;
  now: () => number;
  /** Expected ms per item of each phase, before this run has measured it. */
  prior: MsPerItem;
  /** Between plain progress lines (default 10 s). */
  intervalMs?: number;
  /** Between redraws on a terminal (default 250 ms). */
  redrawMs?: number;
  onPhaseEnd?: (phase: Readonly<PhaseState>, created: number | undefined) => void;
}

const CLEAR_LINE = '\r\x1b[2K';

export const createProgressReporter = (options: ReporterOptions): ProgressReporter => {
  const intervalMs = options.intervalMs ?? 10_000;
  const redrawMs = options.redrawMs ?? 250;
  let phases: PhaseState[] = [];
  let current: PhaseState | undefined;
  let lastShown = 0;
  let lineOpen = false;

  const label = (phase: PhaseState) => `seed: ${phase.name} (${phases.indexOf(phase) + 1}/${phases.length})`;
  const left = () => formatRemaining(remainingMs(phases, options.prior, options.now()));
  const status = (phase: PhaseState) =>
    `${label(phase)} ${phase.done}/${phase.total}, ${formatDuration(options.now() - (phase.startedAt ?? options.now()))}, ${left()}`;

  const withinWidth = (line: string) =>
    options.columns && line.length >= options.columns ? `${line.slice(0, options.columns - 2)}…` : line;
  /** A finished line: on a terminal it replaces the one being rewritten. */
  const println = (line: string) => {
    options.write(options.tty ? `${CLEAR_LINE}${line}\n` : `${line}\n`);
    lineOpen = false;
  };
  const redraw = (line: string) => {
    options.write(`${CLEAR_LINE}${withinWidth(line)}`);
    lineOpen = true;
  };

  /** The running phase's status, unless it was shown too recently. */
  const show = () => {
    if (!current) return;
    const now = options.now();
    if (now - lastShown < (options.tty ? redrawMs : intervalMs)) return;
    lastShown = now;
    if (options.tty) redraw(status(current));
    else println(status(current));
  };

  return {
    plan(planned) {
      phases = planned.map((p) => ({ name: p.name, total: p.total, done: 0 }));
    },
    start(name) {
      let phase = phases.find((p) => p.name === name);
      if (!phase) {
        // A phase nobody planned still reports, without a share of the estimate.
        phase = { name, total: 0, done: 0 };
        phases.push(phase);
      }
      phase.startedAt = options.now();
      current = phase;
      lastShown = phase.startedAt;
      if (options.tty) redraw(status(phase));
      else println(`${label(phase)}: ${phase.total} to do, ${left()}`);
    },
    advance(count = 1) {
      if (!current) return;
      current.done = Math.min(current.total, current.done + count);
      show();
    },
    end(created) {
      if (!current) return;
      const phase = current;
      phase.endedAt = options.now();
      phase.done = phase.total;
      current = undefined;
      const last = phases.indexOf(phase) === phases.length - 1;
      const news = created === undefined ? '' : created > 0 ? `, ${created} new` : ', nothing new';
      println(
        `${label(phase)} ${phase.done}/${phase.total} in ${formatDuration(phase.endedAt - (phase.startedAt ?? phase.endedAt))}` +
          `${news}${last ? '' : `; ${left()}`}`,
      );
      options.onPhaseEnd?.(phase, created);
    },
    tick() {
      show();
    },
    close() {
      if (lineOpen) options.write('\n');
      lineOpen = false;
    },
  };
};
