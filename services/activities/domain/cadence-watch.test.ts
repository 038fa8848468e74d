import { describe, expect, it } from 'vitest';
import { statutoryCadence } from './cadence.js';
import { type Counted, periodsAtRisk, periodsEnding, spanOf, WARNING_DAYS } from './cadence-watch.js';

const endingOn = (today: string, rules = statutoryCadence) =>
  periodsEnding(rules, today).map((e) => `${e.type} ${e.period.label}`);

describe('periods ending', () => {
  it("are the current periods in their last WARNING_DAYS days, today included, per period's length", () => {
    expect(WARNING_DAYS).toEqual({ month: 10, quarter: 15, 'half-year': 20, year: 30 });
    // November has 30 days: its last 10 begin on the 21st.
    expect(endingOn('2026-11-20')).toEqual([]);
    expect(endingOn('2026-11-21')).toEqual([
      'branch-committee-meeting 2026-11',
      'party-group-meeting 2026-11',
      'theme-day 2026-11',
    ]);
    expect(endingOn('2026-11-30')).toHaveLength(3);
    // A new month is far from its end again; the year's last 30 days begin on 12-02.
    expect(endingOn('2026-12-01')).toEqual([]);
    expect(endingOn('2026-12-02')).toEqual([
      'organizational-life-meeting 2026',
      'democratic-evaluation 2026',
    ]);
    // The quarter's last 15 days begin on 12-17.
    expect(endingOn('2026-12-16')).not.toContain('branch-general-meeting 2026-Q4');
    expect(endingOn('2026-12-17')).toContain('branch-general-meeting 2026-Q4');
    expect(endingOn('2026-12-17')).toContain('party-lesson 2026-Q4');
    expect(endingOn('2026-12-31')).toHaveLength(7);
    // February's last 10 days of a leap year.
    expect(endingOn('2028-02-19')).toEqual([]);
    expect(endingOn('2028-02-20')).toContain('theme-day 2028-02');
  });

  it("follow the institution's rules: a half-year rule warns in its last 20 days", () => {
    const rules = { ...statutoryCadence, 'party-lesson': { period: 'half-year' as const, times: 2 } };
    expect(endingOn('2026-06-10', rules)).not.toContain('party-lesson 2026-H1');
    expect(endingOn('2026-06-11', rules)).toContain('party-lesson 2026-H1');
    expect(periodsEnding(rules, '2026-06-11').find((e) => e.type === 'party-lesson')?.rule.times).toBe(2);
  });

  it('span the days of every period ending, for one Query; none when none ends', () => {
    expect(spanOf(periodsEnding(statutoryCadence, '2026-11-25'))).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
    });
    expect(spanOf(periodsEnding(statutoryCadence, '2026-12-20'))).toEqual({
      from: '2026-01-01',
      to: '2026-12-31',
    });
    expect(spanOf(periodsEnding(statutoryCadence, '2026-11-01'))).toBeUndefined();
  });
});

describe('periods at risk', () => {
  const ending = periodsEnding(statutoryCadence, '2026-11-25');
  const at = (activities: Counted[], partyGroupIds: string[] = []) =>
    periodsAtRisk({ ending, activities, partyGroupIds });
  const theme = (startsOn: string, status: Counted['status'] = 'completed'): Counted => ({
    type: 'theme-day',
    startsOn,
    status,
  });
  const committee: Counted = {
    type: 'branch-committee-meeting',
    startsOn: '2026-11-03',
    status: 'completed',
  };

  it('is a period with fewer held plus scheduled than required, with the counts', () => {
    expect(at([committee])).toEqual([
      {
        type: 'theme-day',
        period: { label: '2026-11', from: '2026-11-01', to: '2026-11-30' },
        periodKind: 'month',
        required: 1,
        held: 0,
        scheduled: 0,
      },
    ]);
    expect(at([])).toHaveLength(2);
  });

  it('counts a meeting held, and one scheduled in the period: its secretary needs no warning', () => {
    expect(at([committee, theme('2026-11-05')])).toEqual([]);
    expect(at([committee, theme('2026-11-28', 'scheduled')])).toEqual([]);
    // The last day belongs to the period; a day either side does not.
    expect(at([committee, theme('2026-11-30', 'scheduled')])).toEqual([]);
    expect(at([committee, theme('2026-10-31')]).map((r) => r.type)).toEqual(['theme-day']);
    expect(at([committee, theme('2026-12-01', 'scheduled')]).map((r) => r.type)).toEqual(['theme-day']);
    // Another type does not count.
    expect(at([committee, { ...committee, startsOn: '2026-11-20' }]).map((r) => r.type)).toEqual([
      'theme-day',
    ]);
  });

  it('asks for as many as the rule requires', () => {
    const twice = periodsEnding(
      { ...statutoryCadence, 'theme-day': { period: 'month', times: 2 } },
      '2026-11-25',
    );
    const risks = periodsAtRisk({
      ending: twice,
      activities: [committee, theme('2026-11-05'), theme('2026-11-10', 'scheduled')],
      partyGroupIds: [],
    });
    expect(risks).toEqual([]);
    const short = periodsAtRisk({
      ending: twice,
      activities: [committee, theme('2026-11-05')],
      partyGroupIds: [],
    });
    expect(short).toMatchObject([{ type: 'theme-day', required: 2, held: 1, scheduled: 0 }]);
  });

  it('judges party-group meetings per party group, and none where the branch has no group', () => {
    const met: Counted = {
      type: 'party-group-meeting',
      partyGroupId: 'g1',
      startsOn: '2026-11-12',
      status: 'scheduled',
    };
    const risks = at([committee, theme('2026-11-05'), met], ['g2', 'g1', 'g2']);
    expect(risks).toEqual([
      expect.objectContaining({ type: 'party-group-meeting', partyGroupId: 'g2', held: 0, scheduled: 0 }),
    ]);
    expect(at([committee, theme('2026-11-05')], [])).toEqual([]);
  });
});
