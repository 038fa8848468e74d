/**
 * The roles a person holds on the platform, which their sign-in account's groups follow.
 * Every person of the register is a member; the secretary (支部书记) of the branch they
 * belong to is also `secretary`; a member of the party committee (党委委员) is also
 * `committee`. Only the committee names secretaries and committee members, never for
 * themselves (separation of duties).
 */
import type { AccountProblem, AccountStatus } from '../../../shared/accounts.js';
import type { Role } from '../../../shared/auth.js';

export interface RoleFacts {
  branchId?: string;
  /** The branch whose secretary the person is, as the branch names them. */
  secretaryOf?: string;
  /** A member of the party committee. */
  committeeMember?: boolean;
}

export const accountGroups = (p: RoleFacts): Role[] => [
  ...(p.committeeMember ? (['committee'] as const) : []),
  ...(p.secretaryOf !== undefined && p.secretaryOf === p.branchId ? (['secretary'] as const) : []),
  'member',
];

/** What a person's sign-in account follows: who they are, where they sign in, their groups. */
export interface AccountFacts {
  personId: string;
  version: number;
  name: string;
  email?: string;
  branchId?: string;
  groups: Role[];
  /** False once the person left the register: their account is disabled. */
  active: boolean;
}

export const accountFactsOf = (
  p: RoleFacts & { personId: string; version: number; name: string; email?: string; departure?: unknown },
): AccountFacts => ({
  personId: p.personId,
  version: p.version,
  name: p.name,
  ...(p.email ? { email: p.email } : {}),
  ...(p.branchId ? { branchId: p.branchId } : {}),
  groups: accountGroups(p),
  active: p.departure === undefined,
});

/** How a person's sign-in account stands, as the platform's accounts function last reported it. */
export interface AccountState {
  status: AccountStatus;
  problem?: AccountProblem;
  /** The person version the account was brought in line with. */
  personVersion: number;
  reportedAt: string;
}
