/**
 * Membership over a whole life (党员组织关系): how a party member leaves the branch's counts
 * (a transfer out, the end of membership) or retires. A transfer out and every end but
 * retirement are departures (domain/person.ts `Departure`): one write path, so rosters,
 * tallies, insights and the account follow as they do for any departure. A retirement keeps
 * the person a current member, in the institution's retired members' branch (离退休党支部) if
 * it has one. Pure.
 */
import { accept, conflict, DomainError, type Result, refuse, ruleViolation } from '../../../shared/errors.js';
import { memberStatuses } from '../events.js';
import type { Departure, Person } from './person.js';

/**
 * How a membership ends: 退休 (`retired`, still a member), 停止党籍 (`membership-stopped`),
 * 出党 (`expelled`, a discipline outcome), 去世 (`deceased`).
 */
export const membershipEnds = ['retired', 'membership-stopped', 'expelled', 'deceased'] as const;
export type MembershipEnd = (typeof membershipEnds)[number];

/** The departure each end but retirement is recorded as. */
export const departureReasonOf: Record<Exclude<MembershipEnd, 'retired'>, Departure['reason']> = {
  'membership-stopped': 'membership-stopped',
  expelled: 'expelled',
  deceased: 'deceased',
};

const requireMember = (person: Pick<Person, 'politicalStatus'>, what: string): Result<true> =>
  memberStatuses.includes(person.politicalStatus)
    ? accept(true as const)
    : refuse(
        ruleViolation(
          'not-a-party-member',
          `${what} is for party members (预备党员, 正式党员); the person is ${person.politicalStatus}`,
        ),
      );

export interface TransferOutCommand {
  person: Pick<Person, 'politicalStatus'>;
  on: string;
  today: string;
}

/** A transfer out (组织关系转出) moves a party member's relationship away, on or before today. */
export const checkTransferOut = (c: TransferOutCommand): Result<true> => {
  const member = requireMember(c.person, 'a transfer of the organisational relationship');
  if (!member.ok) return member;
  if (c.on > c.today) return refuse(ruleViolation('departure-in-future', `${c.on} is after today`));
  return accept(true as const);
};

export interface EndMembershipCommand {
  person: Pick<Person, 'politicalStatus' | 'retirement'>;
  kind: MembershipEnd;
  on: string;
  today: string;
  byCommittee: boolean;
}

/**
 * An end of membership is a decision already taken, so it is dated on or before today; an
 * expulsion (出党) is a discipline outcome, the committee's alone; a retirement is recorded once.
 */
export const checkEndMembership = (c: EndMembershipCommand): Result<true> => {
  if (c.kind === 'expelled' && !c.byCommittee) {
    return refuse(
      new DomainError(
        'forbidden',
        'expulsion-committee-only',
        'An expulsion (出党) is a discipline outcome the committee records',
      ),
    );
  }
  const member = requireMember(c.person, 'an end of membership');
  if (!member.ok) return member;
  if (c.on > c.today) {
    return refuse(ruleViolation('effective-date-in-future', `${c.on} is after today`));
  }
  if (c.kind === 'retired' && c.person.retirement) {
    return refuse(conflict('already-retired', `the person retired on ${c.person.retirement.on}`));
  }
  return accept(true as const);
};

/** A branch as the retirement rule sees it: whether it is a retired members' branch (离退休党支部). */
export interface RetirementBranch {
  branchId: string;
  retiredMembers: boolean;
}

export interface RetirementPlacementCommand {
  person: Pick<Person, 'branchId'>;
  /** Every branch of the institution (a few dozen). */
  branches: readonly RetirementBranch[];
  /** The retired members' branch the decision names, if it names one. */
  requested?: string | undefined;
}

/**
 * Where a retiree belongs: the retired members' branch is a fact of the institution, so a
 * named branch must be one, and none named means the only one there is. Which branch the
 * person moves to, or `undefined` when they stay where they are: the institution has no
 * retired members' branch, or they are in one already.
 */
export const retirementPlacement = (c: RetirementPlacementCommand): Result<string | undefined> => {
  const here = (branchId: string) => (branchId === c.person.branchId ? undefined : branchId);
  if (c.requested !== undefined) {
    const named = c.branches.find((b) => b.branchId === c.requested);
    if (!named) return refuse(ruleViolation('unknown-branch', `branch ${c.requested} does not exist`));
    if (!named.retiredMembers) {
      return refuse(
        ruleViolation(
          'not-a-retired-members-branch',
          `branch ${c.requested} is not a retired members' branch (离退休党支部)`,
        ),
      );
    }
    return accept(here(named.branchId));
  }
  const retiredBranches = c.branches.filter((b) => b.retiredMembers);
  if (retiredBranches.some((b) => b.branchId === c.person.branchId)) return accept(undefined);
  const [only, ...others] = retiredBranches;
  if (only === undefined) return accept(undefined);
  if (others.length > 0) {
    return refuse(
      ruleViolation(
        'retired-branch-required',
        `the institution has ${retiredBranches.length} retired members' branches: name one (retiredBranchId)`,
      ),
    );
  }
  return accept(here(only.branchId));
};
