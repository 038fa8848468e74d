import { actorOf, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap } from '../../../shared/errors.js';
import { isoDateTime, multiLine } from '../../../shared/schemas.js';
import { localYear } from '../../../shared/time.js';
import { branchRoster } from '../../talent/roster.js';
import { type Activity, canSee, organises } from '../domain/activity.js';
import type { LateWrite } from '../domain/late-entry.js';
import { partyGroupInBranch, peopleInBranch, peopleOfBranch } from '../domain/scope.js';
import { getActivity, partyGroupTally, rosterReader } from '../store.js';

/**
 * An instant this service stores or looks up (an activity's start or end, a window's edge):
 * its local year is 2000-2100. Beyond that it is a typo, and past the year 9999 in UTC it no
 * longer even writes as an ISO date in keys and events.
 */
export const instant = isoDateTime
  .refine((iso) => {
    const year = localYear(new Date(iso));
    return year >= 2000 && year <= 2100;
  }, 'Expected a time between the years 2000 and 2100')
  .meta({
    description: 'An instant with its offset (`Z` counts), in the years 2000–2100 in Asia/Shanghai',
    example: '2026-11-26T09:30:00+08:00',
  });

/** Why an activity is recorded late (domain/late-entry.ts): free text. */
export const lateEntryReason = multiLine(1000);

/** The late-entry question a write asks: what, by whom (the committee may go further), when. */
export const lateWrite = (
  write: LateWrite,
  caller: Caller,
  endsAt: string,
  now: Date,
  reason: string | undefined,
) => ({ write, endsAt, now, reason, committee: hasRole(caller, 'committee'), by: actorOf(caller) });

/** The activity if the caller may see it; otherwise it does not exist for them. */
export const visibleActivity = async (ctx: ServiceContext, caller: Caller, activityId: string) => {
  const a = await getActivity(ctx, activityId);
  if (!a || !canSee(caller, a)) throw notFound('Activity');
  return a;
};

/** The activity if the caller organises it (committee, or the branch's secretary); else 404. */
export const organisedActivity = async (ctx: ServiceContext, caller: Caller, activityId: string) => {
  const a = await getActivity(ctx, activityId);
  if (!a || !organises(caller, a.branchId)) throw notFound('Activity');
  return a;
};

/**
 * The people and the party group a request names must be of the activity's branch, as the
 * roster copy knows it, whoever asks: 404 `not-found` otherwise (domain/scope.ts).
 */
export const requireInBranch = async (
  ctx: ServiceContext,
  branchId: string,
  named: { personIds?: readonly string[]; partyGroupId?: string | undefined },
): Promise<void> => {
  if (!named.personIds?.length && named.partyGroupId === undefined) return;
  const roster = await branchRoster(rosterReader(ctx), branchId);
  const group = named.partyGroupId;
  // A group with members shows on the roster; only one without is looked up in the tally,
  // which remembers the groups emptied since: one read, not two, for the usual meeting.
  if (group !== undefined && !partyGroupInBranch(group, roster, branchId, []).ok) {
    unwrap(partyGroupInBranch(group, roster, branchId, Object.keys(await partyGroupTally(ctx, branchId))));
  }
  if (named.personIds?.length) unwrap(peopleInBranch(named.personIds, peopleOfBranch(roster, branchId)));
};

export const activityRef = (a: Activity) => ({
  activityId: a.activityId,
  branchId: a.branchId,
  type: a.type,
  title: a.title,
  startsAt: a.startsAt,
  endsAt: a.endsAt,
  ...(a.partyGroupId ? { partyGroupId: a.partyGroupId } : {}),
  ...(a.recordedLate ? { recordedLate: a.recordedLate } : {}),
});

/*
 * Who gets what from each route (the access matrix). "Own" is the branch that owns the
 * activity or insight; rooms and the cadence rules belong to the whole institution.
 */
export {
  allManagers as anyOrganiser,
  allMembers as anyMember,
  branchManagers as branchOrganisers,
  branchPeople,
  committeeOnly,
} from '../../../shared/outcomes.js';
