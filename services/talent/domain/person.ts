/** The person as talent holds it, and the views other parties get of it. */
import type { Caller } from '../../../shared/auth.js';
import { actsForBranch, isSelf } from '../../../shared/auth.js';
import { accept, type Result, refuse, ruleViolation } from '../../../shared/errors.js';
import type { PersonSnapshot, PoliticalStatus } from '../events.js';
import type { PipelineFacts } from './due.js';
import type { Probation } from './pipeline.js';

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
] as const;

export interface Departure {
  on: string;
  reason: (typeof departureReasons)[number];
  /** The branch they belonged to when they left. */
  formerBranchId?: string;
  recordedBy: string;
}

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
  ...(p.departure ? { departedOn: p.departure.on } : {}),
});

/** The person themselves, their branch's secretary, the committee. Everyone else: "not found". */
export const canSeePerson = (caller: Caller, p: Pick<Person, 'personId' | 'branchId'>): boolean =>
  isSelf(caller, p.personId) || actsForBranch(caller, p.branchId);

/** Who edits a person's record: their branch's secretary and the committee (not the person). */
export const canManagePerson = (caller: Caller, p: Pick<Person, 'branchId'>): boolean =>
  actsForBranch(caller, p.branchId);
