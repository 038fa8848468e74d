/**
 * Evidence on the development pipeline (发展党员的佐证材料): the files an inspection asks for
 * beside each step (入党申请书, 思想汇报, 政审材料, 公示), who may add which, which step each
 * evidences, and the quarterly thought report (思想汇报) owed by the people in the later
 * stages. Pure: the files themselves go through the checked-upload flow
 * (shared/storage/checked-file.ts); no AWS, no clock.
 */
import { actsForBranch, type Caller, isSelf } from '../../../shared/auth.js';
import { accept, notFound, ownRecord, type Result, refuse, ruleViolation } from '../../../shared/errors.js';
import { type CheckedFile, checkDeclaredFile, fileObjectKeys } from '../../../shared/storage/checked-file.js';
import type { DeclaredFile } from '../../../shared/storage/upload.js';
import { type PoliticalStatus, politicalStatuses } from '../events.js';
import { type PipelineEventKind, pipelineEventKinds } from './due.js';
import type { Person } from './person.js';

/**
 * application-letter 入党申请书, thought-report 思想汇报 (of a quarter), political-review 政审材料,
 * public-notice 公示, other 其他 (a committee's decision, a talk's notes, …).
 */
export const evidenceKinds = [
  'application-letter',
  'thought-report',
  'political-review',
  'public-notice',
  'other',
] as const;
export type EvidenceKind = (typeof evidenceKinds)[number];

/** A step of the pipeline: a stage reached (by its transition) or a fact recorded along the way. */
export type PipelineStep = Exclude<PoliticalStatus, 'masses'> | PipelineEventKind;
export const pipelineSteps = [
  ...politicalStatuses.filter((s) => s !== 'masses'),
  ...Object.keys(pipelineEventKinds),
] as [PipelineStep, ...PipelineStep[]];

/**
 * Which steps each kind evidences, the first its default. A thought report evidences no one
 * step: it names its quarter. 政审 material goes with the review itself or with the reception
 * as probationary member it is a condition of; 公示 comes before that reception.
 */
export const stepsOfKind: Readonly<Record<EvidenceKind, readonly PipelineStep[]>> = {
  'application-letter': ['applicant'],
  'thought-report': [],
  'political-review': ['political-review', 'probationary'],
  'public-notice': ['probationary'],
  other: pipelineSteps,
};

/** A pipeline file holds at most this many: quarterly reports over years of the pipeline, and the rest. */
export const MAX_EVIDENCE_FILES = 60;

/** Scans and documents: PDF, Word (old and new), PNG and JPEG. */
export const evidenceTypes = [
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'image/png',
  'image/jpeg',
] as const;

/**
 * What a person writes themselves and hands to the branch: their application and their
 * thought reports. Everything else on the file (政审, 公示, the branch's decisions) is the
 * branch's own work and stays with those who manage the record.
 */
export const SELF_SUBMITTED: readonly EvidenceKind[] = ['application-letter', 'thought-report'];

export interface EvidenceFile extends CheckedFile {
  personId: string;
  attachmentId: string;
  kind: EvidenceKind;
  step?: PipelineStep;
  /** A thought report's quarter, `2026-Q3`. */
  quarter?: string;
  /** Who uploaded it: their person id (an account linked to no person: the account id). */
  uploadedBy: string;
  createdAt: string;
}

/**
 * Who adds evidence to a person's file: their branch's secretary and the committee, never on
 * their own file (separation of duties, as every other write of a record). The person
 * themselves submits what they write (SELF_SUBMITTED) while they are in the pipeline, not once
 * a full member: a secretary or committee member, full members, adds nothing to their own
 * file. Outside the caller's scope the person does not exist for them.
 */
export const evidenceAuthority = (
  caller: Caller,
  person: Pick<Person, 'personId' | 'branchId' | 'politicalStatus'> | undefined,
  kind: EvidenceKind,
): Result<Pick<Person, 'personId' | 'branchId' | 'politicalStatus'>> => {
  if (!person) return refuse(notFound('Person'));
  if (isSelf(caller, person.personId)) {
    return SELF_SUBMITTED.includes(kind) && person.politicalStatus !== 'full'
      ? accept(person)
      : refuse(ownRecord('Your own pipeline file takes only your application and thought reports'));
  }
  return actsForBranch(caller, person.branchId) ? accept(person) : refuse(notFound('Person'));
};

// ---- quarters (Asia/Shanghai dates) -------------------------------------------------------------

/** `2026-Q3` → its first and last local dates. */
export const quarterDates = (quarter: string): { first: string; last: string } => {
  const year = quarter.slice(0, 4);
  const q = Number(quarter.slice(6));
  const first = `${year}-${String(q * 3 - 2).padStart(2, '0')}-01`;
  const last = `${year}-${String(q * 3).padStart(2, '0')}-${q === 1 || q === 4 ? '31' : '30'}`;
  return { first, last };
};

/** The quarter a local date falls in. */
export const quarterOf = (date: string): string =>
  `${date.slice(0, 4)}-Q${Math.ceil(Number(date.slice(5, 7)) / 3)}`;

/** The declared file, of a type evidence takes, within the limit, for a step its kind evidences. */
export const checkNewEvidence = (
  e: DeclaredFile & { kind: EvidenceKind; step?: PipelineStep | undefined; quarter?: string | undefined },
  uploadLimitBytes: number,
  today: string,
): Result<{ step?: PipelineStep }> => {
  const declared = checkDeclaredFile(e, evidenceTypes, uploadLimitBytes);
  if (!declared.ok) return declared;
  const steps = stepsOfKind[e.kind];
  if (e.step !== undefined && !steps.includes(e.step)) {
    return refuse(
      ruleViolation('evidence-step-mismatch', `A ${e.kind} does not evidence the step ${e.step}`, {
        steps: [...steps],
      }),
    );
  }
  if (e.quarter !== undefined && quarterDates(e.quarter).first > today) {
    return refuse(ruleViolation('quarter-in-future', `${e.quarter} has not begun on ${today}`));
  }
  const step = e.step ?? (e.kind === 'other' ? undefined : steps[0]);
  return accept(step ? { step } : {});
};

/** The refusal when the file holds MAX_EVIDENCE_FILES already (the store's condition says so). */
export const tooManyEvidenceFiles = () =>
  ruleViolation(
    'too-many-evidence-files',
    `A pipeline file holds at most ${MAX_EVIDENCE_FILES} evidence files`,
    { limit: MAX_EVIDENCE_FILES },
  );

const objectKeys = fileObjectKeys('evidence', 'personId');

export const evidenceKeyOf = objectKeys.keyOf;

/** `evidence/<ULID>/<ULID>` → the two ids; anything else is not one of ours. */
export const evidenceIdsOfKey = objectKeys.idsOfKey;

/** One checked copy per event that made it, outside `evidence/`, where no form writes. */
export const evidenceCopyKeyOf = objectKeys.copyKeyOf;

/** Every checked copy a file's checks made: removed with it. */
export const evidenceCopiesOf = (f: Pick<EvidenceFile, 'personId' | 'attachmentId'>) =>
  objectKeys.copiesOf(f.personId, f.attachmentId);

// ---- which completed steps have evidence ----------------------------------------------------

/** How many checked files evidence each step (the store keeps it beside the file count). */
export type EvidencedSteps = Partial<Record<PipelineStep, number>>;

/**
 * The steps a person has completed, as their record shows them: every stage from applicant
 * to their current one, and the facts recorded at their current stage. Stages they arrived
 * past (a transfer in, with its own evidence: `arrivedWith`) are not this register's steps.
 */
export const completedSteps = (
  p: Pick<Person, 'politicalStatus' | 'pipeline' | 'arrivedWith'>,
): PipelineStep[] => {
  const reached = politicalStatuses.indexOf(p.politicalStatus);
  const arrived = p.arrivedWith ? politicalStatuses.indexOf(p.arrivedWith.stage) : 0;
  const stages = politicalStatuses.filter((_s, i) => i > arrived && i <= reached) as PipelineStep[];
  const facts = p.pipeline ?? {};
  const events: PipelineStep[] = [
    ...(facts.applicationTalkOn ? (['application-talk'] as const) : []),
    ...(facts.lastActivistReviewOn ? (['activist-review'] as const) : []),
    ...(facts.politicalReviewOn ? (['political-review'] as const) : []),
    ...(facts.resolution ? (['branch-resolution'] as const) : []),
    ...(facts.lastQuarterlyDiscussionOn ? (['quarterly-discussion'] as const) : []),
  ];
  return [...stages, ...events];
};

/** The completed steps no checked file evidences yet: what an inspection would find missing. */
export const stepsWithoutEvidence = (
  p: Pick<Person, 'politicalStatus' | 'pipeline' | 'arrivedWith'>,
  evidenced: EvidencedSteps,
): PipelineStep[] => completedSteps(p).filter((s) => (evidenced[s] ?? 0) < 1);

/** The people in `people` with completed steps lacking evidence, and those steps. */
export const withoutEvidence = <
  P extends Pick<Person, 'personId' | 'name' | 'branchId' | 'politicalStatus' | 'pipeline' | 'arrivedWith'>,
>(
  people: readonly P[],
  evidenced: ReadonlyMap<string, EvidencedSteps>,
) =>
  people.flatMap((p) => {
    const steps = stepsWithoutEvidence(p, evidenced.get(p.personId) ?? {});
    return steps.length === 0
      ? []
      : [
          {
            personId: p.personId,
            name: p.name,
            ...(p.branchId ? { branchId: p.branchId } : {}),
            politicalStatus: p.politicalStatus,
            steps,
          },
        ];
  });

// ---- quarterly thought reports (思想汇报) ---------------------------------------------------

/**
 * Who owes a thought report every quarter: activists (积极分子), development objects (发展对象)
 * and probationary members (预备党员). Applicants write one when they like; full members are
 * past the pipeline.
 */
export const OWES_THOUGHT_REPORTS = [
  'activist',
  'candidate',
  'probationary',
] as const satisfies readonly PoliticalStatus[];

/**
 * The people who owe a thought report for `quarter` and have none accepted for it: at a stage
 * that owes one, which began on or before the quarter's last day (a stage begun later owes
 * from its own quarter), and not among `submitted`.
 */
export const missingThoughtReports = <P extends Pick<Person, 'personId' | 'politicalStatus' | 'statusSince'>>(
  people: readonly P[],
  submitted: ReadonlySet<string>,
  quarter: string,
): P[] => {
  const { last } = quarterDates(quarter);
  const owing = new Set<PoliticalStatus>(OWES_THOUGHT_REPORTS);
  return people.filter(
    (p) => owing.has(p.politicalStatus) && p.statusSince <= last && !submitted.has(p.personId),
  );
};
