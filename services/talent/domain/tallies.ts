/**
 * Head counts by birth date and political status (统计), kept for a branch and for the whole
 * institution so the insights need not read every person. Counting by birth date rather
 * than by age band keeps them true as people age: the bands are worked out at the date
 * asked about (age.ts). Counting by status gives the funnel its members and masses, the
 * large majority, without reading them.
 */
import type { PoliticalStatus } from '../events.js';

/** `count` people of this status born on this day, in the scope the tallies were read for. */
export interface Tally {
  birthDate: string;
  politicalStatus: PoliticalStatus;
  count: number;
}

/** What of a person the tallies count: where, born when, at which stage. */
export type Tallied = { birthDate: string; politicalStatus: PoliticalStatus; branchId?: string };

/** A change to one tally; `branchId` absent means the whole institution's (like the insights' answers). */
export interface TallyChange {
  branchId?: string;
  birthDate: string;
  politicalStatus: PoliticalStatus;
  delta: number;
}

/** Every tally a person is counted in: the institution's, and their branch's if they have one. */
const countedIn = (p: Tallied): Omit<TallyChange, 'delta'>[] => [
  { birthDate: p.birthDate, politicalStatus: p.politicalStatus },
  ...(p.branchId !== undefined
    ? [{ branchId: p.branchId, birthDate: p.birthDate, politicalStatus: p.politicalStatus }]
    : []),
];

const keyOf = (c: Omit<TallyChange, 'delta'>) => `${c.branchId ?? ''}|${c.birthDate}|${c.politicalStatus}`;

/**
 * Which tallies change when a person goes from `before` to `after` (absent: not on the
 * register). Out of the old ones, into the new ones; what cancels out (a change that leaves
 * birth date, status and branch alone) is no change at all, so it touches no summary item.
 */
export const tallyChanges = (before: Tallied | undefined, after: Tallied | undefined): TallyChange[] => {
  const net = new Map<string, TallyChange>();
  const add = (p: Tallied | undefined, delta: number) => {
    for (const c of p ? countedIn(p) : []) {
      const key = keyOf(c);
      const held = net.get(key);
      net.set(key, { ...c, delta: (held?.delta ?? 0) + delta });
    }
  };
  add(before, -1);
  add(after, +1);
  return [...net.values()].filter((c) => c.delta !== 0);
};

/** The tallies of a set of people, counted from scratch (the backfill, and the tests' reference). */
export const tallyOf = (people: readonly Tallied[]): Tally[] => {
  const counts = new Map<string, Tally>();
  for (const p of people) {
    const key = `${p.birthDate}|${p.politicalStatus}`;
    const held = counts.get(key);
    counts.set(key, {
      birthDate: p.birthDate,
      politicalStatus: p.politicalStatus,
      count: (held?.count ?? 0) + 1,
    });
  }
  return [...counts.values()];
};

/** How many people there are at each status. */
export const countsByStatus = (tallies: readonly Tally[]): Partial<Record<PoliticalStatus, number>> => {
  const counts: Partial<Record<PoliticalStatus, number>> = {};
  for (const t of tallies) counts[t.politicalStatus] = (counts[t.politicalStatus] ?? 0) + t.count;
  return counts;
};
