/**
 * The caller's agenda in resources (/resources/me/…): the study assigned to them and not yet
 * completed, and the assessments open to them with their attempts and results. Always the
 * caller's own person: no route here takes a person id.
 */
import * as z from 'zod';
import { pageQuery, pageView } from '../../../shared/http/paging.js';
import { ok } from '../../../shared/http/result.js';
import { allMembers } from '../../../shared/outcomes.js';
import { route } from '../../../shared/service.js';
import { memberStatuses } from '../../talent/events.js';
import { rosterSelf } from '../../talent/roster.js';
import { resultsOf } from '../domain/assessment.js';
import { isOverdue } from '../domain/study.js';
import { assignedStudyPage, attemptsAt } from '../store/me.js';
import { attemptsStartedOn, listAssessments, rosterReader } from '../store.js';
import { MyAssessmentPage, MyAssignmentPage, myAssessment } from '../views.js';

const listQuery = z.strictObject({ ...pageQuery });

export const meRoutes = [
  route('GET /resources/me/assignments', {
    access: ['committee', 'secretary', 'member'],
    summary:
      'Study assigned to the caller (必学任务) and not yet completed, by due date, the overdue first; a page may come back short while `nextCursor` is given',
    outcomes: allMembers,
    refusals: ['no-person'],
    responses: { 200: MyAssignmentPage },
    request: { query: listQuery },
    handler: async ({ query, caller, now }, ctx) => {
      const self = await rosterSelf(rosterReader(ctx), caller);
      // A branch's assignment covers its party members, as its completion list counts them.
      const inBranch = self.branchId !== undefined && memberStatuses.includes(self.politicalStatus);
      const page = await assignedStudyPage(ctx, {
        personId: self.personId,
        branchId: inBranch ? self.branchId : undefined,
        limit: query.limit,
        cursor: query.cursor,
      });
      return ok(
        pageView(page, (a) => ({
          assignmentId: a.assignmentId,
          resourceId: a.resourceId,
          title: a.title,
          dueOn: a.dueOn,
          overdue: isOverdue(a.dueOn, now),
          minutesStudied: page.study.get(a.resourceId)?.minutes ?? 0,
          assignedAt: a.assignedAt,
        })) satisfies z.output<typeof MyAssignmentPage>,
      );
    },
  }),
  route('GET /resources/me/assessments', {
    access: ['committee', 'secretary', 'member'],
    summary:
      'The assessments (考核) open to the caller as a taker (institution-wide and their branch’s), newest first, with attempts used and left and their best and latest result',
    outcomes: allMembers,
    refusals: ['no-person'],
    responses: { 200: MyAssessmentPage },
    request: { query: listQuery },
    handler: async ({ query, caller }, ctx) => {
      const { personId } = await rosterSelf(rosterReader(ctx), caller);
      // As a taker: the committee's view of every assessment is GET /resources/assessments.
      const page = await listAssessments(ctx, {
        ...query,
        scope: { kind: 'audience', branchId: caller.branchId },
      });
      const ids = page.items.map((a) => a.assessmentId);
      const [used, attempts] = await Promise.all([
        attemptsStartedOn(ctx, personId, ids),
        Promise.all(ids.map((id) => attemptsAt(ctx, id, personId))),
      ]);
      const results = new Map(ids.map((id, i) => [id, resultsOf(attempts[i] ?? [])]));
      return ok(
        pageView(page, (a) =>
          myAssessment(a, used.get(a.assessmentId) ?? 0, results.get(a.assessmentId) ?? {}),
        ) satisfies z.output<typeof MyAssessmentPage>,
      );
    },
  }),
];
