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

export const talentEvents = [
  PersonRegistered,
  PersonUpdated,
  MemberJoinedBranch,
  MemberLeftBranch,
  StageChanged,
];
