/**
 * Who gets what from talent's routes, per persona of the access matrix (shared/service.ts).
 * Each route names one of these; "own" is branch A, which owns every object the matrix
 * touches, and `member` is the person whose record a route reads.
 */
import { allMembers, branchManagers } from '../../../shared/outcomes.js';
import type { Outcomes } from '../../../shared/service.js';

// Committee only: creating branches, the calendar, the audit log. Anyone signed in: the
// directory of branches. A branch's managers: registering and listing its people. All
// managers: the calendar, a pool's page. A person and their managers: one person's record,
// which the secretary reads on their own record too.
export {
  allManagers,
  branchManagers as ownBranchManagers,
  branchPeople as personAndManagers,
  committeeOnly,
  everyoneSignedIn,
} from '../../../shared/outcomes.js';

/**
 * Managing one person's record (corrections, records, pools, the pipeline, departure): the
 * person's secretary and the committee, but nobody on their own record (separation of
 * duties): the secretary acting on themselves gets 403 `own-record`.
 */
export const personManagers: Outcomes = { ...branchManagers, selfSecretary: 403 };

/**
 * The caller's own profile: every person on the register has one, the committee's members
 * too. An account that names no person of the register gets 403 `no-person` whatever its role.
 */
export const ownProfile: Outcomes = allMembers;
