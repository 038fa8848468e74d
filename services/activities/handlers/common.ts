import type { Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound } from '../../../shared/errors.js';
import { isoDateTime } from '../../../shared/schemas.js';
import { localYear, toLocalIso } from '../../../shared/time.js';
import { type Activity, canSee, organises } from '../domain/activity.js';
import { getActivity } from '../store.js';

export const local = (iso: string) => toLocalIso(new Date(iso));

/**
 * An instant this service stores or looks up (an activity's start or end, a window's edge):
 * its local year is 2000-2100. Beyond that it is a typo, and past the year 9999 in UTC it no
 * longer even writes as an ISO date in keys and events.
 */
export const instant = isoDateTime.refine((iso) => {
  const year = localYear(new Date(iso));
  return year >= 2000 && year <= 2100;
}, 'Expected a time between the years 2000 and 2100');

/** What a caller sees of an activity: the check-in code only if they organise it. */
export const activityView = (a: Activity, caller: Caller) => {
  const { checkInCode, attendanceClosed: _closed, ...rest } = a;
  return {
    ...rest,
    startsAt: local(a.startsAt),
    endsAt: local(a.endsAt),
    ...(organises(caller, a.branchId) ? { checkInCode } : {}),
  };
};

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

export const activityRef = (a: Activity) => ({
  activityId: a.activityId,
  branchId: a.branchId,
  type: a.type,
  title: a.title,
  startsAt: a.startsAt,
  endsAt: a.endsAt,
  ...(a.partyGroupId ? { partyGroupId: a.partyGroupId } : {}),
});
