/**
 * Study (学习): the minutes and completions people report, their yearly summary, and the
 * mandatory study (必学任务) managers assign with its completion list.
 */
import * as z from 'zod';
import { type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, DomainError, notFound, unwrap } from '../../../shared/errors.js';
import { patternFor } from '../../../shared/events/contract.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { allMembers, branchManagers, branchPeople } from '../../../shared/outcomes.js';
import { idParam, isoDate } from '../../../shared/schemas.js';
import { route, subscription } from '../../../shared/service.js';
import { localYear, toLocalIso } from '../../../shared/time.js';
import { branchMembers, rosterPerson, rosterSelf } from '../../talent/roster.js';
import { usableBy } from '../domain/library.js';
import {
  type AssignedPerson,
  type Assignment,
  canSeeAssignment,
  checkProgress,
  completionList,
  MAX_MINUTES_PER_REPORT,
  newAssignment,
  personOf,
  studySummary,
} from '../domain/study.js';
import { StudyAssigned, StudyCompleted } from '../events.js';
import { listAssignedBranches, listAssignedPeople } from '../store/me.js';
import {
  addStudyMinutes,
  completeStudy,
  completionsOf,
  createAssignment,
  getAssignment,
  getStudy,
  rosterReader,
  type StudyReport,
  studyOfPerson,
  transaction,
} from '../store.js';
import { AssignmentProgress, MyStudy, StudyAssignment, StudyProgress } from '../views.js';
import { visibleResource } from './library.js';
import { resourceParams } from './schemas.js';

/** People named one by one; a branch covers all its members. */
const MAX_ASSIGNED_PEOPLE = 500;

/** The named people's listings; should this fail, the commit stands and `list-named-assignees` writes them. */
const listPeopleAfterCommit = async (ctx: ServiceContext, assignment: Assignment) => {
  try {
    await listAssignedPeople(ctx, assignment);
  } catch (error) {
    ctx.log.warn('listings left to the list-named-assignees subscription', {
      assignmentId: assignment.assignmentId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
};

/** From the committed assignment, whatever its request got to. */
export const studySubscriptions = [
  subscription({
    name: 'list-named-assignees',
    pattern: patternFor(StudyAssigned),
    contract: StudyAssigned,
    handler: async (event, _t, ctx) => {
      const assignment = await getAssignment(ctx, event.data.assignmentId);
      if (assignment) await listAssignedPeople(ctx, assignment);
    },
  }),
];

/** A due date: the shared date schema already refuses years past 2100 (typing mistakes). */
const dueOn = isoDate;

const isStudyChanged = (error: unknown) => error instanceof DomainError && error.code === 'study-changed';

/**
 * Records a report. The first completion is decided against what was read; a concurrent
 * report makes the condition fail and the loop reads again. Later reports just add minutes.
 */
const recordStudy = async (
  ctx: ServiceContext,
  report: StudyReport,
  completed: boolean,
  now: Date,
): Promise<z.output<typeof StudyProgress>> => {
  const { personId, resource } = report;
  const { resourceId } = resource;
  for (let round = 0; round < 5; round++) {
    const held = await getStudy(ctx, personId, resourceId);
    if (!completed || held?.completedAt) {
      const record = await addStudyMinutes(ctx, report);
      return {
        resourceId,
        minutes: record.minutes,
        ...(record.completedAt ? { completedAt: record.completedAt } : {}),
        firstCompletion: false,
      };
    }
    const total = (held?.minutes ?? 0) + report.minutes;
    const tx = transaction(ctx);
    completeStudy(tx, report, held);
    tx.publish(
      StudyCompleted,
      { resourceId, title: resource.title, personId, minutes: total, completedAt: report.at },
      { key: `${personId}#${resourceId}`, occurredAt: now },
    );
    try {
      await tx.commit();
      return { resourceId, minutes: total, completedAt: report.at, firstCompletion: true };
    } catch (error) {
      if (!isStudyChanged(error)) throw error;
    }
  }
  throw conflict('concurrent-update', 'Your study record is being updated elsewhere; try again');
};

/** The branch the roster puts each person in, for a secretary's assignment; the committee needs none. */
const branchesOf = async (ctx: ServiceContext, caller: Caller, personIds: string[]) => {
  const branchOf = new Map<string, string | undefined>();
  if (hasRole(caller, 'committee')) return branchOf;
  const reader = rosterReader(ctx);
  for (const personId of personIds) branchOf.set(personId, (await rosterPerson(reader, personId))?.branchId);
  return branchOf;
};

/**
 * The people an assignment covers, from the roster projection, as they stand: the named
 * branches' party members and the people named still on the register. A secretary sees their
 * branch only.
 */
const assignedPeople = async (ctx: ServiceContext, assignment: Assignment, caller: Caller) => {
  const reader = rosterReader(ctx);
  const people: AssignedPerson[] = [];
  for (const branchId of assignment.branchIds) {
    people.push(...(await branchMembers(reader, branchId)).map(personOf));
  }
  for (const personId of assignment.personIds) {
    const entry = await rosterPerson(reader, personId);
    // Someone who left the register is no one's to finish it: their study stays on their record.
    if (entry?.departedOn !== undefined) continue;
    people.push(entry ? personOf(entry) : { personId });
  }
  return hasRole(caller, 'committee') ? people : people.filter((p) => p.branchId === caller.branchId);
};

export const studyRoutes = [
  route('GET /resources/me/study', {
    access: ['committee', 'secretary', 'member'],
    summary: "The caller's own study (学习记录) in a year",
    outcomes: allMembers,
    refusals: ['no-person'],
    responses: { 200: MyStudy },
    request: { query: z.strictObject({ year: z.coerce.number().int().min(2000).max(2100).optional() }) },
    handler: async ({ query, caller, now }, ctx) => {
      const { personId } = await rosterSelf(rosterReader(ctx), caller);
      const records = await studyOfPerson(ctx, personId);
      return ok(studySummary(records, query.year ?? localYear(now)) satisfies z.output<typeof MyStudy>);
    },
  }),
  route('POST /resources/{resourceId}/progress', {
    access: ['committee', 'secretary', 'member'],
    summary: "Report the caller's study minutes, or completion, of a resource",
    outcomes: branchPeople,
    refusals: ['no-person', 'study-changed', 'nothing-to-record', 'resource-not-available'],
    responses: { 200: StudyProgress },
    request: {
      params: resourceParams,
      body: z.strictObject({
        minutes: z.number().int().min(0).max(MAX_MINUTES_PER_REPORT).meta({ example: 30 }),
        completed: z.boolean().optional(),
      }),
    },
    handler: async ({ params, body, caller, now }, ctx) => {
      const progress = unwrap(checkProgress(body));
      // Study is reported for the caller's person; an account that names no one reports nothing.
      const { personId } = await rosterSelf(rosterReader(ctx), caller);
      const resource = unwrap(usableBy(caller, await visibleResource(ctx, caller, params.resourceId)));
      const report: StudyReport = {
        personId,
        resource,
        minutes: progress.minutes,
        year: localYear(now),
        at: toLocalIso(now),
      };
      return ok(await recordStudy(ctx, report, progress.completed, now));
    },
  }),
  route('POST /resources/assignments', {
    access: ['committee', 'secretary'],
    summary:
      'Assign mandatory study (必学任务) to branches or people, with a due date. A repeat with the same Idempotency-Key answers 201 with the first assignment',
    outcomes: branchManagers,
    refusals: ['assignment-exists', 'nobody-assigned', 'resource-not-available', 'due-date-passed'],
    responses: { 201: StudyAssignment },
    idempotent: true,
    request: {
      body: z.strictObject({
        resourceId: idParam,
        branchIds: z.array(idParam).max(50).optional(),
        personIds: z.array(idParam).max(MAX_ASSIGNED_PEOPLE).optional(),
        dueOn,
      }),
    },
    handler: async (request, ctx) => {
      const { body, caller, now } = request;
      const resource = unwrap(usableBy(caller, await visibleResource(ctx, caller, body.resourceId)));
      const assignees = {
        branchIds: [...new Set(body.branchIds ?? [])],
        personIds: [...new Set(body.personIds ?? [])],
      };
      const branchOf = await branchesOf(ctx, caller, assignees.personIds);
      const assignment = unwrap(
        newAssignment(
          caller,
          resource,
          { ...assignees, dueOn: body.dueOn },
          { assignmentId: newId(), now },
          (p) => branchOf.get(p),
        ),
      );
      const { assignmentId, resourceId, title, branchIds, personIds } = assignment;
      return createOnce(ctx, request, {
        scope: accountScope('assignment', caller),
        entityId: assignmentId,
        replay: async (id) => {
          const first = await getAssignment(ctx, id);
          if (!first) throw notFound('Assignment');
          return created(first satisfies z.output<typeof StudyAssignment>, `/resources/assignments/${id}`);
        },
        create: async ({ claim, commit }) => {
          // Listed per branch in the same commit, per person after it: "my assignments" reads the caller's lists only.
          const tx = listAssignedBranches(createAssignment(claim(transaction(ctx)), assignment), assignment);
          tx.publish(
            StudyAssigned,
            { assignmentId, resourceId, title, dueOn: assignment.dueOn, branchIds, personIds },
            { key: assignmentId, occurredAt: now },
          );
          await commit(tx);
          await listPeopleAfterCommit(ctx, assignment);
          return created(
            assignment satisfies z.output<typeof StudyAssignment>,
            `/resources/assignments/${assignmentId}`,
          );
        },
      });
    },
  }),
  route('GET /resources/assignments/{assignmentId}', {
    access: ['committee', 'secretary'],
    summary: "An assignment's completion list: who finished, who has not",
    outcomes: branchManagers,
    responses: { 200: AssignmentProgress },
    request: { params: z.strictObject({ assignmentId: idParam }) },
    handler: async ({ params, caller, now }, ctx) => {
      const assignment = await getAssignment(ctx, params.assignmentId);
      if (!assignment || !canSeeAssignment(caller, assignment)) throw notFound('Assignment');
      const [people, completions] = await Promise.all([
        assignedPeople(ctx, assignment, caller),
        completionsOf(ctx, assignment.resourceId),
      ]);
      // A committee assignment may name other branches and their people: a secretary sees their own only.
      const seen = new Set(people.map((p) => p.personId));
      const visible = hasRole(caller, 'committee')
        ? assignment
        : {
            ...assignment,
            branchIds: assignment.branchIds.filter((b) => b === caller.branchId),
            personIds: assignment.personIds.filter((p) => seen.has(p)),
          };
      return ok(
        completionList(visible, people, completions, now) satisfies z.output<typeof AssignmentProgress>,
      );
    },
  }),
];
