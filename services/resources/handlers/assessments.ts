/**
 * Assessments (考核): question banks made by managers, attempts served shuffled and without
 * answers, grading on the server, and the results per person and branch.
 */

import { randomInt } from 'node:crypto';
import * as z from 'zod';
import { actorOf, actsForBranch, type Caller, hasRole } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap } from '../../../shared/errors.js';
import { auditExport } from '../../../shared/exports.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { pageQuery, pageView } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { allMembers, branchManagers, branchPeople } from '../../../shared/outcomes.js';
import { idParam, multiLine, singleLine } from '../../../shared/schemas.js';
import { type Outcomes, route } from '../../../shared/service.js';
import { deliverWorkbook, workbookResponses } from '../../../shared/spreadsheets/deliver.js';
import { writeWorkbook } from '../../../shared/spreadsheets/workbook.js';
import { toLocalIso } from '../../../shared/time.js';
import { rosterPeople, rosterSelf } from '../../talent/roster.js';
import {
  type Assessment,
  type Attempt,
  assessmentScope,
  buildQuestions,
  checkSubmission,
  deadlineOf,
  grade,
  mayTake,
  personResults,
  results,
  shuffle,
  summaryOf,
  withoutAnswer,
} from '../domain/assessment.js';
import { audienceFor } from '../domain/library.js';
import { AssessmentGraded, AssessmentOpened, PersonalDataExported } from '../events.js';
import {
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
  AssessmentListing,
  AssessmentListingPage,
  AssessmentResults,
  AssessmentView,
  AttemptGraded,
  AttemptStarted,
  assessmentListing,
  assessmentView,
  QuestionKind,
  resultsWorkbook,
} from '../views.js';
import { visibleResource } from './library.js';

// Who gets what (the access matrix). Every object the matrix meets belongs to branch A:
// its audience, or the branch its secretary manages.
/** One person's own attempt: nobody else, not even the committee, may submit it. */
const theAttemptTaker: Outcomes = { ...branchPeople, ownSecretary: 404, selfSecretary: 404, committee: 404 };

const assessmentParams = z.strictObject({ assessmentId: idParam });

const answer = z.union([
  z.boolean(),
  z.number().int().min(0).max(20),
  z.array(z.number().int().min(0).max(20)).max(20),
]);

/**
 * The kind decides the answer: true-false a boolean and no options; single the index of one
 * option, multiple the indexes of the right ones (at least two distinct options). Checked by
 * the domain (400 `invalid-question` naming the field).
 */
const question = z
  .strictObject({
    kind: QuestionKind,
    prompt: multiLine(1000),
    options: z.array(singleLine(500)).min(2).max(20).optional(),
    answer,
  })
  .meta({
    example: {
      kind: 'single',
      prompt: '中国共产党的最高理想和最终目标是什么？',
      options: ['实现共产主义', '全面建成小康社会'],
      answer: 0,
    },
  });

/** The assessment if the caller may take it; to anyone else it does not exist. */
const assessmentFor = async (ctx: ServiceContext, caller: Caller, assessmentId: string) => {
  const assessment = await getAssessment(ctx, assessmentId);
  if (!assessment || !mayTake(caller, assessment)) throw notFound('Assessment');
  return assessment;
};

/** An attempt is the caller's person's own: someone else's does not exist for them. */
const ownAttempt = async (ctx: ServiceContext, personId: string, assessmentId: string, attemptId: string) => {
  const attempt = await getAttempt(ctx, attemptId);
  if (!attempt || attempt.assessmentId !== assessmentId || attempt.personId !== personId) {
    throw notFound('Attempt');
  }
  return attempt;
};

const resultsQuery = z.strictObject({ branchId: idParam.optional() });

/**
 * The graded attempts the caller may see of an assessment: all (or one branch's) for the
 * committee, their own branch's for a secretary; asking for another branch finds nothing.
 */
const resultsInScope = async (
  ctx: ServiceContext,
  caller: Caller,
  assessmentId: string,
  query: { branchId?: string | undefined },
) => {
  const assessment = await assessmentFor(ctx, caller, assessmentId);
  const branch = hasRole(caller, 'committee') ? query.branchId : (query.branchId ?? caller.branchId);
  if (!actsForBranch(caller, branch)) throw notFound('Branch');
  const graded = (await attemptsOf(ctx, assessmentId)).filter(
    (a) => a.score !== undefined && (branch === undefined || a.branchId === branch),
  );
  return { assessment, branch, graded };
};

const gradedOf = (a: Attempt) => ({
  personId: a.personId,
  ...(a.branchId ? { branchId: a.branchId } : {}),
  score: a.score as number,
  passed: a.passed as boolean,
});

export const assessmentRoutes = [
  route('POST /resources/assessments', {
    access: ['committee', 'secretary'],
    summary:
      'Create an assessment (考核) with its question bank. A repeat with the same Idempotency-Key answers 201 with the first assessment',
    outcomes: branchManagers,
    refusals: ['assessment-exists', 'invalid-question', 'audience-empty', 'secretary-without-branch'],
    idempotent: true,
    responses: { 201: AssessmentView },
    request: {
      body: z.strictObject({
        title: singleLine(200).meta({ example: '党章党规知识测试' }),
        resourceId: idParam.optional(),
        passMark: z.number().min(0).max(100).meta({ description: 'Percent of questions right', example: 60 }),
        timeLimitMinutes: z.number().int().min(1).max(600).meta({ example: 30 }),
        maxAttempts: z.number().int().min(1).max(20).meta({ example: 3 }),
        questions: z.array(question).min(1).max(100),
      }),
    },
    maxBodyBytes: 256 * 1024,
    handler: async (request, ctx) => {
      const { body, caller, now } = request;
      const questions = unwrap(buildQuestions(body.questions));
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
        audience: unwrap(audienceFor(caller, hasRole(caller, 'committee') ? resource?.audience : undefined)),
        createdBy: actorOf(caller),
        createdAt: toLocalIso(now),
      };
      return createOnce(ctx, request, {
        scope: accountScope('assessment', caller),
        entityId: assessment.assessmentId,
        replay: async (id) =>
          created(assessmentView(await assessmentFor(ctx, caller, id)), `/resources/assessments/${id}`),
        create: async ({ claim, commit }) => {
          // An assessment is open once made: its audience hears of it with the same commit.
          const tx = createAssessment(claim(transaction(ctx)), assessment);
          const { assessmentId, title, resourceId, audience } = assessment;
          tx.publish(
            AssessmentOpened,
            { assessmentId, title, ...(resourceId ? { resourceId } : {}), audience },
            { key: assessmentId, occurredAt: now },
          );
          await commit(tx);
          return created(assessmentView(assessment), `/resources/assessments/${assessment.assessmentId}`);
        },
      });
    },
  }),
  route('GET /resources/assessments', {
    access: ['committee', 'secretary', 'member'],
    summary:
      'The assessments (考核) the caller may take, newest first, with their attempts used; no questions or answers',
    outcomes: allMembers,
    responses: { 200: AssessmentListingPage },
    request: {
      query: z.strictObject({
        resourceId: idParam
          .optional()
          .meta({ description: "Only this resource's; a page may then come back short" }),
        ...pageQuery,
      }),
    },
    handler: async ({ query, caller }, ctx) => {
      const page = await listAssessments(ctx, { ...query, scope: assessmentScope(caller) });
      // An account that names no person has taken nothing.
      const used = caller.personId
        ? await attemptsStartedOn(
            ctx,
            caller.personId,
            page.items.map((a) => a.assessmentId),
          )
        : new Map<string, number>();
      return ok(
        pageView(page, (a) => assessmentListing(a, used.get(a.assessmentId) ?? 0)) satisfies z.output<
          typeof AssessmentListingPage
        >,
      );
    },
  }),
  route('GET /resources/assessments/{assessmentId}', {
    access: ['committee', 'secretary', 'member'],
    summary: "An assessment's terms and the caller's attempts used and left; no questions or answers",
    outcomes: branchPeople,
    responses: { 200: AssessmentListing },
    request: { params: assessmentParams },
    handler: async ({ params, caller }, ctx) => {
      const assessment = await assessmentFor(ctx, caller, params.assessmentId);
      const used = caller.personId ? await attemptsStarted(ctx, params.assessmentId, caller.personId) : 0;
      return ok(assessmentListing(summaryOf(assessment), used) satisfies z.output<typeof AssessmentListing>);
    },
  }),
  route('POST /resources/assessments/{assessmentId}/attempts', {
    access: ['committee', 'secretary', 'member'],
    summary:
      'Start an attempt: the questions, shuffled, without answers. A repeat with the same Idempotency-Key answers 201 with the same attempt and uses no second one',
    outcomes: branchPeople,
    refusals: ['no-person', 'attempt-exists', 'attempt-limit-reached'],
    responses: { 201: AttemptStarted },
    request: { params: assessmentParams },
    idempotent: true,
    handler: async (request, ctx) => {
      const { params, caller, now } = request;
      const { assessmentId } = params;
      // An attempt is the caller's person's; an account that names no one starts none.
      const { personId } = await rosterSelf(rosterReader(ctx), caller);
      const assessment = await assessmentFor(ctx, caller, assessmentId);
      const byId = new Map(assessment.questions.map((q) => [q.questionId, q]));
      const started = (attempt: Attempt) =>
        created(
          {
            attemptId: attempt.attemptId,
            assessmentId,
            title: assessment.title,
            startedAt: attempt.startedAt,
            deadline: attempt.deadline,
            questions: attempt.order.flatMap((id) => {
              const question = byId.get(id);
              return question ? [withoutAnswer(question)] : [];
            }),
          } satisfies z.output<typeof AttemptStarted>,
          `/resources/assessments/${assessmentId}/attempts/${attempt.attemptId}`,
        );
      const questions = shuffle(assessment.questions, () => randomInt(0, 2 ** 32) / 2 ** 32);
      const attempt: Attempt = {
        attemptId: newId(),
        assessmentId,
        personId,
        ...(caller.branchId ? { branchId: caller.branchId } : {}),
        order: questions.map((q) => q.questionId),
        startedAt: toLocalIso(now),
        deadline: toLocalIso(deadlineOf(now, assessment.timeLimitMinutes)),
      };
      return createOnce(ctx, request, {
        scope: accountScope('attempt', caller),
        entityId: attempt.attemptId,
        replay: async (attemptId) => {
          const first = await getAttempt(ctx, attemptId);
          if (!first || first.personId !== personId) throw notFound('Attempt');
          return started(first);
        },
        create: async ({ claim, commit }) => {
          await commit(startAttempt(claim(transaction(ctx)), attempt, assessment.maxAttempts));
          return started(attempt);
        },
      });
    },
  }),
  route('POST /resources/assessments/{assessmentId}/attempts/{attemptId}/submit', {
    access: ['committee', 'secretary', 'member'],
    summary: "Submit the caller's own attempt, graded on the server",
    outcomes: theAttemptTaker,
    refusals: ['no-person', 'attempt-already-submitted', 'attempt-deadline-passed', 'unknown-question'],
    responses: { 200: AttemptGraded },
    request: {
      params: z.strictObject({ assessmentId: idParam, attemptId: idParam }),
      body: z.strictObject({ answers: z.record(z.string().max(20), answer) }),
    },
    handler: async ({ params, body, caller, now }, ctx) => {
      const { assessmentId, attemptId } = params;
      const { answers } = body;
      const { personId } = await rosterSelf(rosterReader(ctx), caller);
      const attempt = await ownAttempt(ctx, personId, assessmentId, attemptId);
      const assessment = await getAssessment(ctx, assessmentId);
      if (!assessment) throw notFound('Assessment');
      unwrap(checkSubmission(attempt, answers, assessment.questions, now));
      const result = grade(assessment.questions, answers, assessment.passMark);
      const submittedAt = toLocalIso(now);
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
    },
  }),
  route('GET /resources/assessments/{assessmentId}/results', {
    access: ['committee', 'secretary'],
    summary: "An assessment's results: best score per person and pass rates per branch",
    outcomes: branchManagers,
    responses: { 200: AssessmentResults },
    request: { params: assessmentParams, query: resultsQuery },
    handler: async ({ params, query, caller }, ctx) => {
      const { assessment, branch, graded } = await resultsInScope(ctx, caller, params.assessmentId, query);
      return ok({
        assessmentId: params.assessmentId,
        title: assessment.title,
        passMark: assessment.passMark,
        ...(branch ? { branchId: branch } : {}),
        ...results(graded.map(gradedOf)),
      } satisfies z.output<typeof AssessmentResults>);
    },
  }),
  route('GET /resources/assessments/{assessmentId}/results.xlsx', {
    access: ['committee', 'secretary'],
    summary:
      "An assessment's results as a workbook (考核成绩.xlsx): one row per person graded, named, with best and latest score; pass rates per branch",
    description:
      "The same people and scope as `GET …/results` (a secretary their own branch). An audited read: talent's audit log records the export. Past 4 MB the answer is 303 to a download link valid 5 minutes.",
    outcomes: branchManagers,
    responses: workbookResponses,
    request: { params: assessmentParams, query: resultsQuery },
    handler: async (req, ctx) => {
      const { params, query, caller, now } = req;
      const { branch, graded } = await resultsInScope(ctx, caller, params.assessmentId, query);
      const people = personResults(graded);
      const names = await rosterPeople(
        rosterReader(ctx),
        people.map((p) => p.personId),
      );
      const bytes = await writeWorkbook(
        resultsWorkbook(people, names, results(graded.map(gradedOf)).branches),
      );
      await auditExport(transaction(ctx), PersonalDataExported, req, {
        register: 'resources.assessment-results',
        scope: { assessmentId: params.assessmentId, ...(branch ? { branchId: branch } : {}) },
        rows: people.length,
      });
      return deliverWorkbook(ctx, { bytes, filename: `考核成绩-${params.assessmentId}.xlsx`, now });
    },
  }),
];
