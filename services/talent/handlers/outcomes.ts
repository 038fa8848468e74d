/**
 * Who gets what from talent's routes, per persona of the access matrix (shared/service.ts).
 * Each route names one of these; "own" is branch A, which owns every object the matrix
 * touches, and `member` is the person whose record a route reads.
 */
import type { Outcomes } from '../../../shared/service.js';

/** Committee (党委) only: creating branches, the calendar, the audit log. */
export const committeeOnly: Outcomes = {
  anonymous: 401,
  member: 403,
  ownSecretary: 403,
  otherSecretary: 403,
  committee: 'allowed',
  ownPartner: 403,
  otherPartner: 403,
};

/** Anyone signed in: the directory of branches. */
export const everyoneSignedIn: Outcomes = {
  anonymous: 401,
  member: 'allowed',
  ownSecretary: 'allowed',
  otherSecretary: 'allowed',
  committee: 'allowed',
  ownPartner: 'allowed',
  otherPartner: 'allowed',
};

/** Managing a branch's people: its secretary and the committee; another branch's secretary learns nothing. */
export const ownBranchManagers: Outcomes = {
  anonymous: 401,
  member: 403,
  ownSecretary: 'allowed',
  otherSecretary: 404,
  committee: 'allowed',
  ownPartner: 403,
  otherPartner: 403,
};

/** Institution-wide references secretaries work from (the calendar, a pool's page). */
export const allManagers: Outcomes = {
  anonymous: 401,
  member: 403,
  ownSecretary: 'allowed',
  otherSecretary: 'allowed',
  committee: 'allowed',
  ownPartner: 403,
  otherPartner: 403,
};

/** One person's record: the person, their branch's secretary, the committee. */
export const personAndManagers: Outcomes = {
  anonymous: 401,
  member: 'allowed',
  ownSecretary: 'allowed',
  otherSecretary: 404,
  committee: 'allowed',
  ownPartner: 403,
  otherPartner: 403,
};

/**
 * The caller's own profile: every person on the register has one; a committee account that
 * is not a person on the register (the matrix's committee) has none to show.
 */
export const ownProfile: Outcomes = {
  anonymous: 401,
  member: 'allowed',
  ownSecretary: 'allowed',
  otherSecretary: 'allowed',
  committee: 404,
  ownPartner: 403,
  otherPartner: 403,
};
