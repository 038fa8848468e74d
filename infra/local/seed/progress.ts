/**
 * What the seed says while it works: a line when a phase starts and ends, and in between the
 * items done of every phase running (side by side, some of them) and the time left. On a
 * terminal that status line is rewritten in place; into a file or a pipe, plain lines come
 * at most every `intervalMs`, so a log stays short.
 */
import { formatDuration, formatRemaining, type MsPerItem, type PhaseState, remainingMs } from './estimate.js';

/** How the seed reports its work; every call is cheap, so it may be called per item. */
export interface SeedProgress {
  /**
   * Every phase of the run, with its number of items and the phases it waits for (the others
   * may run beside it), before the first starts; listed so that none comes before those it
   * waits for.
   */
  plan(phases: readonly { name: string; total: number; after?: readonly string[] }[]): void;
  start(name: string): void;
  advance(name: string, count?: number): void;
  /**
   * `created`: how many of its items the phase created (none on a rerun that found them);
   * undefined for a phase whose work creates nothing countable.
   */
  end(name: string, created: number | undefined): void;
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
  /** The phases started and not yet ended, in the order they started. */
  let running: PhaseState[] = [];
  let lastShown = 0;
  let lineOpen = false;

  const label = (phase: PhaseState) => `${phase.name} (${phases.indexOf(phase) + 1}/${phases.length})`;
  const left = () => formatRemaining(remainingMs(phases, options.prior, options.now()));
  const progressOf = (phase: PhaseState) =>
    `${label(phase)} ${phase.done}/${phase.total}, ${formatDuration(options.now() - (phase.startedAt ?? options.now()))}`;
  const status = () => `seed: ${running.map(progressOf).join(' · ')}, ${left()}`;

  const withinWidth = (line: string) =>
    options.columns && line.length >= options.columns ? `${line.slice(0, options.columns - 2)}…` : line;
  /** A finished line: on a terminal it replaces the one being rewritten. */
  const println = (line: string) => {
    options.write(options.tty ? `${CLEAR_LINE}${line}\n` : `${line}\n`);
    lineOpen = false;
  };
  const redraw = () => {
    if (running.length === 0) return;
    options.write(`${CLEAR_LINE}${withinWidth(status())}`);
    lineOpen = true;
  };

  /** The running phases' status, unless it was shown too recently. */
  const show = () => {
    if (running.length === 0) return;
    const now = options.now();
    if (now - lastShown < (options.tty ? redrawMs : intervalMs)) return;
    lastShown = now;
    if (options.tty) redraw();
    else println(status());
  };
  const find = (name: string) => running.find((p) => p.name === name);

  return {
    plan(planned) {
      phases = planned.map((p) => ({
        name: p.name,
        total: p.total,
        done: 0,
        ...(p.after ? { after: p.after } : {}),
      }));
    },
    start(name) {
      let phase = phases.find((p) => p.name === name);
      if (!phase) {
        // A phase nobody planned still reports, without a share of the estimate.
        phase = { name, total: 0, done: 0 };
        phases.push(phase);
      }
      phase.startedAt = options.now();
      running.push(phase);
      lastShown = phase.startedAt;
      if (options.tty) redraw();
      else println(`seed: ${label(phase)}: ${phase.total} to do, ${left()}`);
    },
    advance(name, count = 1) {
      const phase = find(name);
      if (!phase) return;
      phase.done = Math.min(phase.total, phase.done + count);
      show();
    },
    end(name, created) {
      const phase = find(name);
      if (!phase) return;
      phase.endedAt = options.now();
      phase.done = phase.total;
      running = running.filter((p) => p !== phase);
      const last = phases.every((p) => p.endedAt !== undefined);
      const news = created === undefined ? '' : created > 0 ? `, ${created} new` : ', nothing new';
      println(
        `seed: ${label(phase)} ${phase.done}/${phase.total} in ${formatDuration(phase.endedAt - (phase.startedAt ?? phase.endedAt))}` +
          `${news}${last ? '' : `; ${left()}`}`,
      );
      // The phases still running beside it get their line back.
      if (options.tty) redraw();
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
