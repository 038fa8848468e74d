import { describe, expect, it } from 'vitest';
import { cadenceRules, compliance, periodsOf, sameRules, statutoryCadence } from './cadence.js';

describe('periods', () => {
  it('splits a year into months, quarters, halves and the year', () => {
    expect(periodsOf(2026, 'month')).toHaveLength(12);
    expect(periodsOf(2026, 'month')[1]).toEqual({ label: '2026-02', from: '2026-02-01', to: '2026-02-28' });
    expect(periodsOf(2028, 'month')[1]?.to).toBe('2028-02-29');
    expect(periodsOf(2026, 'quarter')[3]).toEqual({ label: '2026-Q4', from: '2026-10-01', to: '2026-12-31' });
    expect(periodsOf(2026, 'half-year')).toEqual([
      { label: '2026-H1', from: '2026-01-01', to: '2026-06-30' },
      { label: '2026-H2', from: '2026-07-01', to: '2026-12-31' },
    ]);
    expect(periodsOf(2026, 'year')).toEqual([{ label: '2026', from: '2026-01-01', to: '2026-12-31' }]);
  });
});

describe('compliance', () => {
  const run = (
    today: string,
    held: { type: any; heldOn: string; partyGroupId?: string }[],
    groups: string[] = [],
  ) => compliance({ year: 2026, today, rules: statutoryCadence, held, partyGroupIds: groups });

  it('is met when enough were held, missed when a period ended short, open while it runs', () => {
    const r = run('2026-04-01', [
      { type: 'branch-committee-meeting', heldOn: '2026-01-31' },
      { type: 'branch-committee-meeting', heldOn: '2026-03-01' },
    ]);
    const committee = r.types.find((t) => t.type === 'branch-committee-meeting');
    expect(committee?.periods.map((p) => [p.label, p.held, p.status])).toEqual([
      ['2026-01', 1, 'met'],
      ['2026-02', 0, 'missed'],
      ['2026-03', 1, 'met'],
      ['2026-04', 0, 'open'],
    ]);
    // The last day of a period still belongs to it: on 03-31 March is open, not missed.
    const lastDay = run('2026-03-31', []).types.find((t) => t.type === 'theme-day');
    expect(lastDay?.periods.at(-1)).toMatchObject({ label: '2026-03', status: 'open' });
    const general = run('2026-04-01', []).types.find((t) => t.type === 'branch-general-meeting');
    expect(general?.periods.map((p) => p.status)).toEqual(['missed', 'open']);
  });

  it('judges party-group meetings per group, and none when no group is known', () => {
    const r = run(
      '2026-02-15',
      [{ type: 'party-group-meeting', partyGroupId: 'g1', heldOn: '2026-01-10' }],
      ['g2', 'g1', 'g1'],
    );
    const groups = r.types.filter((t) => t.type === 'party-group-meeting');
    expect(groups.map((g) => [g.partyGroupId, g.periods.map((p) => p.status)])).toEqual([
      ['g1', ['met', 'open']],
      ['g2', ['missed', 'open']],
    ]);
    expect(run('2026-02-15', []).types.filter((t) => t.type === 'party-group-meeting')).toEqual([]);
  });

  it('shows no periods for a year that has not begun, all of them for a past one', () => {
    expect(
      compliance({ year: 2027, today: '2026-05-01', rules: statutoryCadence, held: [], partyGroupIds: [] })
        .summary.periods,
    ).toBe(0);
    const past = compliance({
      year: 2025,
      today: '2026-05-01',
      rules: statutoryCadence,
      held: [],
      partyGroupIds: [],
    });
    // 12 committee + 12 theme-day + 4 general + 4 lesson + 1 life + 1 evaluation.
    expect(past.summary).toEqual({ periods: 34, met: 0, missed: 34, open: 0, metLate: 0 });
  });

  it('counts to the required number, and refuses settings missing a type or with unknown fields', () => {
    const rules = { ...statutoryCadence, 'party-lesson': { period: 'half-year' as const, times: 2 } };
    const r = compliance({
      year: 2026,
      today: '2026-07-01',
      rules,
      held: [{ type: 'party-lesson', heldOn: '2026-03-01' }],
      partyGroupIds: [],
    });
    expect(r.types.find((t) => t.type === 'party-lesson')?.periods.map((p) => [p.held, p.status])).toEqual([
      [1, 'missed'],
      [0, 'open'],
    ]);
    expect(cadenceRules.safeParse(statutoryCadence).success).toBe(true);
    const { 'theme-day': _gone, ...missing } = statutoryCadence;
    expect(cadenceRules.safeParse(missing).success).toBe(false);
    expect(
      cadenceRules.safeParse({ ...statutoryCadence, seminar: { period: 'month', times: 1 } }).success,
    ).toBe(false);
  });
});

describe('sameRules', () => {
  it('sees a change in any type, period or count', () => {
    expect(sameRules(statutoryCadence, { ...statutoryCadence })).toBe(true);
    expect(
      sameRules(statutoryCadence, { ...statutoryCadence, 'party-lesson': { period: 'quarter', times: 2 } }),
    ).toBe(false);
    expect(
      sameRules(statutoryCadence, { ...statutoryCadence, 'theme-day': { period: 'quarter', times: 1 } }),
    ).toBe(false);
  });
});
