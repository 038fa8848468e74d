import { describe, expect, it } from 'vitest';
import type { DuePerson } from './due.js';
import { DUE_SOON_DAYS, stepReminders } from './pipeline-due.js';

const person = (p: Partial<DuePerson> & Pick<DuePerson, 'politicalStatus' | 'statusSince'>): DuePerson => ({
  personId: 'P',
  name: '张三',
  branchId: 'B',
  ...p,
});
const phases = (p: DuePerson, today: string) =>
  stepReminders(p, today).map((r) => [r.rule, r.dueOn, r.phase]);

describe('pipeline step reminders, a week before the date and once it passed', () => {
  it('an activist half-yearly review (积极分子半年考察): due soon from 7 days before, overdue the day after', () => {
    expect(DUE_SOON_DAYS).toBe(7);
    const p = person({ politicalStatus: 'activist', statusSince: '2026-01-10', contactPersonIds: ['C'] });
    expect(phases(p, '2026-07-02')).toEqual([]);
    expect(phases(p, '2026-07-03')).toEqual([['activist-half-yearly-review', '2026-07-10', 'due-soon']]);
    expect(phases(p, '2026-07-10')).toEqual([['activist-half-yearly-review', '2026-07-10', 'due-soon']]);
    expect(phases(p, '2026-07-11')).toEqual([['activist-half-yearly-review', '2026-07-10', 'overdue']]);
    // Reviewed: the next review, half a year on, and nothing overdue.
    const reviewed = { ...p, pipeline: { lastActivistReviewOn: '2026-07-12' } };
    expect(phases(reviewed, '2026-07-12')).toEqual([]);
    expect(phases(reviewed, '2027-01-05')).toEqual([
      ['activist-half-yearly-review', '2027-01-12', 'due-soon'],
    ]);
  });

  it('carries the step: person, branch, status, rule, dates', () => {
    const p = person({ politicalStatus: 'activist', statusSince: '2026-01-10', contactPersonIds: ['C'] });
    expect(stepReminders(p, '2026-07-03')).toEqual([
      {
        personId: 'P',
        name: '张三',
        branchId: 'B',
        politicalStatus: 'activist',
        rule: 'activist-half-yearly-review',
        dueOn: '2026-07-10',
        deadline: '2026-07-10',
        phase: 'due-soon',
      },
    ]);
  });

  it('an application talk (入党申请人谈话): by the deadline a month on, before it is listed as overdue', () => {
    const p = person({ politicalStatus: 'applicant', statusSince: '2026-01-31' });
    expect(phases(p, '2026-02-20')).toEqual([]);
    expect(phases(p, '2026-02-21')).toEqual([['application-talk-overdue', '2026-03-01', 'due-soon']]);
    expect(phases(p, '2026-02-28')).toEqual([['application-talk-overdue', '2026-03-01', 'due-soon']]);
    expect(phases(p, '2026-03-01')).toEqual([['application-talk-overdue', '2026-03-01', 'overdue']]);
    expect(phases({ ...p, pipeline: { applicationTalkOn: '2026-02-10' } }, '2026-03-01')).toEqual([]);
  });

  it('a candidate: political review (政审) to renew by its expiry; approval (审批) by its deadline', () => {
    const p = person({
      politicalStatus: 'candidate',
      statusSince: '2026-01-01',
      pipeline: { politicalReviewOn: '2026-02-15', resolution: { activityId: 'M', heldOn: '2026-05-20' } },
    });
    expect(phases(p, '2026-08-12')).toEqual([]);
    expect(phases(p, '2026-08-13')).toEqual([['approval-overdue', '2026-08-21', 'due-soon']]);
    expect(phases(p, '2026-08-21')).toEqual([['approval-overdue', '2026-08-21', 'overdue']]);
    // Listed by the funnel a month before expiry; reminded of only in its last week.
    expect(phases(p, '2027-02-07')).toEqual([['approval-overdue', '2026-08-21', 'overdue']]);
    expect(phases(p, '2027-02-08')).toEqual([
      ['political-review-expires', '2027-01-15', 'due-soon'],
      ['approval-overdue', '2026-08-21', 'overdue'],
    ]);
    expect(phases(p, '2027-02-16')[0]).toEqual(['political-review-expires', '2027-01-15', 'overdue']);
  });

  it('a probationary member: the end of probation (预备期满) is the date to decide by; quarterly discussion', () => {
    const p = person({
      politicalStatus: 'probationary',
      statusSince: '2026-01-10',
      probation: { startedOn: '2026-01-10' },
      pipeline: { lastQuarterlyDiscussionOn: '2026-12-20' },
    });
    expect(phases(p, '2027-01-02')).toEqual([]);
    expect(phases(p, '2027-01-03')).toEqual([['probation-ended-without-decision', '2027-01-10', 'due-soon']]);
    expect(phases(p, '2027-01-11')).toEqual([['probation-ended-without-decision', '2027-01-10', 'overdue']]);
    expect(phases(p, '2027-03-13')).toEqual([
      ['probation-ended-without-decision', '2027-01-10', 'overdue'],
      ['quarterly-discussion-due', '2027-03-20', 'due-soon'],
    ]);
  });

  it('steps that are only possible, or have no date, are no reminder; nor are other stages', () => {
    const noContact = person({ politicalStatus: 'activist', statusSince: '2026-01-10' });
    expect(phases(noContact, '2026-03-01')).toEqual([]);
    expect(phases(noContact, '2027-02-01').map(([rule]) => rule)).toEqual(['activist-half-yearly-review']);
    expect(phases(person({ politicalStatus: 'full', statusSince: '2020-01-01' }), '2026-03-01')).toEqual([]);
    expect(phases(person({ politicalStatus: 'masses', statusSince: '2020-01-01' }), '2026-03-01')).toEqual(
      [],
    );
  });
});
