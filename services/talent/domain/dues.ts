/**
 * Party dues (党费): who owes them for which months, what a month's dues are under the
 * published standard (《关于中国共产党党费收缴、使用和管理的规定》), and what a payment must be.
 *
 * Money is integer fen (分) everywhere here; the API writes yuan as decimal strings with two
 * decimals ("40.00"), turned into fen and back only at the edge (`fenOf`, `yuanOf`), so no
 * float ever carries an amount.
 *
 * The rate applies to the whole base at the rate of the band the base falls in (a base of
 * 4,000.00 yuan pays 1 % of 4,000.00 = 40.00), the band's upper edge belonging to the band:
 *   在职 employed:  ≤ 3,000.00 → 0.5 %; ≤ 5,000.00 → 1 %; ≤ 10,000.00 → 1.5 %; above → 2 %
 *   离退休 retired: ≤ 5,000.00 → 0.5 %; above → 1 %
 *   学生 student, 无收入 no-income: 0.20 a month whatever the income (no base is kept)
 * A due that is not a whole fen is rounded to the nearest fen, half up (3,333.33 × 0.5 % =
 * 16.66665 → 16.67).
 */

import { accept, type Result, refuse, ruleViolation, validationFailed } from '../../../shared/errors.js';
import { addMonths } from '../../../shared/time.js';
import type { Person } from './person.js';

/** 在职, 离退休, 学生, 无收入 (下岗、失业等无固定收入). */
export const duesCategories = ['employed', 'retired', 'student', 'no-income'] as const;
export type DuesCategory = (typeof duesCategories)[number];

/** The categories whose dues follow a base (月工资收入, 税后); the others pay a fixed sum. */
export const BASED_CATEGORIES: readonly DuesCategory[] = ['employed', 'retired'];

/** The monthly sum of students and people without income: 0.20 yuan. */
export const FIXED_MONTHLY_DUE_FEN = 20;

/** A monthly base above this (1,000,000.00 yuan) is a typing mistake, not an income. */
export const MAX_BASE_FEN = 100_000_000;

/** A single month's payment above this (1,000,000.00 yuan) is a typing mistake. */
export const MAX_PAYMENT_FEN = 100_000_000;

/** One band of a rate table: bases up to and including `upToFen` (none: no upper edge) pay `basisPoints` / 10,000. */
export interface Band {
  /** How lists name the band without the figure: `3000-5000` (yuan, upper edge included). */
  label: string;
  upToFen?: number;
  basisPoints: number;
}

export const rateTables: Record<'employed' | 'retired', readonly Band[]> = {
  employed: [
    { label: '0-3000', upToFen: 300_000, basisPoints: 50 },
    { label: '3000-5000', upToFen: 500_000, basisPoints: 100 },
    { label: '5000-10000', upToFen: 1_000_000, basisPoints: 150 },
    { label: '10000+', basisPoints: 200 },
  ],
  retired: [
    { label: '0-5000', upToFen: 500_000, basisPoints: 50 },
    { label: '5000+', basisPoints: 100 },
  ],
};

/** A year's base as set by the secretary or the committee: the category, and for employed and retired the base. */
export interface DuesBasis {
  category: DuesCategory;
  baseFen?: number;
}

/** The band a based category's base falls in. */
export const bandOf = (category: 'employed' | 'retired', baseFen: number): Band => {
  const table = rateTables[category];
  return table.find((b) => b.upToFen === undefined || baseFen <= b.upToFen) as Band;
};

const isBased = (c: DuesCategory): c is 'employed' | 'retired' => BASED_CATEGORIES.includes(c);

/** A month's dues in fen under a year's basis. */
export const monthlyDueFen = (basis: DuesBasis): number => {
  if (!isBased(basis.category)) return FIXED_MONTHLY_DUE_FEN;
  const base = basis.baseFen ?? 0;
  const { basisPoints } = bandOf(basis.category, base);
  // Integers throughout: base × bp is at most 10^8 × 200, far inside 2^53.
  return Math.floor((base * basisPoints + 5_000) / 10_000);
};

/** What a list may show of a basis: the category and band, never the figure. */
export const bandLabelOf = (basis: DuesBasis): string | undefined =>
  isBased(basis.category) ? bandOf(basis.category, basis.baseFen ?? 0).label : undefined;

/** The rate as the standard writes it: `1.5%`, or the fixed sum's `0.20/month`. */
export const rateOf = (basis: DuesBasis): string => {
  if (!isBased(basis.category)) return `${yuanOf(FIXED_MONTHLY_DUE_FEN)}/month`;
  const bp = bandOf(basis.category, basis.baseFen ?? 0).basisPoints;
  return `${bp / 100}%`;
};

// ---------------------------------------------------------------- yuan at the edge

/** Yuan as the API writes them: digits, optionally a point and one or two decimals; a leading minus is read so it can be refused by name. */
export const YUAN_PATTERN = /^-?(0|[1-9]\d{0,9})(\.\d{1,2})?$/;

/** Fen of a yuan string the pattern accepted ("40" → 4000, "0.2" → 20, "-1.5" → -150). */
export const fenOf = (yuan: string): number => {
  const negative = yuan.startsWith('-');
  const [whole, decimals = ''] = (negative ? yuan.slice(1) : yuan).split('.') as [string, string?];
  const fen = Number(whole) * 100 + Number(decimals.padEnd(2, '0'));
  return negative ? -fen : fen;
};

/** Yuan with two decimals: 4000 → "40.00". */
export const yuanOf = (fen: number): string => {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};

// ---------------------------------------------------------------- checks

/** A based category's base lies between 0.01 and MAX_BASE_FEN; nothing else is an income. */
export const checkBasis = (basis: DuesBasis): Result<DuesBasis> => {
  if (!isBased(basis.category)) return accept({ category: basis.category });
  const base = basis.baseFen;
  if (base === undefined || base < 1 || base > MAX_BASE_FEN) {
    return refuse(
      ruleViolation(
        'dues-base-implausible',
        `a monthly base is between 0.01 and ${yuanOf(MAX_BASE_FEN)} yuan; no income is the no-income category`,
      ),
    );
  }
  return accept(basis);
};

/** A month, `YYYY-MM`. */
export type Month = string;

export const monthOf = (date: string): Month => date.slice(0, 7);

/** The months of a year from January to `last` (inclusive), or none when `last` is before the year. */
export const monthsOfYear = (year: number, last: Month): Month[] => {
  const months: Month[] = [];
  for (let m = 1; m <= 12; m++) {
    const month = `${year}-${String(m).padStart(2, '0')}`;
    if (month > last) break;
    months.push(month);
  }
  return months;
};

/**
 * The months a person is a party member for dues: from the month probation began (预备党员
 * owe dues from their admission), or for a full member who arrived with no probation on file
 * the month their membership is known from, to the month they left the register, if they did.
 * A member transferred in owes here from the month after their letter. Anyone else (not yet admitted, or cancelled) owes none.
 */
export interface Membership {
  from: Month;
  until?: Month;
}

export const membershipOf = (
  p: Pick<Person, 'politicalStatus' | 'statusSince' | 'probation' | 'departure'> & {
    arrivedWith?: Pick<NonNullable<Person['arrivedWith']>, 'transferredFrom' | 'evidence'> | undefined;
  },
): Membership | undefined => {
  if (p.politicalStatus !== 'probationary' && p.politicalStatus !== 'full') return undefined;
  const joined = monthOf(p.probation?.startedOn ?? p.statusSince);
  // A member transferred in (组织关系转入) paid the sending organisation up to the month its
  // letter was issued: here they owe from the month after.
  const transferred = p.arrivedWith?.transferredFrom !== undefined ? p.arrivedWith.evidence : undefined;
  const arrived = transferred ? monthOf(addMonths(`${monthOf(transferred.issuedOn)}-01`, 1)) : joined;
  // biome-ignore lint/complexity/useMathMinMax: months are strings (`2026-05`): Math.max would make NaN of them.
  const from = arrived > joined ? arrived : joined;
  return { from, ...(p.departure ? { until: monthOf(p.departure.on) } : {}) };
};

export const owesFor = (m: Membership, month: Month): boolean =>
  month >= m.from && (m.until === undefined || month <= m.until);

/** A base may be set for any year of the membership up to next year (set in December for the year ahead). */
export const checkBasisYear = (m: Membership | undefined, year: number, current: Month): Result<number> => {
  if (!m) return refuse(notAMember());
  const first = Number(m.from.slice(0, 4));
  const last = Math.min(
    m.until ? Number(m.until.slice(0, 4)) : Number.POSITIVE_INFINITY,
    Number(current.slice(0, 4)) + 1,
  );
  if (year < first || year > last) {
    return refuse(
      ruleViolation(
        'dues-year-outside-membership',
        `dues bases are set for ${first} to ${last}: the membership's years up to next year`,
      ),
    );
  }
  return accept(year);
};

const notAMember = () =>
  ruleViolation('dues-not-a-member', 'only probationary and full party members pay dues');

/** A payment's month is one the person owed dues for, and not after the current month. */
export const checkPaymentMonth = (m: Membership | undefined, month: Month, current: Month): Result<Month> => {
  if (!m) return refuse(notAMember());
  if (month > current) {
    return refuse(ruleViolation('dues-month-in-future', `${month} is after the current month (${current})`));
  }
  if (month < m.from) {
    return refuse(
      ruleViolation('dues-month-before-membership', `${month} is before the membership began (${m.from})`),
    );
  }
  if (m.until !== undefined && month > m.until) {
    return refuse(
      ruleViolation('dues-month-after-membership', `${month} is after the membership ended (${m.until})`),
    );
  }
  return accept(month);
};

/**
 * A payment covers at least the month's dues; more is accepted (members may pay more of
 * their own will, 自愿多交), up to a plausible sum. The refusal names the month, so one of
 * several months paid together is found.
 */
export const checkPaymentAmount = (amountFen: number, dueFen: number, month: Month): Result<number> => {
  if (amountFen < 1 || amountFen > MAX_PAYMENT_FEN) {
    return refuse(
      ruleViolation(
        'dues-amount-implausible',
        `${month}: a payment is between 0.01 and ${yuanOf(MAX_PAYMENT_FEN)} yuan`,
      ),
    );
  }
  if (amountFen < dueFen) {
    return refuse(
      ruleViolation(
        'dues-payment-below-due',
        `${month}: ${yuanOf(amountFen)} is less than the month's dues of ${yuanOf(dueFen)}`,
        { due: yuanOf(dueFen), month },
      ),
    );
  }
  return accept(amountFen);
};

/** A payment is recorded as made on a day that has come (Asia/Shanghai). */
export const checkPaidOn = (paidOn: string, today: string): Result<string> =>
  paidOn > today
    ? refuse(ruleViolation('effective-date-in-future', `paid on ${paidOn}, after today (${today})`))
    : accept(paidOn);

/** A month paid for and the sum paid, as the secretary enters them. */
export interface MonthPaid {
  month: Month;
  amountFen: number;
}

/** A month's payment as it is recorded: with the month's dues under its year's basis. */
export interface CheckedPayment extends MonthPaid {
  dueFen: number;
}

/**
 * One month's payment, checked the same way alone or among several paid together: a month
 * the person owes for and not still to come, its year's basis set (each month under its own
 * year's, December and January paid together included), the amount at least that month's
 * dues. Every refusal names the month.
 */
export const checkMonthPayment = (
  m: Membership | undefined,
  paid: MonthPaid,
  current: Month,
  basisOfYear: (year: number) => DuesBasis | undefined,
): Result<CheckedPayment> => {
  const month = checkPaymentMonth(m, paid.month, current);
  if (!month.ok) return month;
  const year = Number(paid.month.slice(0, 4));
  const basis = basisOfYear(year);
  if (!basis) {
    return refuse(ruleViolation('dues-base-missing', `${paid.month}: ${year} has no dues base yet`));
  }
  const dueFen = monthlyDueFen(basis);
  const amount = checkPaymentAmount(paid.amountFen, dueFen, paid.month);
  if (!amount.ok) return amount;
  return accept({ month: paid.month, amountFen: amount.value, dueFen });
};

/** At most a year's months are paid together (按季度交纳, 预交 half a year, 补交 arrears). */
export const MAX_MONTHS_PAID_TOGETHER = 12;

/**
 * Several months paid together (one transfer for a quarter, or arrears caught up): each month
 * once, each checked as a month's payment. The first refusal, in month order, refuses them
 * all; the accepted ones come back in month order.
 */
export const checkMonthsPayment = (
  m: Membership | undefined,
  paid: readonly MonthPaid[],
  current: Month,
  basisOfYear: (year: number) => DuesBasis | undefined,
): Result<CheckedPayment[]> => {
  const seen = new Set<Month>();
  const twice = paid.flatMap((p, i) => {
    if (!seen.has(p.month)) {
      seen.add(p.month);
      return [];
    }
    return [{ field: `body.months.${i}.month`, message: `${p.month} is listed twice: each month once` }];
  });
  if (twice.length > 0) return refuse(validationFailed(twice, 'Each month is paid once'));
  const checked: CheckedPayment[] = [];
  for (const p of [...paid].sort((a, b) => a.month.localeCompare(b.month))) {
    const one = checkMonthPayment(m, p, current, basisOfYear);
    if (!one.ok) return one;
    checked.push(one.value);
  }
  return accept(checked);
};

// ---------------------------------------------------------------- a year's account

export interface PaymentFacts {
  month: Month;
  amountFen: number;
}

export interface MonthAccount {
  month: Month;
  /** The month's dues; absent when the year has no basis yet. */
  dueFen?: number;
  paidFen?: number;
}

/**
 * A member's months of a year up to `current`: each month they owed dues for, with its due
 * under the year's basis (if set) and what was paid. Months outside the membership are left
 * out; a payment is always shown.
 */
export const yearAccount = (
  m: Membership | undefined,
  year: number,
  current: Month,
  basis: DuesBasis | undefined,
  payments: readonly PaymentFacts[],
): MonthAccount[] => {
  const paid = new Map(payments.map((p) => [p.month, p.amountFen]));
  const due = basis ? monthlyDueFen(basis) : undefined;
  return monthsOfYear(year, '9999-12')
    .filter((month) => paid.has(month) || (m !== undefined && month <= current && owesFor(m, month)))
    .map((month) => ({
      month,
      ...(due !== undefined && m !== undefined && owesFor(m, month) ? { dueFen: due } : {}),
      ...(paid.has(month) ? { paidFen: paid.get(month) as number } : {}),
    }));
};

/** The months of an account not paid yet, and what they come to (those with a known due). */
export const arrearsOf = (
  account: readonly MonthAccount[],
): { months: Month[]; owedFen: number; dueUnknown: boolean } => {
  const unpaid = account.filter((a) => a.paidFen === undefined);
  return {
    months: unpaid.map((a) => a.month),
    owedFen: unpaid.reduce((sum, a) => sum + (a.dueFen ?? 0), 0),
    dueUnknown: unpaid.some((a) => a.dueFen === undefined),
  };
};
