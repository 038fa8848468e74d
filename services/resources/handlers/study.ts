import type { z } from 'zod';
import { actorOf, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, DomainError, notFound, ruleViolation } from '../../../shared/errors.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { localYear } from '../../../shared/time.js';
import { branchMembers, rosterPerson, rosterSelf } from '../../talent/roster.js';
import { canUse } from '../domain/library.js';
import {
  type AssignedPerson,
  type Assignment,
  canSeeAssignment,
  checkAssignmentScope,
  checkDueOn,
  checkProgress,
  completionList,
  personOf,
  studySummary,
} from '../domain/study.js';
import { StudyAssigned, StudyCompleted } from '../events.js';
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
import type { AssignmentProgress, MyStudy, StudyAssignment, StudyProgress } from '../views.js';
import { visibleResource } from './library.js';

const isStudyChanged = (error: unknown) => error instanceof DomainError && error.code === 'study-changed';

export const reportProgress = async (
  resourceId: string,
  body: { minutes: number; completed?: boolean | undefined },
  caller: Caller,
  now: Date,
  ctx: ServiceContext,
) => {
  const completed = body.completed ?? false;
  checkProgress(body.minutes, completed);
  // Study is reported for the caller's person; an account that names no one reports nothing.
  const { personId } = await rosterSelf(rosterReader(ctx), caller);
  const resource = await visibleResource(ctx, caller, resourceId);
  if (!canUse(caller, resource)) {
    throw conflict('resource-not-available', `The resource is ${resource.status}, not available`);
  }
  const report: StudyReport = {
    personId,
    resource,
    minutes: body.minutes,
    year: localYear(now),
    at: now.toISOString(),
  };
  // The first completion is decided against what was read; a concurrent report makes the
  // condition fail and the loop reads again. Later reports just add minutes.
  for (let round = 0; round < 5; round++) {
    const held = await getStudy(ctx, personId, resourceId);
    if (!completed || held?.completedAt) {
      const record = await addStudyMinutes(ctx, report);
      return ok({
        resourceId,
        minutes: record.minutes,
        ...(record.completedAt ? { completedAt: record.completedAt } : {}),
        firstCompletion: false,
      } satisfies z.output<typeof StudyProgress>);
    }
    const total = (held?.minutes ?? 0) + body.minutes;
    const tx = transaction(ctx);
    completeStudy(tx, report, held);
    tx.publish(
      StudyCompleted,
      { resourceId, title: resource.title, personId, minutes: total, completedAt: report.at },
      { key: `${personId}#${resourceId}`, occurredAt: now },
    );
    try {
      await tx.commit();
      return ok({
        resourceId,
        minutes: total,
        completedAt: report.at,
        firstCompletion: true,
      } satisfies z.output<typeof StudyProgress>);
    } catch (error) {
      if (!isStudyChanged(error)) throw error;
    }
  }
  throw conflict('concurrent-update', 'Your study record is being updated elsewhere; try again');
};

export const myStudy = async (year: number | undefined, caller: Caller, now: Date, ctx: ServiceContext) => {
  const { personId } = await rosterSelf(rosterReader(ctx), caller);
  return ok(
    studySummary(await studyOfPerson(ctx, personId), year ?? localYear(now)) satisfies z.output<
      typeof MyStudy
    >,
  );
};

export const assignStudy = async (
  body: {
    resourceId: string;
    branchIds?: string[] | undefined;
    personIds?: string[] | undefined;
    dueOn: string;
  },
  caller: Caller,
  now: Date,
  ctx: ServiceContext,
) => {
  const resource = await visibleResource(ctx, caller, body.resourceId);
  if (resource.status !== 'available') {
    throw ruleViolation('resource-not-available', `The resource is ${resource.status}, not available`);
  }
  checkDueOn(body.dueOn, now);
  const branchIds = [...new Set(body.branchIds ?? [])];
  const personIds = [...new Set(body.personIds ?? [])];
  const branchOf = new Map<string, string | undefined>();
  if (!hasRole(caller, 'committee')) {
    const reader = rosterReader(ctx);
    for (const personId of personIds)
      branchOf.set(personId, (await rosterPerson(reader, personId))?.branchId);
  }
  checkAssignmentScope(caller, branchIds, personIds, (p) => branchOf.get(p));
  const assignment: Assignment = {
    assignmentId: newId(),
    resourceId: resource.resourceId,
    title: resource.title,
    dueOn: body.dueOn,
    branchIds,
    personIds,
    assignedBy: actorOf(caller),
    assignedAt: now.toISOString(),
    ...(!hasRole(caller, 'committee') && caller.branchId ? { assignerBranchId: caller.branchId } : {}),
  };
  const tx = createAssignment(transaction(ctx), assignment);
  tx.publish(
    StudyAssigned,
    {
      assignmentId: assignment.assignmentId,
      resourceId: assignment.resourceId,
      title: assignment.title,
      dueOn: assignment.dueOn,
      branchIds,
      personIds,
    },
    { key: assignment.assignmentId, occurredAt: now },
  );
  await tx.commit();
  return created(
    assignment satisfies z.output<typeof StudyAssignment>,
    `/resources/assignments/${assignment.assignmentId}`,
  );
};

/** The people an assignment covers, from the roster projection; a secretary sees their branch only. */
const assignedPeople = async (ctx: ServiceContext, assignment: Assignment, caller: Caller) => {
  const reader = rosterReader(ctx);
  const people: AssignedPerson[] = [];
  for (const branchId of assignment.branchIds) {
    people.push(...(await branchMembers(reader, branchId)).map(personOf));
  }
  for (const personId of assignment.personIds) {
    const entry = await rosterPerson(reader, personId);
    people.push(entry ? personOf(entry) : { personId });
  }
  return hasRole(caller, 'committee') ? people : people.filter((p) => p.branchId === caller.branchId);
};

export const assignmentProgress = async (
  assignmentId: string,
  caller: Caller,
  now: Date,
  ctx: ServiceContext,
) => {
  const assignment = await getAssignment(ctx, assignmentId);
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
  return ok(completionList(visible, people, completions, now) satisfies z.output<typeof AssignmentProgress>);
};
