/**
 * Every rule of the pipeline with the boundary day that flips it: the day before fails,
 * the day itself passes (or the other way round where the rule is a deadline).
 */
import { describe, expect, it } from 'vitest';
import type { PoliticalStatus } from '../events.js';
import type { WorkingCalendar } from './calendar.js';
import {
  checkOath,
  checkProbationExtension,
  checkTransition,
  type KnownPerson,
  type PipelinePerson,
  type TransitionCommand,
  type TransitionEvidence,
} from './pipeline.js';

const FULL_A = 'FULLA';
const FULL_B = 'FULLB';
const PROBATIONARY = 'PROB';
const people = new Map<string, KnownPerson>([
  [FULL_A, { personId: FULL_A, politicalStatus: 'full', statusSince: '2010-07-01' }],
  [FULL_B, { personId: FULL_B, politicalStatus: 'full', statusSince: '2010-07-01' }],
  [PROBATIONARY, { personId: PROBATIONARY, politicalStatus: 'probationary', statusSince: '2025-07-01' }],
]);
const calendar2026: WorkingCalendar = {
  year: 2026,
  // Wed 2026-06-03 off; Sat 2026-06-13 worked.
  holidays: ['2026-06-03'],
  workdays: ['2026-06-13'],
};
const calendars = new Map([[2026, calendar2026]]);

const person = (
  status: PoliticalStatus,
  since: string,
  extra: Partial<PipelinePerson> = {},
): PipelinePerson => ({
  personId: 'ME',
  birthDate: '1995-01-01',
  branchId: 'B1',
  politicalStatus: status,
  statusSince: since,
  registeredOn: '2000-01-01',
  ...extra,
});

const meeting = (heldOn: string, extra: Partial<{ branchId: string; type: string }> = {}) => ({
  activityId: 'MEET',
  branchId: 'B1',
  type: 'branch-general-meeting',
  heldOn,
  ...extra,
});

const command = (c: Partial<TransitionCommand> & Pick<TransitionCommand, 'person' | 'to' | 'effectiveOn'>) =>
  ({ today: '2027-12-31', evidence: {}, people, calendars, ...c }) as TransitionCommand;

const verdict = (c: TransitionCommand): string => {
  const result = checkTransition(c);
  return result.ok ? 'ok' : result.error.code;
};

// A candidate with every piece of evidence in order: notice Mon 06-08..Fri 06-12 (5 working
// days), meeting 2026-06-15, review 2025-09-01, approval 2026-07-01.
const probationaryEvidence: TransitionEvidence = {
  introducerIds: [FULL_A, FULL_B],
  politicalReviewOn: '2025-09-01',
  training: { days: 3 },
  publicNotice: { from: '2026-06-08', to: '2026-06-12' },
  resolutionActivityId: 'MEET',
};
const toProbationary = (
  evidence: Partial<TransitionEvidence> = {},
  effectiveOn = '2026-07-01',
  heldOn = '2026-06-15',
  since = '2026-01-01',
) =>
  command({
    person: person('candidate', since),
    to: 'probationary',
    effectiveOn,
    evidence: { ...probationaryEvidence, ...evidence },
    meeting: meeting(heldOn),
  });

describe('one step at a time', () => {
  it.each([
    ['masses', 'activist'],
    ['applicant', 'candidate'],
    ['activist', 'applicant'],
    ['candidate', 'masses'],
    ['full', 'probationary'],
    ['masses', 'masses'],
  ] as const)('%s → %s is refused', (from, to) => {
    expect(verdict(command({ person: person(from, '2020-01-01'), to, effectiveOn: '2026-01-01' }))).toBe(
      'transition-not-allowed',
    );
  });

  it('nothing takes effect in the future: tomorrow fails, today passes', () => {
    const c = (effectiveOn: string) =>
      command({ person: person('masses', '2020-01-01'), to: 'applicant', effectiveOn, today: '2026-11-26' });
    expect(verdict(c('2026-11-27'))).toBe('effective-date-in-future');
    expect(verdict(c('2026-11-26'))).toBe('ok');
  });

  it('a step cannot take effect before the current stage began', () => {
    const c = (effectiveOn: string) =>
      command({ person: person('masses', '2020-01-01'), to: 'applicant', effectiveOn });
    expect(verdict(c('2019-12-31'))).toBe('effective-before-current-stage');
    expect(verdict(c('2020-01-01'))).toBe('ok');
  });
});

describe('applicant (入党申请人)', () => {
  it('is 18 on the application date: the day before the birthday fails, the birthday passes', () => {
    const c = (effectiveOn: string) =>
      command({
        person: person('masses', '2008-05-02', { birthDate: '2008-05-02' }),
        to: 'applicant',
        effectiveOn,
      });
    const refused = checkTransition(c('2026-05-01'));
    expect(refused.ok ? undefined : refused.error.toJSON()).toEqual({
      code: 'applicant-under-age',
      message: 'born 2008-05-02: 17 on 2026-05-01, 18 required',
    });
    expect(verdict(c('2026-05-02'))).toBe('ok');
  });
});

describe('activist (积极分子)', () => {
  const c = (effectiveOn: string, contactPersonIds: string[] = [FULL_A]) =>
    command({
      person: person('applicant', '2026-01-10'),
      to: 'activist',
      effectiveOn,
      evidence: { contactPersonIds },
    });

  it('comes after the application: the application day fails, the day after passes', () => {
    expect(verdict(c('2026-01-10'))).toBe('activist-not-after-application');
    expect(verdict(c('2026-01-11'))).toBe('ok');
  });

  it('names one or two contact persons, full members other than the person', () => {
    expect(verdict(c('2026-02-01', []))).toBe('contact-persons-required');
    expect(verdict(c('2026-02-01', [FULL_A, FULL_B]))).toBe('ok');
    expect(verdict(c('2026-02-01', [FULL_A, FULL_B, 'X']))).toBe('contact-persons-required');
    expect(verdict(c('2026-02-01', [PROBATIONARY]))).toBe('contact-person-not-full-member');
    // Someone the caller may not see is left out of `people`: as unknown as no one (404).
    expect(verdict(c('2026-02-01', ['UNKNOWN']))).toBe('not-found');
    expect(verdict(c('2026-02-01', ['ME']))).toBe('contact-person-is-the-person');
  });

  it('a contact person was a full member on the effective date, not merely today', () => {
    const lateFull = new Map<string, KnownPerson>([
      ['LATE', { personId: 'LATE', politicalStatus: 'full', statusSince: '2026-02-02' }],
      [
        'GONE',
        {
          personId: 'GONE',
          politicalStatus: 'full',
          statusSince: '2010-01-01',
          departure: { on: '2026-02-01' },
        },
      ],
    ]);
    const at = (effectiveOn: string, id: string) =>
      verdict({ ...c(effectiveOn, [id]), people: lateFull } as TransitionCommand);
    expect(at('2026-02-01', 'LATE')).toBe('contact-person-not-full-member');
    expect(at('2026-02-02', 'LATE')).toBe('ok');
    expect(at('2026-01-31', 'GONE')).toBe('ok');
    expect(at('2026-02-01', 'GONE')).toBe('contact-person-not-full-member');
  });
});

describe('no step before the person was registered', () => {
  it('the registration day passes, the day before fails', () => {
    const p = person('masses', '2000-01-01', { registeredOn: '2026-03-10' });
    expect(verdict(command({ person: p, to: 'applicant', effectiveOn: '2026-03-09' }))).toBe(
      'effective-before-registration',
    );
    expect(verdict(command({ person: p, to: 'applicant', effectiveOn: '2026-03-10' }))).toBe('ok');
  });

  it('nor on a meeting held before it', () => {
    const registered = person('probationary', '2025-06-10', {
      registeredOn: '2026-11-01',
      probation: { startedOn: '2025-06-10', oathOn: '2025-07-01' },
    });
    const full = (heldOn: string) =>
      verdict(
        command({
          person: registered,
          to: 'full',
          effectiveOn: '2026-11-20',
          evidence: { resolutionActivityId: 'MEET' },
          meeting: meeting(heldOn),
        }),
      );
    expect(full('2026-10-31')).toBe('resolution-before-registration');
    expect(full('2026-11-01')).toBe('ok');
  });
});

describe('candidate (发展对象)', () => {
  const c = (effectiveOn: string, evidence: TransitionEvidence = {}, contactPersonIds?: string[]) =>
    command({
      person: person('activist', '2025-03-01', contactPersonIds ? { contactPersonIds } : {}),
      to: 'candidate',
      effectiveOn,
      evidence: { contactPersonIds: [FULL_A], branchCommitteeDecisionOn: '2026-02-20', ...evidence },
    });

  it('needs a full year as activist: 11 months fails with the figures, 12 passes', () => {
    const refused = checkTransition(c('2026-02-28'));
    expect(refused.ok ? undefined : refused.error.toJSON()).toEqual({
      code: 'activist-period-too-short',
      message: 'activist since 2025-03-01: 11 months, 12 required',
    });
    expect(verdict(c('2026-03-01'))).toBe('ok');
  });

  it('needs contact persons (named now or kept from the activist stage)', () => {
    const none = command({
      person: person('activist', '2025-03-01'),
      to: 'candidate',
      effectiveOn: '2026-03-01',
      evidence: { branchCommitteeDecisionOn: '2026-03-01' },
    });
    expect(verdict(none)).toBe('contact-persons-required');
    const kept = command({
      person: person('activist', '2025-03-01', { contactPersonIds: [FULL_B] }),
      to: 'candidate',
      effectiveOn: '2026-03-01',
      evidence: { branchCommitteeDecisionOn: '2026-03-01' },
    });
    expect(verdict(kept)).toBe('ok');
  });

  it('needs the branch committee decision, taken no later than the step', () => {
    expect(verdict(c('2026-03-01', { branchCommitteeDecisionOn: undefined }))).toBe(
      'branch-committee-decision-required',
    );
    expect(verdict(c('2026-03-01', { branchCommitteeDecisionOn: '2026-03-02' }))).toBe(
      'branch-committee-decision-after-effective',
    );
    expect(verdict(c('2026-03-01', { branchCommitteeDecisionOn: '2026-03-01' }))).toBe('ok');
  });
});

describe('probationary (预备党员)', () => {
  it('passes with complete evidence, probation starting on the meeting date', () => {
    const result = checkTransition(toProbationary());
    expect(result).toEqual({
      ok: true,
      value: {
        from: 'candidate',
        to: 'probationary',
        effectiveOn: '2026-07-01',
        statusSince: '2026-06-15',
        probation: { startedOn: '2026-06-15' },
      },
    });
  });

  it('needs two introducers, full members, not the person', () => {
    expect(verdict(toProbationary({ introducerIds: [FULL_A] }))).toBe('introducers-required');
    expect(verdict(toProbationary({ introducerIds: [FULL_A, FULL_A] }))).toBe('introducers-required');
    expect(verdict(toProbationary({ introducerIds: [FULL_A, PROBATIONARY] }))).toBe(
      'introducer-not-full-member',
    );
    expect(verdict(toProbationary({ introducerIds: [FULL_A, 'ME'] }))).toBe('introducer-is-the-person');
  });

  it("needs a completed branch general meeting of the person's branch", () => {
    expect(verdict(toProbationary({ resolutionActivityId: undefined }))).toBe('resolution-meeting-required');
    const elsewhere = { ...toProbationary(), meeting: meeting('2026-06-15', { branchId: 'B2' }) };
    expect(verdict(elsewhere)).toBe('resolution-meeting-unknown');
    const otherType = { ...toProbationary(), meeting: meeting('2026-06-15', { type: 'party-lesson' }) };
    expect(verdict(otherType)).toBe('resolution-meeting-unknown');
    const { meeting: _m, ...unknown } = toProbationary();
    expect(verdict(unknown as TransitionCommand)).toBe('resolution-meeting-unknown');
  });

  it('the meeting is held during candidacy: the day before it began fails, that day passes', () => {
    expect(verdict(toProbationary({}, '2026-07-01', '2026-06-15', '2026-06-16'))).toBe(
      'resolution-before-candidacy',
    );
    expect(verdict(toProbationary({}, '2026-07-01', '2026-06-15', '2026-06-15'))).toBe('ok');
  });

  it('the political review is at most 12 months old at the meeting: 12 months passes, a day more fails', () => {
    expect(verdict(toProbationary({ politicalReviewOn: undefined }))).toBe('political-review-required');
    expect(verdict(toProbationary({ politicalReviewOn: '2025-06-15' }))).toBe('ok');
    expect(verdict(toProbationary({ politicalReviewOn: '2025-06-14' }))).toBe('political-review-expired');
    expect(verdict(toProbationary({ politicalReviewOn: '2026-06-16' }))).toBe('political-review-expired');
  });

  it('the training is at least 3 days or 24 class hours', () => {
    expect(verdict(toProbationary({ training: undefined }))).toBe('training-required');
    const short = checkTransition(toProbationary({ training: { days: 2, classHours: 23 } }));
    expect(short.ok ? undefined : short.error.toJSON()).toEqual({
      code: 'training-too-short',
      message: 'training of 2 days and 23 class hours: 3 days or 24 class hours required',
    });
    expect(verdict(toProbationary({ training: { days: 3 } }))).toBe('ok');
    expect(verdict(toProbationary({ training: { classHours: 24 } }))).toBe('ok');
  });

  it('the public notice lasts 5 working days, holidays off and adjusted Saturdays on', () => {
    expect(verdict(toProbationary({ publicNotice: undefined }))).toBe('public-notice-required');
    // Mon 06-08..Thu 06-11 is 4 working days; Friday is the fifth.
    const short = checkTransition(toProbationary({ publicNotice: { from: '2026-06-08', to: '2026-06-11' } }));
    expect(short.ok ? undefined : short.error.toJSON()).toEqual({
      code: 'public-notice-too-short',
      message: 'public notice 2026-06-08..2026-06-11: 4 working days, 5 required',
    });
    expect(verdict(toProbationary({ publicNotice: { from: '2026-06-08', to: '2026-06-12' } }))).toBe('ok');
    // Mon 06-01..Fri 06-05 holds the Wednesday holiday: 4; through Monday 06-08 it is 5.
    const withHoliday = (to: string) =>
      toProbationary({ publicNotice: { from: '2026-06-01', to } }, '2026-07-01', '2026-06-15');
    expect(verdict(withHoliday('2026-06-05'))).toBe('public-notice-too-short');
    expect(verdict(withHoliday('2026-06-08'))).toBe('ok');
    // Wed 06-10..Sat 06-13 (worked) is 4; from Tue 06-09 it is 5: the Saturday counts.
    const saturday = toProbationary(
      { publicNotice: { from: '2026-06-10', to: '2026-06-13' } },
      '2026-07-01',
      '2026-06-15',
    );
    expect(verdict(saturday)).toBe('public-notice-too-short');
    const saturdayFive = toProbationary(
      { publicNotice: { from: '2026-06-09', to: '2026-06-13' } },
      '2026-07-01',
      '2026-06-15',
    );
    expect(verdict(saturdayFive)).toBe('ok');
  });

  it('refuses to count without the committee calendar of the year', () => {
    const c = toProbationary({ publicNotice: { from: '2025-12-29', to: '2026-01-05' } });
    expect(verdict(c)).toBe('working-day-calendar-missing');
  });

  it('the public notice ends before the meeting: ending on its day fails, the day before passes', () => {
    expect(verdict(toProbationary({ publicNotice: { from: '2026-06-08', to: '2026-06-15' } }))).toBe(
      'public-notice-not-ended',
    );
    expect(verdict(toProbationary({}, '2026-07-01', '2026-06-13'))).toBe('ok');
    expect(verdict(toProbationary({}, '2026-07-01', '2026-06-12'))).toBe('public-notice-not-ended');
  });

  it('the approval comes after the meeting, within 3 months (6 with a special reason)', () => {
    expect(verdict(toProbationary({}, '2026-06-14'))).toBe('approval-before-meeting');
    expect(verdict(toProbationary({}, '2026-06-15'))).toBe('ok');
    expect(verdict(toProbationary({}, '2026-09-15'))).toBe('ok');
    const late = checkTransition(toProbationary({}, '2026-09-16'));
    expect(late.ok ? undefined : late.error.toJSON()).toEqual({
      code: 'approval-too-late',
      message: 'meeting held 2026-06-15, approved 2026-09-16: 3 months allowed, until 2026-09-15',
    });
    expect(verdict(toProbationary({ specialReason: '上级党委换届' }, '2026-12-15'))).toBe('ok');
    expect(verdict(toProbationary({ specialReason: '上级党委换届' }, '2026-12-16'))).toBe(
      'approval-too-late',
    );
  });
});

describe('full (正式党员)', () => {
  const c = (effectiveOn: string, heldOn = effectiveOn, extensionMonths?: number) =>
    command({
      person: person('probationary', '2025-06-10', {
        probation: {
          startedOn: '2025-06-10',
          oathOn: '2025-07-01',
          ...(extensionMonths ? { extensionMonths } : {}),
        },
      }),
      to: 'full',
      effectiveOn,
      evidence: { resolutionActivityId: 'MEET' },
      meeting: meeting(heldOn),
    });

  it('one year of probation: the day before its end fails, the end passes', () => {
    const early = checkTransition(c('2026-06-09'));
    expect(early.ok ? undefined : early.error.toJSON()).toEqual({
      code: 'probation-not-ended',
      message: 'probation since 2025-06-10: 12 months, ends 2026-06-10; not on 2026-06-09',
    });
    expect(verdict(c('2026-06-10'))).toBe('ok');
  });

  it('an extension moves the end', () => {
    expect(verdict(c('2026-12-09', '2026-12-09', 6))).toBe('probation-not-ended');
    expect(verdict(c('2026-12-10', '2026-12-10', 6))).toBe('ok');
  });

  it("needs the branch general meeting's resolution, held once probation ended", () => {
    const { evidence: _e, ...noMeeting } = c('2026-06-10');
    expect(verdict({ ...noMeeting, evidence: {} } as TransitionCommand)).toBe('resolution-meeting-required');
    expect(verdict(c('2026-06-20', '2026-06-09'))).toBe('resolution-before-probation-end');
    expect(verdict(c('2026-06-20', '2026-06-10'))).toBe('ok');
  });

  it('takes effect on or after the meeting', () => {
    expect(verdict(c('2026-06-19', '2026-06-20'))).toBe('effective-before-resolution');
    expect(verdict(c('2026-06-20', '2026-06-20'))).toBe('ok');
  });

  it('needs the oath (入党宣誓) on record', () => {
    const noOath = c('2026-06-10');
    const { oathOn: _o, ...probation } = noOath.person.probation ?? { startedOn: '2025-06-10' };
    expect(verdict({ ...noOath, person: { ...noOath.person, probation } })).toBe('oath-not-recorded');
  });
});

describe('cancellation (取消预备党员资格)', () => {
  const c = (reason?: string) =>
    command({
      person: person('probationary', '2026-01-01', { probation: { startedOn: '2026-01-01' } }),
      to: 'masses',
      effectiveOn: '2026-03-01',
      evidence: reason ? { reason } : {},
    });
  it('needs a reason and ends the probation', () => {
    expect(verdict(c())).toBe('cancellation-reason-required');
    expect(checkTransition(c('不履行党员义务'))).toMatchObject({
      ok: true,
      value: { to: 'masses', probation: null },
    });
  });
});

describe('probation extension (延长预备期)', () => {
  const probationary = person('probationary', '2026-01-10', { probation: { startedOn: '2026-01-10' } });
  const verdictOf = (p: PipelinePerson, months: number, decidedOn: string) => {
    const r = checkProbationExtension({ person: p, months, decidedOn, today: '2027-12-31' });
    return r.ok ? 'ok' : r.error.code;
  };
  it('is 6 to 12 months, once, decided within the probation', () => {
    expect(verdictOf(person('full', '2020-01-01'), 6, '2026-06-01')).toBe('not-probationary');
    expect(verdictOf(probationary, 5, '2026-06-01')).toBe('extension-out-of-range');
    expect(verdictOf(probationary, 6, '2026-06-01')).toBe('ok');
    expect(verdictOf(probationary, 12, '2026-06-01')).toBe('ok');
    expect(verdictOf(probationary, 13, '2026-06-01')).toBe('extension-out-of-range');
    expect(verdictOf(probationary, 6, '2027-01-10')).toBe('ok');
    expect(verdictOf(probationary, 6, '2027-01-11')).toBe('extension-outside-probation');
    const extended = {
      ...probationary,
      probation: { startedOn: '2026-01-10', extensionMonths: 6, extendedOn: '2026-06-01' },
    };
    expect(verdictOf(extended, 6, '2026-07-01')).toBe('probation-already-extended');
  });
});

describe('oath (入党宣誓)', () => {
  it('is recorded during probation, not before it began', () => {
    const p = person('probationary', '2026-01-10', { probation: { startedOn: '2026-01-10' } });
    const at = (on: string, who = p) => {
      const r = checkOath(who, on, '2027-12-31');
      return r.ok ? 'ok' : r.error.code;
    };
    expect(at('2026-01-09')).toBe('oath-before-probation');
    expect(at('2026-01-10')).toBe('ok');
    expect(at('2026-01-10', person('candidate', '2025-01-01'))).toBe('not-probationary');
  });
});
