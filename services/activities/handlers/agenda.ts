/** A member's agenda (我的活动): the activities they are invited to, with their check-in and leave. */
import * as z from 'zod';
import type { ServiceContext } from '../../../shared/context.js';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { ok } from '../../../shared/http/result.js';
import { timestamp } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { rosterSelf } from '../../talent/roster.js';
import type { Activity } from '../domain/activity.js';
import { finalStatus, type RecordedStatus } from '../domain/attendance.js';
import { attendanceStatuses } from '../events.js';
import { type AgendaEntry, agendaPage, syncAgenda } from '../store/agenda.js';
import { rosterReader } from '../store.js';
import { ActivityView, activityView, local } from '../views.js';
import { anyMember } from './common.js';
import { LeaveView, leaveView } from './leave.js';

const AgendaAttendanceView = z.strictObject({
  status: z.enum([...attendanceStatuses, 'unknown']).meta({
    description:
      'present — 出席; late — 迟到; excused — 请假 (recorded, or leave approved and nothing recorded); absent — 缺席; unknown — 未登记 (not checked in yet)',
  }),
  checkedInAt: timestamp.optional().meta({ description: 'When the person checked in themselves' }),
});

export const AgendaItemView = z
  .strictObject({
    activity: ActivityView,
    attendance: AgendaAttendanceView,
    leave: LeaveView.optional().meta({ description: 'The leave request (请假) the person made, if any' }),
  })
  .meta({ id: 'AgendaItem' });

/** As completion would count it: a record stands, approved leave excuses, nothing is unknown until completion. */
const attendanceOf = (e: AgendaEntry): z.output<typeof AgendaAttendanceView> => {
  if (e.attendance) {
    return {
      status: e.attendance.status,
      ...(e.attendance.checkedInAt ? { checkedInAt: local(e.attendance.checkedInAt) } : {}),
    };
  }
  const status: RecordedStatus = e.leave?.status === 'approved' ? 'excused' : 'unknown';
  return { status: e.activity.status === 'completed' ? finalStatus(status) : status };
};

/**
 * The invitees' agenda entries after an activity's commit. The commit stands if this fails:
 * the `sync-agenda` subscriptions do it again from the committed state.
 */
export const agendaAfterCommit = async (
  ctx: ServiceContext,
  next: Activity,
  previous?: Pick<Activity, 'startsAt' | 'inviteeIds'>,
) => {
  try {
    await syncAgenda(ctx, next, previous);
  } catch (error) {
    ctx.log.warn('agenda left to the sync-agenda subscription', {
      activityId: next.activityId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
};

export const agendaRoutes = [
  route('GET /activities/me', {
    summary:
      'My agenda: the activities I am invited to that have not ended, by start, with my check-in and leave',
    description:
      'Activities not yet ended at the request time (those under way included), not cancelled, in which the caller’s person is an invitee, ordered by start. One Query of the caller’s own entries, never a read of every activity.',
    // Everyone with a person of a branch: members and secretaries; a committee account alone is nobody's invitee.
    access: ['member', 'secretary'],
    outcomes: { ...anyMember, committee: 403 },
    refusals: ['no-person'],
    responses: { 200: pageOf(AgendaItemView) },
    request: { query: z.strictObject({ ...pageQuery }) },
    handler: async ({ query, caller, now }, ctx) => {
      const { personId } = await rosterSelf(rosterReader(ctx), caller);
      const page = await agendaPage(ctx, personId, now, query.limit, query.cursor);
      return ok({
        items: page.items.map((e) => ({
          activity: activityView(e.activity, caller),
          attendance: attendanceOf(e),
          ...(e.leave ? { leave: leaveView(e.leave) } : {}),
        })),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    },
  }),
];
