import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import { actorOf, actsForBranch, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, ruleViolation } from '../../../shared/errors.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { rosterSelf } from '../../talent/roster.js';
import {
  type Answer,
  type Assessment,
  type Attempt,
  assessmentScope,
  buildQuestions,
  checkSubmission,
  deadlineOf,
  grade,
  mayTake,
  type QuestionInput,
  results,
  shuffle,
  summaryOf,
  withoutAnswer,
} from '../domain/assessment.js';
import { audienceFor } from '../domain/library.js';
import { AssessmentGraded } from '../events.js';
import {
  type AssessmentListQuery,
  attemptsOf,
  attemptsStarted,
  attemptsStartedOn,
  createAssessment,
  getAssessment,
  getAttempt,
  listAssessments,
  recordGrade,
  rosterReader,
  startAttempt,
  transaction,
} from '../store.js';
import {
  type AssessmentListing,
  type AssessmentListingPage,
  type AssessmentResults,
  type AttemptGraded,
  type AttemptStarted,
  assessmentListing,
  assessmentView,
} from '../views.js';
import { visibleResource } from './library.js';

export const newAssessment = async (
  body: {
    title: string;
    resourceId?: string | undefined;
    passMark: number;
    timeLimitMinutes: number;
    maxAttempts: number;
    questions: QuestionInput[];
  },
  caller: Caller,
  now: Date,
  ctx: ServiceContext,
) => {
  const questions = buildQuestions(body.questions);
  const resource = body.resourceId ? await visibleResource(ctx, caller, body.resourceId) : undefined;
  const assessment: Assessment = {
    assessmentId: newId(),
    title: body.title,
    ...(resource ? { resourceId: resource.resourceId } : {}),
    passMark: body.passMark,
    timeLimitMinutes: body.timeLimitMinutes,
    maxAttempts: body.maxAttempts,
    questions,
    // The committee's is for the resource's whole audience; a secretary's for their branch only,
    // even on a resource they share with other branches.
    audience: audienceFor(caller, hasRole(caller, 'committee') ? resource?.audience : undefined),
    createdBy: actorOf(caller),
    createdAt: now.toISOString(),
  };
  await createAssessment(transaction(ctx), assessment).commit();
  return created(assessmentView(assessment), `/resources/assessments/${assessment.assessmentId}`);
};

const assessmentFor = async (ctx: ServiceContext, caller: Caller, assessmentId: string) => {
  const assessment = await getAssessment(ctx, assessmentId);
  if (!assessment || !mayTake(caller, assessment)) throw notFound('Assessment');
  return assessment;
};

/** The assessments the caller may take, newest first, with how many attempts they have used. */
export const listMyAssessments = async (
  query: Omit<AssessmentListQuery, 'scope'>,
  caller: Caller,
  ctx: ServiceContext,
) => {
  const page = await listAssessments(ctx, { ...query, scope: assessmentScope(caller) });
  // An account that names no person has taken nothing.
  const used = caller.personId
    ? await attemptsStartedOn(
        ctx,
        caller.personId,
        page.items.map((a) => a.assessmentId),
      )
    : new Map<string, number>();
  return ok({
    items: page.items.map((a) => assessmentListing(a, used.get(a.assessmentId) ?? 0)),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  } satisfies z.output<typeof AssessmentListingPage>);
};

export const readAssessment = async (assessmentId: string, caller: Caller, ctx: ServiceContext) => {
  const assessment = await assessmentFor(ctx, caller, assessmentId);
  const used = caller.personId ? await attemptsStarted(ctx, assessmentId, caller.personId) : 0;
  return ok(assessmentListing(summaryOf(assessment), used) satisfies z.output<typeof AssessmentListing>);
};

export const beginAttempt = async (assessmentId: string, caller: Caller, now: Date, ctx: ServiceContext) => {
  // An attempt is the caller's person's; an account that names no one starts none.
  const { personId } = await rosterSelf(rosterReader(ctx), caller);
  const assessment = await assessmentFor(ctx, caller, assessmentId);
  const questions = shuffle(assessment.questions, () => randomInt(0, 2 ** 32) / 2 ** 32);
  const attempt: Attempt = {
    attemptId: newId(),
    assessmentId,
    personId,
    ...(caller.branchId ? { branchId: caller.branchId } : {}),
    order: questions.map((q) => q.questionId),
    startedAt: now.toISOString(),
    deadline: deadlineOf(now, assessment.timeLimitMinutes).toISOString(),
  };
  await startAttempt(transaction(ctx), attempt, assessment.maxAttempts, () =>
    ruleViolation('attempt-limit-reached', `At most ${assessment.maxAttempts} attempts`, {
      maxAttempts: assessment.maxAttempts,
    }),
  ).commit();
  return created(
    {
      attemptId: attempt.attemptId,
      assessmentId,
      title: assessment.title,
      startedAt: attempt.startedAt,
      deadline: attempt.deadline,
      questions: questions.map(withoutAnswer),
    } satisfies z.output<typeof AttemptStarted>,
    `/resources/assessments/${assessmentId}/attempts/${attempt.attemptId}`,
  );
};

export const submitAttempt = async (
  assessmentId: string,
  attemptId: string,
  answers: Record<string, Answer>,
  caller: Caller,
  now: Date,
  ctx: ServiceContext,
) => {
  const { personId } = await rosterSelf(rosterReader(ctx), caller);
  const attempt = await getAttempt(ctx, attemptId);
  // Someone else's attempt does not exist for the caller.
  if (!attempt || attempt.assessmentId !== assessmentId || attempt.personId !== personId) {
    throw notFound('Attempt');
  }
  const assessment = await getAssessment(ctx, assessmentId);
  if (!assessment) throw notFound('Assessment');
  checkSubmission(attempt, answers, assessment.questions, now);
  const result = grade(assessment.questions, answers, assessment.passMark);
  const submittedAt = now.toISOString();
  const tx = recordGrade(transaction(ctx), attemptId, {
    submittedAt,
    score: result.score,
    passed: result.passed,
    answers,
  });
  tx.publish(
    AssessmentGraded,
    {
      assessmentId,
      attemptId,
      title: assessment.title,
      personId,
      score: result.score,
      passed: result.passed,
      gradedAt: submittedAt,
    },
    { key: attemptId, occurredAt: now },
  );
  await tx.commit();
  return ok({
    attemptId,
    assessmentId,
    ...result,
    passMark: assessment.passMark,
    submittedAt,
  } satisfies z.output<typeof AttemptGraded>);
};

export const assessmentResults = async (
  assessmentId: string,
  branchId: string | undefined,
  caller: Caller,
  ctx: ServiceContext,
) => {
  const assessment = await assessmentFor(ctx, caller, assessmentId);
  // A secretary sees their own branch's results; asking for another branch finds nothing.
  const branch = hasRole(caller, 'committee') ? branchId : (branchId ?? caller.branchId);
  if (!actsForBranch(caller, branch)) throw notFound('Branch');
  const graded = (await attemptsOf(ctx, assessmentId))
    .filter((a) => a.score !== undefined && (branch === undefined || a.branchId === branch))
    .map((a) => ({
      personId: a.personId,
      ...(a.branchId ? { branchId: a.branchId } : {}),
      score: a.score as number,
      passed: a.passed as boolean,
    }));
  return ok({
    assessmentId,
    title: assessment.title,
    passMark: assessment.passMark,
    ...(branch ? { branchId: branch } : {}),
    ...results(graded),
  } satisfies z.output<typeof AssessmentResults>);
};
