import { describe, expect, it } from 'vitest';
import { duesReminderWindow, unpaidMonthsToRemind } from './dues-reminders.js';

const employed = { category: 'employed' as const, baseFen: 400_000 };
const paid = (...months: string[]) => months.map((month) => ({ month, amountFen: 4_000 }));

describe('when the dues sweep reminds', () => {
  it('from the 20th, of the months up to last month', () => {
    expect(duesReminderWindow('2026-12-19')).toBeUndefined();
    expect(duesReminderWindow('2026-12-20')).toEqual({ sweptIn: '2026-12', lastDue: '2026-11' });
    expect(duesReminderWindow('2026-12-31')).toEqual({ sweptIn: '2026-12', lastDue: '2026-11' });
    // January: last year's December.
    expect(duesReminderWindow('2027-01-20')).toEqual({ sweptIn: '2027-01', lastDue: '2026-12' });
  });
});

describe('the months a member is reminded of', () => {
  const member = { from: '2020-03' };

  it('the unpaid months of the year up to last month, never the current one', () => {
    expect(unpaidMonthsToRemind(member, '2026-11', employed, paid('2026-01', '2026-02', '2026-04'))).toEqual([
      '2026-03',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
    ]);
  });

  it('none when all is paid, a payment ahead counting for nothing owed', () => {
    const all = paid(...Array.from({ length: 11 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`));
    expect(
      unpaidMonthsToRemind(member, '2026-11', employed, [...all, { month: '2026-12', amountFen: 4_000 }]),
    ).toEqual([]);
  });

  it('only the months of the membership', () => {
    expect(unpaidMonthsToRemind({ from: '2026-09' }, '2026-11', employed, paid('2026-09'))).toEqual([
      '2026-10',
      '2026-11',
    ]);
    expect(unpaidMonthsToRemind({ from: '2020-01', until: '2026-02' }, '2026-11', employed, [])).toEqual([
      '2026-01',
      '2026-02',
    ]);
  });

  it('none without a base for the year, nor for someone who is not a member', () => {
    expect(unpaidMonthsToRemind(member, '2026-11', undefined, [])).toEqual([]);
    expect(unpaidMonthsToRemind(undefined, '2026-11', employed, [])).toEqual([]);
  });

  it('in January, last year', () => {
    expect(unpaidMonthsToRemind(member, '2026-12', { category: 'student' }, paid('2026-01'))).toHaveLength(
      11,
    );
  });
});
