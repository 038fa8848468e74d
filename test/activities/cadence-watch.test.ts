/**
 * The cadence watch (三会一课逾期预警) through the gateway, on a runtime of its own with
 * activities and notices: the daily sweep acts on every branch it knows, so it runs where no
 * other file's branches are. Five days before a month ends, a branch that has neither held
 * nor scheduled the month's 主题党日 is told once (CadenceAtRisk), and its secretary gets one
 * 三会一课提醒 in the inbox and by e-mail, never in the branch's work-chat group; a second
 * sweep the same day, the next day and a replayed event add nothing; a branch that held or
 * scheduled its meetings is told nothing. Time is the tests' own: the requests' `now` and
 * the schedule's tick.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedPost } from '../../infra/local/work-chat-capture.js';
import { CadenceAtRisk } from '../../services/activities/events.js';
import { activitiesService } from '../../services/activities/service.js';
import { noticesService } from '../../services/notices/service.js';
import { newId } from '../../shared/ids.js';
import { accountWithAddress } from '../support/accounts.js';
import { as, publish, settle, tick } from '../support/api.js';
import { type Caught, catchEvents, startOwnRuntime } from '../support/own-runtime.js';
import type { TestRuntime } from '../support/start.js';
import { DELIVERY_BUDGET_MS, until } from '../support/wait.js';
import { at, meeting, seedRoster } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;
type AtRiskEnvelope = Caught<typeof CadenceAtRisk>;
interface Entry {
  noticeId: string;
  kind: string;
  title: string;
  summary: string;
  cadenceType?: string;
  period?: string;
}

/**
 * The test waits for whole flows (the roster, outboxes, the bus, e-mail) on a runtime of its
 * own, several times over: past 20 s under the load of other engineers' runs. It waits for
 * conditions, never for time.
 */
const BUDGET_MS = 90_000;
/** The one schedule this file means to run. */
const WATCH = ['activities.cadence-watch'] as const;
/** 08:00 in Shanghai on a day of November 2030 (30 days): the sweep's scheduled time. */
const morningOf = (day: number) => new Date(`2030-11-${String(day).padStart(2, '0')}T08:00:00+08:00`);
const BEFORE = at('2030-11-01T10:00:00+08:00');

let runtime: TestRuntime;
let stop: (() => Promise<void>) | undefined;
/** Every CadenceAtRisk the bus carried, as delivered. */
let told: AtRiskEnvelope[];

beforeAll(async () => {
  ({ runtime, stop } = await startOwnRuntime('cadence', { services: [activitiesService, noticesService] }));
  told = catchEvents(runtime, CadenceAtRisk);
});

afterAll(() => stop?.());

/** A branch with a secretary (支部书记, as talent's snapshot names them) and a member, both signed in. */
const branch = async () => {
  const branchId = newId();
  const secretaryId = newId();
  const memberId = newId();
  await seedRoster([
    { personId: secretaryId, branchId, secretaryOf: branchId },
    { personId: memberId, branchId },
  ]);
  const secretary = await as({ roles: ['secretary', 'member'], branchId, personId: secretaryId });
  const member = await as({ roles: ['member'], branchId, personId: memberId });
  return { branchId, secretaryId, secretary, member };
};

/** The 三会一课提醒 mailed to an address (the secretary is also mailed the activities they are invited to). */
const cadenceMailsTo = async (address: string): Promise<{ subject: string; text: string }[]> => {
  const res = await fetch(`${runtime.mailCatcherUrl}/api/email`);
  expect(res.status).toBe(200);
  const all = (await res.json()) as { subject: string; text: string; to: { address: string }[] }[];
  return all.filter((m) => m.to.some((t) => t.address === address) && m.subject.startsWith('三会一课提醒'));
};

const postsTo = async (key: string): Promise<CapturedPost[]> => {
  const res = await fetch(`${runtime.workChatEndpoint}/posts?credential=${key}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CapturedPost[];
};

const schedule = async (client: Client, branchId: string, over: Record<string, unknown>) => {
  const res = await client.post('/activities', meeting(branchId, over), BEFORE);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.activityId as string;
};

const cadenceEntries = async (client: Client): Promise<Entry[]> => {
  const res = await client.get('/notices/me?limit=100');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { items: Entry[] }).items.filter((e) => e.kind === 'cadence-at-risk');
};

const toldOf = (branchId: string) => told.filter((e) => e.data.branchId === branchId);

describe('the cadence watch', () => {
  it(
    'tells the secretary once of a month about to pass without its 主题党日; a branch that held or scheduled its meetings hears nothing',
    async () => {
      // A: the month's 支委会 is scheduled, its 主题党日 was scheduled and then cancelled.
      const a = await branch();
      const key = randomUUID();
      const committee = await as({ roles: ['committee'] });
      const robot = await committee.put(`/notices/branches/${a.branchId}/work-chat`, {
        platform: 'wecom',
        url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`,
      });
      expect(robot.status, JSON.stringify(robot.body)).toBe(200);
      await schedule(a.secretary, a.branchId, {
        startsAt: '2030-11-27T09:00:00+08:00',
        endsAt: '2030-11-27T11:00:00+08:00',
      });
      const themeDay = await schedule(a.secretary, a.branchId, {
        type: 'theme-day',
        title: '主题党日',
        startsAt: '2030-11-15T14:00:00+08:00',
        endsAt: '2030-11-15T17:00:00+08:00',
      });
      const cancelled = await a.secretary.post(`/activities/${themeDay}/cancel`, { reason: '改期' }, BEFORE);
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
      const address = await accountWithAddress(a.secretaryId);

      // B: the 支委会 held (completed), the 主题党日 scheduled for the 28th.
      const b = await branch();
      const held = await schedule(b.secretary, b.branchId, {
        startsAt: '2030-11-05T09:00:00+08:00',
        endsAt: '2030-11-05T11:00:00+08:00',
      });
      const completed = await b.secretary.post(
        `/activities/${held}/complete`,
        { minutes: '会议记录' },
        at('2030-11-05T12:00:00+08:00'),
      );
      expect(completed.status, JSON.stringify(completed.body)).toBe(200);
      await schedule(b.secretary, b.branchId, {
        type: 'theme-day',
        title: '主题党日',
        startsAt: '2030-11-28T14:00:00+08:00',
        endsAt: '2030-11-28T17:00:00+08:00',
      });
      await settle();

      // Eleven days before the end: not yet in the month's last ten days.
      await tick(morningOf(20), WATCH);
      expect(told).toEqual([]);

      await tick(morningOf(25), WATCH);
      expect(toldOf(a.branchId).map((e) => e.data)).toEqual([
        {
          branchId: a.branchId,
          type: 'theme-day',
          period: '2030-11',
          periodKind: 'month',
          periodFrom: '2030-11-01',
          periodEndsOn: '2030-11-30',
          required: 1,
          held: 0,
          scheduled: 0,
          asOf: '2030-11-25',
        },
      ]);
      expect(toldOf(b.branchId)).toEqual([]);

      // Two hops (activities' event, then notices' own NoticePosted): waited for, not assumed
      // settled, since a stream record may show a moment after a settle's last pass.
      await until(
        "the 三会一课提醒 in the secretary's inbox",
        20_000,
        async () => (await cadenceEntries(a.secretary)).length > 0,
      );
      const entries = await cadenceEntries(a.secretary);
      expect(entries).toEqual([
        expect.objectContaining({
          title: '三会一课提醒：2030年11月主题党日尚未完成',
          summary:
            '2030年11月应召开主题党日 1 次，已召开 0 次、已安排 0 次，还需安排 1 次，请于 2030-11-30 前完成。',
          cadenceType: 'theme-day',
          period: '2030-11',
        }),
      ]);
      expect(await cadenceEntries(a.member)).toEqual([]);
      expect(await cadenceEntries(b.secretary)).toEqual([]);
      // By e-mail, once; never to the branch's work-chat group, which did get the schedules.
      await until(
        'the e-mail in the catcher',
        DELIVERY_BUDGET_MS,
        async () => (await cadenceMailsTo(address)).length > 0,
      );
      await settle();
      const mails = await cadenceMailsTo(address);
      expect(mails.map((m) => m.subject)).toEqual(['三会一课提醒：2030年11月主题党日尚未完成']);
      expect(mails[0]?.text).toContain('还需安排 1 次，请于 2030-11-30 前完成。');
      const posts = await postsTo(key);
      expect(posts.length).toBeGreaterThan(0);
      expect(posts.filter((p) => JSON.stringify(p.body).includes('三会一课提醒'))).toEqual([]);

      // Again the same morning, and the next: the period was told; nothing more.
      await tick(morningOf(25), WATCH);
      await tick(morningOf(26), WATCH);
      expect(toldOf(a.branchId)).toHaveLength(1);
      expect(toldOf(b.branchId)).toEqual([]);

      // The event replayed as it was, and as a new event about the same period: nothing more.
      const [first] = toldOf(a.branchId) as [AtRiskEnvelope];
      await publish(CadenceAtRisk, first.data, { envelope: first });
      await publish(CadenceAtRisk, first.data);
      await settle();
      expect((await cadenceEntries(a.secretary)).map((e) => e.noticeId)).toEqual(
        entries.map((e) => e.noticeId),
      );
      expect(await cadenceMailsTo(address)).toHaveLength(1);
    },
    BUDGET_MS,
  );
});
