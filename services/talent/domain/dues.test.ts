import { describe, expect, it } from 'vitest';
import {
  arrearsOf,
  bandLabelOf,
  checkBasis,
  checkBasisYear,
  checkMonthPayment,
  checkMonthsPayment,
  checkPaidOn,
  checkPaymentAmount,
  checkPaymentMonth,
  type DuesBasis,
  fenOf,
  MAX_BASE_FEN,
  membershipOf,
  monthlyDueFen,
  rateOf,
  YUAN_PATTERN,
  yearAccount,
  yuanOf,
} from './dues.js';

const employed = (yuan: string) => monthlyDueFen({ category: 'employed', baseFen: fenOf(yuan) });
const retired = (yuan: string) => monthlyDueFen({ category: 'retired', baseFen: fenOf(yuan) });
const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error?.code);

describe('monthly dues under the standard', () => {
  it('takes the whole base at its band’s rate, each upper edge inside its band (employed)', () => {
    expect(employed('3000.00')).toBe(1500); // 0.5 % of 3,000 (含3000元)
    expect(employed('3000.01')).toBe(3000); // 1 % of 3,000.01 = 30.0001 → 30.00
    expect(employed('4000')).toBe(4000); // the standard's reading: 1 % of 4,000 = 40.00
    expect(employed('5000.00')).toBe(5000); // 1 % (含5000元)
    expect(employed('5000.01')).toBe(7500); // 1.5 % of 5,000.01 = 75.00015 → 75.00
    expect(employed('10000.00')).toBe(15000); // 1.5 % (含10000元)
    expect(employed('10000.01')).toBe(20000); // 2 % of 10,000.01 = 200.0002 → 200.00
    expect(employed('0.01')).toBe(0); // 0.005 fen rounds to nothing
  });

  it('retirees: 0.5 % up to 5,000 included, 1 % above', () => {
    expect(retired('5000.00')).toBe(2500);
    expect(retired('5000.01')).toBe(5000);
    expect(retired('2000')).toBe(1000);
  });

  it('students and people without income pay 0.20 a month', () => {
    expect(monthlyDueFen({ category: 'student' })).toBe(20);
    expect(monthlyDueFen({ category: 'no-income' })).toBe(20);
    expect(rateOf({ category: 'student' })).toBe('0.20/month');
  });

  it('rounds a due that is not a whole fen half up', () => {
    expect(employed('3333.33')).toBe(3333); // 1 % of 333,333 fen = 3,333.33 fen → 3,333
    expect(employed('2999.99')).toBe(1500); // 0.5 % of 299,999 fen = 1,499.995 → 1,500
    expect(employed('2998.99')).toBe(1499); // 1,499.495 → 1,499
  });

  it('names the band and rate, never the figure, for lists', () => {
    expect(bandLabelOf({ category: 'employed', baseFen: 300_000 })).toBe('0-3000');
    expect(bandLabelOf({ category: 'employed', baseFen: 300_001 })).toBe('3000-5000');
    expect(bandLabelOf({ category: 'employed', baseFen: 1_000_001 })).toBe('10000+');
    expect(bandLabelOf({ category: 'retired', baseFen: 500_001 })).toBe('5000+');
    expect(bandLabelOf({ category: 'student' })).toBeUndefined();
    expect(rateOf({ category: 'employed', baseFen: 700_000 })).toBe('1.5%');
  });
});

describe('yuan at the edge', () => {
  it('reads decimal strings into fen and writes two decimals, with no float in between', () => {
    expect(fenOf('0.1')).toBe(10);
    expect(fenOf('0.2')).toBe(20);
    expect(fenOf('1234.56')).toBe(123_456);
    expect(fenOf('-3')).toBe(-300);
    expect(yuanOf(20)).toBe('0.20');
    expect(yuanOf(123_456)).toBe('1234.56');
    expect(yuanOf(0)).toBe('0.00');
    expect(YUAN_PATTERN.test('1.234')).toBe(false);
    expect(YUAN_PATTERN.test('1e3')).toBe(false);
    expect(YUAN_PATTERN.test('01')).toBe(false);
  });
});

describe('plausible bases', () => {
  it('refuses a base below 0.01 or above 1,000,000 yuan', () => {
    expect(codeOf(checkBasis({ category: 'employed', baseFen: 0 }))).toBe('dues-base-implausible');
    expect(codeOf(checkBasis({ category: 'employed', baseFen: -100 }))).toBe('dues-base-implausible');
    expect(codeOf(checkBasis({ category: 'retired', baseFen: MAX_BASE_FEN + 1 }))).toBe(
      'dues-base-implausible',
    );
    expect(codeOf(checkBasis({ category: 'employed', baseFen: MAX_BASE_FEN }))).toBe('ok');
    expect(codeOf(checkBasis({ category: 'employed' }))).toBe('dues-base-implausible');
  });
});

describe('who owes dues for which months', () => {
  const probationary = {
    politicalStatus: 'probationary' as const,
    statusSince: '2026-03-15',
    probation: { startedOn: '2026-03-15' },
  };

  it('members from the month probation began to the month they left', () => {
    expect(membershipOf(probationary)).toEqual({ from: '2026-03' });
    expect(
      membershipOf({
        politicalStatus: 'full',
        statusSince: '2027-03-15',
        probation: { startedOn: '2026-03-15' },
      }),
    ).toEqual({ from: '2026-03' });
    // A full member who arrived with no probation on file: from their known stage.
    expect(membershipOf({ politicalStatus: 'full', statusSince: '2015-07-01' })).toEqual({ from: '2015-07' });
    expect(
      membershipOf({
        politicalStatus: 'full',
        statusSince: '2015-07-01',
        departure: { on: '2026-06-30', reason: 'transferred-out', recordedBy: 'x' },
      }),
    ).toEqual({ from: '2015-07', until: '2026-06' });
    expect(membershipOf({ politicalStatus: 'candidate', statusSince: '2026-01-01' })).toBeUndefined();
  });

  it('a member transferred in owes here from the month after their letter, never before joining', () => {
    const letter = (issuedOn: string) => ({
      transferredFrom: '中共某某研究院委员会',
      evidence: { kind: 'transfer-letter' as const, reference: '沪药检党转字〔2026〕5号', issuedOn },
    });
    expect(
      membershipOf({ politicalStatus: 'full', statusSince: '2012-07-01', arrivedWith: letter('2026-09-28') }),
    ).toEqual({ from: '2026-10' });
    // December's letter: from January.
    expect(
      membershipOf({ politicalStatus: 'full', statusSince: '2012-07-01', arrivedWith: letter('2025-12-03') }),
    ).toEqual({ from: '2026-01' });
    // History that came without a transfer (an import) changes nothing.
    const imported = { evidence: letter('2026-09-28').evidence };
    expect(
      membershipOf({ politicalStatus: 'full', statusSince: '2012-07-01', arrivedWith: imported }),
    ).toEqual({ from: '2012-07' });
  });

  it('payments: not before the membership, not after it ended, not in a month still to come', () => {
    const m = { from: '2026-03', until: '2026-09' };
    expect(codeOf(checkPaymentMonth(m, '2026-02', '2026-11'))).toBe('dues-month-before-membership');
    expect(codeOf(checkPaymentMonth(m, '2026-03', '2026-11'))).toBe('ok');
    expect(codeOf(checkPaymentMonth(m, '2026-09', '2026-11'))).toBe('ok');
    expect(codeOf(checkPaymentMonth(m, '2026-10', '2026-11'))).toBe('dues-month-after-membership');
    expect(codeOf(checkPaymentMonth({ from: '2026-03' }, '2026-11', '2026-11'))).toBe('ok');
    expect(codeOf(checkPaymentMonth({ from: '2026-03' }, '2026-12', '2026-11'))).toBe('dues-month-in-future');
    expect(codeOf(checkPaymentMonth(undefined, '2026-05', '2026-11'))).toBe('dues-not-a-member');
  });

  it('bases: for the membership’s years, at most next year', () => {
    expect(codeOf(checkBasisYear({ from: '2026-03' }, 2025, '2026-11'))).toBe('dues-year-outside-membership');
    expect(codeOf(checkBasisYear({ from: '2026-03' }, 2026, '2026-11'))).toBe('ok');
    expect(codeOf(checkBasisYear({ from: '2026-03' }, 2027, '2026-11'))).toBe('ok');
    expect(codeOf(checkBasisYear({ from: '2026-03' }, 2028, '2026-11'))).toBe('dues-year-outside-membership');
    expect(codeOf(checkBasisYear({ from: '2020-03', until: '2025-06' }, 2026, '2026-11'))).toBe(
      'dues-year-outside-membership',
    );
  });

  it('a payment covers the month’s dues at least, more of one’s own will', () => {
    expect(codeOf(checkPaymentAmount(3999, 4000, '2026-05'))).toBe('dues-payment-below-due');
    expect(codeOf(checkPaymentAmount(4000, 4000, '2026-05'))).toBe('ok');
    expect(codeOf(checkPaymentAmount(10_000, 4000, '2026-05'))).toBe('ok');
    expect(codeOf(checkPaymentAmount(0, 0, '2026-05'))).toBe('dues-amount-implausible');
  });

  it('a payment is made on a day that has come', () => {
    expect(codeOf(checkPaidOn('2026-11-26', '2026-11-26'))).toBe('ok');
    expect(codeOf(checkPaidOn('2026-11-27', '2026-11-26'))).toBe('effective-date-in-future');
  });
});

describe('months paid together (按季度交纳, 补交)', () => {
  const m = { from: '2025-03' };
  // 2025: employed on 4,000.00 (40.00 a month); 2026: 6,000.00 (90.00 a month); 2024: none.
  const bases: Record<number, DuesBasis> = {
    2025: { category: 'employed', baseFen: 400_000 },
    2026: { category: 'employed', baseFen: 600_000 },
  };
  const basisOfYear = (y: number) => bases[y];
  const paid = (month: string, yuan: string) => ({ month, amountFen: fenOf(yuan) });
  const check = (months: { month: string; amountFen: number }[]) =>
    checkMonthsPayment(m, months, '2026-11', basisOfYear);

  it('checks each month under its own year’s base, December and January together, in month order', () => {
    const r = check([paid('2026-01', '90'), paid('2025-12', '40'), paid('2025-11', '45.5')]);
    expect(r).toEqual({
      ok: true,
      value: [
        { month: '2025-11', amountFen: 4550, dueFen: 4000 },
        { month: '2025-12', amountFen: 4000, dueFen: 4000 },
        { month: '2026-01', amountFen: 9000, dueFen: 9000 },
      ],
    });
    // January at December's due is below January's.
    const low = check([paid('2025-12', '40'), paid('2026-01', '40')]);
    expect(low.ok ? undefined : low.error).toMatchObject({
      code: 'dues-payment-below-due',
      message: expect.stringContaining('2026-01'),
      details: { due: '90.00', month: '2026-01' },
    });
  });

  it('one month refused refuses them all, and the refusal names the month', () => {
    const cases: [{ month: string; amountFen: number }[], string, string][] = [
      [[paid('2026-10', '90'), paid('2026-12', '90')], 'dues-month-in-future', '2026-12'],
      [[paid('2025-02', '40'), paid('2025-03', '40')], 'dues-month-before-membership', '2025-02'],
      [[paid('2026-10', '90'), paid('2026-11', '0')], 'dues-amount-implausible', '2026-11'],
      [[paid('2026-10', '90'), paid('2026-09', '89.99')], 'dues-payment-below-due', '2026-09'],
    ];
    for (const [months, code, month] of cases) {
      const r = check(months);
      expect(r.ok ? undefined : r.error, code).toMatchObject({
        code,
        message: expect.stringContaining(month),
      });
    }
    const noBase = checkMonthsPayment({ from: '2024-03' }, [paid('2024-12', '40')], '2026-11', basisOfYear);
    expect(noBase.ok ? undefined : noBase.error).toMatchObject({
      code: 'dues-base-missing',
      message: expect.stringContaining('2024-12'),
    });
    expect(codeOf(checkMonthsPayment(undefined, [paid('2026-10', '90')], '2026-11', basisOfYear))).toBe(
      'dues-not-a-member',
    );
  });

  it('each month once: a month listed twice is invalid, naming where', () => {
    const r = check([paid('2026-08', '90'), paid('2026-09', '90'), paid('2026-08', '100')]);
    expect(r.ok ? undefined : r.error).toMatchObject({
      code: 'validation-failed',
      details: { fields: [{ field: 'body.months.2.month', message: expect.stringContaining('2026-08') }] },
    });
  });

  it('one month alone is checked the same way', () => {
    expect(checkMonthPayment(m, paid('2026-11', '90'), '2026-11', basisOfYear)).toEqual({
      ok: true,
      value: { month: '2026-11', amountFen: 9000, dueFen: 9000 },
    });
    expect(codeOf(checkMonthPayment(m, paid('2026-11', '89'), '2026-11', basisOfYear))).toBe(
      'dues-payment-below-due',
    );
  });
});

describe('a year’s account and its arrears', () => {
  it('lists the months owed up to now with their due and payments; the unpaid ones are owed', () => {
    const account = yearAccount(
      { from: '2026-09' },
      2026,
      '2026-11',
      { category: 'employed', baseFen: 400_000 },
      [{ month: '2026-10', amountFen: 4000 }],
    );
    expect(account).toEqual([
      { month: '2026-09', dueFen: 4000 },
      { month: '2026-10', dueFen: 4000, paidFen: 4000 },
      { month: '2026-11', dueFen: 4000 },
    ]);
    expect(arrearsOf(account)).toEqual({ months: ['2026-09', '2026-11'], owedFen: 8000, dueUnknown: false });
  });

  it('without a base the months are still owed, their due unknown', () => {
    const account = yearAccount({ from: '2025-01' }, 2026, '2026-02', undefined, []);
    expect(arrearsOf(account)).toEqual({ months: ['2026-01', '2026-02'], owedFen: 0, dueUnknown: true });
  });

  it('a past year is whole; the months after a departure are not owed', () => {
    expect(yearAccount({ from: '2020-01' }, 2025, '2026-11', { category: 'student' }, [])).toHaveLength(12);
    expect(
      yearAccount({ from: '2020-01', until: '2026-04' }, 2026, '2026-11', { category: 'student' }, []),
    ).toHaveLength(4);
  });
});
