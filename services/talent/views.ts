/**
 * What talent's API answers, as zod schemas: the route descriptions name them (OpenAPI and
 * the contract test read them), and the view functions that build response bodies are typed
 * against them, so a handler and its schema cannot drift apart. Every object is strict: a
 * field that is not declared here (an internal key, a contact detail in the wrong place) fails
 * the contract instead of leaking.
 */
import * as z from 'zod';
import { accountProblems, accountStatuses } from '../../shared/accounts.js';
import { roles } from '../../shared/auth.js';
import { maskEmail, maskPhone } from '../../shared/pii.js';
import { isoDate, timestamp } from '../../shared/schemas.js';
import { checkedFileStatuses } from '../../shared/storage/checked-file.js';
import { DownloadLinkView, RejectionReasonView, UploadFormView } from '../../shared/storage/views.js';
import { activityTypes, attendanceStatuses } from '../activities/events.js';
import { jointEventKinds } from '../community/events.js';
import { AGE_BANDS } from './domain/age.js';
import { auditActions } from './domain/audit.js';
import { pipelineEventKinds } from './domain/due.js';
import { type EvidenceFile, evidenceKinds, pipelineSteps } from './domain/evidence.js';
import { fileRefusalMessages, fileRefusals, rowIssueCodes } from './domain/imports.js';
import {
  arrivalEvidenceKinds,
  departureReasons,
  educations,
  genders,
  type Person,
  talentPools,
} from './domain/person.js';
import { evaluationRatings, performanceRatings, recordKinds } from './domain/records.js';
import { type AccountState, accountGroups } from './domain/roles.js';
import { politicalStatuses } from './events.js';
import { type ImportRecord, importStates } from './store/imports.js';

const id = (description: string) => z.string().meta({ description });
const instant = timestamp;
const count = z.number().int().nonnegative();

// ---- domain enums, with their terms -------------------------------------------------------

export const PoliticalStatus = z.enum(politicalStatuses).meta({
  description:
    'Political status (政治面貌), the development pipeline: masses — 群众, applicant — 入党申请人, ' +
    'activist — 积极分子, candidate — 发展对象, probationary — 预备党员, full — 正式党员',
});
const Gender = z.enum(genders).meta({ description: 'male — 男, female — 女' });
const Education = z.enum(educations).meta({
  description:
    'Education (学历): secondary — 中专/高中, associate — 大专, bachelor — 本科, master — 硕士研究生, doctorate — 博士研究生',
});
export const RecordKind = z.enum(recordKinds).meta({
  description:
    'training — 培训, performance — 年度绩效考核, evaluation — 民主评议, reward — 奖励, discipline — 处分',
});
const Rating = z.enum([...new Set([...performanceRatings, ...evaluationRatings])]).meta({
  description:
    'performance (绩效): excellent — 优秀, competent — 称职, basically-competent — 基本称职, incompetent — 不称职; ' +
    'evaluation (民主评议): excellent — 优秀, qualified — 合格, basically-qualified — 基本合格, unqualified — 不合格',
});
export const TalentPool = z.enum(talentPools).meta({
  description: 'Talent pool: reserve-cadre — 后备干部, young-talent — 青年人才, party-affairs — 党务工作者',
});
export type TalentPool = z.output<typeof TalentPool>;
const pipelineKinds = Object.keys(pipelineEventKinds) as [
  keyof typeof pipelineEventKinds,
  ...(keyof typeof pipelineEventKinds)[],
];
const PipelineEventKind = z.enum(pipelineKinds).meta({
  description:
    'A fact recorded along the pipeline: application-talk — 入党谈话, activist-review — 积极分子考察, ' +
    'political-review — 政治审查 (政审), branch-resolution — 支部党员大会讨论表决, quarterly-discussion — 预备党员季度讨论',
});
const AttendanceStatus = z.enum(attendanceStatuses).meta({
  description: 'present — 出席, late — 迟到, excused — 请假, absent — 缺席',
});
const ActivityType = z.enum(activityTypes).meta({
  description:
    'branch-general-meeting — 支部党员大会, branch-committee-meeting — 支委会, party-group-meeting — 党小组会, ' +
    'party-lesson — 党课, theme-day — 主题党日, organizational-life-meeting — 组织生活会, ' +
    'democratic-evaluation — 民主评议, history-study — 党史学习, warning-education — 警示教育, seminar — 专题研讨, other — 其他',
});
const JointEventKind = z.enum(jointEventKinds).meta({
  description:
    'volunteer-service — 志愿服务, science-outreach — 科普, joint-theme-day — 联合主题党日, health-service — 健康服务, other — 其他',
});
const AgeBand = z.enum(AGE_BANDS).meta({ description: 'Age band in years on the day asked (年龄段)' });

// ---- branches (党支部, 党小组) ----------------------------------------------------------------

export const PartyGroup = z.strictObject({
  id: id('Party group (党小组) id'),
  name: z.string(),
  leaderId: id('Person id of the group leader (党小组长)').optional(),
});

export const Branch = z.strictObject({
  branchId: id('Branch (党支部) id'),
  name: z.string(),
  secretaryId: id('Person id of the secretary (支部书记)').optional(),
  partyGroups: z.array(PartyGroup),
  retiredMembers: z.boolean().meta({
    description:
      'A retired members’ branch (离退休党支部): where a retirement moves a member when the institution has one',
  }),
  version: z.number().int().positive().meta({ description: 'Send back as `version` when correcting' }),
  createdAt: instant,
  updatedAt: instant.optional(),
});

// ---- people ---------------------------------------------------------------------------------

const Probation = z.strictObject({
  startedOn: isoDate,
  extensionMonths: z
    .number()
    .int()
    .optional()
    .meta({ description: '延长预备期, 6 to 12 months', example: 6 }),
  extendedOn: isoDate.optional(),
  oathOn: isoDate.optional().meta({ description: 'Admission oath (入党宣誓)' }),
});

const PipelineFacts = z.strictObject({
  applicationTalkOn: isoDate.optional(),
  lastActivistReviewOn: isoDate.optional(),
  politicalReviewOn: isoDate.optional(),
  resolution: z.strictObject({ activityId: z.string(), heldOn: isoDate }).optional(),
  lastQuarterlyDiscussionOn: isoDate.optional(),
});

const MembershipDecision = z.strictObject({
  authority: z.string().meta({ description: 'The decision’s reference, e.g. 党委决定文号' }),
  reason: z.string(),
});

const Retirement = z
  .strictObject({
    on: isoDate,
    ...MembershipDecision.shape,
    retiredBranchId: id('The retired members’ branch (离退休党支部) the person moved to').optional(),
    recordedBy: id('Who recorded it'),
  })
  .meta({ description: 'The person retired (退休) and remains a member' });

const Departure = z
  .strictObject({
    on: isoDate,
    reason: z.enum(departureReasons).meta({
      description:
        'transferred-out 组织关系转出, left-institution 离职, deceased 去世, expelled 开除党籍 (出党), withdrew 退党, membership-stopped 停止党籍',
    }),
    formerBranchId: id('The branch they left').optional(),
    recordedBy: id('Who recorded it'),
    transfer: z
      .strictObject({
        letterNumber: z.string().meta({ description: '介绍信编号' }),
        receivingOrganisation: z.string().meta({ description: 'The organisation the person transferred to' }),
        note: z.string().optional(),
      })
      .optional()
      .meta({ description: 'A transfer out (组织关系转出): its letter and where it sends the person' }),
    decision: MembershipDecision.optional().meta({ description: 'An end of membership: its decision' }),
  })
  .meta({
    description: 'The person left the register: the record is kept, every role ended, the account disabled',
  });

const ArrivedWith = z
  .strictObject({
    history: z.literal(true),
    stage: PoliticalStatus,
    since: isoDate,
    evidence: z.strictObject({
      kind: z.enum(arrivalEvidenceKinds).meta({
        description: 'transfer-letter 组织关系介绍信, party-file 党员档案, approval 上级党委审批',
      }),
      reference: z.string(),
      issuedOn: isoDate,
    }),
    recordedBy: id('The committee member who registered the person with it'),
    importId: id('The import the history came in with (imported history), when it did').optional(),
    transferredFrom: z
      .string()
      .optional()
      .meta({ description: 'A transfer in (组织关系转入): the organisation whose letter sent the person' }),
  })
  .meta({
    description:
      'Present when the person was registered past the start of the pipeline, with the evidence of their history',
  });

const personFields = (contact: string) => ({
  personId: id('Person id (ULID)'),
  version: z.number().int().positive().meta({ description: 'Send back as `version` when correcting' }),
  name: z.string().meta({ example: '张伟' }),
  gender: Gender,
  birthDate: isoDate.meta({ example: '1990-05-12' }),
  workStartDate: isoDate.optional(),
  department: z.string(),
  position: z.string().optional(),
  education: Education.optional(),
  title: z.string().optional().meta({ description: 'Professional title (职称)' }),
  branchId: id('Branch (党支部) id').optional(),
  partyGroupId: id('Party group (党小组) id').optional(),
  politicalStatus: PoliticalStatus,
  statusSince: isoDate,
  phone: z
    .string()
    .optional()
    .meta({ description: `Phone, ${contact}` }),
  email: z
    .string()
    .optional()
    .meta({ description: `E-mail, ${contact}` }),
  contactPersonIds: z.array(z.string()).optional().meta({ description: '培养联系人' }),
  probation: Probation.optional(),
  pipeline: PipelineFacts.optional(),
  roles: z
    .array(z.enum(roles))
    .meta({ description: 'What the person holds on the platform, which their account’s groups follow' }),
  departure: Departure.optional(),
  arrivedWith: ArrivedWith.optional(),
  retirement: Retirement.optional(),
  createdAt: instant,
  updatedAt: instant,
});

/** How the person's sign-in account stands (none, invited, active, disabled), and why there is none. */
export const AccountView = z.strictObject({
  status: z.enum(accountStatuses).meta({
    description:
      'none: no account (no e-mail, or see `problem`); invited: the invitation’s password not yet changed; active; disabled: left the register',
  }),
  problem: z
    .enum(accountProblems)
    .optional()
    .meta({ description: 'email-taken: another account signs in with the e-mail address' }),
});

/** One person's own record: contact details whole (GET /talent/people/{personId}, /talent/me). */
export const PersonRecord = z.strictObject({
  ...personFields('whole (only on the person’s own record)'),
  account: AccountView,
});
/** A person anywhere else (lists, write answers): contact details masked (PIPL). */
export const PersonSummary = z.strictObject(personFields('masked, e.g. 138****5678 (PIPL)'));

/** The stored person without what the view shows otherwise: their roles are shown as `roles`. */
const shown = (p: Person) => {
  const { phone, email, secretaryOf: _s, committeeMember: _c, ...rest } = p;
  return { phone, email, rest: { ...rest, roles: accountGroups(p) } };
};

/** The person as stored, with contact details whole, and their account: only for one person's own record. */
export const personRecord = (
  p: Person,
  account: Pick<AccountState, 'status' | 'problem'> | undefined,
): z.output<typeof PersonRecord> => {
  const { phone, email, rest } = shown(p);
  return {
    ...rest,
    ...(phone ? { phone } : {}),
    ...(email ? { email } : {}),
    account: account
      ? { status: account.status, ...(account.problem ? { problem: account.problem } : {}) }
      : { status: 'none' },
  };
};

/** The person in a list or a write's answer: contact details masked. */
export const personSummary = (p: Person): z.output<typeof PersonSummary> => {
  const { phone, email, rest } = shown(p);
  return {
    ...rest,
    ...(phone ? { phone: maskPhone(phone) } : {}),
    ...(email ? { email: maskEmail(email) } : {}),
  };
};

// ---- the pipeline's commands ------------------------------------------------------------------

export const Evidence = z.strictObject({
  contactPersonIds: z.array(z.string()).optional(),
  branchCommitteeDecisionOn: isoDate.optional(),
  introducerIds: z.array(z.string()).optional().meta({ description: '入党介绍人' }),
  politicalReviewOn: isoDate.optional(),
  training: z
    .strictObject({
      days: z.number().optional(),
      classHours: z.number().optional(),
      completedOn: isoDate.optional(),
    })
    .optional(),
  publicNotice: z.strictObject({ from: isoDate, to: isoDate }).optional().meta({ description: '公示' }),
  resolutionActivityId: z.string().optional(),
  specialReason: z.string().optional(),
  reason: z.string().optional(),
});

const stageChange = {
  type: z.literal('stage'),
  on: isoDate,
  from: PoliticalStatus,
  to: PoliticalStatus,
  statusSince: isoDate,
  evidence: Evidence,
};
const extension = {
  type: z.literal('probation-extended'),
  on: isoDate,
  months: z.number().int().meta({ example: 6 }),
  reason: z.string(),
};
const oath = { type: z.literal('oath'), on: isoDate };
const pipelineEvent = {
  type: PipelineEventKind,
  on: isoDate,
  activityId: z.string().optional(),
  note: z.string().optional(),
};

export const TransitionResult = z.strictObject({
  person: PersonSummary,
  transition: z.strictObject(stageChange),
});
export const ExtensionResult = z.strictObject({
  person: PersonSummary,
  extension: z.strictObject(extension),
});
export const OathResult = z.strictObject({ person: PersonSummary, oath: z.strictObject(oath) });
export const PipelineEventResult = z.strictObject({
  person: PersonSummary,
  event: z.strictObject(pipelineEvent),
});

// ---- records --------------------------------------------------------------------------------

const recordFields = {
  recordId: id('Record id'),
  personId: id('Person id'),
  kind: RecordKind,
  date: isoDate,
  title: z.string(),
  details: z.string().optional(),
  rating: Rating.optional(),
  version: z.number().int().positive(),
  recordedBy: id('Who recorded it: their person id (for an account linked to no person, the account id)'),
  recordedAt: instant,
  correctedBy: id(
    'Who last corrected it: their person id (for an account linked to no person, the account id)',
  ).optional(),
  correctedAt: instant.optional(),
  withdrawnAt: instant.optional().meta({
    description:
      'Set when the record was withdrawn (撤销): it is kept, shown as withdrawn, and never changed again',
  }),
  withdrawnBy: id('Who withdrew it').optional(),
  withdrawalReason: z.string().optional(),
};
export const RecordSchema = z.strictObject(recordFields);

// ---- timeline, profile, points --------------------------------------------------------------

const recorded = {
  recordedBy: id('Who recorded it: their person id (for an account linked to no person, the account id)'),
  recordedAt: instant,
};
const points = z.number().int().meta({ description: 'Points this entry earned (积分)' });

/** On a step of the history: the checked files of the pipeline file that evidence it. */
const evidenced = {
  evidenceFiles: z.array(z.string()).optional().meta({
    description:
      'The checked files (佐证材料) evidencing this step, attachment ids of `GET /talent/people/{personId}/attachments`; empty: none yet',
  }),
};

export const HistoryEntry = z.discriminatedUnion('type', [
  z.strictObject({ ...stageChange, ...recorded, ...evidenced }),
  z.strictObject({ ...extension, ...recorded }),
  z.strictObject({ ...oath, ...recorded }),
  z.strictObject({ ...pipelineEvent, ...recorded, ...evidenced }),
]);

export type HistoryEntry = z.output<typeof HistoryEntry>;

export const RecordEntry = z.strictObject({ type: z.literal('record'), on: isoDate, ...recordFields });
export type RecordEntry = z.output<typeof RecordEntry>;

const ContributionEntry = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('attendance'),
    on: isoDate,
    status: AttendanceStatus,
    points,
    activityId: z.string(),
    activityType: ActivityType,
    title: z.string(),
    branchId: z.string(),
    recordedLate: z
      .strictObject({ reason: z.string(), recordedAt: z.string() })
      .optional()
      .meta({ description: 'The activity was entered after the fact (补录): why, and when' }),
  }),
  z.strictObject({
    type: z.literal('study'),
    on: isoDate,
    minutes: z.number(),
    points,
    resourceId: z.string(),
    title: z.string(),
  }),
  z.strictObject({
    type: z.literal('assessment'),
    on: isoDate,
    assessmentId: z.string(),
    attemptId: z.string(),
    passed: z.boolean(),
    score: z.number(),
    points,
    title: z.string(),
  }),
  z.strictObject({
    type: z.literal('volunteering'),
    on: isoDate,
    hours: z.number(),
    points,
    jointEventId: z.string(),
    jointEventKind: JointEventKind,
    title: z.string(),
  }),
]);

export const TimelineEntry = z.union([HistoryEntry, RecordEntry, ContributionEntry]);
export type TimelineEntry = z.output<typeof TimelineEntry>;

export const YearPoints = z.strictObject({
  year: z.number().int(),
  total: z.number().int(),
  attendance: z.number().int(),
  study: z.number().int(),
  assessment: z.number().int(),
  volunteering: z.number().int(),
});

export const Timeline = z.strictObject({
  personId: id('Person id'),
  items: z.array(TimelineEntry).meta({ description: 'Newest first' }),
  nextCursor: z.string().optional().meta({ description: 'Pass back as `cursor` for the next page' }),
  points: z.array(YearPoints).meta({ description: 'Yearly points (年度积分), newest year first' }),
});

export const Profile = z.strictObject({
  person: PersonRecord,
  stage: z.strictObject({
    politicalStatus: PoliticalStatus,
    since: isoDate,
    probation: Probation.optional(),
  }),
  history: z.array(HistoryEntry),
  records: z.array(RecordEntry),
  pools: z.array(TalentPool),
  points: z.array(YearPoints),
});

// ---- pools, calendar, insights --------------------------------------------------------------

export const PoolMembership = z.strictObject({ pool: TalentPool, personId: id('Person id') });
export const PoolPage = z.strictObject({
  pool: TalentPool,
  items: z.array(PersonSummary),
  nextCursor: z.string().optional().meta({ description: 'Pass back as `cursor` for the next page' }),
});

export const Calendar = z.strictObject({
  year: z.number().int(),
  holidays: z.array(isoDate).meta({ description: 'Public holidays falling on weekdays (法定节假日)' }),
  workdays: z.array(isoDate).meta({ description: 'Weekend days that are working days (调休上班)' }),
});

const GroupStructure = z.strictObject({
  count,
  bands: z.strictObject(
    Object.fromEntries(AGE_BANDS.map((b) => [b, count])) as Record<(typeof AGE_BANDS)[number], typeof count>,
  ),
  shareUnder35: z.number().nullable().meta({ description: 'Share under 35, 0..1; null when nobody counts' }),
  averageAge: z.number().nullable(),
});

export const AgeStructure = z.strictObject({
  branchId: id('The branch asked about; absent for the whole institution').optional(),
  asOf: isoDate,
  members: GroupStructure.meta({ description: 'Party members: probationary and full' }),
  pipeline: GroupStructure.meta({ description: 'Applicants, activists and candidates' }),
  gaps: z.array(AgeBand).meta({ description: 'Empty member bands between filled ones (断层)' }),
  warnings: z.array(z.strictObject({ code: z.string(), message: z.string() })),
});

/** A person a list of the pipeline names. */
const namedPerson = {
  personId: id('Person id'),
  name: z.string(),
  branchId: z.string().optional(),
  politicalStatus: PoliticalStatus,
};

export const PipelineInsight = z.strictObject({
  branchId: id('The branch asked about; absent for the whole institution').optional(),
  asOf: isoDate,
  counts: z.strictObject(
    Object.fromEntries(politicalStatuses.map((s) => [s, count])) as Record<
      (typeof politicalStatuses)[number],
      typeof count
    >,
  ),
  due: z.array(
    z.strictObject({
      personId: id('Person id'),
      name: z.string(),
      branchId: z.string().optional(),
      politicalStatus: PoliticalStatus,
      rule: z.string().meta({ description: 'The step that is due, e.g. `activist-review-overdue`' }),
      dueOn: isoDate,
      deadline: isoDate.optional(),
      overdue: z.boolean(),
    }),
  ),
  withoutEvidence: z
    .array(
      z.strictObject({
        ...namedPerson,
        steps: z.array(z.string()).meta({ description: 'Completed steps no checked file evidences yet' }),
      }),
    )
    .meta({
      description:
        'People in the stages with steps whose completed steps lack evidence (佐证材料), by name: what an inspection would find missing',
    }),
});

// ---- the audit log --------------------------------------------------------------------------

export const AuditEntrySchema = z.strictObject({
  auditId: id('Entry id (ULID)'),
  actor: id(
    'Who acted: the caller’s person id, or for an account linked to no person the account id; ' +
      '`GET /talent/audit/actors/{actorId}` lists by it',
  ),
  accountId: id('The account that signed in (the token’s `sub`)'),
  actorRoles: z.array(z.enum(roles)),
  action: z.enum(auditActions).meta({
    description:
      'What was done: person.* and record.* and pool.* to one person’s record, timeline.read and profile.read ' +
      '(the person’s own /talent/me), people.list for a list of people (one entry per request, with its scope)',
  }),
  personId: id('Whose record').optional(),
  scope: z
    .strictObject({
      list: z.enum([
        'people',
        'pool',
        'pipeline-due',
        'committee',
        'thought-reports',
        'dues-arrears',
        'dues-statement',
      ]),
      branchId: z.string().optional(),
      status: PoliticalStatus.optional(),
      pool: z.string().optional(),
      q: z.string().optional(),
      quarter: z.string().optional(),
      year: z.number().int().optional(),
    })
    .optional()
    .meta({ description: 'Which people a list showed: its query' }),
  export: z
    .strictObject({
      exportId: id('The export’s id (ULID)'),
      service: z.string().meta({ description: 'The service that made the file' }),
      register: z.string().meta({ description: 'Which register: `resources.assessment-results`, …' }),
      query: z.record(z.string(), z.union([z.string(), z.number()])),
      rows: z.number().int().nonnegative(),
    })
    .optional()
    .meta({ description: 'register.export: the register another service exported, its query and its rows' }),
  changes: z
    .array(
      z.strictObject({
        field: z.string(),
        before: z.unknown().optional(),
        after: z.unknown().optional(),
      }),
    )
    .optional()
    .meta({
      description:
        'What a write changed: each field before and after (absent where it had no value); phone and e-mail masked',
    }),
  at: instant,
  requestId: id('The request’s id (response header `x-request-id`)'),
});

// ---- pipeline evidence (佐证材料) and thought reports (思想汇报) ---------------------------------

const EvidenceKindView = z.enum(evidenceKinds).meta({
  description:
    'application-letter — 入党申请书, thought-report — 思想汇报 (of a quarter), political-review — 政审材料, ' +
    'public-notice — 公示, other — 其他',
});
const PipelineStepView = z.enum(pipelineSteps).meta({
  description:
    'A step of the pipeline: a stage reached (applicant — 入党申请人, activist — 积极分子, candidate — 发展对象, ' +
    'probationary — 预备党员, full — 转正) or a fact recorded along the way (application-talk — 入党谈话, ' +
    'activist-review — 积极分子考察, political-review — 政审, branch-resolution — 支部党员大会表决, ' +
    'quarterly-discussion — 预备党员季度讨论)',
});
export const quarterPattern = /^(19|20)\d{2}-Q[1-4]$/;

export const EvidenceFileView = z
  .strictObject({
    attachmentId: id('Evidence file id'),
    personId: id('Whose pipeline file'),
    kind: EvidenceKindView,
    step: PipelineStepView.optional(),
    quarter: z
      .string()
      .regex(quarterPattern)
      .optional()
      .meta({ description: 'The quarter a thought report covers', example: '2026-Q3' }),
    name: z.string(),
    contentType: z.string(),
    sizeBytes: count,
    status: z.enum(checkedFileStatuses).meta({
      description: 'uploading — 待上传/检查中, available — 已通过检查, rejected — 未通过检查',
    }),
    rejectedReason: RejectionReasonView.optional(),
    uploadedBy: id('Who uploaded it: their person id (an account linked to no person: the account id)'),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'PipelineEvidence', description: "A file on a person's pipeline file (佐证材料)" });

export const evidenceView = (f: EvidenceFile): z.output<typeof EvidenceFileView> => ({
  attachmentId: f.attachmentId,
  personId: f.personId,
  kind: f.kind,
  ...(f.step ? { step: f.step } : {}),
  ...(f.quarter ? { quarter: f.quarter } : {}),
  name: f.name,
  contentType: f.contentType,
  sizeBytes: f.sizeBytes,
  status: f.status,
  ...(f.rejectedReason ? { rejectedReason: f.rejectedReason } : {}),
  uploadedBy: f.uploadedBy,
  createdAt: f.createdAt,
  updatedAt: f.updatedAt,
});

export const CreatedEvidence = EvidenceFileView.extend({
  upload: UploadFormView.optional().meta({
    description: 'Present while the file waits for its upload: post the file with it',
  }),
}).meta({ id: 'CreatedPipelineEvidence' });

export const EvidenceDownload = DownloadLinkView.meta({
  id: 'PipelineEvidenceDownload',
  description: 'A short-lived link to the checked file, served as an attachment',
});

export const EvidenceList = z.strictObject({
  personId: id('Whose pipeline file'),
  items: z.array(EvidenceFileView).meta({ description: 'Every file, oldest first, whatever its status' }),
  steps: z
    .array(
      z.strictObject({
        step: PipelineStepView,
        evidence: z
          .array(z.string())
          .meta({ description: 'The checked files evidencing the step (attachment ids); empty: none yet' }),
      }),
    )
    .meta({
      description: 'The steps the person has completed, each with its evidence: what an inspection asks for',
    }),
});

export const ThoughtReportsMissing = z.strictObject({
  branchId: id('The branch asked about; absent for the whole institution').optional(),
  quarter: z.string().meta({ example: '2026-Q3' }),
  owing: count.meta({
    description:
      'How many people owe a thought report for the quarter: activists, candidates, probationary members',
  }),
  missing: z
    .array(
      z.strictObject({
        ...namedPerson,
        statusSince: isoDate,
      }),
    )
    .meta({ description: 'Who owes one and has none checked for the quarter, by name' }),
});

// ---------------------------------------------------------------- imports (批量导入)

const ImportTotalsView = z.strictObject({
  rows: z.number().int().meta({ description: 'Data rows read (empty rows not counted)' }),
  valid: z.number().int().meta({ description: 'Rows registered on confirmation' }),
  invalid: z
    .number()
    .int()
    .meta({ description: 'Rows with at least one error: the import is not confirmed until none' }),
  needingCommittee: z.number().int().meta({
    description: 'Valid rows arriving with a history, on the committee’s authority (imported history)',
  }),
  alreadyRegistered: z
    .number()
    .int()
    .meta({ description: 'Rows whose person is on the register already: skipped' }),
});

const Bilingual = z.strictObject({ zh: z.string(), en: z.string() });

export const RowIssueView = z
  .strictObject({
    row: z
      .number()
      .int()
      .meta({ description: 'The row as the spreadsheet numbers it (the header is row 1)' }),
    column: z
      .string()
      .optional()
      .meta({ description: 'The column’s header, where one cell is at issue', example: '出生日期' }),
    code: z.enum(rowIssueCodes),
    severity: z.enum(['error', 'notice']).meta({
      description:
        'error: the row is not registered and the import not confirmed; notice: said, and the row goes on (or, already-registered, is skipped)',
    }),
    message: Bilingual,
  })
  .meta({ id: 'ImportRowIssue' });

const importFields = {
  importId: id('The import'),
  state: z.enum(importStates).meta({
    description:
      'uploading: waiting for the file; checked: the dry run is done (see totals and issues); refused: the whole file was refused (see refusal); importing: confirmed, registering; imported: done (see result)',
  }),
  fileName: z.string(),
  type: z.enum(['xlsx', 'csv']),
  sizeBytes: z.number().int(),
  byCommittee: z
    .boolean()
    .meta({ description: 'The committee’s import (any branch, history allowed) or a secretary’s' }),
  branchId: id('A secretary’s import: their branch').optional(),
  refusal: z
    .strictObject({ code: z.enum(fileRefusals), message: Bilingual, detail: z.string().optional() })
    .optional(),
  totals: ImportTotalsView.optional(),
  result: z.strictObject({ created: z.number().int(), skipped: z.number().int() }).optional().meta({
    description: 'Once imported: people registered, and rows skipped as already registered meanwhile',
  }),
  createdAt: timestamp,
  updatedAt: timestamp,
};

export const CreatedImport = z.strictObject({ ...importFields, upload: UploadFormView }).meta({
  id: 'CreatedImport',
  description: 'The import, with the presigned form to upload its file to (5 MB at most)',
});

export const ImportReport = z
  .strictObject({
    ...importFields,
    issues: z
      .array(RowIssueView)
      .meta({ description: 'The dry run’s issues, in row order (a page of them)' }),
    nextCursor: z
      .string()
      .optional()
      .meta({ description: 'Pass back as `cursor` for the next page of issues' }),
  })
  .meta({ id: 'ImportReport' });

export const importView = (imp: ImportRecord) => ({
  importId: imp.importId,
  state: imp.state,
  fileName: imp.fileName,
  type: imp.type,
  sizeBytes: imp.sizeBytes,
  byCommittee: imp.byCommittee,
  ...(imp.ownBranchId !== undefined ? { branchId: imp.ownBranchId } : {}),
  ...(imp.refusal
    ? {
        refusal: {
          code: imp.refusal.code,
          message: fileRefusalMessages[imp.refusal.code],
          ...(imp.refusal.detail ? { detail: imp.refusal.detail } : {}),
        },
      }
    : {}),
  ...(imp.totals ? { totals: imp.totals } : {}),
  ...(imp.result ? { result: imp.result } : {}),
  createdAt: imp.createdAt,
  updatedAt: imp.updatedAt,
});
