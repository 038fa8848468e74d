/**
 * Who gets what from talent's routes, per persona of the access matrix (shared/service.ts).
 * Each route names one of these; "own" is branch A, which owns every object the matrix
 * touches, and `member` is the person whose record a route reads.
 */
import { allMembers } from '../../../shared/outcomes.js';
import type { Outcomes } from '../../../shared/service.js';

// Committee only: creating branches, the calendar, the audit log. Anyone signed in: the
// directory of branches. A branch's managers: its people's records. All managers: the
// calendar, a pool's page. A person and their managers: one person's record.
export {
  allManagers,
  branchManagers as ownBranchManagers,
  branchPeople as personAndManagers,
  committeeOnly,
  everyoneSignedIn,
} from '../../../shared/outcomes.js';

/**
 * The caller's own profile: every person on the register has one, the committee's members
 * too. An account that names no person of the register gets 403 `no-person` whatever its role.
 */
export const ownProfile: Outcomes = allMembers;
