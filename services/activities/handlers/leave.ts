/** Leave (请假): an invitee asks before the start, the branch's secretary or the committee decides. */
import * as z from 'zod';
import { actorOf } from '../../../shared/auth.js';
import { DomainError, notFound, unwrap } from '../../../shared/errors.js';
import { pageOf, pageQuery, pageView } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { idParam, multiLine, timestamp } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import { rosterSelf } from '../../talent/roster.js';
import {
  canAskLeave,
  canDecideLeave,
  type LeaveRequest,
  leaveDecisions,
  leaveStatuses,
} from '../domain/leave.js';
import { LeaveDecided, LeaveRequested } from '../events.js';
import { decideLeave, getLeave, LEAVE_REQUESTED_MEANWHILE, leavePage, requestLeave } from '../store/leave.js';
import { commitRetryingConflicts, rosterReader } from '../store.js';
import { activityRef, branchOrganisers, branchPeople, organisedActivity, visibleActivity } from './common.js';

export const leaveStatusEnum = z.enum(leaveStatuses).meta({
  description: 'pending — 待审批; approved — 已批准 (excused at completion); declined — 未批准',
});

export const LeaveView = z
  .strictObject({
    activityId: z.string(),
    personId: z.string(),
    reason: z.string(),
    status: leaveStatusEnum,
    requestedAt: timestamp,
    decidedAt: timestamp.optional(),
    decidedBy: z.string().optional().meta({ description: 'The person who decided' }),
    note: z.string().optional().meta({ description: "The decider's note to the member" }),
  })
  .meta({ id: 'LeaveRequest' });

export const leaveView = (l: LeaveRequest): z.output<typeof LeaveView> => ({
  activityId: l.activityId,
  personId: l.personId,
  reason: l.reason,
  status: l.status,
  requestedAt: l.requestedAt,
  ...(l.decidedAt ? { decidedAt: l.decidedAt } : {}),
  ...(l.decidedBy ? { decidedBy: l.decidedBy } : {}),
  ...(l.note ? { note: l.note } : {}),
});

const activityParams = z.strictObject({ activityId: idParam });

export const leaveRoutes = [
  route('POST /activities/{activityId}/leave', {
    summary: 'Ask for leave (请假) from an activity, for yourself, before it starts',
    description:
      'The caller asks for their own person: the body names nobody (a `personId` is a 400). A second request answers 200 with the one standing, as it stands (pending or decided), unchanged.',
    // Invitees are people of the activity's branch; an account that is committee alone is
    // nobody's invitee (as for check-in).
    access: ['member', 'secretary'],
    outcomes: { ...branchPeople, committee: 403 },
    refusals: [
      'no-person',
      'not-invited',
      'leave-after-start',
      'activity-cancelled',
      'activity-completed',
      'activity-completing',
      'version-conflict',
    ],
    // 201 for a new request; 200 repeats the one that already stands.
    responses: { 200: LeaveView, 201: LeaveView },
    request: {
      params: activityParams,
      body: z.strictObject({ reason: multiLine(500).min(1).meta({ example: '赴外地参加抽检工作' }) }),
    },
    handler: async ({ params, body, caller, now }, ctx) => {
      // Always the caller's own person: there is no asking for someone else.
      const { personId } = await rosterSelf(rosterReader(ctx), caller);
      const a = await visibleActivity(ctx, caller, params.activityId);
      const standing = await getLeave(ctx, a.activityId, personId);
      if (standing && a.inviteeIds.includes(personId)) return ok(leaveView(standing));
      unwrap(canAskLeave(a, personId, now));
      const leave: LeaveRequest = {
        activityId: a.activityId,
        personId,
        reason: body.reason,
        status: 'pending',
        requestedAt: toLocalIso(now),
      };
      try {
        await commitRetryingConflicts(ctx, (t) => {
          requestLeave(t, leave, a, now);
          t.publish(LeaveRequested, { ...activityRef(a), personId }, { key: a.activityId, occurredAt: now });
        });
      } catch (error) {
        // The same request, sent twice at once: the one that landed is the answer.
        if (error instanceof DomainError && error.code === LEAVE_REQUESTED_MEANWHILE) {
          const winner = await getLeave(ctx, a.activityId, personId);
          if (winner) return ok(leaveView(winner));
        }
        throw error;
      }
      return created(leaveView(leave));
    },
  }),

  route('POST /activities/{activityId}/leave/{personId}/decision', {
    summary: "Approve or decline an invitee's leave request (请假审批), before completion",
    description:
      'The branch’s secretary or the committee decides, once. Nobody decides their own: a secretary’s own leave is decided by the committee (403 `own-record`).',
    access: ['committee', 'secretary'],
    outcomes: { ...branchOrganisers, selfSecretary: 403 },
    refusals: [
      'own-record',
      'leave-already-decided',
      'activity-cancelled',
      'activity-completed',
      'activity-completing',
      'attendance-closed',
    ],
    responses: { 200: LeaveView },
    request: {
      params: z.strictObject({ activityId: idParam, personId: idParam }),
      body: z.strictObject({
        decision: z.enum(leaveDecisions),
        note: multiLine(500).optional().meta({ example: '同意，请会后补学会议精神' }),
      }),
    },
    handler: async ({ params, body, caller, now }, ctx) => {
      const a = await organisedActivity(ctx, caller, params.activityId);
      const leave = await getLeave(ctx, a.activityId, params.personId);
      if (!leave) throw notFound('Leave request');
      unwrap(canDecideLeave(a, leave, caller.personId));
      const decided: LeaveRequest = {
        ...leave,
        status: body.decision,
        decidedAt: toLocalIso(now),
        decidedBy: actorOf(caller),
        ...(body.note === undefined ? {} : { note: body.note }),
      };
      await commitRetryingConflicts(ctx, (t) => {
        decideLeave(t, leave, {
          status: body.decision,
          decidedAt: decided.decidedAt as string,
          decidedBy: decided.decidedBy as string,
          ...(body.note === undefined ? {} : { note: body.note }),
        });
        t.publish(
          LeaveDecided,
          {
            ...activityRef(a),
            personId: leave.personId,
            decision: body.decision,
            decidedBy: decided.decidedBy as string,
            ...(body.note === undefined ? {} : { note: body.note }),
          },
          { key: a.activityId, occurredAt: now },
        );
      });
      return ok(leaveView(decided));
    },
  }),

  route('GET /activities/{activityId}/leave', {
    summary: "An activity's leave requests (请假), pending and decided, for its organisers",
    access: ['committee', 'secretary'],
    outcomes: branchOrganisers,
    responses: { 200: pageOf(LeaveView) },
    request: { params: activityParams, query: z.strictObject({ ...pageQuery }) },
    handler: async ({ params, query, caller }, ctx) => {
      const a = await organisedActivity(ctx, caller, params.activityId);
      return ok(pageView(await leavePage(ctx, a.activityId, query.limit, query.cursor), leaveView));
    },
  }),
];
