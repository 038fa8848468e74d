/**
 * The working-day calendar (工作日) the committee maintains per year: statutory holidays
 * are days off even on weekdays, adjusted working days (调休上班) are working days even on
 * weekends. Pure: callers pass the calendars they hold.
 */
import { addDays } from '../../../shared/time.js';

export interface WorkingCalendar {
  year: number;
  /** Days off that would otherwise be working days (法定节假日). */
  holidays: readonly string[];
  /** Weekend days that are working days (调休). */
  workdays: readonly string[];
}

export const isWeekend = (date: string): boolean => {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
};

export const isWorkingDay = (date: string, calendar: WorkingCalendar): boolean => {
  if (calendar.workdays.includes(date)) return true;
  if (calendar.holidays.includes(date)) return false;
  return !isWeekend(date);
};

export type WorkingDayCount = { ok: true; count: number } | { ok: false; missingYears: number[] };

/** Working days from `from` to `to`, both included; every year spanned needs its calendar. */
export const countWorkingDays = (
  from: string,
  to: string,
  calendars: ReadonlyMap<number, WorkingCalendar>,
): WorkingDayCount => {
  const missing = new Set<number>();
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    if (!calendars.has(y)) missing.add(y);
  }
  if (missing.size > 0) return { ok: false, missingYears: [...missing] };
  let count = 0;
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const calendar = calendars.get(Number(day.slice(0, 4))) as WorkingCalendar;
    if (isWorkingDay(day, calendar)) count++;
  }
  return { ok: true, count };
};
