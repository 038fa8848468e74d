import { describe, expect, it } from 'vitest';
import { idParam } from '../../../shared/schemas.js';
import { cadenceAtRiskNotice, cadenceNoticeId, periodName } from './cadence-notices.js';

const atRisk = {
  branchId: '01JD3W5E8QK6M1V2X9ZC7N4P5R',
  type: 'party-group-meeting' as const,
  partyGroupId: '01JD3W5E8QK6M1V2X9ZC7N4P5S',
  period: '2026-11',
  periodKind: 'month' as const,
  periodFrom: '2026-11-01',
  periodEndsOn: '2026-11-30',
  required: 2,
  held: 0,
  scheduled: 1,
  asOf: '2026-11-25',
};

describe('三会一课提醒', () => {
  it('names the period in Chinese', () => {
    expect(periodName('2026-11')).toBe('2026年11月');
    expect(periodName('2026-01')).toBe('2026年1月');
    expect(periodName('2026-Q4')).toBe('2026年第四季度');
    expect(periodName('2026-H1')).toBe('2026年上半年');
    expect(periodName('2026-H2')).toBe('2026年下半年');
    expect(periodName('2026')).toBe('2026年');
  });

  it('says the meeting, the period and how many are still needed, to the secretaries only', () => {
    const n = cadenceAtRiskNotice(atRisk, ['s1', 's1', 's2'], new Date('2026-11-25T00:00:00Z'));
    expect(n).toEqual({
      noticeId: cadenceNoticeId(atRisk),
      kind: 'cadence-at-risk',
      title: `三会一课提醒：2026年11月党小组会（党小组 ${atRisk.partyGroupId}）尚未完成`,
      summary:
        '2026年11月应召开党小组会 2 次，已召开 0 次、已安排 1 次，还需安排 1 次，请于 2026-11-30 前完成。',
      postedAt: '2026-11-25T00:00:00.000Z',
      to: { personIds: ['s1', 's2'] },
      about: { cadenceType: 'party-group-meeting', period: '2026-11', partyGroupId: atRisk.partyGroupId },
    });
    // Personal: no branch to find a work-chat group by.
    expect('branchId' in n).toBe(false);
  });

  it('has one id per branch, type, party group and period, fit for a path parameter', () => {
    const id = cadenceNoticeId(atRisk);
    expect(idParam.safeParse(id).success).toBe(true);
    expect(cadenceNoticeId({ ...atRisk })).toBe(id);
    const others = [
      { ...atRisk, branchId: '01JD3W5E8QK6M1V2X9ZC7N4P5T' },
      { ...atRisk, partyGroupId: '01JD3W5E8QK6M1V2X9ZC7N4P5T' },
      { ...atRisk, period: '2026-12' },
      { ...atRisk, type: 'theme-day' as const, partyGroupId: undefined },
    ].map(cadenceNoticeId);
    expect(new Set([id, ...others]).size).toBe(5);
    expect(
      idParam.safeParse(
        cadenceNoticeId({ ...atRisk, type: 'organizational-life-meeting', period: '2026-Q4' }),
      ).success,
    ).toBe(true);
  });
});
