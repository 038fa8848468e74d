import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { politicalStatuses } from '../events.js';
import {
  type DuePerson,
  dueSteps,
  pipelineFunnel,
  pipelineFunnelOf,
  recordPipelineEvent,
  STAGES_WITH_STEPS,
} from './due.js';
import { countsByStatus, tallyOf } from './tallies.js';

const person = (p: Partial<DuePerson> & Pick<DuePerson, 'politicalStatus' | 'statusSince'>): DuePerson => ({
  personId: 'P',
  name: '张三',
  branchId: 'B',
  ...p,
});
const rules = (p: DuePerson, today: string) => dueSteps(p, today).map((s) => [s.rule, s.dueOn, s.overdue]);

describe('due steps, each listed from the day it falls due', () => {
  it('an applicant not talked to within a month: listed the day after the month ends', () => {
    const p = person({ politicalStatus: 'applicant', statusSince: '2026-01-31' });
    expect(rules(p, '2026-02-28')).toEqual([]);
    expect(rules(p, '2026-03-01')).toEqual([['application-talk-overdue', '2026-03-01', true]]);
    expect(rules({ ...p, pipeline: { applicationTalkOn: '2026-02-10' } }, '2026-06-01')).toEqual([]);
  });

  it('an activist: half-yearly review from the last one, eligible after a year', () => {
    const p = person({ politicalStatus: 'activist', statusSince: '2026-01-10', contactPersonIds: ['C'] });
    expect(rules(p, '2026-07-09')).toEqual([]);
    expect(rules(p, '2026-07-10')).toEqual([['activist-half-yearly-review', '2026-07-10', false]]);
    expect(rules(p, '2026-07-11')).toEqual([['activist-half-yearly-review', '2026-07-10', true]]);
    const reviewed = { ...p, pipeline: { lastActivistReviewOn: '2026-07-20' } };
    expect(rules(reviewed, '2027-01-09')).toEqual([]);
    expect(rules(reviewed, '2027-01-10')).toEqual([['activist-eligible-for-candidate', '2027-01-10', false]]);
    expect(rules(reviewed, '2027-01-20')).toEqual([
      ['activist-half-yearly-review', '2027-01-20', false],
      ['activist-eligible-for-candidate', '2027-01-10', false],
    ]);
  });

  it('a candidate: political review expiring within a month, approval overdue after 3 months', () => {
    const p = person({
      politicalStatus: 'candidate',
      statusSince: '2026-01-01',
      pipeline: { politicalReviewOn: '2026-02-15', resolution: { activityId: 'M', heldOn: '2026-05-20' } },
    });
    expect(rules(p, '2026-08-20')).toEqual([]);
    expect(rules(p, '2026-08-21')).toEqual([['approval-overdue', '2026-08-21', true]]);
    expect(rules(p, '2027-01-15')).toEqual([
      ['political-review-expires', '2027-01-15', false],
      ['approval-overdue', '2026-08-21', true],
    ]);
  });

  it('a probationary member: probation ended without decision; quarterly discussion', () => {
    const p = person({
      politicalStatus: 'probationary',
      statusSince: '2026-01-10',
      probation: { startedOn: '2026-01-10', extensionMonths: 6 },
      pipeline: { lastQuarterlyDiscussionOn: '2027-05-01' },
    });
    expect(rules(p, '2027-07-09')).toEqual([]);
    expect(rules(p, '2027-07-10')).toEqual([['probation-ended-without-decision', '2027-07-10', false]]);
    expect(rules(p, '2027-08-02')).toEqual([
      ['probation-ended-without-decision', '2027-07-10', false],
      ['quarterly-discussion-due', '2027-08-01', true],
    ]);
  });
});

describe('pipeline facts', () => {
  it('belong to their stage, happen by today and not before the stage', () => {
    const applicant = person({ politicalStatus: 'applicant', statusSince: '2026-01-10' });
    const code = (r: ReturnType<typeof recordPipelineEvent>) => (r.ok ? 'ok' : r.error.code);
    expect(code(recordPipelineEvent(applicant, 'activist-review', '2026-02-01', '2026-03-01'))).toBe(
      'pipeline-event-not-applicable',
    );
    expect(code(recordPipelineEvent(applicant, 'application-talk', '2026-03-02', '2026-03-01'))).toBe(
      'effective-date-in-future',
    );
    expect(code(recordPipelineEvent(applicant, 'application-talk', '2026-01-09', '2026-03-01'))).toBe(
      'effective-before-current-stage',
    );
    expect(recordPipelineEvent(applicant, 'application-talk', '2026-01-10', '2026-03-01')).toEqual({
      ok: true,
      value: { applicationTalkOn: '2026-01-10' },
    });
    const candidate = person({ politicalStatus: 'candidate', statusSince: '2026-01-10' });
    const meeting = { activityId: 'M', heldOn: '2026-02-01', branchId: 'B', type: 'branch-general-meeting' };
    expect(code(recordPipelineEvent(candidate, 'branch-resolution', '2026-02-01', '2026-03-01'))).toBe(
      'resolution-meeting-unknown',
    );
    expect(
      code(
        recordPipelineEvent(candidate, 'branch-resolution', '2026-02-01', '2026-03-01', {
          ...meeting,
          branchId: 'X',
        }),
      ),
    ).toBe('resolution-meeting-unknown');
    expect(
      code(recordPipelineEvent(candidate, 'branch-resolution', '2026-02-01', '2026-03-01', meeting)),
    ).toBe('ok');
  });
});

describe('the pipeline funnel', () => {
  it('counts every stage (zero included) and lists the due steps by date, then person', () => {
    const late = person({ personId: 'B', politicalStatus: 'applicant', statusSince: '2026-01-01' });
    const later = person({ personId: 'A', politicalStatus: 'applicant', statusSince: '2026-02-01' });
    const same = person({ personId: 'A0', politicalStatus: 'applicant', statusSince: '2026-01-01' });
    const full = person({ personId: 'F', politicalStatus: 'full', statusSince: '2020-01-01' });
    const { counts, due } = pipelineFunnel([later, late, full, same], '2026-06-01');
    expect(counts).toEqual({ masses: 0, applicant: 3, activist: 0, candidate: 0, probationary: 0, full: 1 });
    expect(due.map((s) => [s.personId, s.dueOn])).toEqual([
      ['A0', '2026-02-02'],
      ['B', '2026-02-02'],
      ['A', '2026-03-02'],
    ]);
  });

  it('from the stages with steps read by name and the others counted equals the funnel over everyone', () => {
    const day = fc
      .integer({ min: 0, max: 3000 })
      .map((n) => new Date(Date.UTC(2020, 0, 1 + n)).toISOString().slice(0, 10));
    const someone = fc.record({
      personId: fc.string({ minLength: 1, maxLength: 3 }),
      name: fc.constant('某人'),
      politicalStatus: fc.constantFrom(...politicalStatuses),
      statusSince: day,
      birthDate: fc.constant('1990-01-01'),
      pipeline: fc.record(
        { applicationTalkOn: day, lastActivistReviewOn: day, politicalReviewOn: day },
        { requiredKeys: [] },
      ),
    });
    fc.assert(
      fc.property(fc.array(someone, { maxLength: 40 }), day, (everyone, today) => {
        const withSteps = everyone.filter((p) =>
          (STAGES_WITH_STEPS as readonly string[]).includes(p.politicalStatus),
        );
        expect(pipelineFunnelOf(withSteps, countsByStatus(tallyOf(everyone)), today)).toEqual(
          pipelineFunnel(everyone, today),
        );
      }),
    );
  });
});
