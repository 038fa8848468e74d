/**
 * Reminders of unpaid dues (党费催缴): which months a member is reminded of, and when.
 *
 * A month's dues are late once the 20th of the next month has come (a month is paid in the
 * course of that month or the next one's first weeks, the usual practice of branches): from
 * the 20th of a month (Asia/Shanghai) the sweep reminds each member of the unpaid months of
 * the previous month's year up to the previous month. The current month is never late yet. In
 * January that is the whole of last year (its last settling); a year without a base is no
 * reminder (nothing can be paid before the secretary sets it: the arrears list shows it
 * `dueUnknown`, for the secretary). The months are the arrears route's (`yearAccount`,
 * `arrearsOf`), only as of the previous month. Pure.
 */
import { addMonths } from '../../../shared/time.js';
import {
  arrearsOf,
  type DuesBasis,
  type Membership,
  type Month,
  monthOf,
  type PaymentFacts,
  yearAccount,
} from './dues.js';

/** The day of the month (local) from which last month's dues are late. */
export const DUES_LATE_FROM_DAY = 20;

/** The sweep on `today` (YYYY-MM-DD, local): the month it runs for and the last month it reminds of; none before the 20th. */
export const duesReminderWindow = (today: string): { sweptIn: Month; lastDue: Month } | undefined => {
  if (Number(today.slice(8, 10)) < DUES_LATE_FROM_DAY) return undefined;
  return { sweptIn: monthOf(today), lastDue: monthOf(addMonths(`${monthOf(today)}-01`, -1)) };
};

/** The months a member is reminded of up to `lastDue` (its year's), or none: all paid, not a member, no base. */
export const unpaidMonthsToRemind = (
  m: Membership | undefined,
  lastDue: Month,
  basis: DuesBasis | undefined,
  payments: readonly PaymentFacts[],
): Month[] => {
  if (!m || !basis) return [];
  return arrearsOf(yearAccount(m, Number(lastDue.slice(0, 4)), lastDue, basis, payments)).months;
};
