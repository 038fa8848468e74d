/**
 * resources: the study library on S3 (学习资料库), study records, study assignments and
 * assessments (考核). See the README.
 */
import * as z from 'zod';
import { pageQuery } from '../../shared/http/paging.js';
import { ok } from '../../shared/http/result.js';
import { allMembers, branchManagers, branchPeople } from '../../shared/outcomes.js';
import { idParam, isoDate, nonEmpty } from '../../shared/schemas.js';
import { defineService, type Outcomes, route, subscription } from '../../shared/service.js';
import { rosterSubscriptions } from '../talent/roster.js';
import { MAX_MINUTES_PER_REPORT } from './domain/study.js';
import { resourcesEvents } from './events.js';
import {
  assessmentResults,
  beginAttempt,
  listMyAssessments,
  newAssessment,
  readAssessment,
  submitAttempt,
} from './handlers/assessments.js';
import {
  archiveResource,
  createResource,
  downloadResource,
  listLibrary,
  onObjectCreated,
  patchResource,
  visibleResource,
} from './handlers/library.js';
import { assignmentProgress, assignStudy, myStudy, reportProgress } from './handlers/study.js';
import { table } from './store.js';
import {
  AssessmentListing,
  AssessmentListingPage,
  AssessmentResults,
  AssessmentView,
  AssignmentProgress,
  AttemptGraded,
  AttemptStarted,
  CreatedResource,
  DownloadLink,
  LibraryResource,
  MyStudy,
  QuestionKind,
  ResourceKind,
  ResourcePage,
  ResourceStatus,
  resourceView,
  StudyAssignment,
  StudyProgress,
} from './views.js';

const MANAGERS = ['committee', 'secretary'] as const;
const EVERYONE = ['committee', 'secretary', 'member'] as const;

// Who gets what (the access matrix). Every object the matrix meets belongs to branch A:
// its audience, or the branch its secretary manages.
/** One person's own attempt: nobody else, not even the committee, may submit it. */
const theAttemptTaker: Outcomes = { ...branchPeople, ownSecretary: 404, committee: 404 };

// '#' separates key parts in the table, so a tag may not contain one.
const tag = z
  .string()
  .trim()
  .min(1)
  .max(30)
  .regex(/^[^#]+$/, 'A tag may not contain #');
const tags = z.array(tag).max(10);
const audience = z.strictObject({ branchIds: z.array(idParam).min(1).max(50).optional() });
const resourceParams = z.strictObject({ resourceId: idParam });
const assessmentParams = z.strictObject({ assessmentId: idParam });

const answer = z.union([
  z.boolean(),
  z.number().int().min(0).max(20),
  z.array(z.number().int().min(0).max(20)).max(20),
]);

/** A due date: the shared date schema already refuses years past 2100 (typing mistakes). */
const dueOn = isoDate;
const question = z.strictObject({
  kind: QuestionKind,
  prompt: nonEmpty(1000),
  options: z.array(nonEmpty(500)).min(2).max(20).optional(),
  answer,
});

export const resourcesService = defineService({
  name: 'resources',
  table,
  bucket: { name: 'library', objectEvents: true },
  publishes: resourcesEvents,
  routes: [
    route('POST /resources', {
      access: MANAGERS,
      summary: 'Add a resource to the study library (学习资料); a file gets a presigned upload form',
      outcomes: branchManagers,
      responses: { 201: CreatedResource },
      request: {
        body: z.strictObject({
          title: nonEmpty(200),
          kind: ResourceKind,
          contentType: z.string().trim().toLowerCase().max(200).optional(),
          sizeBytes: z.number().int().min(1).optional(),
          tags: tags.optional(),
          audience: audience.optional(),
          estimatedMinutes: z.number().int().min(1).max(10_000).optional(),
          url: z
            .url({ protocol: /^https?$/ })
            .max(2000)
            .optional(),
        }),
      },
      handler: ({ body, caller, now }, ctx) => createResource(body, caller, now, ctx),
    }),
    route('GET /resources', {
      access: EVERYONE,
      summary: 'List the study library as the caller may see it',
      outcomes: allMembers,
      responses: { 200: ResourcePage },
      request: {
        query: z.strictObject({
          kind: ResourceKind.optional(),
          tag: tag.optional(),
          q: z.string().trim().min(1).max(100).optional(),
          status: ResourceStatus.default('available'),
          ...pageQuery,
        }),
      },
      handler: ({ query, caller }, ctx) => listLibrary(query, caller, ctx),
    }),
    route('GET /resources/me/study', {
      access: EVERYONE,
      summary: "The caller's own study (学习记录) in a year",
      outcomes: allMembers,
      responses: { 200: MyStudy },
      request: { query: z.strictObject({ year: z.coerce.number().int().min(2000).max(2100).optional() }) },
      handler: ({ query, caller, now }, ctx) => myStudy(query.year, caller, now, ctx),
    }),
    route('GET /resources/{resourceId}', {
      access: EVERYONE,
      summary: 'Read a resource',
      outcomes: branchPeople,
      responses: { 200: LibraryResource },
      request: { params: resourceParams },
      handler: async ({ params, caller }, ctx) =>
        ok(resourceView(await visibleResource(ctx, caller, params.resourceId))),
    }),
    route('PATCH /resources/{resourceId}', {
      access: MANAGERS,
      summary: "Change a resource's title, tags, audience or estimated minutes",
      outcomes: branchManagers,
      responses: { 200: LibraryResource },
      request: {
        params: resourceParams,
        body: z.strictObject({
          version: z.number().int().min(1),
          title: nonEmpty(200).optional(),
          tags: tags.optional(),
          audience: audience.optional(),
          estimatedMinutes: z.number().int().min(1).max(10_000).nullable().optional(),
        }),
      },
      handler: ({ params, body, caller, now }, ctx) =>
        patchResource(params.resourceId, body, caller, now, ctx),
    }),
    route('POST /resources/{resourceId}/archive', {
      access: MANAGERS,
      summary: 'Archive a resource (归档): it leaves the library',
      outcomes: branchManagers,
      responses: { 200: LibraryResource },
      request: { params: resourceParams },
      handler: ({ params, caller, now }, ctx) => archiveResource(params.resourceId, caller, now, ctx),
    }),
    route('GET /resources/{resourceId}/download', {
      access: EVERYONE,
      summary: "A short-lived download link for a resource's file",
      outcomes: branchPeople,
      responses: { 200: DownloadLink },
      request: { params: resourceParams },
      handler: ({ params, caller, now }, ctx) => downloadResource(params.resourceId, caller, now, ctx),
    }),
    route('POST /resources/{resourceId}/progress', {
      access: EVERYONE,
      summary: "Report the caller's study minutes, or completion, of a resource",
      outcomes: branchPeople,
      responses: { 200: StudyProgress },
      request: {
        params: resourceParams,
        body: z.strictObject({
          minutes: z.number().int().min(0).max(MAX_MINUTES_PER_REPORT),
          completed: z.boolean().optional(),
        }),
      },
      handler: ({ params, body, caller, now }, ctx) =>
        reportProgress(params.resourceId, body, caller, now, ctx),
    }),
    route('POST /resources/assignments', {
      access: MANAGERS,
      summary: 'Assign mandatory study (必学任务) to branches or people, with a due date',
      outcomes: branchManagers,
      responses: { 201: StudyAssignment },
      request: {
        body: z.strictObject({
          resourceId: idParam,
          branchIds: z.array(idParam).max(50).optional(),
          personIds: z.array(idParam).max(500).optional(),
          dueOn,
        }),
      },
      handler: ({ body, caller, now }, ctx) => assignStudy(body, caller, now, ctx),
    }),
    route('GET /resources/assignments/{assignmentId}', {
      access: MANAGERS,
      summary: "An assignment's completion list: who finished, who has not",
      outcomes: branchManagers,
      responses: { 200: AssignmentProgress },
      request: { params: z.strictObject({ assignmentId: idParam }) },
      handler: ({ params, caller, now }, ctx) => assignmentProgress(params.assignmentId, caller, now, ctx),
    }),
    route('POST /resources/assessments', {
      access: MANAGERS,
      summary: 'Create an assessment (考核) with its question bank',
      outcomes: branchManagers,
      responses: { 201: AssessmentView },
      request: {
        body: z.strictObject({
          title: nonEmpty(200),
          resourceId: idParam.optional(),
          passMark: z.number().min(0).max(100),
          timeLimitMinutes: z.number().int().min(1).max(600),
          maxAttempts: z.number().int().min(1).max(20),
          questions: z.array(question).min(1).max(100),
        }),
      },
      maxBodyBytes: 256 * 1024,
      handler: ({ body, caller, now }, ctx) => newAssessment(body, caller, now, ctx),
    }),
    route('GET /resources/assessments', {
      access: EVERYONE,
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
      handler: ({ query, caller }, ctx) => listMyAssessments(query, caller, ctx),
    }),
    route('GET /resources/assessments/{assessmentId}', {
      access: EVERYONE,
      summary: "An assessment's terms and the caller's attempts used and left; no questions or answers",
      outcomes: branchPeople,
      responses: { 200: AssessmentListing },
      request: { params: assessmentParams },
      handler: ({ params, caller }, ctx) => readAssessment(params.assessmentId, caller, ctx),
    }),
    route('POST /resources/assessments/{assessmentId}/attempts', {
      access: EVERYONE,
      summary: 'Start an attempt: the questions, shuffled, without answers',
      outcomes: branchPeople,
      responses: { 201: AttemptStarted },
      request: { params: assessmentParams },
      handler: ({ params, caller, now }, ctx) => beginAttempt(params.assessmentId, caller, now, ctx),
    }),
    route('POST /resources/assessments/{assessmentId}/attempts/{attemptId}/submit', {
      access: EVERYONE,
      summary: "Submit the caller's own attempt, graded on the server",
      outcomes: theAttemptTaker,
      responses: { 200: AttemptGraded },
      request: {
        params: z.strictObject({ assessmentId: idParam, attemptId: idParam }),
        body: z.strictObject({ answers: z.record(z.string().max(20), answer) }),
      },
      handler: ({ params, body, caller, now }, ctx) =>
        submitAttempt(params.assessmentId, params.attemptId, body.answers, caller, now, ctx),
    }),
    route('GET /resources/assessments/{assessmentId}/results', {
      access: MANAGERS,
      summary: "An assessment's results: best score per person and pass rates per branch",
      outcomes: branchManagers,
      responses: { 200: AssessmentResults },
      request: { params: assessmentParams, query: z.strictObject({ branchId: idParam.optional() }) },
      handler: ({ params, query, caller }, ctx) =>
        assessmentResults(params.assessmentId, query.branchId, caller, ctx),
    }),
  ],
  subscriptions: [
    ...rosterSubscriptions(table),
    subscription({
      name: 'library-object-created',
      // S3's own event (EventBridge notifications on the bucket): no dangjian contract.
      pattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { object: { key: [{ prefix: 'library/' }] } },
      },
      handler: onObjectCreated,
    }),
  ],
});
