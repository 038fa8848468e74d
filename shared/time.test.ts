import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  ageOn,
  daysBetween,
  localDate,
  localMinute,
  localQuarter,
  monthsBetween,
  toLocalIso,
} from './time.js';

describe('institution time (Asia/Shanghai)', () => {
  it.each([
    ['2026-11-25T15:59:59Z', '2026-11-25'],
    ['2026-11-25T16:00:00Z', '2026-11-26'],
    ['2026-12-31T16:00:00Z', '2027-01-01'],
  ])('the local date of %s is %s', (instant, date) => {
    expect(localDate(new Date(instant))).toBe(date);
  });

  it('writes instants with +08:00', () => {
    expect(toLocalIso(new Date('2026-11-26T01:30:00Z'))).toBe('2026-11-26T09:30:00+08:00');
    expect(toLocalIso(new Date('2026-11-26T01:30:00.250Z'))).toBe('2026-11-26T09:30:00.250+08:00');
  });

  it('prints an instant local to the minute, as a register shows it', () => {
    expect(localMinute(new Date('2026-11-25T16:05:59Z'))).toBe('2026-11-26 00:05');
  });

  it('knows quarters by local month', () => {
    expect(localQuarter(new Date('2026-03-31T16:30:00Z'))).toBe(2);
    expect(localQuarter(new Date('2026-03-31T15:30:00Z'))).toBe(1);
  });

  it.each([
    ['2008-11-26', '2026-11-26', 18],
    ['2008-11-27', '2026-11-26', 17],
    ['2008-02-29', '2026-02-28', 17],
    ['2008-02-29', '2026-03-01', 18],
  ])('someone born %s is on %s %i years old', (birth, on, age) => {
    expect(ageOn(birth, on)).toBe(age);
  });

  it('counts months and days on the calendar', () => {
    expect(monthsBetween('2026-03-01', '2026-11-26')).toBe(8);
    expect(monthsBetween('2025-11-26', '2026-11-26')).toBe(12);
    expect(monthsBetween('2025-11-27', '2026-11-26')).toBe(11);
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2025-11-26', 12)).toBe('2026-11-26');
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3);
  });
});
