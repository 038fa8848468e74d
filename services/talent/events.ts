/**
 * What talent tells the rest of the platform (source `dangjian.talent`). Every event carries
 * the person's snapshot with talent's version number, so a consumer can keep a projection
 * (a branch roster) correct whatever order events arrive in: a snapshot only replaces an
 * older one. Contact details (phone, e-mail) never leave talent.
 */
import * as z from 'zod';
import { defineEvent } from '../../shared/events/contract.js';
import { isoDate } from '../../shared/schemas.js';

const TALENT = 'talent';

/** The development pipeline: 群众 → 入党申请人 → 积极分子 → 发展对象 → 预备党员 → 正式党员. */
export const politicalStatuses = [
  'masses',
  'applicant',
  'activist',
  'candidate',
  'probationary',
  'full',
] as const;
export type PoliticalStatus = (typeof politicalStatuses)[number];
/** Party members in the sense of rosters and attendance: probationary (预备) and full (正式). */
export const memberStatuses: readonly PoliticalStatus[] = ['probationary', 'full'];

export const personSnapshot = z.object({
  personId: z.string(),
  /** Talent's version of the person; increases with every change. */
  version: z.number().int().positive(),
  name: z.string(),
  gender: z.enum(['male', 'female']),
  birthDate: isoDate,
  department: z.string(),
  branchId: z.string().optional(),
  partyGroupId: z.string().optional(),
  politicalStatus: z.enum(politicalStatuses),
  statusSince: isoDate,
  /**
   * The branch this person is secretary (支部书记) of: always their own branch. Consumers
   * address a branch's secretary from their copy of the roster, never by asking talent.
   */
  secretaryOf: z.string().optional(),
  /** Set once the person left the register (their record is kept): they are no one's member now. */
  departedOn: isoDate.optional(),
});
export type PersonSnapshot = z.output<typeof personSnapshot>;

export const PersonRegistered = defineEvent(TALENT, 'PersonRegistered', z.object({ person: personSnapshot }));

export const PersonUpdated = defineEvent(
  TALENT,
  'PersonUpdated',
  z.object({ person: personSnapshot, changed: z.array(z.string()) }),
);

/** Published with MemberLeftBranch when a person moves; `person` is the snapshot after the move. */
export const MemberJoinedBranch = defineEvent(
  TALENT,
  'MemberJoinedBranch',
  z.object({ person: personSnapshot, branchId: z.string() }),
);

export const MemberLeftBranch = defineEvent(
  TALENT,
  'MemberLeftBranch',
  z.object({ person: personSnapshot, branchId: z.string() }),
);

export const StageChanged = defineEvent(
  TALENT,
  'StageChanged',
  z.object({
    person: personSnapshot,
    from: z.enum(politicalStatuses),
    to: z.enum(politicalStatuses),
    effectiveOn: isoDate,
  }),
);

/** A step falls due within a week (提前提醒), or its date passed (逾期). */
export const duePhases = ['due-soon', 'overdue'] as const;
export type DuePhase = (typeof duePhases)[number];

/**
 * A pipeline step (发展党员) falls due within a week (`due-soon`) or its date passed
 * (`overdue`), published once per person, rule, `dueOn` and phase by the daily `pipeline-due`
 * schedule (domain/pipeline-due.ts). A step done meanwhile is simply never announced again.
 */
export const PipelineStepDue = defineEvent(
  TALENT,
  'PipelineStepDue',
  z.object({
    personId: z.string(),
    name: z.string(),
    /** None for someone in no branch: there is no secretary to tell, only the person. */
    branchId: z.string().optional(),
    politicalStatus: z.enum(politicalStatuses),
    /** The rule behind the step (domain/due.ts), e.g. `activist-half-yearly-review`. */
    rule: z.string(),
    /** The date the step became due, as the pipeline insight lists it. */
    dueOn: isoDate,
    /** The last day it is on time, where the rule has one. */
    deadline: isoDate.optional(),
    phase: z.enum(duePhases),
  }),
);

/**
 * A member has unpaid dues (党费) of months already late (domain/dues-reminders.ts), published
 * once per person and `sweptIn` month by the daily `dues-reminders` schedule from the 20th.
 * The months only: never an amount, a base or a category (income is sensitive under PIPL).
 */
export const DuesArrearsFound = defineEvent(
  TALENT,
  'DuesArrearsFound',
  z.object({
    personId: z.string(),
    /** None for someone in no branch. */
    branchId: z.string().optional(),
    /** The month of the sweep (YYYY-MM): one reminder per person and month. */
    sweptIn: z.string(),
    /** The unpaid months (YYYY-MM), oldest first. */
    months: z.array(z.string()).min(1),
  }),
);

/**
 * talent's own work item: the next chunk of a confirmed import is due. talent publishes it
 * and consumes it itself (handlers/imports.ts), so a large import runs as a chain of short
 * runs, each applied once (the consumer's marker) and each row registered once (its natural key).
 */
export const ImportChunkDue = defineEvent(
  TALENT,
  'ImportChunkDue',
  z.object({ importId: z.string(), chunk: z.number().int().nonnegative() }),
);

export const talentEvents = [
  PersonRegistered,
  PersonUpdated,
  MemberJoinedBranch,
  MemberLeftBranch,
  StageChanged,
  PipelineStepDue,
  DuesArrearsFound,
  ImportChunkDue,
];
