/**
 * Party dues (党费) in talent's table. Access patterns (pk / sk), a partition per person apart
 * from PERSON#<id>, so the timeline's Query of the person never reads income figures:
 *   DUES#<personId> / <yyyy>#BASE          a year's base (category, base in fen, version)
 *                                          GetItem; conditional Put (absent, or on the version read)
 *   DUES#<personId> / <yyyy>#PAY#<mm>      a month's payment (amount in fen, date, channel)
 *                                          conditional Put (absent: one payment a month)
 *   DUES#<personId>, begins_with <yyyy>#   a person's year: its base and its payments (≤ 13 items)
 *                                          Query (one person's dues, and per member of a branch)
 *   DUES#<personId> / REMINDED#<yyyy-mm>   a reminder of unpaid months sent in that month
 *                                          (DuesArrearsFound): BatchGet; Put if absent, in the
 *                                          event's transaction
 * A branch's arrears and statement read the branch's members (gsi1 PEOPLE#BRANCH#…, the people
 * list's Query) and then each member's year by the Query above, in parallel: a branch is tens
 * of people. The dues items carry no branch key of their own: a member who moves branches
 * takes their paid months with them, which a listing keyed by the branch at the time of
 * writing would leave behind.
 */
import type { ServiceContext } from '../../../shared/context.js';
import { conflict } from '../../../shared/errors.js';
import { getInBatches } from '../../../shared/store/batch.js';
import { getItem, queryAll } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { expectVersion, versionConflict } from '../../../shared/store/version.js';
import type { DuesCategory, Month } from '../domain/dues.js';
import { strip } from '../store.js';

export interface DuesBase {
  personId: string;
  year: number;
  category: DuesCategory;
  /** The monthly base in fen, for employed and retired members only. */
  baseFen?: number;
  version: number;
  setBy: string;
  updatedAt: string;
}

/** 党费缴纳渠道: 现金, 转账, 微信, 支付宝, 工资代扣. */
export const duesChannels = ['cash', 'transfer', 'wechat', 'alipay', 'payroll'] as const;

export interface DuesPayment {
  personId: string;
  month: Month;
  amountFen: number;
  /** The month's dues when it was paid (a later correction of the base leaves it as it was). */
  dueFen: number;
  paidOn: string;
  channel: (typeof duesChannels)[number];
  recordedBy: string;
  recordedAt: string;
}

const partition = (personId: string) => `DUES#${personId}`;
const baseKey = (personId: string, year: number) => ({ pk: partition(personId), sk: `${year}#BASE` });
const paymentKey = (personId: string, month: Month) => ({
  pk: partition(personId),
  sk: `${month.slice(0, 4)}#PAY#${month.slice(5, 7)}`,
});

export interface DuesYear {
  base?: DuesBase;
  payments: DuesPayment[];
}

/** A person's year: its base and payments, by month. */
export const duesYearOf = async (ctx: ServiceContext, personId: string, year: number): Promise<DuesYear> => {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :y)',
    ExpressionAttributeValues: { ':pk': partition(personId), ':y': `${year}#` },
    ConsistentRead: true,
  });
  const base = items.find((i) => i.kind === 'dues-base');
  return {
    ...(base ? { base: strip<DuesBase>(base) } : {}),
    payments: items
      .filter((i) => i.kind === 'dues-payment')
      .map((i) => strip<DuesPayment>(i))
      .sort((a, b) => a.month.localeCompare(b.month)),
  };
};

/** The years of many people at once (a branch's members), one Query each. */
export const duesYearsOf = async (
  ctx: ServiceContext,
  personIds: readonly string[],
  year: number,
): Promise<Map<string, DuesYear>> => {
  const years = await Promise.all(personIds.map((id) => duesYearOf(ctx, id, year)));
  return new Map(personIds.map((id, i) => [id, years[i] as DuesYear]));
};

/**
 * Writes a year's base: a first one only if none exists, a next one only on the version read,
 * so of two managers setting the same year at once one is told to read again.
 */
export const putDuesBase = (tx: Transaction, next: DuesBase, current: DuesBase | undefined): Transaction => {
  const item = { ...baseKey(next.personId, next.year), kind: 'dues-base', ...next };
  if (!current) {
    return tx.create(item, () => versionConflict('The dues base', { version: 1 }));
  }
  return tx.put(item, expectVersion(current.version, 'The dues base'));
};

/** Records a month's payment, once: a second one for the month is refused (`dues-month-paid`). */
export const addDuesPayment = (tx: Transaction, p: DuesPayment): Transaction =>
  tx.create({ ...paymentKey(p.personId, p.month), kind: 'dues-payment', ...p }, () =>
    conflict('dues-month-paid', `${p.month} is paid already`),
  );

/** One month's payment, if recorded (the answer to a repeated POST). */
export const getDuesPayment = async (
  ctx: ServiceContext,
  personId: string,
  month: Month,
): Promise<DuesPayment | undefined> => {
  const item = await getItem(ctx, paymentKey(personId, month));
  return item ? strip<DuesPayment>(item) : undefined;
};

// ---------------------------------------------------------------- reminders (党费催缴)

const remindedKey = (personId: string, sweptIn: Month) => ({
  pk: partition(personId),
  sk: `REMINDED#${sweptIn}`,
});

/** Of these people, those reminded already in `sweptIn` (a BatchGet of their markers). */
export const remindedOfDues = async (
  ctx: ServiceContext,
  personIds: readonly string[],
  sweptIn: Month,
): Promise<Set<string>> => {
  const found = await getInBatches(
    ctx,
    personIds.map((id) => remindedKey(id, sweptIn)),
    { consistentRead: true },
  );
  return new Set(found.map((item) => item.personId as string));
};

/**
 * The month's reminder marker, created only if absent: in the transaction of its
 * DuesArrearsFound, so the event is written once however often the sweep runs. It keeps the
 * months reminded of, never an amount.
 */
export const markRemindedOfDues = (
  tx: Transaction,
  r: { personId: string; sweptIn: Month; months: readonly Month[] },
  at: string,
): Transaction =>
  tx.create({ ...remindedKey(r.personId, r.sweptIn), kind: 'dues-reminded', ...r, remindedAt: at }, () =>
    conflict('conflict', "This month's dues reminder was sent already"),
  );
