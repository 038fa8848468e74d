/**
 * Party dues (党费): a member's yearly base (the income band or base figure, never a salary
 * slip), their monthly payments, a branch's arrears (欠缴) and its yearly statement. Income is
 * sensitive personal information (PIPL Art. 28): a person's base and payments are seen by
 * them, their branch's secretary and the committee only; every read and write is audited,
 * the log holding no figure; lists show the category and band, never the base.
 *
 * Amounts are yuan as decimal strings ("40.00"; "40" and "40.5" are read too), kept as fen.
 */
import * as z from 'zod';
import { actorOf, actsForBranch, type Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, ruleViolation, unwrap } from '../../../shared/errors.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { created, ok } from '../../../shared/http/result.js';
import { idParam, isoDate, timestamp } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { deliverWorkbook, workbookResponses } from '../../../shared/spreadsheets/deliver.js';
import { type CellValue, type Column, writeWorkbook } from '../../../shared/spreadsheets/workbook.js';
import { versionConflict } from '../../../shared/store/version.js';
import { localDate, toLocalIso } from '../../../shared/time.js';
import { changesBetween } from '../domain/audit.js';
import {
  arrearsOf,
  bandLabelOf,
  checkBasis,
  checkBasisYear,
  checkMonthsPayment,
  checkPaidOn,
  type DuesBasis,
  type DuesCategory,
  duesCategories,
  fenOf,
  MAX_MONTHS_PAID_TOGETHER,
  type MonthAccount,
  type MonthPaid,
  membershipOf,
  monthlyDueFen,
  monthOf,
  rateOf,
  YUAN_PATTERN,
  yearAccount,
  yuanOf,
} from '../domain/dues.js';
import type { Person } from '../domain/person.js';
import { type PoliticalStatus, politicalStatuses } from '../events.js';
import {
  addDuesPayment,
  type DuesBase,
  type DuesPayment,
  type DuesYear,
  duesChannels,
  duesYearOf,
  duesYearsOf,
  getDuesPayment,
  putDuesBase,
} from '../store/dues.js';
import { peopleAtStages, transaction } from '../store.js';
import { type Audited, auditRead, auditWrite } from './audit.js';
import { getBranch } from './branches.js';
import { decidedAgain, managedPerson, visiblePerson } from './common.js';
import { ownBranchManagers, personAndManagers, personManagers } from './outcomes.js';

// ---------------------------------------------------------------- schemas

const yuan = z
  .string()
  .regex(YUAN_PATTERN, 'Yuan as a decimal string with at most two decimals, such as "4000.00"')
  .meta({ description: 'Yuan (元) as a decimal string, at most two decimals', example: '4000.00' });
const shownYuan = z.string().meta({ description: 'Yuan (元) with two decimals', example: '40.00' });
const monthPattern = /^(?:19\d\d|20\d\d|2100)-(?:0[1-9]|1[0-2])$/;
const month = z.string().regex(monthPattern, 'A month such as 2026-11').meta({ example: '2026-11' });
const year = z.coerce.number().int().min(2000).max(2100).meta({ example: 2026 });
const category = z.enum(duesCategories).meta({
  description:
    '在职 employed and 离退休 retired pay a share of a monthly base; 学生 student and 无收入 no-income pay 0.20 a month',
});

/** The version read: optimistic concurrency, 0 while the year has no base. */
const baseVersion = z
  .number()
  .int()
  .min(0)
  .max(2_147_483_647)
  .meta({ description: 'The version you read (0 while the year has no base)', example: 0 });

const baseBody = z.discriminatedUnion('category', [
  z.strictObject({
    category: z.enum(['employed', 'retired']),
    base: yuan.meta({
      description: 'The monthly base (月工资收入, after tax) in yuan: 0.01 to 1,000,000.00',
    }),
    version: baseVersion,
  }),
  z.strictObject({
    category: z.enum(['student', 'no-income']),
    version: baseVersion,
  }),
]);

const paymentBody = z.strictObject({
  month: month.meta({ description: 'The month paid for (Asia/Shanghai), up to the current one' }),
  amount: yuan.meta({ description: "Yuan paid; at least the month's dues", example: '40.00' }),
  paidOn: isoDate.meta({ description: 'The day it was paid; not after today' }),
  channel: z.enum(duesChannels).meta({ description: '现金, 转账, 微信, 支付宝, 工资代扣' }),
});

const paymentsBody = z.strictObject({
  paidOn: paymentBody.shape.paidOn,
  channel: paymentBody.shape.channel,
  months: z
    .array(z.strictObject({ month: paymentBody.shape.month, amount: paymentBody.shape.amount }))
    .min(1)
    .max(MAX_MONTHS_PAID_TOGETHER)
    .meta({
      description: `The months paid for, each once, and the sum for each: 1 to ${MAX_MONTHS_PAID_TOGETHER}`,
    }),
});

/** What a list says of a member's basis: the category and band, never the base. */
const maskedBasis = {
  category: category.optional().meta({ description: "The year's category; absent while no base is set" }),
  band: z.string().optional().meta({
    description: 'The base’s band in yuan, upper edge included (employed and retired)',
    example: '3000-5000',
  }),
};

const DuesBaseView = z
  .strictObject({
    personId: z.string(),
    year: z.number().int(),
    category,
    base: shownYuan.optional().meta({ description: 'The monthly base (employed and retired)' }),
    band: maskedBasis.band,
    rate: z.string().meta({ description: 'The band’s rate, or the fixed sum', example: '1%' }),
    monthlyDue: shownYuan,
    version: z.number().int(),
    updatedAt: timestamp,
  })
  .meta({ id: 'DuesBase', description: "A member's dues base (党费基数) for a year" });

const paidView = z.strictObject({ amount: shownYuan, paidOn: isoDate, channel: z.enum(duesChannels) });

const DuesPaymentView = z
  .strictObject({
    personId: z.string(),
    month: z.string(),
    amount: shownYuan,
    due: shownYuan.meta({ description: "The month's dues when it was paid" }),
    paidOn: isoDate,
    channel: z.enum(duesChannels),
    recordedBy: z.string(),
    recordedAt: timestamp,
  })
  .meta({ id: 'DuesPayment', description: "A month's dues payment (党费缴纳)" });

const DuesPaymentsView = z
  .strictObject({
    personId: z.string(),
    payments: z.array(DuesPaymentView).meta({ description: 'One per month, in month order' }),
  })
  .meta({
    id: 'DuesPayments',
    description: "Several months' dues payments recorded together (按季度交纳, 补交)",
  });

const monthView = z.strictObject({
  month: z.string(),
  due: shownYuan.optional().meta({ description: "The month's dues; absent while the year has no base" }),
  paid: paidView.optional(),
});

const PersonDues = z
  .strictObject({
    personId: z.string(),
    name: z.string(),
    year: z.number().int(),
    asOf: z.string().meta({ description: 'The current month (Asia/Shanghai)', example: '2026-11' }),
    membership: z
      .strictObject({ from: z.string(), until: z.string().optional() })
      .optional()
      .meta({ description: 'The months dues are owed for; absent for someone who is not a party member' }),
    base: DuesBaseView.optional(),
    months: z.array(monthView).meta({ description: 'Each month owed up to now, or paid' }),
    due: shownYuan,
    paid: shownYuan,
    owed: shownYuan.meta({ description: 'Dues of the unpaid months with a known due' }),
  })
  .meta({ id: 'PersonDues', description: "A member's dues for a year" });

const memberRow = {
  personId: z.string(),
  name: z.string(),
  politicalStatus: z.enum(politicalStatuses),
  ...maskedBasis,
};

const DuesArrears = z
  .strictObject({
    branchId: z.string(),
    year: z.number().int(),
    asOf: z.string().meta({ example: '2026-11' }),
    members: z
      .array(
        z.strictObject({
          ...memberRow,
          unpaidMonths: z.array(z.string()),
          owed: shownYuan,
          dueUnknown: z
            .boolean()
            .meta({ description: 'Some unpaid month has no known due: the year has no base yet' }),
        }),
      )
      .meta({ description: 'The members with an unpaid month of the year up to now, by name' }),
    owed: shownYuan,
  })
  .meta({ id: 'DuesArrears', description: "A branch's dues arrears (党费欠缴) this year" });

const DuesStatement = z
  .strictObject({
    branchId: z.string(),
    year: z.number().int(),
    asOf: z.string().meta({ example: '2026-11' }),
    members: z.array(
      z.strictObject({ ...memberRow, months: z.array(monthView), due: shownYuan, paid: shownYuan }),
    ),
    due: shownYuan,
    paid: shownYuan,
  })
  .meta({ id: 'DuesStatement', description: "A branch's yearly dues statement (党费收缴明细)" });

// ---------------------------------------------------------------- views

const basisOf = (b: DuesBase): DuesBasis => ({
  category: b.category,
  ...(b.baseFen !== undefined ? { baseFen: b.baseFen } : {}),
});

const baseView = (b: DuesBase): z.output<typeof DuesBaseView> => {
  const band = bandLabelOf(basisOf(b));
  return {
    personId: b.personId,
    year: b.year,
    category: b.category,
    ...(b.baseFen !== undefined ? { base: yuanOf(b.baseFen) } : {}),
    ...(band ? { band } : {}),
    rate: rateOf(basisOf(b)),
    monthlyDue: yuanOf(monthlyDueFen(basisOf(b))),
    version: b.version,
    updatedAt: b.updatedAt,
  };
};

const paymentView = (p: DuesPayment): z.output<typeof DuesPaymentView> => ({
  personId: p.personId,
  month: p.month,
  amount: yuanOf(p.amountFen),
  due: yuanOf(p.dueFen),
  paidOn: p.paidOn,
  channel: p.channel,
  recordedBy: p.recordedBy,
  recordedAt: p.recordedAt,
});

const sum = (values: readonly (number | undefined)[]) => values.reduce<number>((a, v) => a + (v ?? 0), 0);

/** A member's months of the year, as lists and the person's own page show them. */
const accountOf = (person: Person, year: number, asOf: string, dues: DuesYear) => {
  const account = yearAccount(
    membershipOf(person),
    year,
    asOf,
    dues.base ? basisOf(dues.base) : undefined,
    dues.payments,
  );
  const payments = new Map(dues.payments.map((p) => [p.month, p]));
  const months = account.map((a: MonthAccount) => {
    const p = payments.get(a.month);
    return {
      month: a.month,
      ...(a.dueFen !== undefined ? { due: yuanOf(a.dueFen) } : {}),
      ...(p ? { paid: { amount: yuanOf(p.amountFen), paidOn: p.paidOn, channel: p.channel } } : {}),
    };
  });
  return { account, months };
};

const maskedBasisOf = (dues: DuesYear): { category?: DuesCategory; band?: string } => {
  if (!dues.base) return {};
  const band = bandLabelOf(basisOf(dues.base));
  return { category: dues.base.category, ...(band ? { band } : {}) };
};

const byName = (a: { name: string; personId: string }, b: { name: string; personId: string }) =>
  a.name.localeCompare(b.name, 'zh') || a.personId.localeCompare(b.personId);

// ---------------------------------------------------------------- scope and reads

/** A branch's dues for its secretary (their own, by default) and the committee (any, named). */
const branchScope = async (ctx: ServiceContext, caller: Caller, branchId: string | undefined) => {
  const asked = branchId ?? caller.branchId;
  if (asked === undefined) throw ruleViolation('branch-required', 'name the branch (branchId)');
  if (!actsForBranch(caller, asked) || !(await getBranch(ctx, asked))) throw notFound('Branch');
  return asked;
};

/** A branch's party members (预备党员 and 正式党员) with their dues of the year. */
const branchDues = async (ctx: ServiceContext, branchId: string, year: number) => {
  const members = await peopleAtStages(ctx, branchId, ['probationary', 'full']);
  const years = await duesYearsOf(
    ctx,
    members.map((p) => p.personId),
    year,
  );
  return members.map((person) => ({ person, dues: years.get(person.personId) as DuesYear }));
};

/** The audit log's view of a year's basis: the figure masked, its band named. */
const auditedBasis = (b: DuesBase | undefined) =>
  b
    ? {
        [`dues.${b.year}.category`]: b.category,
        [`dues.${b.year}.band`]: bandLabelOf(basisOf(b)),
        [`dues.${b.year}.base`]: b.baseFen,
      }
    : undefined;
const masked = (field: string, value: unknown) => (field.endsWith('.base') ? '***' : value);

/**
 * A branch's dues report, read the same way for the arrears, the statement and its workbook:
 * the branch in the caller's scope, each member's months of the year as of this month, by
 * name, with what they owe; the read audited before anything leaves. The year is the one
 * asked (the statement's), by default this one (the arrears are always this year's); the log
 * names it for a statement only, arrears being as of now.
 */
const branchDuesReport = async (
  ctx: ServiceContext,
  req: Audited & { query: { branchId?: string; year?: number } },
  audit: { action: 'people.list' | 'dues.export'; list: 'dues-arrears' | 'dues-statement' },
) => {
  const branchId = await branchScope(ctx, req.caller, req.query.branchId);
  const asOf = monthOf(localDate(req.now));
  const year = req.query.year ?? Number(asOf.slice(0, 4));
  const rows = (await branchDues(ctx, branchId, year))
    .map(({ person, dues }) => {
      const { account, months } = accountOf(person, year, asOf, dues);
      return {
        personId: person.personId,
        name: person.name,
        politicalStatus: person.politicalStatus,
        ...maskedBasisOf(dues),
        months,
        dueFen: sum(account.map((a) => a.dueFen)),
        paidFen: sum(account.map((a) => a.paidFen)),
        arrears: arrearsOf(account),
      };
    })
    .sort(byName);
  const scope =
    audit.list === 'dues-statement' ? { list: audit.list, branchId, year } : { list: audit.list, branchId };
  await auditRead(ctx, req, audit.action, { scope });
  return { branchId, year, asOf, rows };
};
type ReportRow = Awaited<ReturnType<typeof branchDuesReport>>['rows'][number];

// ---------------------------------------------------------------- the statement as a workbook

const statusLabels: Partial<Record<PoliticalStatus, string>> = { probationary: '预备党员', full: '正式党员' };
const categoryLabels: Record<DuesCategory, string> = {
  employed: '在职',
  retired: '离退休',
  student: '学生',
  'no-income': '无收入',
};
const channelLabels: Record<DuesPayment['channel'], string> = {
  cash: '现金',
  transfer: '转账',
  wechat: '微信',
  alipay: '支付宝',
  payroll: '工资代扣',
};
/** Yuan as a spreadsheet number, so the sheet sums it; two decimals at most, from whole fen. */
const yuanCell = (yuanText: string | undefined): CellValue =>
  yuanText === undefined ? undefined : Number(yuanText);

type MonthLine = { row: ReportRow; month: ReportRow['months'][number] };

const memberColumns = <T>(of: (t: T) => ReportRow): Column<T>[] => [
  { header: '姓名', width: 12, value: (t) => of(t).name },
  { header: '党员类别', value: (t) => statusLabels[of(t).politicalStatus] },
  {
    header: '缴费类别',
    value: (t) => {
      const { category } = of(t);
      return category ? categoryLabels[category] : '未核定';
    },
  },
  { header: '基数档次(元)', width: 14, value: (t) => of(t).band },
];

const monthColumns: Column<MonthLine>[] = [
  ...memberColumns<MonthLine>((l) => l.row),
  { header: '月份', width: 10, value: (l) => l.month.month },
  { header: '应交(元)', value: (l) => yuanCell(l.month.due) },
  { header: '实交(元)', value: (l) => yuanCell(l.month.paid?.amount) },
  { header: '缴纳日期', width: 12, value: (l) => (l.month.paid ? { date: l.month.paid.paidOn } : undefined) },
  { header: '缴纳方式', value: (l) => (l.month.paid ? channelLabels[l.month.paid.channel] : undefined) },
];

const totalColumns: Column<ReportRow>[] = [
  ...memberColumns<ReportRow>((r) => r),
  { header: '应交合计(元)', width: 14, value: (r) => yuanCell(yuanOf(r.dueFen)) },
  { header: '实交合计(元)', width: 14, value: (r) => yuanCell(yuanOf(r.paidFen)) },
  { header: '欠交月数', value: (r) => r.arrears.months.length },
];

const personParams = z.strictObject({ personId: idParam });

/** What a payment, alone or among several months paid together, may be refused for. */
const paymentRefusals = [
  'own-record',
  'dues-not-a-member',
  'dues-month-in-future',
  'dues-month-before-membership',
  'dues-month-after-membership',
  'effective-date-in-future',
  'dues-base-missing',
  'dues-amount-implausible',
  'dues-payment-below-due',
  'dues-month-paid',
] as const;

/**
 * The months paid, checked as the rules say (domain/dues.ts, the same checks alone or
 * together), each with its own year's base: the payments to record, in month order.
 */
const checkedPayments = async (
  ctx: ServiceContext,
  req: { caller: Caller; now: Date },
  person: Person,
  paidOn: string,
  channel: DuesPayment['channel'],
  months: readonly MonthPaid[],
): Promise<DuesPayment[]> => {
  const today = localDate(req.now);
  unwrap(checkPaidOn(paidOn, today));
  const years = [...new Set(months.map((m) => Number(m.month.slice(0, 4))))];
  const bases = new Map(
    await Promise.all(years.map(async (y) => [y, (await duesYearOf(ctx, person.personId, y)).base] as const)),
  );
  const basisOfYear = (y: number) => {
    const base = bases.get(y);
    return base ? basisOf(base) : undefined;
  };
  const checked = unwrap(checkMonthsPayment(membershipOf(person), months, monthOf(today), basisOfYear));
  return checked.map((p) => ({
    personId: person.personId,
    month: p.month,
    amountFen: p.amountFen,
    dueFen: p.dueFen,
    paidOn,
    channel,
    recordedBy: actorOf(req.caller),
    recordedAt: toLocalIso(req.now),
  }));
};

/** The year's dues of the person, where a recorded payment is seen. */
const dueLocation = (personId: string, month: string) => `/talent/dues/${personId}?year=${month.slice(0, 4)}`;

/** The audit log's view of payments: each month paid and its channel, the amount masked. */
const paymentChanges = (payments: readonly DuesPayment[]) => {
  const after = Object.fromEntries(
    payments.flatMap((p) => [
      [`dues.${p.month}.paid`, '***'],
      [`dues.${p.month}.channel`, p.channel],
    ]),
  );
  return changesBetween(undefined, after, Object.keys(after));
};

export const duesRoutes = [
  route('PUT /talent/dues/{personId}/{year}', {
    access: ['committee', 'secretary'],
    summary:
      "Set a member's dues base (党费基数) for a year: their category and, employed or retired, the monthly base. Their secretary and the committee, never on their own record",
    description:
      'Send the `version` you read (0 while the year has no base). Saving what is already set answers it unchanged, with no new version. Amounts are yuan as decimal strings.',
    outcomes: personManagers,
    refusals: [
      'own-record',
      'version-conflict',
      'dues-not-a-member',
      'dues-year-outside-membership',
      'dues-base-implausible',
    ],
    responses: { 200: DuesBaseView },
    request: { params: z.strictObject({ personId: idParam, year }), body: baseBody },
    handler: async (req, ctx) => {
      const { params, body, caller, now } = req;
      const person = await managedPerson(ctx, caller, params.personId);
      unwrap(checkBasisYear(membershipOf(person), params.year, monthOf(localDate(now))));
      const basis = unwrap(
        checkBasis({ category: body.category, ...('base' in body ? { baseFen: fenOf(body.base) } : {}) }),
      );
      const { base: current } = await duesYearOf(ctx, person.personId, params.year);
      if (body.version !== (current?.version ?? 0)) {
        throw versionConflict('The dues base', { version: current?.version ?? 0 });
      }
      if (current && current.category === basis.category && current.baseFen === basis.baseFen) {
        // Saving what is set is no new version (so it pushes no one else into a conflict);
        // nothing is written, but the base was shown.
        await auditRead(ctx, req, 'dues.read', { personId: person.personId });
        return ok(baseView(current));
      }
      const next: DuesBase = {
        personId: person.personId,
        year: params.year,
        ...basis,
        version: (current?.version ?? 0) + 1,
        setBy: actorOf(caller),
        updatedAt: toLocalIso(now),
      };
      const tx = putDuesBase(transaction(ctx), next, current);
      const before = auditedBasis(current);
      const after = auditedBasis(next) as Record<string, unknown>;
      auditWrite(
        tx,
        req,
        'dues.base',
        person.personId,
        changesBetween(before, after, Object.keys(after), masked),
      );
      await tx.commit();
      return ok(baseView(next));
    },
  }),

  route('POST /talent/dues/{personId}/payments', {
    access: ['committee', 'secretary'],
    summary:
      "Record a month's dues payment (党费缴纳), once per month: their secretary and the committee, never on their own record. A repeat with the same Idempotency-Key answers 201 with the payment as recorded",
    description:
      "The amount is at least the month's dues under the year's base (more is accepted: 自愿多交). Amounts are yuan as decimal strings. Several months paid together: `POST /talent/dues/{personId}/payments/batch`.",
    outcomes: personManagers,
    refusals: paymentRefusals,
    responses: { 201: DuesPaymentView },
    request: { params: personParams, body: paymentBody },
    idempotent: true,
    // Two payments of a month at the same moment: the loser decides again and finds it paid.
    handler: decidedAgain(async (req, ctx) => {
      const { params, body, caller } = req;
      const person = await managedPerson(ctx, caller, params.personId);
      const [payment] = await checkedPayments(ctx, req, person, body.paidOn, body.channel, [
        { month: body.month, amountFen: fenOf(body.amount) },
      ]);
      const location = dueLocation(person.personId, body.month);
      return createOnce(ctx, req, {
        scope: accountScope('dues-payment', caller),
        entityId: `${person.personId}#${body.month}`,
        replay: async () => {
          const first = await getDuesPayment(ctx, person.personId, body.month);
          if (!first) throw notFound('Payment');
          return created(paymentView(first), location);
        },
        create: async ({ claim, commit }) => {
          const recorded = payment as DuesPayment;
          const tx = addDuesPayment(claim(transaction(ctx)), recorded);
          auditWrite(tx, req, 'dues.payment', person.personId, paymentChanges([recorded]));
          await commit(tx);
          return created(paymentView(recorded), location);
        },
      });
    }),
  }),

  route('POST /talent/dues/{personId}/payments/batch', {
    access: ['committee', 'secretary'],
    summary:
      "Record several months' dues paid together (按季度交纳, 预交, 补交): 1 to 12 months, each once, all or none. Their secretary and the committee, never on their own record. A repeat with the same Idempotency-Key answers 201 with the payments as recorded",
    description:
      "Each month is checked as `POST /talent/dues/{personId}/payments` checks it, against its own year's base (December and January together included); any refusal refuses the whole batch, writes nothing and names the month. A month listed twice is 400. One `paidOn` and `channel` for all: the one transfer. Amounts are yuan as decimal strings.",
    outcomes: personManagers,
    refusals: paymentRefusals,
    responses: { 201: DuesPaymentsView },
    request: { params: personParams, body: paymentsBody },
    idempotent: true,
    // A race with a payment of one of its months: decided again, it finds the month paid.
    handler: decidedAgain(async (req, ctx) => {
      const { params, body, caller } = req;
      const person = await managedPerson(ctx, caller, params.personId);
      const payments = await checkedPayments(
        ctx,
        req,
        person,
        body.paidOn,
        body.channel,
        body.months.map((m) => ({ month: m.month, amountFen: fenOf(m.amount) })),
      );
      const months = payments.map((p) => p.month);
      const location = dueLocation(person.personId, months.at(-1) as string);
      const answer = (recorded: readonly DuesPayment[]) =>
        created({ personId: person.personId, payments: recorded.map(paymentView) }, location);
      return createOnce(ctx, req, {
        scope: accountScope('dues-payment', caller),
        entityId: `${person.personId}#${months.join(',')}`,
        replay: async () => {
          const first = await Promise.all(months.map((m) => getDuesPayment(ctx, person.personId, m)));
          if (first.some((p) => p === undefined)) throw notFound('Payment');
          return answer(first as DuesPayment[]);
        },
        create: async ({ claim, commit }) => {
          // One item per month, each with the single route's once-a-month condition: a month
          // paid meanwhile fails the whole transaction as `dues-month-paid`, naming it.
          const tx = claim(transaction(ctx));
          for (const p of payments) addDuesPayment(tx, p);
          auditWrite(tx, req, 'dues.payment', person.personId, paymentChanges(payments));
          await commit(tx);
          return answer(payments);
        },
      });
    }),
  }),

  route('GET /talent/dues/{personId}', {
    access: ['committee', 'secretary', 'member'],
    summary:
      "A member's dues for a year (default the current one): base, each month's due and payment, what is owed. The person, their secretary, the committee",
    outcomes: personAndManagers,
    responses: { 200: PersonDues },
    request: { params: personParams, query: z.strictObject({ year: year.optional() }) },
    handler: async (req, ctx) => {
      const { params, query, caller, now } = req;
      const person = await visiblePerson(ctx, caller, params.personId);
      const asOf = monthOf(localDate(now));
      const asked = query.year ?? Number(asOf.slice(0, 4));
      const dues = await duesYearOf(ctx, person.personId, asked);
      const { account, months } = accountOf(person, asked, asOf, dues);
      const membership = membershipOf(person);
      await auditRead(ctx, req, 'dues.read', { personId: person.personId });
      const body: z.output<typeof PersonDues> = {
        personId: person.personId,
        name: person.name,
        year: asked,
        asOf,
        ...(membership ? { membership } : {}),
        ...(dues.base ? { base: baseView(dues.base) } : {}),
        months,
        due: yuanOf(sum(account.map((a) => a.dueFen))),
        paid: yuanOf(sum(account.map((a) => a.paidFen))),
        owed: yuanOf(arrearsOf(account).owedFen),
      };
      return ok(body);
    },
  }),

  route('GET /talent/dues/arrears', {
    access: ['committee', 'secretary'],
    summary:
      "A branch's dues arrears (党费欠缴): each member with unpaid months this year up to the current month, and what they owe; bases masked (category and band only)",
    outcomes: ownBranchManagers,
    refusals: ['branch-required'],
    responses: { 200: DuesArrears },
    request: { query: z.strictObject({ branchId: idParam.optional() }) },
    handler: async (req, ctx) => {
      const { branchId, year, asOf, rows } = await branchDuesReport(ctx, req, {
        action: 'people.list',
        list: 'dues-arrears',
      });
      const owing = rows.filter((r) => r.arrears.months.length > 0);
      const body: z.output<typeof DuesArrears> = {
        branchId,
        year,
        asOf,
        members: owing.map(({ months: _m, dueFen: _d, paidFen: _p, arrears, ...member }) => ({
          ...member,
          unpaidMonths: arrears.months,
          dueUnknown: arrears.dueUnknown,
          owed: yuanOf(arrears.owedFen),
        })),
        owed: yuanOf(sum(owing.map((r) => r.arrears.owedFen))),
      };
      return ok(body);
    },
  }),

  route('GET /talent/dues/statement', {
    access: ['committee', 'secretary'],
    summary:
      "A branch's yearly dues statement (党费收缴明细): each member's months with due and paid, and the totals; bases masked (category and band only)",
    outcomes: ownBranchManagers,
    refusals: ['branch-required'],
    responses: { 200: DuesStatement },
    request: { query: z.strictObject({ branchId: idParam.optional(), year: year.optional() }) },
    handler: async (req, ctx) => {
      const { branchId, year, asOf, rows } = await branchDuesReport(ctx, req, {
        action: 'people.list',
        list: 'dues-statement',
      });
      const body: z.output<typeof DuesStatement> = {
        branchId,
        year,
        asOf,
        members: rows.map(({ dueFen, paidFen, arrears: _a, ...row }) => ({
          ...row,
          due: yuanOf(dueFen),
          paid: yuanOf(paidFen),
        })),
        due: yuanOf(sum(rows.map((r) => r.dueFen))),
        paid: yuanOf(sum(rows.map((r) => r.paidFen))),
      };
      return ok(body);
    },
  }),
  route('GET /talent/dues/statement.xlsx', {
    access: ['committee', 'secretary'],
    summary:
      "A branch's yearly dues statement (党费收缴明细) as a workbook (.xlsx): a row per member and month with due, paid, date and channel, and a sheet of totals per member (汇总); bases masked (category and band only)",
    description:
      'The same query, scope and figures as `GET /talent/dues/statement`; amounts are numbers in yuan. Audited as a read of personal data before the file leaves. Past 4 MB the answer is 303 to a download link.',
    outcomes: ownBranchManagers,
    refusals: ['branch-required'],
    responses: workbookResponses,
    request: { query: z.strictObject({ branchId: idParam.optional(), year: year.optional() }) },
    handler: async (req, ctx) => {
      const { branchId, year, rows } = await branchDuesReport(ctx, req, {
        action: 'dues.export',
        list: 'dues-statement',
      });
      const bytes = await writeWorkbook([
        {
          name: '党费收缴明细',
          columns: monthColumns,
          rows: rows.flatMap((row) => row.months.map((month) => ({ row, month }))),
        },
        { name: '汇总', columns: totalColumns, rows },
      ]);
      return deliverWorkbook(ctx, { bytes, filename: `党费收缴明细-${branchId}-${year}.xlsx`, now: req.now });
    },
  }),
];
