/**
 * Party dues (党费) through the gateway: a year's base by the secretary or the committee, a
 * month's payment once, a person's own year, a branch's arrears and statement; income seen by
 * the person, their secretary and the committee only, masked in lists and in the audit log.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { recordsOf, sheetsOf } from '../support/xlsx.js';
import { committee, newBranch, register, TODAY } from './support.js';

const MARCH = '2026-03-10T10:00:00+08:00';

const setUp = async () => {
  const admin = await committee();
  const { branchId } = await newBranch(admin);
  const secretary = await as({ roles: ['secretary', 'member'], branchId });
  return { admin, branchId, secretary };
};

/** A full member since 2015 (arrived with a history), of the branch. */
const fullMember = (admin: Awaited<ReturnType<typeof committee>>, branchId: string, name = '李四') =>
  register(admin, { branchId, name, politicalStatus: 'full', statusSince: '2015-07-01' }, TODAY);

const basePath = (personId: string, year = 2026) => `/talent/dues/${personId}/${year}`;
const payments = (personId: string) => `/talent/dues/${personId}/payments`;
const keyed = () => ({ headers: { 'Idempotency-Key': `dues-${newId()}` } });

describe('a year’s dues base', () => {
  it('sets the category and base; the due is the whole base at its band’s rate', async () => {
    const { admin, branchId, secretary } = await setUp();
    const { personId } = await fullMember(admin, branchId);
    const set = await secretary.put(
      basePath(personId),
      { category: 'employed', base: '4000', version: 0 },
      { now: TODAY },
    );
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({
      personId,
      year: 2026,
      category: 'employed',
      base: '4000.00',
      band: '3000-5000',
      rate: '1%',
      monthlyDue: '40.00',
      version: 1,
    });
    const edge = await admin.put(
      basePath(personId),
      { category: 'employed', base: '3000.00', version: 1 },
      { now: TODAY },
    );
    expect(edge.body).toMatchObject({ band: '0-3000', rate: '0.5%', monthlyDue: '15.00', version: 2 });
    const student = await admin.put(basePath(personId), { category: 'student', version: 2 }, { now: TODAY });
    expect(student.status).toBe(200);
    expect(student.body).toMatchObject({
      category: 'student',
      rate: '0.20/month',
      monthlyDue: '0.20',
      version: 3,
    });
    expect(student.body.base).toBeUndefined();
  });

  it('is versioned: saving what is set keeps its version, a stale version (0: none yet) is a conflict', async () => {
    const { admin, branchId, secretary } = await setUp();
    const { personId } = await fullMember(admin, branchId);
    const body = { category: 'retired', base: '5000.01', version: 0 };
    expect((await secretary.put(basePath(personId), body, { now: TODAY })).status).toBe(200);
    const same = await secretary.put(basePath(personId), { ...body, version: 1 }, { now: TODAY });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: 1, monthlyDue: '50.00', band: '5000+' });
    const asIfNew = await secretary.put(
      basePath(personId),
      { category: 'retired', base: '4000', version: 0 },
      { now: TODAY },
    );
    expect(asIfNew.status).toBe(409);
    expect(asIfNew.body).toMatchObject({ error: { code: 'version-conflict', details: { version: 1 } } });
    const stale = await secretary.put(
      basePath(personId),
      { category: 'retired', base: '4000', version: 7 },
      { now: TODAY },
    );
    expect(stale.body.error.code).toBe('version-conflict');
    const read = await secretary.get(`/talent/dues/${personId}?year=2026`, { now: TODAY });
    expect(read.body.base).toMatchObject({ base: '5000.01', version: 1 });
  });

  it('refuses implausible bases and years, and people who are not members, writing nothing', async () => {
    const { admin, branchId, secretary } = await setUp();
    const { personId } = await register(
      admin,
      { branchId, politicalStatus: 'full', statusSince: '2026-02-01' },
      TODAY,
    );
    const refused = async (path: string, body: unknown) =>
      (await secretary.put(path, body, { now: TODAY })) as {
        status: number;
        body: { error: { code: string } };
      };
    expect(await refused(basePath(personId), { category: 'employed', base: '-1', version: 0 })).toMatchObject(
      {
        status: 422,
        body: { error: { code: 'dues-base-implausible' } },
      },
    );
    expect(
      (await refused(basePath(personId), { category: 'employed', base: '0', version: 0 })).body.error.code,
    ).toBe('dues-base-implausible');
    expect(
      (await refused(basePath(personId), { category: 'employed', base: '1000000.01', version: 0 })).body.error
        .code,
    ).toBe('dues-base-implausible');
    expect(
      await refused(basePath(personId), { category: 'employed', base: '12.345', version: 0 }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'validation-failed' } },
    });
    expect((await refused(basePath(personId), { category: 'employed', base: 4000, version: 0 })).status).toBe(
      400,
    );
    expect(
      (await refused(basePath(personId), { category: 'student', base: '4000', version: 0 })).status,
    ).toBe(400);
    expect((await refused(basePath(personId), { category: 'employed', version: 0 })).status).toBe(400);
    expect(await refused(basePath(personId, 2025), { category: 'student', version: 0 })).toMatchObject({
      status: 422,
      body: { error: { code: 'dues-year-outside-membership' } },
    });
    expect(
      (await refused(basePath(personId, 2028), { category: 'student', version: 0 })).body.error.code,
    ).toBe('dues-year-outside-membership');
    const masses = await register(admin, { branchId });
    expect(await refused(basePath(masses.personId), { category: 'student', version: 0 })).toMatchObject({
      status: 422,
      body: { error: { code: 'dues-not-a-member' } },
    });
    const read = await secretary.get(`/talent/dues/${personId}?year=2026`, { now: TODAY });
    expect(read.body.base).toBeUndefined();
    // Next year's may be set ahead, in December or before.
    expect(
      (await secretary.put(basePath(personId, 2027), { category: 'student', version: 0 }, { now: TODAY }))
        .status,
    ).toBe(200);
  });

  it('is nobody’s to set or pay on their own record; another branch’s secretary finds nothing', async () => {
    const { admin, branchId } = await setUp();
    const own = await fullMember(admin, branchId, '王书记');
    const self = await as({ roles: ['secretary', 'member'], branchId, personId: own.personId });
    const put = await self.put(basePath(own.personId), { category: 'student', version: 0 }, { now: TODAY });
    expect(put.status).toBe(403);
    expect(put.body.error.code).toBe('own-record');
    const paid = await self.post(
      payments(own.personId),
      { month: '2026-11', amount: '0.20', paidOn: '2026-11-20', channel: 'cash' },
      { now: TODAY, ...keyed() },
    );
    expect(paid.body.error.code).toBe('own-record');
    const elsewhere = await as({ roles: ['secretary', 'member'], branchId: newId() });
    expect(
      (await elsewhere.put(basePath(own.personId), { category: 'student', version: 0 }, { now: TODAY }))
        .status,
    ).toBe(404);
    expect((await elsewhere.get(`/talent/dues/${own.personId}`, { now: TODAY })).status).toBe(404);
  });
});

describe('payments', () => {
  it('are recorded once a month; a retry with the same key answers the first, another key is a 409', async () => {
    const { admin, branchId, secretary } = await setUp();
    const { personId } = await fullMember(admin, branchId);
    await secretary.put(
      basePath(personId),
      { category: 'employed', base: '4000.00', version: 0 },
      { now: TODAY },
    );
    const body = { month: '2026-10', amount: '40.00', paidOn: '2026-11-02', channel: 'wechat' };
    const key = keyed();
    const first = await secretary.post(payments(personId), body, { now: TODAY, ...key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      personId,
      month: '2026-10',
      amount: '40.00',
      due: '40.00',
      channel: 'wechat',
    });
    const retry = await secretary.post(payments(personId), body, {
      now: '2026-11-26T11:00:00+08:00',
      ...key,
    });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    const second = await admin.post(
      payments(personId),
      { ...body, amount: '50.00' },
      { now: TODAY, ...keyed() },
    );
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('dues-month-paid');
    // More than the due is accepted (自愿多交).
    const more = await admin.post(
      payments(personId),
      { ...body, month: '2026-11', amount: '100' },
      { now: TODAY },
    );
    expect(more.status).toBe(201);
    expect(more.body.amount).toBe('100.00');
  });

  it('refuses months outside the membership or still to come, dates after today, sums below the due', async () => {
    const { admin, branchId, secretary } = await setUp();
    // Probationary since 2026-03-15: dues are owed from March.
    const { personId } = await register(
      admin,
      { branchId, politicalStatus: 'probationary', statusSince: '2026-03-15' },
      TODAY,
    );
    const pay = (over: Record<string, unknown>) =>
      secretary.post(
        payments(personId),
        { month: '2026-05', amount: '40.00', paidOn: '2026-11-20', channel: 'transfer', ...over },
        { now: TODAY, ...keyed() },
      );
    expect((await pay({})).body.error.code).toBe('dues-base-missing');
    await secretary.put(
      basePath(personId),
      { category: 'employed', base: '4000', version: 0 },
      { now: TODAY },
    );
    expect(await pay({ month: '2026-02' })).toMatchObject({
      status: 422,
      body: { error: { code: 'dues-month-before-membership' } },
    });
    expect((await pay({ month: '2026-12' })).body.error.code).toBe('dues-month-in-future');
    expect((await pay({ paidOn: '2026-11-27' })).body.error.code).toBe('effective-date-in-future');
    expect(await pay({ amount: '39.99' })).toMatchObject({
      status: 422,
      body: { error: { code: 'dues-payment-below-due', details: { due: '40.00' } } },
    });
    expect((await pay({ amount: '0' })).body.error.code).toBe('dues-amount-implausible');
    expect((await pay({ amount: '40.001' })).status).toBe(400);
    expect((await pay({ month: '2026-13' })).status).toBe(400);
    expect((await pay({ channel: 'cheque' })).status).toBe(400);
    const read = await secretary.get(`/talent/dues/${personId}?year=2026`, { now: TODAY });
    expect(read.body.months.filter((m: { paid?: unknown }) => m.paid)).toEqual([]);
    expect((await pay({ month: '2026-03' })).status).toBe(201);
  });

  it('end with the membership: nothing after the month someone left', async () => {
    const { admin, branchId } = await setUp();
    const { personId, version } = await fullMember(admin, branchId);
    await admin.put(basePath(personId), { category: 'no-income', version: 0 }, { now: TODAY });
    const left = await admin.post(
      `/talent/people/${personId}/departure`,
      { version, on: '2026-06-30', reason: 'transferred-out' },
      { now: TODAY },
    );
    expect(left.status, JSON.stringify(left.body)).toBe(200);
    const pay = (month: string) =>
      admin.post(
        payments(personId),
        { month, amount: '0.20', paidOn: '2026-11-20', channel: 'cash' },
        { now: TODAY },
      );
    expect((await pay('2026-07')).body.error.code).toBe('dues-month-after-membership');
    expect((await pay('2026-06')).status).toBe(201);
  });
});

describe('a branch’s arrears and statement', () => {
  const branchWithDues = async () => {
    const { admin, branchId, secretary } = await setUp();
    const worker = await fullMember(admin, branchId, '甲');
    const student = await fullMember(admin, branchId, '乙');
    const noBase = await fullMember(admin, branchId, '丙');
    const paidUp = await fullMember(admin, branchId, '丁');
    await register(admin, { branchId, name: '群众' });
    const other = await newBranch(admin);
    await fullMember(admin, other.branchId, '外支部');
    await secretary.put(
      basePath(worker.personId),
      { category: 'employed', base: '4321.00', version: 0 },
      { now: MARCH },
    );
    await secretary.put(basePath(student.personId), { category: 'student', version: 0 }, { now: MARCH });
    await secretary.put(
      basePath(paidUp.personId),
      { category: 'retired', base: '2000', version: 0 },
      { now: MARCH },
    );
    const pay = (personId: string, month: string, amount: string) =>
      secretary.post(
        payments(personId),
        { month, amount, paidOn: '2026-03-05', channel: 'payroll' },
        { now: MARCH },
      );
    expect((await pay(worker.personId, '2026-01', '43.21')).status).toBe(201);
    for (const month of ['2026-01', '2026-02', '2026-03']) {
      expect((await pay(paidUp.personId, month, '10.00')).status).toBe(201);
    }
    return { admin, branchId, secretary, worker, student, noBase, paidUp };
  };

  it('lists each member’s unpaid months this year and what they owe, bases masked', async () => {
    const { admin, branchId, secretary, worker, student, noBase } = await branchWithDues();
    for (const caller of [secretary, admin]) {
      const res = await caller.get(`/talent/dues/arrears?branchId=${branchId}`, { now: MARCH });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ branchId, year: 2026, asOf: '2026-03', owed: '87.02' });
      expect(res.body.members).toEqual([
        {
          personId: noBase.personId,
          name: '丙',
          politicalStatus: 'full',
          unpaidMonths: ['2026-01', '2026-02', '2026-03'],
          owed: '0.00',
          dueUnknown: true,
        },
        {
          personId: worker.personId,
          name: '甲',
          politicalStatus: 'full',
          category: 'employed',
          band: '3000-5000',
          unpaidMonths: ['2026-02', '2026-03'],
          owed: '86.42',
          dueUnknown: false,
        },
        {
          personId: student.personId,
          name: '乙',
          politicalStatus: 'full',
          category: 'student',
          unpaidMonths: ['2026-01', '2026-02', '2026-03'],
          owed: '0.60',
          dueUnknown: false,
        },
      ]);
      expect(res.text).not.toContain('4321');
    }
  });

  it('gives the year’s statement: each member’s months with due and paid, and the totals', async () => {
    const { branchId, secretary, paidUp, worker } = await branchWithDues();
    const res = await secretary.get(`/talent/dues/statement?branchId=${branchId}&year=2026`, { now: MARCH });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.members.map((m: { name: string }) => m.name)).toEqual(['丙', '丁', '甲', '乙']);
    const row = (id: string) => res.body.members.find((m: { personId: string }) => m.personId === id);
    expect(row(paidUp.personId)).toMatchObject({
      category: 'retired',
      band: '0-5000',
      due: '30.00',
      paid: '30.00',
    });
    expect(row(worker.personId).months).toEqual([
      { month: '2026-01', due: '43.21', paid: { amount: '43.21', paidOn: '2026-03-05', channel: 'payroll' } },
      { month: '2026-02', due: '43.21' },
      { month: '2026-03', due: '43.21' },
    ]);
    expect(res.body).toMatchObject({ due: '160.23', paid: '73.21' });
    expect(res.text).not.toContain('4321.00');
    // A past year is whole.
    const last = await secretary.get(`/talent/dues/statement?branchId=${branchId}&year=2025`, { now: MARCH });
    expect(
      last.body.members.find((m: { personId: string }) => m.personId === worker.personId).months,
    ).toHaveLength(12);
  });

  it('is a workbook too: a row per member and month, totals per member, bases masked, audited', async () => {
    const { admin, branchId, secretary } = await branchWithDues();
    const res = await secretary.get(`/talent/dues/statement.xlsx?branchId=${branchId}&year=2026`, {
      now: MARCH,
    });
    expect(res.status, res.text.slice(0, 200)).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const sheets = await sheetsOf(res.bytes);
    const lines = recordsOf(sheets.党费收缴明细 ?? []);
    expect(lines).toHaveLength(12);
    expect(lines.filter((l) => l.姓名 === '甲')).toEqual([
      {
        姓名: '甲',
        党员类别: '正式党员',
        缴费类别: '在职',
        '基数档次(元)': '3000-5000',
        月份: '2026-01',
        '应交(元)': 43.21,
        '实交(元)': 43.21,
        缴纳日期: '2026-03-05',
        缴纳方式: '工资代扣',
      },
      ...['2026-02', '2026-03'].map((month) => ({
        姓名: '甲',
        党员类别: '正式党员',
        缴费类别: '在职',
        '基数档次(元)': '3000-5000',
        月份: month,
        '应交(元)': 43.21,
        '实交(元)': undefined,
        缴纳日期: undefined,
        缴纳方式: undefined,
      })),
    ]);
    const totals = recordsOf(sheets.汇总 ?? []);
    expect(totals.map((t) => t.姓名)).toEqual(['丙', '丁', '甲', '乙']);
    expect(totals.find((t) => t.姓名 === '丁')).toMatchObject({
      缴费类别: '离退休',
      '应交合计(元)': 30,
      '实交合计(元)': 30,
      欠交月数: 0,
    });
    expect(totals.find((t) => t.姓名 === '丙')).toMatchObject({ 缴费类别: '未核定', 欠交月数: 3 });
    expect(JSON.stringify(sheets)).not.toContain('4321');
    const log = await admin.get(`/talent/audit/actors/${secretary.personId ?? secretary.sub}?limit=5`);
    expect(log.body.items[0]).toMatchObject({
      action: 'dues.export',
      scope: { list: 'dues-statement', branchId, year: 2026 },
    });
    const elsewhere = await as({ roles: ['secretary', 'member'], branchId: newId() });
    expect(
      (await elsewhere.get(`/talent/dues/statement.xlsx?branchId=${branchId}`, { now: MARCH })).status,
    ).toBe(404);
  });

  it('are a branch’s managers’ only: another secretary finds nothing, a member may not, the committee names the branch', async () => {
    const { admin, branchId } = await setUp();
    const elsewhere = await as({ roles: ['secretary', 'member'], branchId: newId() });
    expect((await elsewhere.get(`/talent/dues/arrears?branchId=${branchId}`, { now: MARCH })).status).toBe(
      404,
    );
    expect((await elsewhere.get(`/talent/dues/statement?branchId=${branchId}`, { now: MARCH })).status).toBe(
      404,
    );
    const member = await as({ roles: ['member'], branchId });
    expect((await member.get(`/talent/dues/arrears?branchId=${branchId}`, { now: MARCH })).status).toBe(403);
    const unnamed = await admin.get('/talent/dues/arrears', { now: MARCH });
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.error.code).toBe('branch-required');
    expect((await admin.get(`/talent/dues/arrears?branchId=${newId()}`, { now: MARCH })).status).toBe(404);
  });
});

describe('income as personal information', () => {
  it('is the person’s to read, their secretary’s and the committee’s, nobody else’s', async () => {
    const { admin, branchId, secretary } = await setUp();
    const { personId } = await fullMember(admin, branchId);
    await secretary.put(
      basePath(personId),
      { category: 'employed', base: '12000', version: 0 },
      { now: TODAY },
    );
    const self = await as({ roles: ['member'], branchId, personId });
    for (const caller of [self, secretary, admin]) {
      const res = await caller.get(`/talent/dues/${personId}`, { now: TODAY });
      expect(res.status).toBe(200);
      expect(res.body.base).toMatchObject({ base: '12000.00', monthlyDue: '240.00', rate: '2%' });
      expect(res.body).toMatchObject({ year: 2026, asOf: '2026-11', membership: { from: '2015-07' } });
      expect(res.body.months).toHaveLength(11);
      expect(res.body.owed).toBe('2640.00');
    }
    const neighbour = await as({ roles: ['member'], branchId });
    expect((await neighbour.get(`/talent/dues/${personId}`, { now: TODAY })).status).toBe(404);
  });

  it('every read and write is audited, the log holding no figure', async () => {
    const { admin, branchId, secretary } = await setUp();
    const { personId } = await fullMember(admin, branchId);
    await secretary.put(
      basePath(personId),
      { category: 'employed', base: '6789.12', version: 0 },
      { now: TODAY },
    );
    await secretary.put(
      basePath(personId),
      { category: 'employed', base: '6789.13', version: 1 },
      { now: TODAY },
    );
    await secretary.post(
      payments(personId),
      { month: '2026-11', amount: '101.84', paidOn: '2026-11-20', channel: 'alipay' },
      { now: TODAY },
    );
    await secretary.get(`/talent/dues/${personId}`, { now: TODAY });
    await secretary.get(`/talent/dues/arrears?branchId=${branchId}`, { now: TODAY });
    await secretary.get(`/talent/dues/statement?branchId=${branchId}&year=2026`, { now: TODAY });

    const log = await admin.get(`/talent/audit/people/${personId}?limit=20`);
    const actions = log.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['dues.base', 'dues.payment', 'dues.read']));
    expect(actions.filter((a: string) => a === 'dues.base')).toHaveLength(2);
    const first = log.body.items.filter((e: { action: string }) => e.action === 'dues.base').at(-1);
    expect(first.changes).toEqual([
      { field: 'dues.2026.category', after: 'employed' },
      { field: 'dues.2026.band', after: '5000-10000' },
      { field: 'dues.2026.base', after: '***' },
    ]);
    const correction = log.body.items.find((e: { action: string }) => e.action === 'dues.base');
    expect(correction.changes).toEqual([{ field: 'dues.2026.base', before: '***', after: '***' }]);
    expect(log.text).not.toMatch(/6789|678912|101\.84|10184/);

    const lists = await admin.get(`/talent/audit/actors/${secretary.personId ?? secretary.sub}?limit=20`);
    const scopes = lists.body.items
      .filter((e: { action: string }) => e.action === 'people.list')
      .map((e: { scope: unknown }) => e.scope);
    expect(scopes).toEqual(
      expect.arrayContaining([
        { list: 'dues-arrears', branchId },
        { list: 'dues-statement', branchId, year: 2026 },
      ]),
    );
  });
});
