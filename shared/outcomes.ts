/**
 * The access patterns most routes share, as outcomes per persona of the access matrix
 * (shared/service.ts). "Own" is the branch that owns the object a route acts on. A route
 * still names its outcomes next to itself; these only give the common ones one name.
 */
import type { Outcomes } from './service.js';

const staffOnly = { anonymous: 401, ownPartner: 403, otherPartner: 403 } as const;

/** The committee (党委) alone. */
export const committeeOnly: Outcomes = {
  ...staffOnly,
  member: 403,
  ownSecretary: 403,
  selfSecretary: 403,
  otherSecretary: 403,
  committee: 'allowed',
};

/** Managing a branch's things: the committee and that branch's secretary; another branch's secretary finds nothing (404). */
export const branchManagers: Outcomes = {
  ...staffOnly,
  member: 403,
  ownSecretary: 'allowed',
  selfSecretary: 'allowed',
  otherSecretary: 404,
  committee: 'allowed',
};

/** What is meant for a branch's people: its members (the secretary too) and the committee; another branch's secretary gets 404. */
export const branchPeople: Outcomes = { ...branchManagers, member: 'allowed' };

/** Institution-wide things for those who organise: the committee and every branch secretary. */
export const allManagers: Outcomes = { ...branchManagers, otherSecretary: 'allowed' };

/** Institution-wide things for every party member, the committee and secretaries included. */
export const allMembers: Outcomes = { ...branchPeople, otherSecretary: 'allowed' };

/** Anyone signed in, partners included. */
export const everyoneSignedIn: Outcomes = { ...allMembers, ownPartner: 'allowed', otherPartner: 'allowed' };

/** Public: with or without a token. */
export const everyone: Outcomes = { ...everyoneSignedIn, anonymous: 'allowed' };
