/**
 * How long the rest of a seed run should take, from what it has done so far and what a
 * run took before. Pure, so the arithmetic is tested without a platform or a clock.
 */

export interface PhaseState {
  name: string;
  total: number;
  done: number;
  /**
   * The phases it waits for; the others run beside it. Undefined: it follows the phase before
   * it in the list, as in a run of one phase at a time.
   */
  after?: readonly string[];
  /** When it started and ended (ms on the run's clock); undefined until then. */
  startedAt?: number;
  endedAt?: number;
}

/** What one item of each phase is expected to take before this run has measured it. */
export type MsPerItem = Readonly<Record<string, number>>;

/**
 * How many items a phase must have done before its own rate outweighs the prior one: the
 * first items of a concurrent phase all finish together, so one of them says little.
 */
const TRUST_AFTER = 5;
/** A busy or idle machine changes every phase alike, within reason. */
const PACE_BOUNDS = [0.25, 4] as const;

const priorOf = (phase: PhaseState, prior: MsPerItem): number | undefined => prior[phase.name];

/**
 * How much slower (> 1) or faster (< 1) this run goes than the prior figures, judged on the
 * phases it has finished. A rerun that finds everything goes fast, and so will its next phases.
 */
export const paceOf = (phases: readonly PhaseState[], prior: MsPerItem): number => {
  let actual = 0;
  let expected = 0;
  for (const phase of phases) {
    const perItem = priorOf(phase, prior);
    // A phase of a few items is mostly waiting (a sign-in, a check) and says little of the machine.
    if (
      phase.endedAt === undefined ||
      phase.startedAt === undefined ||
      !perItem ||
      phase.total < TRUST_AFTER
    ) {
      continue;
    }
    actual += phase.endedAt - phase.startedAt;
    expected += perItem * phase.total;
  }
  if (expected === 0) return 1;
  return Math.min(PACE_BOUNDS[1], Math.max(PACE_BOUNDS[0], actual / expected));
};

/**
 * Milliseconds left for the whole run at `now`, or undefined when a phase to come has neither
 * a prior figure nor any progress to go by. The running phase blends its own rate with the
 * prior one, weighted by how many items it has done. Phases side by side overlap: what is
 * left is the longest chain of phases still to finish, each after those it waits for.
 */
export const remainingMs = (
  phases: readonly PhaseState[],
  prior: MsPerItem,
  now: number,
): number | undefined => {
  const pace = paceOf(phases, prior);
  const own = (phase: PhaseState): number | undefined => {
    if (phase.endedAt !== undefined) return 0;
    const remaining = Math.max(0, phase.total - phase.done);
    if (remaining === 0) return 0;
    const perItem = priorOf(phase, prior);
    const expected = perItem === undefined ? undefined : perItem * pace;
    if (phase.startedAt === undefined || phase.done === 0) {
      return expected === undefined ? undefined : expected * remaining;
    }
    const observed = (now - phase.startedAt) / phase.done;
    const weight = expected === undefined ? 1 : phase.done / (phase.done + TRUST_AFTER);
    return (weight * observed + (1 - weight) * (expected ?? 0)) * remaining;
  };
  // Listed in an order where every phase comes after those it waits for.
  const finish = new Map<string, number>();
  let longest = 0;
  for (const [i, phase] of phases.entries()) {
    const mine = own(phase);
    if (mine === undefined) return undefined;
    const waitsFor = phase.after ?? (i > 0 ? [(phases[i - 1] as PhaseState).name] : []);
    const start = Math.max(0, ...waitsFor.map((name) => finish.get(name) ?? 0));
    const end = start + mine;
    finish.set(phase.name, end);
    longest = Math.max(longest, end);
  }
  return longest;
};

/** "850 ms", "12 s", "2 min 05 s", "1 h 04 min": short enough for one terminal line. */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
};

/** The estimate as people read it: rounded, and honest when there is none yet. */
export const formatRemaining = (ms: number | undefined): string => {
  if (ms === undefined) return 'time left not known yet';
  if (ms < 1000) return 'almost done';
  // Seconds are noise in an estimate of minutes (judged after rounding, so never "2 min 00 s").
  if (Math.round(ms / 1000) >= 120 && ms < 3_600_000) return `about ${Math.round(ms / 60_000)} min left`;
  return `about ${formatDuration(ms)} left`;
};
