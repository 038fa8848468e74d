import { describe, expect, it } from 'vitest';
import { groupsWithMembers, type Placement, tallyChanges, tallyOf } from './party-groups.js';

const member = (branchId: string, partyGroupId?: string): Placement => ({
  branchId,
  ...(partyGroupId ? { partyGroupId } : {}),
  politicalStatus: 'full',
});

describe('party-group tally changes (old snapshot → new snapshot)', () => {
  it('counts a registered member in their group, and no one without a group, branch or membership', () => {
    expect(tallyChanges(undefined, member('b1', 'g1'))).toEqual([{ branchId: 'b1', counts: { g1: 1 } }]);
    expect(tallyChanges(undefined, member('b1'))).toEqual([]);
    expect(tallyChanges(undefined, { partyGroupId: 'g1', politicalStatus: 'full' })).toEqual([]);
    expect(tallyChanges(undefined, { ...member('b1', 'g1'), politicalStatus: 'activist' })).toEqual([]);
  });

  it('moves the count between groups of one branch in one change of that branch', () => {
    expect(tallyChanges(member('b1', 'g1'), member('b1', 'g2'))).toEqual([
      { branchId: 'b1', counts: { g1: -1, g2: 1 } },
    ]);
  });

  it('moves the count between branches, one change per branch', () => {
    expect(tallyChanges(member('b1', 'g1'), member('b2', 'g9'))).toEqual([
      { branchId: 'b1', counts: { g1: -1 } },
      { branchId: 'b2', counts: { g9: 1 } },
    ]);
    expect(tallyChanges(member('b1', 'g1'), member('b2'))).toEqual([{ branchId: 'b1', counts: { g1: -1 } }]);
  });

  it('follows stage changes into and out of membership (预备 and 正式 count)', () => {
    const candidate: Placement = { ...member('b1', 'g1'), politicalStatus: 'candidate' };
    const probationary: Placement = { ...member('b1', 'g1'), politicalStatus: 'probationary' };
    expect(tallyChanges(candidate, probationary)).toEqual([{ branchId: 'b1', counts: { g1: 1 } }]);
    expect(tallyChanges(probationary, member('b1', 'g1'))).toEqual([]);
    expect(tallyChanges(probationary, { ...probationary, politicalStatus: 'masses' })).toEqual([
      { branchId: 'b1', counts: { g1: -1 } },
    ]);
  });

  it('changes nothing when the placement stays (a name or birth date corrected)', () => {
    expect(tallyChanges(member('b1', 'g1'), member('b1', 'g1'))).toEqual([]);
    expect(tallyChanges(member('b1'), member('b1'))).toEqual([]);
  });

  it('adds up, change after change, to the tally rebuilt from the final roster', () => {
    const history: Placement[][] = [
      [
        member('b1', 'g1'),
        member('b1', 'g2'),
        member('b2', 'g3'),
        { ...member('b2', 'g3'), politicalStatus: 'masses' },
      ],
      [member('b1', 'g1'), member('b1', 'g1')],
      [{ ...member('b1', 'g2'), politicalStatus: 'candidate' }, member('b1', 'g2')],
    ];
    const running = new Map<string, Record<string, number>>();
    for (const snapshots of history) {
      let held: Placement | undefined;
      for (const next of snapshots) {
        for (const { branchId, counts } of tallyChanges(held, next)) {
          const tally = running.get(branchId) ?? {};
          for (const [g, n] of Object.entries(counts)) tally[g] = (tally[g] ?? 0) + n;
          running.set(branchId, tally);
        }
        held = next;
      }
    }
    const rebuilt = tallyOf(history.map((s) => s[s.length - 1] as Placement));
    for (const [branchId, counts] of running) {
      expect(groupsWithMembers(counts)).toEqual(groupsWithMembers(rebuilt.get(branchId) ?? {}));
    }
    expect(rebuilt).toEqual(new Map([['b1', { g1: 1, g2: 1 }]]));
    expect(groupsWithMembers(running.get('b2') ?? {})).toEqual([]);
  });
});
