/**
 * Scope by relationship: an activity belongs to exactly one branch, so the people and the
 * party group a request names must be of that branch, as this service's roster copy knows
 * it, whoever asks (the committee too). Anything else does not exist for the request: 404
 * `not-found`, the same for a person of another branch and for an id nobody holds. Pure.
 */
import { accept, DomainError, type Result, refuse } from '../../../shared/errors.js';

export interface BranchPerson {
  personId: string;
  branchId?: string;
  partyGroupId?: string;
  departedOn?: string;
}

const missing = (what: string, details: Record<string, unknown>) =>
  new DomainError('not-found', 'not-found', `${what} not found`, details);

/** The people of `branchId` among `roster` (who has left the register is no one's any more). */
export const peopleOfBranch = (roster: readonly BranchPerson[], branchId: string): Set<string> =>
  new Set(roster.filter((p) => p.branchId === branchId && p.departedOn === undefined).map((p) => p.personId));

/** Every id in `personIds` is a person of the branch; the others are named as not found. */
export const peopleInBranch = (
  personIds: readonly string[],
  ofBranch: ReadonlySet<string>,
): Result<readonly string[], DomainError> => {
  const strangers = [...new Set(personIds.filter((id) => !ofBranch.has(id)))];
  return strangers.length ? refuse(missing('Person', { personIds: strangers })) : accept(personIds);
};

/**
 * The party group is one of the branch's: named by a member of its roster copy, or by the
 * branch's party-group tally (which remembers groups that once had members).
 */
export const partyGroupInBranch = (
  partyGroupId: string,
  roster: readonly BranchPerson[],
  branchId: string,
  tallied: readonly string[],
): Result<string, DomainError> =>
  tallied.includes(partyGroupId) ||
  roster.some((p) => p.branchId === branchId && p.partyGroupId === partyGroupId)
    ? accept(partyGroupId)
    : refuse(missing('Party group', { partyGroupId }));
