/**
 * What notices does with activities' leave requests (请假): LeaveRequested reaches the
 * branch's secretaries (from the roster copy), LeaveDecided the member who asked
 * (domain/leave-notices.ts). Each posted once under its natural id, as every event-made
 * notice, and delivered by deliver-notice to the inbox and by e-mail; the consumer marker
 * stops a redelivery.
 */
import { patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import { LeaveDecided, LeaveRequested } from '../activities/events.js';
import { branchSecretaries, rosterPerson } from '../talent/roster.js';
import { leaveDecidedNotice, leaveRequestedNotice } from './domain/leave-notices.js';
import { post } from './post.js';
import { rosterReader } from './store.js';

export const leaveNoticeSubscriptions = [
  subscription({
    name: 'leave-requested',
    pattern: patternFor(LeaveRequested),
    contract: LeaveRequested,
    handler: async (event, t, ctx) => {
      const r = event.data;
      const roster = rosterReader(ctx);
      const [secretaries, person] = await Promise.all([
        branchSecretaries(roster, r.branchId),
        rosterPerson(roster, r.personId),
      ]);
      const occurredAt = new Date(event.occurredAt);
      const notice = leaveRequestedNotice(
        r,
        secretaries.map((s) => s.personId),
        person?.name,
        occurredAt,
      );
      // The branch's only secretary asked: the committee decides, and sees it on the leave list.
      if (!notice) {
        ctx.log.info('leave requested: no other secretary to tell', { activityId: r.activityId });
        return;
      }
      await post(ctx, t, notice, occurredAt);
    },
  }),
  subscription({
    name: 'leave-decided',
    pattern: patternFor(LeaveDecided),
    contract: LeaveDecided,
    handler: async (event, t, ctx) => {
      const occurredAt = new Date(event.occurredAt);
      await post(ctx, t, leaveDecidedNotice(event.data, occurredAt), occurredAt);
    },
  }),
];
