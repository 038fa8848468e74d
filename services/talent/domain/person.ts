/** The person as talent holds it, and the views other parties get of it. */
import type { Caller } from '../../../shared/auth.js';
import { actsForBranch, isSelf } from '../../../shared/auth.js';
import {
  accept,
  DomainError,
  notFound,
  ownRecord,
  type Result,
  refuse,
  ruleViolation,
} from '../../../shared/errors.js';
import { addMonths, ageOn } from '../../../shared/time.js';
import type { PersonSnapshot, PoliticalStatus } from '../events.js';
import type { PipelineFacts } from './due.js';
import { MIN_APPLICANT_AGE, type Probation } from './pipeline.js';

export const genders = ['male', 'female'] as const;
export const educations = ['secondary', 'associate', 'bachelor', 'master', 'doctorate'] as const;
/** 后备干部, 青年人才, 党务工作者. */
export const talentPools = ['reserve-cadre', 'young-talent', 'party-affairs'] as const;

export interface Person {
  personId: string;
  version: number;
  name: string;
  gender: (typeof genders)[number];
  birthDate: string;
  workStartDate?: string;
  department: string;
  position?: string;
  education?: (typeof educations)[number];
  title?: string;
  branchId?: string;
  partyGroupId?: string;
  politicalStatus: PoliticalStatus;
  statusSince: string;
  phone?: string;
  email?: string;
  /** 培养联系人, named when becoming an activist (or a candidate). */
  contactPersonIds?: string[];
  probation?: Probation;
  /** Facts recorded along the way that the pipeline insights read. */
  pipeline?: PipelineFacts;
  /** The branch whose secretary (支部书记) the person is, as that branch names them. */
  secretaryOf?: string;
  /** A member of the party committee (党委委员), named by the committee. */
  committeeMember?: boolean;
  /** When and why the person left the register; the record is kept, the account disabled. */
  departure?: Departure;
  /** Present when the person came in past the pipeline's start, on the committee's authority. */
  arrivedWith?: ArrivalHistory;
  /** Retired (退休), still a member: where they went, on whose decision (domain/lifecycle.ts). */
  retirement?: Retirement;
  createdAt: string;
  updatedAt: string;
}

/**
 * Why someone leaves the register: their organisational relationship transferred out
 * (组织关系转出), they left the institution (离职), died (去世), were expelled (开除党籍)
 * or withdrew (退党).
 */
export const departureReasons = [
  'transferred-out',
  'left-institution',
  'deceased',
  'expelled',
  'withdrew',
  // 停止党籍: the membership ended by the committee's decision (domain/lifecycle.ts).
  'membership-stopped',
] as const;

export interface Departure {
  on: string;
  reason: (typeof departureReasons)[number];
  /** The branch they belonged to when they left. */
  formerBranchId?: string;
  recordedBy: string;
  /** A transfer out (组织关系转出): the letter (介绍信) and where it sends the person. */
  transfer?: TransferOut;
  /** An end of membership: the decision behind it (e.g. 党委决定文号) and why. */
  decision?: MembershipDecision;
}

export interface TransferOut {
  letterNumber: string;
  receivingOrganisation: string;
  note?: string;
}

export interface MembershipDecision {
  authority: string;
  reason: string;
}

export interface Retirement extends MembershipDecision {
  on: string;
  /** The retired members' branch (离退休党支部) the person moved to, when the institution has one. */
  retiredBranchId?: string;
  recordedBy: string;
}

/**
 * What a person arriving with a history (an existing member, a transfer in) brings as proof:
 * 组织关系介绍信 (`transfer-letter`), 党员档案 (`party-file`) or the higher committee's
 * approval (`approval`), with its reference number and date of issue.
 */
export const arrivalEvidenceKinds = ['transfer-letter', 'party-file', 'approval'] as const;

export interface ArrivalEvidence {
  kind: (typeof arrivalEvidenceKinds)[number];
  reference: string;
  issuedOn: string;
}

export interface ArrivalHistory {
  history: true;
  stage: PoliticalStatus;
  since: string;
  evidence: ArrivalEvidence;
  recordedBy: string;
  /** Present when the history came in with an import (imported history): that import. */
  importId?: string;
  /** A transfer in (组织关系转入): the organisation whose letter sent the person. */
  transferredFrom?: string;
}

/** Where an ordinary registration may start the pipeline: nothing beyond it is taken on trust. */
export const PIPELINE_START: readonly PoliticalStatus[] = ['masses', 'applicant'];
/**
 * An application (入党申请书) older than this when first registered is history, not an
 * ordinary entry: the application talk is due within a month of it, so a year-old one
 * registered now would arrive with its steps already overdue.
 */
export const APPLICATION_RECORDED_WITHIN_MONTHS = 12;

export interface RegistrationCommand {
  birthDate: string;
  politicalStatus: PoliticalStatus;
  statusSince: string;
  /** The evidence when the person arrives with a history. */
  history?: ArrivalEvidence;
  byCommittee: boolean;
  today: string;
}

/**
 * A registration's place in the pipeline: an ordinary one starts at its beginning, recently;
 * one with a history is the committee's to make, with evidence dated on or after the stage
 * it proves and not in the future.
 */
/**
 * The codes a registration's own rules refuse with (`checkRegistration`, `checkPersonDates`):
 * the route lists them among its refusals, an import's dry run reports them per row.
 */
export const registrationRuleCodes = [
  'birth-date-implausible',
  'birth-date-in-future',
  'work-start-before-birth',
  'status-since-out-of-range',
  'applicant-under-age',
  'application-too-old',
  'registration-not-at-pipeline-start',
  'history-evidence-before-stage',
  'history-evidence-in-future',
] as const;

export const checkRegistration = (r: RegistrationCommand): Result<RegistrationCommand> => {
  if (r.history && !r.byCommittee) {
    return refuse(
      new DomainError(
        'forbidden',
        'history-committee-only',
        'Only the committee registers a person with a history',
      ),
    );
  }
  if (!r.history && !PIPELINE_START.includes(r.politicalStatus)) {
    return refuse(
      ruleViolation(
        'registration-not-at-pipeline-start',
        `an ordinary registration starts as ${PIPELINE_START.join(' or ')}; ${r.politicalStatus} needs a history with its evidence`,
      ),
    );
  }
  if (r.politicalStatus !== 'masses' && ageOn(r.birthDate, r.statusSince) < MIN_APPLICANT_AGE) {
    return refuse(
      ruleViolation(
        'applicant-under-age',
        `born ${r.birthDate}: under ${MIN_APPLICANT_AGE} on ${r.statusSince}`,
      ),
    );
  }
  if (r.history) {
    if (r.history.issuedOn < r.statusSince) {
      return refuse(
        ruleViolation(
          'history-evidence-before-stage',
          `evidence issued ${r.history.issuedOn}, before the stage it proves began on ${r.statusSince}`,
        ),
      );
    }
    if (r.history.issuedOn > r.today) {
      return refuse(
        ruleViolation(
          'history-evidence-in-future',
          `evidence issued ${r.history.issuedOn}, after today (${r.today})`,
        ),
      );
    }
    return accept(r);
  }
  const oldest = addMonths(r.today, -APPLICATION_RECORDED_WITHIN_MONTHS);
  if (r.politicalStatus === 'applicant' && r.statusSince < oldest) {
    return refuse(
      ruleViolation(
        'application-too-old',
        `applied ${r.statusSince}: an ordinary registration records an application from ${oldest} on; an older one is history`,
      ),
    );
  }
  return accept(r);
};

/** No one on the register was born before this: an earlier birth date is a typo. */
export const EARLIEST_BIRTH_DATE = '1900-01-01';

type PersonDates = Pick<Person, 'birthDate' | 'statusSince' | 'workStartDate'>;

/** A person's dates agree with each other and with today (births are plausible, nothing is in the future but work start). */
export const checkPersonDates = (p: PersonDates, today: string): Result<PersonDates> => {
  if (p.birthDate < EARLIEST_BIRTH_DATE) {
    return refuse(
      ruleViolation('birth-date-implausible', `born ${p.birthDate}, before ${EARLIEST_BIRTH_DATE}`),
    );
  }
  if (p.birthDate > today) {
    return refuse(ruleViolation('birth-date-in-future', `born ${p.birthDate}, after today (${today})`));
  }
  if (p.statusSince < p.birthDate || p.statusSince > today) {
    return refuse(
      ruleViolation(
        'status-since-out-of-range',
        `status since ${p.statusSince}: between ${p.birthDate} and ${today}`,
      ),
    );
  }
  if (p.workStartDate && p.workStartDate < p.birthDate) {
    return refuse(
      ruleViolation(
        'work-start-before-birth',
        `work started ${p.workStartDate}, before birth ${p.birthDate}`,
      ),
    );
  }
  return accept(p);
};

/** What every talent event carries: no contact details ever leave talent. */
export const snapshotOf = (p: Person): PersonSnapshot => ({
  personId: p.personId,
  version: p.version,
  name: p.name,
  gender: p.gender,
  birthDate: p.birthDate,
  department: p.department,
  ...(p.branchId ? { branchId: p.branchId } : {}),
  ...(p.partyGroupId ? { partyGroupId: p.partyGroupId } : {}),
  politicalStatus: p.politicalStatus,
  statusSince: p.statusSince,
  ...(p.secretaryOf ? { secretaryOf: p.secretaryOf } : {}),
  ...(p.departure ? { departedOn: p.departure.on } : {}),
});

/** The person themselves, their branch's secretary, the committee. Everyone else: "not found". */
export const canSeePerson = (caller: Caller, p: Pick<Person, 'personId' | 'branchId'>): boolean =>
  isSelf(caller, p.personId) || actsForBranch(caller, p.branchId);

/**
 * Who manages a person's record (its corrections, records, pools, roles, pipeline): their
 * branch's secretary and the committee, never the person themselves, whatever role they hold
 * (separation of duties: another committee member acts on a committee member's record).
 * Outside the caller's scope the person does not exist for them.
 */
export const managementOf = <P extends Pick<Person, 'personId' | 'branchId'>>(
  caller: Caller,
  p: P | undefined,
): Result<P> => {
  if (!p || !actsForBranch(caller, p.branchId)) return refuse(notFound('Person'));
  if (isSelf(caller, p.personId)) return refuse(ownRecord());
  return accept(p);
};
