/**
 * Reminders of unpaid party dues (党费催缴) through the gateway, on a runtime of its own:
 * talent's daily `dues-reminders` sweep reads every party member of the institution, so it
 * runs where no other file's people are. From the 20th, a member with unpaid months up to
 * last month is announced once that month (DuesArrearsFound, months only), and gets one inbox
 * notice; paid-up members, members whose year has no base and non-members get nothing; a
 * second sweep and a redelivered event add nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticesService } from '../../services/notices/service.js';
import { DuesArrearsFound } from '../../services/talent/events.js';
import { talentService } from '../../services/talent/service.js';
import { newId } from '../../shared/ids.js';
import { as, publish, settle, tick } from '../support/api.js';
import { type Caught, catchEvents, startOwnRuntime } from '../support/own-runtime.js';
import type { TestRuntime } from '../support/start.js';
import { DELIVERY_BUDGET_MS, until } from '../support/wait.js';
import { type Client, committee, newBranch, register, TODAY } from './support.js';

type Found = Caught<typeof DuesArrearsFound>;
interface Entry {
  noticeId: string;
  kind: string;
  title: string;
  summary: string;
  personId?: string;
}

let runtime: TestRuntime;
let stop: (() => Promise<void>) | undefined;
/** Every DuesArrearsFound talent put on the bus, as delivered. */
let found: Found[];

beforeAll(async () => {
  ({ runtime, stop } = await startOwnRuntime('dues-reminders', {
    services: [talentService, noticesService],
  }));
  found = catchEvents(runtime, DuesArrearsFound);
});

afterAll(() => stop?.());

const sweep = (at: string) => tick(new Date(at), ['talent.dues-reminders']);

const duesNotices = async (client: Client): Promise<Entry[]> => {
  const res = await client.get('/notices/me?limit=100');
  expect(res.status).toBe(200);
  return (res.body.items as Entry[]).filter((e) => e.kind === 'dues-unpaid');
};

const months = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `2026-${String(from + i).padStart(2, '0')}`);

describe('reminders of unpaid dues, to the member', () => {
  let late: Client;
  let paidUp: Client;
  let noBase: Client;

  beforeAll(async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const secretary = await as({ roles: ['secretary', 'member'], branchId });
    const member = async (name: string, base: string | undefined, paid: string[]) => {
      const { personId } = await register(
        admin,
        { branchId, name, politicalStatus: 'full', statusSince: '2015-07-01' },
        TODAY,
      );
      if (base) {
        const set = await secretary.put(
          `/talent/dues/${personId}/2026`,
          { category: 'employed', base, version: 0 },
          { now: TODAY },
        );
        expect(set.status, JSON.stringify(set.body)).toBe(200);
      }
      for (const month of paid) {
        const res = await secretary.post(
          `/talent/dues/${personId}/payments`,
          { month, amount: '40.00', paidOn: '2026-11-20', channel: 'wechat' },
          { now: TODAY, headers: { 'Idempotency-Key': `dues-${newId()}` } },
        );
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
      return as({ roles: ['member'], branchId, personId });
    };
    late = await member(`欠缴${newId().slice(-4)}`, '4000', months(1, 9));
    paidUp = await member('缴清', '4000', months(1, 11));
    noBase = await member('未定基数', undefined, []);
    // Not a party member: owes no dues, whatever is on file.
    await register(admin, { branchId, politicalStatus: 'activist', statusSince: '2026-01-10' }, TODAY);
    await settle();
  });

  it('before the 20th, nothing', async () => {
    await sweep('2026-12-19T09:00:00+08:00');
    await settle();
    expect(found).toEqual([]);
  });

  it('from the 20th: the months up to last month, once, and one inbox notice naming them', async () => {
    await sweep('2026-12-20T09:00:00+08:00');
    await until('the dues notice', DELIVERY_BUDGET_MS, async () => (await duesNotices(late)).length >= 1);
    await settle();
    expect(await runtime.bus.deadLetters.list()).toEqual([]);
    // The late member only (the paid-up one, the one with no base, the activist: none), and no figure.
    expect(found.map((e) => e.data)).toEqual([
      {
        personId: late.personId,
        branchId: late.identity.branchId,
        sweptIn: '2026-12',
        months: ['2026-10', '2026-11'],
      },
    ]);
    const [notice, ...more] = await duesNotices(late);
    expect(more).toEqual([]);
    expect(notice).toMatchObject({
      noticeId: `dues-unpaid-${late.personId}-2026-12`,
      kind: 'dues-unpaid',
      title: '党费催缴：2 个月未缴',
      summary: '您有 2 个月的党费尚未缴纳：2026年10月、2026年11月，请尽快向党支部缴纳',
      personId: late.personId,
    });
    expect(await duesNotices(paidUp)).toEqual([]);
    expect(await duesNotices(noBase)).toEqual([]);
  });

  it('a second sweep that month and a redelivered event add nothing', async () => {
    await sweep('2026-12-21T09:00:00+08:00');
    await sweep('2026-12-31T23:00:00+08:00');
    await settle();
    expect(found).toHaveLength(1);
    const first = found[0] as Found;
    await publish(DuesArrearsFound, first.data, { envelope: first });
    await publish(DuesArrearsFound, first.data);
    await settle();
    expect(await duesNotices(late)).toHaveLength(1);
  });
});
