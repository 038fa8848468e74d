/**
 * What resources answers: the response schemas (for the OpenAPI document and the contract
 * test) and the view functions that build those bodies, typed against the schemas so a
 * handler and its documentation cannot drift apart. Strict objects: a field a view leaks
 * (an S3 key, a right answer) fails the contract test instead of shipping.
 */
import * as z from 'zod';
import { pageOf } from '../../shared/http/paging.js';
import { isoDate, timestamp } from '../../shared/schemas.js';
import type { SheetSpec } from '../../shared/spreadsheets/workbook.js';
import { DownloadLinkView, RejectionReasonView, UploadFormView } from '../../shared/storage/views.js';
import { localMinute } from '../../shared/time.js';
import type { RosterEntry } from '../talent/roster.js';
import {
  type Assessment,
  type AssessmentSummary,
  attemptsLeft,
  type PersonResult,
  questionKinds,
  withoutAnswer,
} from './domain/assessment.js';
import { type Resource, resourceStatuses } from './domain/library.js';
import { resourceKinds } from './events.js';

// ---- enums, shared with the request schemas ----------------------------------------------

export const ResourceKind = z.enum(resourceKinds).meta({
  id: 'ResourceKind',
  description:
    'document — 文件资料; video — 视频; audio — 音频; policy — 政策文件; ' +
    'meeting-spirit — 会议精神; link — 外部链接 (no file)',
});

export const ResourceStatus = z.enum(resourceStatuses).meta({
  id: 'ResourceStatus',
  description:
    'uploading — 上传中 (waiting for the file); available — 已发布; ' +
    'rejected — 已拒收 (the stored file failed the check); archived — 已归档',
});

const RejectionReason = RejectionReasonView;

export const QuestionKind = z.enum(questionKinds).meta({
  id: 'QuestionKind',
  description: 'single — 单选题; multiple — 多选题; true-false — 判断题',
});

const personId = z.string().meta({ description: 'A person id (talent)' });
const branchId = z.string().meta({ description: 'A branch id (talent)' });

// ---- library (学习资料库) -----------------------------------------------------------------

const Audience = z.strictObject({
  branchIds: z
    .array(branchId)
    .optional()
    .meta({ description: 'The branches it is for; absent: everyone in the institution' }),
});

export const LibraryResource = z
  .strictObject({
    resourceId: z.string(),
    title: z.string(),
    kind: ResourceKind,
    contentType: z.string().optional().meta({ description: 'Files only' }),
    sizeBytes: z.number().int().positive().optional().meta({ description: 'Files only' }),
    url: z.string().optional().meta({ description: 'Links only' }),
    tags: z.array(z.string()),
    audience: Audience,
    estimatedMinutes: z.number().int().positive().optional(),
    status: ResourceStatus,
    rejectedReason: RejectionReason.optional(),
    createdBy: personId,
    createdAt: timestamp,
    updatedAt: timestamp,
    publishedAt: timestamp.optional(),
    archivedAt: timestamp.optional(),
    version: z.number().int().positive().meta({ description: 'Send back as `version` when patching' }),
  })
  .meta({ id: 'LibraryResource', description: 'A study resource (学习资料)' });

const UploadForm = UploadFormView;

export const CreatedResource = LibraryResource.extend({
  upload: UploadForm.optional().meta({ description: 'Files only: where the client sends the bytes' }),
}).meta({ id: 'CreatedLibraryResource' });

export const ResourcePage = pageOf(LibraryResource);

export const DownloadLink = DownloadLinkView.meta({
  id: 'LibraryDownload',
  description: 'A short-lived presigned GET of the checked file',
});

/** What callers see of a resource: everything but where the bytes live. */
export const resourceView = (r: Resource): z.output<typeof LibraryResource> => {
  const { objectKey: _key, publishedKey: _published, ...view } = r;
  return view;
};

// ---- study (学习) and assignments (必学任务) --------------------------------------------

export const StudyProgress = z
  .strictObject({
    resourceId: z.string(),
    minutes: z.number().int().nonnegative().meta({ description: 'All minutes studied on it so far' }),
    completedAt: timestamp.optional(),
    firstCompletion: z
      .boolean()
      .meta({ description: 'This report completed it (StudyCompleted was published)' }),
  })
  .meta({ id: 'StudyProgress' });

export const MyStudy = z
  .strictObject({
    year: z.number().int(),
    minutes: z.number().int().nonnegative(),
    completions: z.number().int().nonnegative(),
    items: z.array(
      z.strictObject({
        resourceId: z.string(),
        title: z.string(),
        minutes: z.number().int().nonnegative().meta({ description: 'Minutes in this year' }),
        totalMinutes: z.number().int().nonnegative(),
        completedAt: timestamp.optional(),
        lastStudiedAt: timestamp,
      }),
    ),
  })
  .meta({ id: 'MyStudy', description: "The caller's study in one year (Asia/Shanghai)" });

export const StudyAssignment = z
  .strictObject({
    assignmentId: z.string(),
    resourceId: z.string(),
    title: z.string(),
    dueOn: isoDate.meta({ description: 'A date in Asia/Shanghai' }),
    branchIds: z.array(branchId),
    personIds: z.array(personId),
    assignedBy: personId,
    assignedAt: timestamp,
    assignerBranchId: branchId.optional().meta({ description: "A secretary's assignment: their branch" }),
  })
  .meta({ id: 'StudyAssignment', description: 'Mandatory study (必学任务) with a due date' });

const AssignedPerson = {
  personId,
  name: z.string().optional(),
  branchId: branchId.optional(),
};

export const AssignmentProgress = StudyAssignment.extend({
  overdue: z.boolean().meta({ description: 'Past the due date with someone not finished' }),
  total: z.number().int().nonnegative(),
  completed: z.array(z.strictObject({ ...AssignedPerson, completedAt: timestamp })),
  notCompleted: z.array(z.strictObject({ ...AssignedPerson, overdue: z.boolean() })),
}).meta({
  id: 'StudyAssignmentProgress',
  description: "Who finished and who has not; a secretary sees their own branch's people only",
});

// ---- assessments (考核) -----------------------------------------------------------------

/** A question as people see it: never with its answer. */
const QuestionView = z.strictObject({
  questionId: z.string(),
  kind: QuestionKind,
  prompt: z.string(),
  options: z.array(z.string()),
});

export const AssessmentView = z
  .strictObject({
    assessmentId: z.string(),
    title: z.string(),
    resourceId: z.string().optional(),
    passMark: z.number(),
    timeLimitMinutes: z.number().int(),
    maxAttempts: z.number().int(),
    questions: z.array(QuestionView),
    audience: Audience,
    createdBy: personId,
    createdAt: timestamp,
  })
  .meta({ id: 'Assessment', description: 'An assessment (考核); the answers stay on the server' });

export const AttemptStarted = z
  .strictObject({
    attemptId: z.string(),
    assessmentId: z.string(),
    title: z.string(),
    startedAt: timestamp,
    deadline: timestamp.meta({ description: 'Submit before this' }),
    questions: z.array(QuestionView).meta({ description: 'In this attempt’s own order' }),
  })
  .meta({ id: 'AssessmentAttempt' });

export const AttemptGraded = z
  .strictObject({
    attemptId: z.string(),
    assessmentId: z.string(),
    correct: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    score: z.number().min(0).max(100),
    passed: z.boolean(),
    passMark: z.number(),
    submittedAt: timestamp,
  })
  .meta({ id: 'AssessmentAttemptGraded' });

const PassRate = {
  graded: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  passRate: z.number().min(0).max(1),
};

export const AssessmentResults = z
  .strictObject({
    assessmentId: z.string(),
    title: z.string(),
    passMark: z.number(),
    branchId: branchId.optional().meta({ description: 'The branch the results are limited to' }),
    ...PassRate,
    branches: z.array(z.strictObject({ branchId: branchId.optional(), ...PassRate })),
    people: z.array(
      z.strictObject({
        personId,
        branchId: branchId.optional(),
        bestScore: z.number().min(0).max(100),
        passed: z.boolean(),
        attempts: z.number().int().positive(),
      }),
    ),
  })
  .meta({ id: 'AssessmentResults' });

export const assessmentView = (a: Assessment): z.output<typeof AssessmentView> => ({
  ...a,
  questions: a.questions.map(withoutAnswer),
});

/** The caller's own use of an assessment (考核次数). */
const YourAttempts = {
  attemptsUsed: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: 'Attempts the caller has started (已用次数)' }),
  attemptsLeft: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: 'Attempts the caller may still start (剩余次数)' }),
};

export const AssessmentListing = z
  .strictObject({
    assessmentId: z.string(),
    title: z.string(),
    resourceId: z.string().optional().meta({ description: 'The resource it examines, if any' }),
    passMark: z.number().meta({ description: 'Score (0–100) needed to pass (及格分)' }),
    timeLimitMinutes: z.number().int().meta({ description: 'Per attempt (答题时限)' }),
    maxAttempts: z.number().int(),
    questionCount: z.number().int().nonnegative(),
    audience: Audience,
    createdBy: personId,
    createdAt: timestamp,
    ...YourAttempts,
  })
  .meta({
    id: 'AssessmentListing',
    description:
      'An assessment (考核) the caller may take: no questions (an attempt serves them, shuffled) and no answers',
  });

export const AssessmentListingPage = pageOf(AssessmentListing);

export const assessmentListing = (
  a: AssessmentSummary,
  attemptsUsed: number,
): z.output<typeof AssessmentListing> => ({
  assessmentId: a.assessmentId,
  title: a.title,
  ...(a.resourceId ? { resourceId: a.resourceId } : {}),
  passMark: a.passMark,
  timeLimitMinutes: a.timeLimitMinutes,
  maxAttempts: a.maxAttempts,
  questionCount: a.questionCount,
  audience: a.audience,
  createdBy: a.createdBy,
  createdAt: a.createdAt,
  attemptsUsed,
  attemptsLeft: attemptsLeft(a.maxAttempts, attemptsUsed),
});

// ---- the caller's agenda (/resources/me/…) -------------------------------------------------

export const MyAssignment = z
  .strictObject({
    assignmentId: z.string(),
    resourceId: z.string(),
    title: z.string(),
    dueOn: isoDate.meta({ description: 'A date in Asia/Shanghai' }),
    overdue: z.boolean().meta({ description: 'The due date has passed (已逾期)' }),
    minutesStudied: z
      .number()
      .int()
      .nonnegative()
      .meta({ description: 'Minutes studied so far, in all years' }),
    assignedAt: timestamp,
  })
  .meta({ id: 'MyAssignment', description: 'Study assigned to the caller (必学任务) and not yet completed' });

export const MyAssignmentPage = pageOf(MyAssignment);

const AttemptResult = z
  .strictObject({
    attemptId: z.string(),
    score: z.number().meta({ description: '0–100, one decimal' }),
    passed: z.boolean(),
    submittedAt: timestamp,
  })
  .meta({ id: 'AttemptResult', description: 'One graded attempt of the caller' });

export const MyAssessment = AssessmentListing.extend({
  best: AttemptResult.optional().meta({
    description: 'The highest score (最好成绩); none before a submission',
  }),
  last: AttemptResult.optional().meta({ description: 'The latest submission (最近成绩)' }),
}).meta({
  id: 'MyAssessment',
  description: 'An assessment (考核) open to the caller, with their attempts used and left and their results',
});

export const MyAssessmentPage = pageOf(MyAssessment);

const attemptResult = (a: { attemptId: string; score?: number; passed?: boolean; submittedAt?: string }) => ({
  attemptId: a.attemptId,
  score: a.score as number,
  passed: a.passed ?? false,
  submittedAt: a.submittedAt as string,
});

export const myAssessment = (
  a: AssessmentSummary,
  attemptsUsed: number,
  results: {
    best?: Parameters<typeof attemptResult>[0] | undefined;
    last?: Parameters<typeof attemptResult>[0] | undefined;
  },
): z.output<typeof MyAssessment> => ({
  ...assessmentListing(a, attemptsUsed),
  ...(results.best ? { best: attemptResult(results.best) } : {}),
  ...(results.last ? { last: attemptResult(results.last) } : {}),
});

// ---- the results register (考核成绩.xlsx) ------------------------------------------------

/** A pass rate as the register prints it: a percentage with one decimal. */
const percent = (rate: number) => Math.round(rate * 1000) / 10;

interface BranchRate {
  branchId?: string;
  graded: number;
  passed: number;
  passRate: number;
}

/**
 * The results as the branch hands them upward: one row per person graded (the people of the
 * JSON results, named from the roster copy), and the pass rate per branch. Branches are
 * named by id: talent tells the other services no branch names.
 */
export const resultsWorkbook = (
  people: readonly PersonResult[],
  names: ReadonlyMap<string, RosterEntry>,
  branches: readonly BranchRate[],
): [SheetSpec<PersonResult>, SheetSpec<BranchRate>] => [
  {
    name: '考核成绩',
    columns: [
      { header: '姓名', width: 12, value: (p) => names.get(p.personId)?.name ?? '' },
      { header: '部门', width: 16, value: (p) => names.get(p.personId)?.department ?? '' },
      { header: '支部编号', width: 28, value: (p) => p.branchId ?? '' },
      { header: '交卷次数', value: (p) => p.attempts },
      { header: '最高分', value: (p) => p.bestScore },
      { header: '最近得分', value: (p) => p.latestScore },
      { header: '是否通过', value: (p) => (p.passed ? '是' : '否') },
      {
        header: '最近交卷时间',
        width: 18,
        value: (p) => localMinute(new Date(p.lastSubmittedAt)),
      },
    ],
    rows: people,
  },
  {
    name: '支部通过率',
    columns: [
      { header: '支部编号', width: 28, value: (b) => b.branchId ?? '' },
      { header: '交卷人数', value: (b) => b.graded },
      { header: '通过人数', value: (b) => b.passed },
      { header: '通过率(%)', value: (b) => percent(b.passRate) },
    ],
    rows: branches,
  },
];
