/** activities: 三会一课 and party activities, attendance, rooms and compliance. */
import { patternFor } from '../../shared/events/contract.js';
import { defineService, type SubscriptionSpec, subscription } from '../../shared/service.js';
import { rosterSubscriptions } from '../talent/roster.js';
import { activitySchedules } from './cadence-watch.js';
import {
  ActivityCancelled,
  ActivityCompleted,
  ActivityMoved,
  ActivityScheduled,
  activitiesEvents,
} from './events.js';
import { activityRoutes, finishCompletion } from './handlers/activities.js';
import { agendaRoutes } from './handlers/agenda.js';
import { attendanceRoutes } from './handlers/attendance.js';
import { campaignRoutes } from './handlers/campaigns.js';
import { evidenceRoutes, evidenceSubscriptions } from './handlers/evidence.js';
import { exportRoutes } from './handlers/exports.js';
import { insightRoutes } from './handlers/insights.js';
import { leaveRoutes } from './handlers/leave.js';
import { roomRoutes } from './handlers/rooms.js';
import { settingsRoutes } from './handlers/settings.js';
import { resyncAgenda } from './store/agenda.js';
import { followRoster, knownBranchItem, table } from './store.js';

/**
 * talent's roster, kept by the shared projection, with each branch's party-group tally
 * following it in the same transaction; each update also notes the person's branch, so the
 * committee's compliance view lists branches that have held nothing yet.
 */
const roster = rosterSubscriptions(table, { alsoWrite: followRoster }).map(
  (s): SubscriptionSpec => ({
    ...s,
    handler: async (event, t, ctx) => {
      await s.handler(event, t, ctx);
      const branchId = (event.data as { person: { branchId?: string } }).person.branchId;
      if (branchId) t.put(knownBranchItem(branchId));
    },
  }),
);

export const activitiesService = defineService({
  name: 'activities',
  table,
  // Activities' evidence (佐证材料), uploaded with presigned POSTs and checked on "Object Created";
  // and the registers exported too large to answer directly, kept a day for their download.
  bucket: { name: 'evidence', objectEvents: true, expiring: [{ prefix: 'exports/', days: 1 }] },
  publishes: activitiesEvents,
  routes: [
    ...roomRoutes,
    ...settingsRoutes,
    ...insightRoutes,
    ...exportRoutes,
    // Before activityRoutes: `/activities/campaigns` is a path of its own, not an activity's id.
    ...campaignRoutes,
    ...activityRoutes,
    ...attendanceRoutes,
    ...leaveRoutes,
    ...agendaRoutes,
    ...evidenceRoutes,
  ],
  subscriptions: [
    ...roster,
    // The safety net of completion: whatever attendance the completing request did not get
    // to publish (it crashed, timed out) is published here, once, from the committed state.
    subscription({
      name: 'finish-completion',
      pattern: patternFor(ActivityCompleted),
      contract: ActivityCompleted,
      handler: async ({ data }, _t, ctx) =>
        finishCompletion(ctx, { ...data, invited: data.attendance.invited }),
    }),
    // The safety net of the members' agendas (store/agenda.ts): the invitees' entries checked
    // against the committed activity, and what the request did not get to written.
    subscription({
      name: 'sync-agenda-scheduled',
      pattern: patternFor(ActivityScheduled),
      contract: ActivityScheduled,
      handler: async ({ data }, _t, ctx) => resyncAgenda(ctx, data.activityId, { expected: data }),
    }),
    subscription({
      name: 'sync-agenda-moved',
      pattern: patternFor(ActivityMoved),
      contract: ActivityMoved,
      handler: async ({ data }, _t, ctx) =>
        resyncAgenda(ctx, data.activityId, {
          expected: data,
          previous: { startsAt: data.previous.startsAt, inviteeIds: data.inviteeIds },
        }),
    }),
    subscription({
      name: 'sync-agenda-cancelled',
      pattern: patternFor(ActivityCancelled),
      contract: ActivityCancelled,
      handler: async (event, _t, ctx) => resyncAgenda(ctx, event.data.activityId),
    }),
    ...evidenceSubscriptions,
  ],
  // The daily cadence watch: a period about to be missed is told, once (cadence-watch.ts).
  schedules: activitySchedules,
});
