/**
 * The development pipeline (发展党员) as pure rules, after 《中国共产党发展党员工作细则》 and
 * the Party Constitution: masses → applicant → activist → candidate → probationary → full,
 * one step at a time, never backwards except the cancellation of a probationary member
 * (取消预备党员资格). Every figure is a named constant; every refusal is a 422 whose code
 * names the rule and whose message carries the figures. No I/O: the handler loads the
 * people, the meeting and the calendars the rules refer to and passes them in.
 */
import {
  accept,
  type DomainError,
  notFound,
  type RefusalCode,
  type Result,
  refuse,
  ruleViolation,
} from '../../../shared/errors.js';
import { addMonths, ageOn, monthsBetween } from '../../../shared/time.js';
import { type PoliticalStatus, politicalStatuses } from '../events.js';
import { countWorkingDays, type WorkingCalendar } from './calendar.js';

/** 年满十八岁 to apply. */
export const MIN_APPLICANT_AGE = 18;
/** 培养联系人: one or two full members. */
export const MIN_CONTACT_PERSONS = 1;
export const MAX_CONTACT_PERSONS = 2;
/** 一年以上 as activist before becoming a candidate (发展对象). */
export const MIN_ACTIVIST_MONTHS = 12;
/** 两名正式党员作入党介绍人. */
export const INTRODUCERS_REQUIRED = 2;
/** 政审 older than this at the branch general meeting must be redone. */
export const POLITICAL_REVIEW_VALID_MONTHS = 12;
/** 短期集中培训: at least 3 days or 24 class hours (学时). */
export const MIN_TRAINING_DAYS = 3;
export const MIN_TRAINING_CLASS_HOURS = 24;
/** 公示 of at least 5 working days, ended before the branch general meeting votes. */
export const MIN_PUBLIC_NOTICE_WORKING_DAYS = 5;
/** 上级党委 approval within 3 months of the meeting, 6 with a stated special reason. */
export const MAX_APPROVAL_MONTHS = 3;
export const MAX_APPROVAL_MONTHS_SPECIAL = 6;
/** 预备期一年. */
export const PROBATION_MONTHS = 12;
/** 延长预备期 once, by at least 6 and at most 12 months. */
export const MIN_PROBATION_EXTENSION_MONTHS = 6;
export const MAX_PROBATION_EXTENSION_MONTHS = 12;

export const BRANCH_GENERAL_MEETING = 'branch-general-meeting';

export interface PipelinePerson {
  personId: string;
  birthDate: string;
  branchId?: string;
  politicalStatus: PoliticalStatus;
  statusSince: string;
  /**
   * The local date the register first held the person: nothing that happened to them in
   * the pipeline is dated before it (a back-dated chain entered in one sitting is refused).
   */
  registeredOn: string;
  contactPersonIds?: readonly string[];
  probation?: Probation;
}

export interface Probation {
  startedOn: string;
  extensionMonths?: number;
  extendedOn?: string;
  oathOn?: string;
}

/** What the command names; presence is checked here so a missing piece is a 422 naming it. */
export interface TransitionEvidence {
  contactPersonIds?: readonly string[];
  branchCommitteeDecisionOn?: string;
  introducerIds?: readonly string[];
  politicalReviewOn?: string;
  training?: { days?: number; classHours?: number; completedOn?: string };
  publicNotice?: { from: string; to: string };
  resolutionActivityId?: string;
  specialReason?: string;
  reason?: string;
}

/**
 * A person the evidence names, as far as the caller may see them: whether they were a full
 * member is decided on the effective date, from when they became one and when they left.
 */
export interface KnownPerson {
  personId: string;
  politicalStatus: PoliticalStatus;
  statusSince: string;
  departure?: { on: string };
}

/** A full member (正式党员) on `date`: full since then or earlier, and not yet gone. */
export const wasFullMemberOn = (p: KnownPerson, date: string): boolean =>
  p.politicalStatus === 'full' &&
  p.statusSince <= date &&
  (p.departure === undefined || p.departure.on > date);

export interface KnownMeeting {
  activityId: string;
  branchId: string;
  type: string;
  heldOn: string;
}

export interface TransitionCommand {
  person: PipelinePerson;
  to: PoliticalStatus;
  effectiveOn: string;
  /** The local date of the request: nothing is recorded as happening in the future. */
  today: string;
  evidence: TransitionEvidence;
  /** The people the evidence names (contact persons, introducers), as far as they exist. */
  people: ReadonlyMap<string, KnownPerson>;
  meeting?: KnownMeeting;
  calendars: ReadonlyMap<number, WorkingCalendar>;
}

export interface AcceptedTransition {
  from: PoliticalStatus;
  to: PoliticalStatus;
  effectiveOn: string;
  /** The new stage's start: probation starts on the meeting's date, not on the approval. */
  statusSince: string;
  contactPersonIds?: string[];
  probation?: Probation | null;
}

const refuseRule = (code: RefusalCode<'rule'>, message: string) => refuse(ruleViolation(code, message));

const nextStage = (status: PoliticalStatus): PoliticalStatus | undefined =>
  politicalStatuses[politicalStatuses.indexOf(status) + 1];

export const probationEndsOn = (probation: Probation): string =>
  addMonths(probation.startedOn, PROBATION_MONTHS + (probation.extensionMonths ?? 0));

/**
 * The people named must be known (the handler leaves out whoever the caller may not see, so
 * "elsewhere" and "nowhere" are the same 404) and full members on the effective date, not
 * merely today.
 */
const checkFullMembers = (
  ids: readonly string[],
  c: TransitionCommand,
  role: 'contact-person' | 'introducer',
): DomainError | undefined => {
  for (const id of ids) {
    if (id === c.person.personId)
      return ruleViolation(
        role === 'introducer' ? 'introducer-is-the-person' : 'contact-person-is-the-person',
        `${id}: a person cannot be their own ${role}`,
      );
    const known = c.people.get(id);
    if (!known) return notFound('Person');
    if (!wasFullMemberOn(known, c.effectiveOn)) {
      return ruleViolation(
        role === 'introducer' ? 'introducer-not-full-member' : 'contact-person-not-full-member',
        `${id}: not a full party member on ${c.effectiveOn}`,
      );
    }
  }
  return undefined;
};

const contactPersons = (command: TransitionCommand): Result<string[]> => {
  const ids = [...new Set(command.evidence.contactPersonIds ?? command.person.contactPersonIds ?? [])];
  if (ids.length < MIN_CONTACT_PERSONS || ids.length > MAX_CONTACT_PERSONS) {
    return refuseRule(
      'contact-persons-required',
      `${ids.length} contact persons named: ${MIN_CONTACT_PERSONS} or ${MAX_CONTACT_PERSONS} required`,
    );
  }
  const bad = checkFullMembers(ids, command, 'contact-person');
  return bad ? refuse(bad) : accept(ids);
};

const resolutionMeeting = (command: TransitionCommand): Result<KnownMeeting> => {
  const id = command.evidence.resolutionActivityId;
  if (!id)
    return refuseRule(
      'resolution-meeting-required',
      'the branch general meeting (resolutionActivityId) is required',
    );
  const meeting = command.meeting;
  if (
    !meeting ||
    meeting.activityId !== id ||
    meeting.type !== BRANCH_GENERAL_MEETING ||
    meeting.branchId !== command.person.branchId
  ) {
    return refuseRule(
      'resolution-meeting-unknown',
      `${id}: not a completed branch general meeting of the person's branch`,
    );
  }
  // A meeting before the register held the person cannot have voted on them here.
  if (meeting.heldOn < command.person.registeredOn) {
    return refuseRule(
      'resolution-before-registration',
      `meeting held ${meeting.heldOn}, before the person was registered on ${command.person.registeredOn}`,
    );
  }
  return accept(meeting);
};

const toApplicant = (c: TransitionCommand): Result<AcceptedTransition> => {
  const age = ageOn(c.person.birthDate, c.effectiveOn);
  if (age < MIN_APPLICANT_AGE) {
    return refuseRule(
      'applicant-under-age',
      `born ${c.person.birthDate}: ${age} on ${c.effectiveOn}, ${MIN_APPLICANT_AGE} required`,
    );
  }
  return accept(accepted(c));
};

const toActivist = (c: TransitionCommand): Result<AcceptedTransition> => {
  if (c.effectiveOn <= c.person.statusSince) {
    return refuseRule(
      'activist-not-after-application',
      `applied on ${c.person.statusSince}: an activist is determined after the application, not on ${c.effectiveOn}`,
    );
  }
  const contacts = contactPersons(c);
  if (!contacts.ok) return contacts;
  return accept({ ...accepted(c), contactPersonIds: contacts.value });
};

const toCandidate = (c: TransitionCommand): Result<AcceptedTransition> => {
  const months = monthsBetween(c.person.statusSince, c.effectiveOn);
  if (months < MIN_ACTIVIST_MONTHS) {
    return refuseRule(
      'activist-period-too-short',
      `activist since ${c.person.statusSince}: ${months} months, ${MIN_ACTIVIST_MONTHS} required`,
    );
  }
  const contacts = contactPersons(c);
  if (!contacts.ok) return contacts;
  const decided = c.evidence.branchCommitteeDecisionOn;
  if (!decided) {
    return refuseRule('branch-committee-decision-required', 'the branch committee decision date is required');
  }
  if (decided > c.effectiveOn) {
    return refuseRule(
      'branch-committee-decision-after-effective',
      `branch committee decided on ${decided}, after ${c.effectiveOn}`,
    );
  }
  return accept({ ...accepted(c), contactPersonIds: contacts.value });
};

const toProbationary = (c: TransitionCommand): Result<AcceptedTransition> => {
  const e = c.evidence;
  const introducers = [...new Set(e.introducerIds ?? [])];
  if (introducers.length !== INTRODUCERS_REQUIRED) {
    return refuseRule(
      'introducers-required',
      `${introducers.length} introducers named: ${INTRODUCERS_REQUIRED} required`,
    );
  }
  const badIntroducer = checkFullMembers(introducers, c, 'introducer');
  if (badIntroducer) return refuse(badIntroducer);

  const found = resolutionMeeting(c);
  if (!found.ok) return found;
  const meeting = found.value;
  if (meeting.heldOn < c.person.statusSince) {
    return refuseRule(
      'resolution-before-candidacy',
      `meeting held ${meeting.heldOn}, before candidacy began on ${c.person.statusSince}`,
    );
  }

  if (!e.politicalReviewOn)
    return refuseRule('political-review-required', 'the political review date is required');
  const reviewExpires = addMonths(e.politicalReviewOn, POLITICAL_REVIEW_VALID_MONTHS);
  if (e.politicalReviewOn > meeting.heldOn || meeting.heldOn > reviewExpires) {
    return refuseRule(
      'political-review-expired',
      `political review on ${e.politicalReviewOn}, valid ${POLITICAL_REVIEW_VALID_MONTHS} months until ${reviewExpires}; meeting held ${meeting.heldOn}`,
    );
  }

  if (!e.training) return refuseRule('training-required', 'the short training is required');
  const days = e.training.days ?? 0;
  const hours = e.training.classHours ?? 0;
  if (days < MIN_TRAINING_DAYS && hours < MIN_TRAINING_CLASS_HOURS) {
    return refuseRule(
      'training-too-short',
      `training of ${days} days and ${hours} class hours: ${MIN_TRAINING_DAYS} days or ${MIN_TRAINING_CLASS_HOURS} class hours required`,
    );
  }
  if (e.training.completedOn !== undefined && e.training.completedOn > c.effectiveOn) {
    return refuseRule(
      'evidence-after-effective',
      `training completed ${e.training.completedOn}, after the step's effective date ${c.effectiveOn}`,
    );
  }

  const notice = e.publicNotice;
  if (!notice) return refuseRule('public-notice-required', 'the public notice (from, to) is required');
  if (notice.from > notice.to) {
    return refuseRule(
      'public-notice-too-short',
      `public notice ${notice.from}..${notice.to} ends before it starts`,
    );
  }
  const counted = countWorkingDays(notice.from, notice.to, c.calendars);
  if (!counted.ok) {
    return refuseRule(
      'working-day-calendar-missing',
      `no working-day calendar for ${counted.missingYears.join(', ')}: the committee has to publish it first`,
    );
  }
  if (counted.count < MIN_PUBLIC_NOTICE_WORKING_DAYS) {
    return refuseRule(
      'public-notice-too-short',
      `public notice ${notice.from}..${notice.to}: ${counted.count} working days, ${MIN_PUBLIC_NOTICE_WORKING_DAYS} required`,
    );
  }
  if (notice.to >= meeting.heldOn) {
    return refuseRule(
      'public-notice-not-ended',
      `public notice ends ${notice.to}: it must end before the meeting held ${meeting.heldOn}`,
    );
  }

  // effectiveOn is the higher committee's approval (上级党委审批).
  if (c.effectiveOn < meeting.heldOn) {
    return refuseRule(
      'approval-before-meeting',
      `approved ${c.effectiveOn}, before the meeting held ${meeting.heldOn}`,
    );
  }
  const allowed = e.specialReason?.trim() ? MAX_APPROVAL_MONTHS_SPECIAL : MAX_APPROVAL_MONTHS;
  const deadline = addMonths(meeting.heldOn, allowed);
  if (c.effectiveOn > deadline) {
    return refuseRule(
      'approval-too-late',
      `meeting held ${meeting.heldOn}, approved ${c.effectiveOn}: ${allowed} months allowed, until ${deadline}`,
    );
  }
  return accept({
    ...accepted(c),
    statusSince: meeting.heldOn,
    probation: { startedOn: meeting.heldOn },
  });
};

const toFull = (c: TransitionCommand): Result<AcceptedTransition> => {
  const probation = c.person.probation ?? { startedOn: c.person.statusSince };
  const endsOn = probationEndsOn(probation);
  const months = PROBATION_MONTHS + (probation.extensionMonths ?? 0);
  if (c.effectiveOn < endsOn) {
    return refuseRule(
      'probation-not-ended',
      `probation since ${probation.startedOn}: ${months} months, ends ${endsOn}; not on ${c.effectiveOn}`,
    );
  }
  // 入党宣誓 belongs to probation: no one becomes a full member without it on record.
  if (!probation.oathOn) {
    return refuseRule('oath-not-recorded', 'the admission oath (入党宣誓) has not been recorded');
  }
  const found = resolutionMeeting(c);
  if (!found.ok) return found;
  if (found.value.heldOn < endsOn) {
    return refuseRule(
      'resolution-before-probation-end',
      `meeting held ${found.value.heldOn}, before probation ended on ${endsOn}`,
    );
  }
  if (c.effectiveOn < found.value.heldOn) {
    return refuseRule(
      'effective-before-resolution',
      `meeting held ${found.value.heldOn}: the step cannot take effect before it, on ${c.effectiveOn}`,
    );
  }
  return accept({ ...accepted(c), probation: { ...probation } });
};

const toMasses = (c: TransitionCommand): Result<AcceptedTransition> => {
  if (!c.evidence.reason?.trim()) {
    return refuseRule('cancellation-reason-required', 'cancelling a probationary membership needs a reason');
  }
  return accept({ ...accepted(c), probation: null });
};

const accepted = (c: TransitionCommand): AcceptedTransition => ({
  from: c.person.politicalStatus,
  to: c.to,
  effectiveOn: c.effectiveOn,
  statusSince: c.effectiveOn,
});

/** Checks one transition; the refusal names the first rule that fails. */
export const checkTransition = (c: TransitionCommand): Result<AcceptedTransition> => {
  const from = c.person.politicalStatus;
  const cancelling = from === 'probationary' && c.to === 'masses';
  if (!cancelling && nextStage(from) !== c.to) {
    const next = nextStage(from);
    return refuseRule(
      'transition-not-allowed',
      `${from} → ${c.to}: ${next ? `the next step is ${next}` : 'no further step'}, one step at a time`,
    );
  }
  if (c.effectiveOn > c.today) {
    return refuseRule('effective-date-in-future', `effective ${c.effectiveOn} is after today, ${c.today}`);
  }
  if (c.effectiveOn < c.person.statusSince) {
    return refuseRule(
      'effective-before-current-stage',
      `${from} since ${c.person.statusSince}: a step cannot take effect before, on ${c.effectiveOn}`,
    );
  }
  if (c.effectiveOn < c.person.registeredOn) {
    return refuseRule(
      'effective-before-registration',
      `registered on ${c.person.registeredOn}: a step cannot take effect before, on ${c.effectiveOn}`,
    );
  }
  switch (c.to) {
    case 'applicant':
      return toApplicant(c);
    case 'activist':
      return toActivist(c);
    case 'candidate':
      return toCandidate(c);
    case 'probationary':
      return toProbationary(c);
    case 'full':
      return toFull(c);
    case 'masses':
      return toMasses(c);
  }
};

/** The facts of a probation, which the register's own date does not bound (a transfer in brings one). */
type OnProbation = Omit<PipelinePerson, 'registeredOn'>;

export interface ExtensionCommand {
  person: OnProbation;
  months: number;
  decidedOn: string;
  today: string;
}

/** 延长预备期: once, 6 to 12 months, decided while probation still runs. */
export const checkProbationExtension = (c: ExtensionCommand): Result<Probation> => {
  if (c.person.politicalStatus !== 'probationary' || !c.person.probation) {
    return refuseRule(
      'not-probationary',
      `${c.person.politicalStatus}: only a probationary member's probation extends`,
    );
  }
  const probation = c.person.probation;
  if (probation.extensionMonths) {
    return refuseRule(
      'probation-already-extended',
      `probation already extended by ${probation.extensionMonths} months on ${probation.extendedOn}`,
    );
  }
  if (c.months < MIN_PROBATION_EXTENSION_MONTHS || c.months > MAX_PROBATION_EXTENSION_MONTHS) {
    return refuseRule(
      'extension-out-of-range',
      `${c.months} months: an extension is ${MIN_PROBATION_EXTENSION_MONTHS} to ${MAX_PROBATION_EXTENSION_MONTHS} months`,
    );
  }
  if (c.decidedOn > c.today) {
    return refuseRule('effective-date-in-future', `decided ${c.decidedOn} is after today, ${c.today}`);
  }
  const endsOn = probationEndsOn(probation);
  if (c.decidedOn < probation.startedOn || c.decidedOn > endsOn) {
    return refuseRule(
      'extension-outside-probation',
      `probation ${probation.startedOn}..${endsOn}: an extension is decided within it, not on ${c.decidedOn}`,
    );
  }
  return accept({ ...probation, extensionMonths: c.months, extendedOn: c.decidedOn });
};

/** 入党宣誓 is recorded during probation. */
export const checkOath = (person: OnProbation, takenOn: string, today: string): Result<Probation> => {
  if (person.politicalStatus !== 'probationary' || !person.probation) {
    return refuseRule('not-probationary', `${person.politicalStatus}: the oath is recorded during probation`);
  }
  if (takenOn > today)
    return refuseRule('effective-date-in-future', `oath ${takenOn} is after today, ${today}`);
  if (takenOn < person.probation.startedOn) {
    return refuseRule(
      'oath-before-probation',
      `probation started ${person.probation.startedOn}: the oath cannot be on ${takenOn}`,
    );
  }
  return accept({ ...person.probation, oathOn: takenOn });
};
