/**
 * Several months' party dues paid together (按季度交纳, 预交, 补交) through the gateway: one
 * request, all months or none, each month checked as a single payment is, against its own
 * year's base; the same people may record them as a single payment, never on their own record.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { type Client, committee, memberPayingDues, newBranch, TODAY } from './support.js';

const batch = (personId: string) => `/talent/dues/${personId}/payments/batch`;
const single = (personId: string) => `/talent/dues/${personId}/payments`;
const keyed = () => ({ headers: { 'Idempotency-Key': `dues-batch-${newId()}` } });

/** A branch, its secretary, and a full member since 2015 employed on 4,000.00 in 2026 (40.00 a month). */
const setUp = async () => {
  const admin = await committee();
  const { branchId } = await newBranch(admin);
  const secretary = await as({ roles: ['secretary', 'member'], branchId });
  const personId = await memberPayingDues(admin, branchId, '张三', {
    basis: { category: 'employed', base: '4000.00' },
    setter: secretary,
  });
  return { admin, branchId, secretary, personId };
};

const quarter = (over: Record<string, unknown> = {}) => ({
  paidOn: '2026-10-15',
  channel: 'transfer',
  months: [
    { month: '2026-07', amount: '40.00' },
    { month: '2026-08', amount: '40.00' },
    { month: '2026-09', amount: '40.00' },
  ],
  ...over,
});

/** The months of 2026 shown as paid on the person's dues. */
const paidMonths = async (client: Client, personId: string, year = 2026) => {
  const res = await client.get(`/talent/dues/${personId}?year=${year}`, { now: TODAY });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.months as { month: string; paid?: unknown }[]).filter((m) => m.paid);
};

const paymentEntries = async (admin: Client, personId: string) => {
  const log = await admin.get(`/talent/audit/people/${personId}?limit=50`);
  expect(log.status).toBe(200);
  return (log.body.items as { action: string; changes?: unknown }[]).filter(
    (e) => e.action === 'dues.payment',
  );
};

describe('months paid together', () => {
  it('a quarter in one request shows as three paid months, audited once with every month', async () => {
    const { admin, secretary, personId } = await setUp();
    const res = await secretary.post(batch(personId), quarter(), { now: TODAY, ...keyed() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get('location')).toBe(`/talent/dues/${personId}?year=2026`);
    expect(res.body.personId).toBe(personId);
    expect(res.body.payments.map((p: { month: string }) => p.month)).toEqual([
      '2026-07',
      '2026-08',
      '2026-09',
    ]);
    expect(res.body.payments[0]).toMatchObject({
      personId,
      amount: '40.00',
      due: '40.00',
      paidOn: '2026-10-15',
      channel: 'transfer',
    });
    expect(await paidMonths(secretary, personId)).toEqual(
      ['2026-07', '2026-08', '2026-09'].map((month) => ({
        month,
        due: '40.00',
        paid: { amount: '40.00', paidOn: '2026-10-15', channel: 'transfer' },
      })),
    );
    const entries = await paymentEntries(admin, personId);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.changes).toEqual(
      ['2026-07', '2026-08', '2026-09'].flatMap((m) => [
        { field: `dues.${m}.paid`, after: '***' },
        { field: `dues.${m}.channel`, after: 'transfer' },
      ]),
    );
  });

  it('a month paid already refuses the batch, naming it, and writes none of the others', async () => {
    const { admin, secretary, personId } = await setUp();
    const one = await secretary.post(
      single(personId),
      { month: '2026-08', amount: '40.00', paidOn: '2026-08-20', channel: 'cash' },
      { now: TODAY, ...keyed() },
    );
    expect(one.status).toBe(201);
    const res = await secretary.post(batch(personId), quarter(), { now: TODAY, ...keyed() });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('dues-month-paid');
    expect(res.body.error.message).toContain('2026-08');
    expect((await paidMonths(secretary, personId)).map((m) => m.month)).toEqual(['2026-08']);
    expect(await paymentEntries(admin, personId)).toHaveLength(1);
  });

  it('one month below its due refuses them all, naming the month', async () => {
    const { secretary, personId } = await setUp();
    const res = await secretary.post(
      batch(personId),
      quarter({
        months: [
          { month: '2026-07', amount: '40.00' },
          { month: '2026-08', amount: '39.99' },
          { month: '2026-09', amount: '100' },
        ],
      }),
      { now: TODAY, ...keyed() },
    );
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'dues-payment-below-due',
      details: { due: '40.00', month: '2026-08' },
    });
    expect(res.body.error.message).toContain('2026-08');
    expect(await paidMonths(secretary, personId)).toEqual([]);
  });

  it('refuses a month listed twice, none or more than twelve with 400, writing nothing', async () => {
    const { secretary, personId } = await setUp();
    const twice = await secretary.post(
      batch(personId),
      quarter({
        months: [
          { month: '2026-07', amount: '40.00' },
          { month: '2026-07', amount: '50.00' },
        ],
      }),
      { now: TODAY, ...keyed() },
    );
    expect(twice.status).toBe(400);
    expect(twice.body.error.code).toBe('validation-failed');
    expect(twice.body.error.details.fields).toEqual([
      { field: 'body.months.1.month', message: expect.stringContaining('2026-07') },
    ]);
    expect((await secretary.post(batch(personId), quarter({ months: [] }), { now: TODAY })).status).toBe(400);
    const thirteen = Array.from({ length: 13 }, (_, i) => ({
      month: `${2025 + Math.floor((i + 10) / 12)}-${String(((i + 10) % 12) + 1).padStart(2, '0')}`,
      amount: '40.00',
    }));
    expect(
      (await secretary.post(batch(personId), quarter({ months: thirteen }), { now: TODAY })).status,
    ).toBe(400);
    expect(await paidMonths(secretary, personId)).toEqual([]);
  });

  it('a month still to come, or a day after today, refuses the batch', async () => {
    const { secretary, personId } = await setUp();
    const future = await secretary.post(
      batch(personId),
      quarter({
        months: [
          { month: '2026-11', amount: '40.00' },
          { month: '2026-12', amount: '40.00' },
        ],
      }),
      { now: TODAY, ...keyed() },
    );
    expect(future.status).toBe(422);
    expect(future.body.error.code).toBe('dues-month-in-future');
    expect(future.body.error.message).toContain('2026-12');
    const later = await secretary.post(batch(personId), quarter({ paidOn: '2026-11-27' }), { now: TODAY });
    expect(later.body.error.code).toBe('effective-date-in-future');
    expect(await paidMonths(secretary, personId)).toEqual([]);
  });

  it('December and January are each checked against their own year’s base', async () => {
    const { secretary, personId } = await setUp();
    // 2025 on 3,000.00: 15.00 a month; 2026 on 4,000.00: 40.00.
    const base = await secretary.put(
      `/talent/dues/${personId}/2025`,
      { category: 'employed', base: '3000.00', version: 0 },
      { now: TODAY },
    );
    expect(base.status).toBe(200);
    const body = (january: string) => ({
      paidOn: '2026-01-10',
      channel: 'wechat',
      months: [
        { month: '2026-01', amount: january },
        { month: '2025-12', amount: '15.00' },
      ],
    });
    const low = await secretary.post(batch(personId), body('15.00'), { now: TODAY, ...keyed() });
    expect(low.status).toBe(422);
    expect(low.body.error).toMatchObject({
      code: 'dues-payment-below-due',
      details: { due: '40.00', month: '2026-01' },
    });
    const res = await secretary.post(batch(personId), body('40.00'), { now: TODAY, ...keyed() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.payments).toMatchObject([
      { month: '2025-12', amount: '15.00', due: '15.00' },
      { month: '2026-01', amount: '40.00', due: '40.00' },
    ]);
    expect((await paidMonths(secretary, personId, 2025)).map((m) => m.month)).toEqual(['2025-12']);
    expect((await paidMonths(secretary, personId, 2026)).map((m) => m.month)).toEqual(['2026-01']);
  });

  it('a repeat with the same Idempotency-Key answers the first and writes nothing new', async () => {
    const { admin, secretary, personId } = await setUp();
    const key = keyed();
    const first = await secretary.post(batch(personId), quarter(), { now: TODAY, ...key });
    expect(first.status).toBe(201);
    const again = await secretary.post(batch(personId), quarter(), {
      now: '2026-11-26T15:00:00+08:00',
      ...key,
    });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await paymentEntries(admin, personId)).toHaveLength(1);
    // Without the key, the months are paid: a second batch is refused.
    const other = await secretary.post(batch(personId), quarter(), { now: TODAY, ...keyed() });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('dues-month-paid');
  });

  it('against a single payment of one of its months at the same time, one of them is recorded, all or none', async () => {
    const { secretary, personId } = await setUp();
    const [together, alone] = await Promise.all([
      secretary.post(batch(personId), quarter(), { now: TODAY, ...keyed() }),
      secretary.post(
        single(personId),
        { month: '2026-09', amount: '50.00', paidOn: '2026-09-30', channel: 'cash' },
        { now: TODAY, ...keyed() },
      ),
    ]);
    const paid = await paidMonths(secretary, personId);
    if (together.status === 201) {
      expect(alone.status).toBe(409);
      expect(alone.body.error.code).toBe('dues-month-paid');
      expect(paid.map((m) => m.month)).toEqual(['2026-07', '2026-08', '2026-09']);
    } else {
      expect(alone.status).toBe(201);
      expect(together.status).toBe(409);
      expect(together.body.error.code).toBe('dues-month-paid');
      expect(paid).toEqual([
        { month: '2026-09', due: '40.00', paid: { amount: '50.00', paidOn: '2026-09-30', channel: 'cash' } },
      ]);
    }
  });
});

describe('who may record them', () => {
  it('the committee may; nobody on their own record; a member may not; another branch’s secretary finds nothing', async () => {
    const { admin, branchId, personId } = await setUp();
    expect((await admin.post(batch(personId), quarter(), { now: TODAY, ...keyed() })).status).toBe(201);

    const own = { personId: await memberPayingDues(admin, branchId, '王书记') };
    const self = await as({ roles: ['secretary', 'member'], branchId, personId: own.personId });
    const months = { paidOn: '2026-10-15', channel: 'cash', months: [{ month: '2026-09', amount: '0.20' }] };
    const mine = await self.post(batch(own.personId), months, { now: TODAY, ...keyed() });
    expect(mine.status).toBe(403);
    expect(mine.body.error.code).toBe('own-record');
    const member = await as({ roles: ['member'], branchId, personId: own.personId });
    expect((await member.post(batch(own.personId), months, { now: TODAY, ...keyed() })).status).toBe(403);
    const elsewhere = await as({ roles: ['secretary', 'member'], branchId: newId() });
    expect((await elsewhere.post(batch(own.personId), months, { now: TODAY, ...keyed() })).status).toBe(404);
    expect(await paidMonths(admin, own.personId)).toEqual([]);
  });
});
