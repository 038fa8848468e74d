/**
 * The reminder of unpaid party dues (党费催缴) from talent's DuesArrearsFound: one notice to the
 * member naming the months, under a natural id per person and month of the sweep, so a
 * replayed event posts nothing new. The event carries no amount, nor does the notice (income
 * is sensitive: the member sees their figures in talent). Pure.
 */
import type { DuesArrearsFound } from '../../talent/events.js';
import { type DataOf, type EventNotice, notice } from './event-notices.js';

type ArrearsFound = DataOf<typeof DuesArrearsFound>;

/** `dues-unpaid-<personId>-<sweptIn>`. */
export const duesNoticeId = (a: Pick<ArrearsFound, 'personId' | 'sweptIn'>) =>
  `dues-unpaid-${a.personId}-${a.sweptIn}`;

/** `2026-09` → `2026年9月`. */
const monthLabel = (month: string) => `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;

export const duesUnpaidNotice = (a: ArrearsFound, at: Date): EventNotice =>
  notice(
    'dues-unpaid',
    duesNoticeId(a),
    `${a.months.length} 个月未缴`,
    `您有 ${a.months.length} 个月的党费尚未缴纳：${a.months.map(monthLabel).join('、')}，请尽快向党支部缴纳`,
    at,
    { to: { personIds: [a.personId] }, about: { personId: a.personId } },
  );
