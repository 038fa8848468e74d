import { describe, expect, it } from 'vitest';
import { partyGroupInBranch, peopleInBranch, peopleOfBranch } from './scope.js';

const roster = [
  { personId: 'a1', branchId: 'A', partyGroupId: 'gA' },
  { personId: 'a2', branchId: 'A' },
  { personId: 'gone', branchId: 'A', departedOn: '2026-01-01' },
  { personId: 'b1', branchId: 'B', partyGroupId: 'gB' },
];

describe('scope by relationship', () => {
  it('accepts people of the branch and names the others as not found', () => {
    const ofA = peopleOfBranch(roster, 'A');
    expect(peopleInBranch(['a1', 'a2'], ofA).ok).toBe(true);
    const refused = peopleInBranch(['a1', 'b1', 'nobody', 'gone', 'b1'], ofA);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.kind).toBe('not-found');
      expect(refused.error.code).toBe('not-found');
      expect(refused.error.details).toEqual({ personIds: ['b1', 'nobody', 'gone'] });
    }
  });

  it("accepts only the branch's party groups, from the roster or the tally", () => {
    expect(partyGroupInBranch('gA', roster, 'A', []).ok).toBe(true);
    expect(partyGroupInBranch('gOld', roster, 'A', ['gOld']).ok).toBe(true);
    const other = partyGroupInBranch('gB', roster, 'A', []);
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.error.code).toBe('not-found');
  });
});
