/**
 * The party-group tally (党小组 member counts per branch), kept beside the roster copy so
 * compliance learns which groups have members without reading every person. Pure.
 */
import { memberStatuses, type PoliticalStatus } from '../../talent/events.js';

/** The parts of a roster snapshot that decide where (if anywhere) a person is counted. */
export interface Placement {
  branchId?: string;
  partyGroupId?: string;
  politicalStatus: PoliticalStatus;
}

/** Member-count changes of one branch's party groups: partyGroupId → +n / −n. */
export interface TallyChange {
  branchId: string;
  counts: Record<string, number>;
}

/** The group a person counts in: a member (预备 or 正式) of a party group of a branch. */
const countedIn = (p: Placement | undefined) =>
  p?.branchId && p.partyGroupId && memberStatuses.includes(p.politicalStatus)
    ? { branchId: p.branchId, partyGroupId: p.partyGroupId }
    : undefined;

/**
 * What replacing the snapshot held (`undefined`: none yet) by the next one does to the
 * tallies: at most one group loses the person and one gains them, merged per branch because
 * one transaction may touch a branch's tally item only once.
 */
export const tallyChanges = (held: Placement | undefined, next: Placement): TallyChange[] => {
  const before = countedIn(held);
  const after = countedIn(next);
  if (before?.branchId === after?.branchId && before?.partyGroupId === after?.partyGroupId) return [];
  const byBranch = new Map<string, Record<string, number>>();
  const add = (at: { branchId: string; partyGroupId: string } | undefined, delta: number) => {
    if (!at) return;
    const counts = byBranch.get(at.branchId) ?? {};
    counts[at.partyGroupId] = (counts[at.partyGroupId] ?? 0) + delta;
    byBranch.set(at.branchId, counts);
  };
  add(before, -1);
  add(after, +1);
  return [...byBranch].map(([branchId, counts]) => ({ branchId, counts }));
};

/** Per branch, how many members each party group has: the tally rebuilt from a whole roster. */
export const tallyOf = (roster: readonly Placement[]): Map<string, Record<string, number>> => {
  const tallies = new Map<string, Record<string, number>>();
  for (const person of roster) {
    for (const { branchId, counts } of tallyChanges(undefined, person)) {
      const tally = tallies.get(branchId) ?? {};
      for (const [group, n] of Object.entries(counts)) tally[group] = (tally[group] ?? 0) + n;
      tallies.set(branchId, tally);
    }
  }
  return tallies;
};

/** The groups of a tally that have members now (a group emptied keeps a zero counter). */
export const groupsWithMembers = (counts: Record<string, number>): string[] =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([group]) => group)
    .sort();
