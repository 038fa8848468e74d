/**
 * Work-chat groups (企业微信, 钉钉) through the gateway, on a runtime of its own (its bus is
 * switched to deliver twice, and its logs are read whole): a branch's robot is registered
 * only at its platform's address, never shown again, and every notice addressed to the
 * branch reaches the runtime's capture once, in the platform's format, signed for 钉钉;
 * a failing robot is retried, ends in the dead letters, and a redrive posts only what is
 * missing.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../infra/local/dead-letters.js';
import type { CapturedPost } from '../../infra/local/work-chat-capture.js';
import { ActivityScheduled } from '../../services/activities/events.js';
import { services } from '../../services/index.js';
import { newId } from '../../shared/ids.js';
import { branchWithMembers } from '../activities/support.js';
import { as, publish, tableClient } from '../support/api.js';
import { startOwnRuntime } from '../support/own-runtime.js';
import type { TestRuntime } from '../support/start.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';

let runtime: TestRuntime;
let stop: (() => Promise<void>) | undefined;
/** Every line the services and the runtime logged, at DEBUG. */
const lines: string[] = [];
/** Every key, token and secret this file registers: none may reach a log or an answer. */
const credentials: string[] = [];

beforeAll(async () => {
  ({ runtime, stop } = await startOwnRuntime('work-chat', {
    services,
    logLevel: 'DEBUG',
    serviceLog: (line) => lines.push(line),
    log: (entry) => lines.push(JSON.stringify(entry)),
  }));
});

afterAll(() => stop?.());

type Client = Awaited<ReturnType<typeof as>>;

const remember = (value: string) => {
  credentials.push(value);
  return value;
};
const wecomKey = () => remember(randomUUID());
const dingtalkToken = () => remember(randomBytes(32).toString('hex'));
const dingtalkSecret = () => remember(`SEC${randomBytes(32).toString('hex')}`);
const wecomUrl = (key: string) => `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`;
const dingtalkUrl = (token: string) => `https://oapi.dingtalk.com/robot/send?access_token=${token}`;

const chat = (branchId: string) => `/notices/branches/${branchId}/work-chat`;

const register = async (client: Client, branchId: string, body: Record<string, unknown>) => {
  const res = await client.put(chat(branchId), body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
};

const capture = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${runtime.workChatEndpoint}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
  return (res.status === 204 ? undefined : await res.json()) as T;
};
const postsTo = (credential: string) => capture<CapturedPost[]>('GET', `/posts?credential=${credential}`);
const accepted = async (credential: string) =>
  (await postsTo(credential)).filter((p) => p.answered.status === 200 && p.answered.errcode === 0);

/** The consumer's log that it marked a post to the branch's group delivered (one a notice). */
const postedLogs = (branchId: string) =>
  lines.filter((line) => line.includes('work-chat posted') && line.includes(`"branchId":"${branchId}"`))
    .length;

/**
 * Posts to the branch's group that got no answer in time, as the bus logged the consumer's
 * failed deliveries: each failure names every group it failed for and why.
 */
const unansweredPosts = (branchId: string) =>
  lines
    .map((line) => {
      try {
        return JSON.parse(line) as { msg?: string; target?: string; error?: string };
      } catch {
        return {};
      }
    })
    .filter((entry) => entry.msg === 'bus.delivery.failed' && entry.target === 'notices.work-chat-notice')
    .flatMap((entry) => (entry.error ?? '').split('; '))
    .filter((failure) => failure.includes(`branch ${branchId} (`) && failure.includes('no answer within'))
    .length;

const announce = async (publisher: Client, branchIds: string[] | 'institution', title: string) => {
  const audience = branchIds === 'institution' ? { kind: 'institution' } : { kind: 'branches', branchIds };
  const drafted = await publisher.post('/notices/announcements', {
    title,
    text: '各党员：\n本月主题党日定于周五下午举行，请准时参加。',
    audience,
  });
  expect(drafted.status, JSON.stringify(drafted.body)).toBe(201);
  const id = (drafted.body as { announcementId: string }).announcementId;
  expect((await publisher.post(`/notices/announcements/${id}/publish`)).status).toBe(200);
  return id;
};

const deadLetters = async (): Promise<DeadLetter[]> =>
  ((await (await fetch(`${runtime.busEndpoint}/dead-letters`)).json()) as { items: DeadLetter[] }).items;

/** Base64 HMAC-SHA256 of `timestamp + "\n" + secret`, keyed with the secret: 钉钉's 加签, computed here. */
const expectSigned = (post: CapturedPost, secret: string) => {
  const { timestamp, sign } = post.query;
  expect(timestamp).toMatch(/^\d{13}$/);
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  expect(sign).toBe(expected);
  // Signed when sent: 钉钉 refuses a timestamp more than an hour from its own clock. Not a
  // minute: the test reads the post after the bus settled, which on a loaded machine may be
  // minutes after the post.
  expect(Math.abs(Date.now() - Number(timestamp))).toBeLessThan(60 * 60_000);
};

describe('registering a branch’s work-chat robot', () => {
  it(
    'takes each platform, and shows the platform, the host and a masked key, never the key or secret',
    async () => {
      const a = await branchWithMembers(1);
      const b = await branchWithMembers(1);
      const key = wecomKey();
      const put = await register(a.secretary, a.branchId, { platform: 'wecom', url: wecomUrl(key) });
      expect(put.body).toMatchObject({
        branchId: a.branchId,
        platform: 'wecom',
        host: 'qyapi.weixin.qq.com',
        maskedKey: `…${key.slice(-4)}`,
        signed: false,
      });
      const committee = await as({ roles: ['committee'] });
      const token = dingtalkToken();
      const secret = dingtalkSecret();
      await register(committee, b.branchId, { platform: 'dingtalk', url: dingtalkUrl(token), secret });
      const readA = await a.secretary.get(chat(a.branchId));
      const readB = await committee.get(chat(b.branchId));
      expect(readA.body).toMatchObject({ platform: 'wecom', host: 'qyapi.weixin.qq.com' });
      expect(readB.body).toMatchObject({ platform: 'dingtalk', host: 'oapi.dingtalk.com', signed: true });
      for (const res of [put, readA, readB]) {
        for (const credential of [key, token, secret]) expect(res.text).not.toContain(credential);
      }
      // Scope as announcements have it: another branch's secretary finds nothing, a member may not.
      expect((await b.secretary.get(chat(a.branchId))).status).toBe(404);
      expect(
        (await b.secretary.put(chat(a.branchId), { platform: 'wecom', url: wecomUrl(key) })).status,
      ).toBe(404);
      expect((await (a.members[0] as Client).get(chat(a.branchId))).status).toBe(403);
      expect((await committee.get(chat(newId()))).status).toBe(404);
      // Removed, it is gone.
      expect((await a.secretary.delete(chat(a.branchId))).status).toBe(204);
      expect((await a.secretary.get(chat(a.branchId))).status).toBe(404);
    },
    // Two branches registered (their rosters).
    timeoutFor(deliveries(2)),
  );

  const key = randomUUID();
  const refusals: [string, Record<string, unknown>, string][] = [
    [
      'another host',
      { platform: 'wecom', url: `https://hooks.example.cn/cgi-bin/webhook/send?key=${key}` },
      'webhook-host-not-allowed',
    ],
    ['the other platform’s host', { platform: 'wecom', url: dingtalkUrl(key) }, 'webhook-host-not-allowed'],
    [
      'plain http',
      { platform: 'wecom', url: `http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}` },
      'webhook-not-https',
    ],
    [
      'a private address',
      { platform: 'wecom', url: `https://10.0.0.8/cgi-bin/webhook/send?key=${key}` },
      'webhook-private-address',
    ],
    [
      'loopback by name',
      { platform: 'dingtalk', url: `https://localhost/robot/send?access_token=${key}` },
      'webhook-private-address',
    ],
    [
      'an IP literal',
      { platform: 'dingtalk', url: `https://203.0.113.7/robot/send?access_token=${key}` },
      'webhook-ip-literal',
    ],
    [
      'a port',
      { platform: 'wecom', url: `https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=${key}` },
      'webhook-port',
    ],
    [
      'userinfo',
      {
        platform: 'wecom',
        url: `https://qyapi.weixin.qq.com@evil.example.cn/cgi-bin/webhook/send?key=${key}`,
      },
      'webhook-userinfo',
    ],
    [
      'another path',
      { platform: 'dingtalk', url: `https://oapi.dingtalk.com/robot/other?access_token=${key}` },
      'webhook-path-not-allowed',
    ],
  ];

  it.each(refusals)('refuses %s with its own 400 code, and writes nothing', async (_what, body, code) => {
    const a = await branchWithMembers(1);
    const refused = await a.secretary.put(chat(a.branchId), body);
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.error.code).toBe(code);
    expect((await a.secretary.get(chat(a.branchId))).status).toBe(404);
    // Over a registered robot, a refused one changes nothing either.
    const kept = wecomKey();
    await register(a.secretary, a.branchId, { platform: 'wecom', url: wecomUrl(kept) });
    expect((await a.secretary.put(chat(a.branchId), body)).status).toBe(400);
    expect((await a.secretary.get(chat(a.branchId))).body.maskedKey).toBe(`…${kept.slice(-4)}`);
  });
});

describe('posting notices to the groups', () => {
  it(
    'posts an announcement once to each addressed group, in its platform’s format, signed for 钉钉',
    async () => {
      const a = await branchWithMembers(1);
      const b = await branchWithMembers(1);
      const silent = await branchWithMembers(1);
      const key = wecomKey();
      const token = dingtalkToken();
      const secret = dingtalkSecret();
      const other = wecomKey();
      await register(a.secretary, a.branchId, { platform: 'wecom', url: wecomUrl(key) });
      await register(b.secretary, b.branchId, { platform: 'dingtalk', url: dingtalkUrl(token), secret });
      await register(silent.secretary, silent.branchId, { platform: 'wecom', url: wecomUrl(other) });
      const committee = await as({ roles: ['committee'] });
      const title = `关于开展主题党日活动的通知 ${newId()}`;
      await announce(committee, [a.branchId, b.branchId], title);
      await until('both groups posted to', DELIVERY_BUDGET_MS, async () =>
        (await Promise.all([postsTo(key), postsTo(token)])).every((p) => p.length > 0),
      );
      await runtime.settle();

      const [wecom] = await postsTo(key);
      expect(await postsTo(key)).toHaveLength(1);
      expect(wecom?.body).toEqual({
        msgtype: 'markdown',
        markdown: { content: `### ${title}\n\n各党员：\n本月主题党日定于周五下午举行，请准时参加。` },
      });
      const [dingtalk] = await postsTo(token);
      expect(await postsTo(token)).toHaveLength(1);
      expect(dingtalk?.body).toMatchObject({ msgtype: 'markdown', markdown: { title } });
      expect((dingtalk as CapturedPost).body).toHaveProperty(
        'markdown.text',
        `### ${title}\n\n各党员：\n本月主题党日定于周五下午举行，请准时参加。`,
      );
      expectSigned(dingtalk as CapturedPost, secret);
      // A branch the announcement does not address hears nothing.
      expect(await postsTo(other)).toEqual([]);
    },
    // Three branches registered, the posts, the bus settled.
    timeoutFor(deliveries(5)),
  );

  it(
    'posts once per group when the bus delivers every event twice',
    async () => {
      const a = await branchWithMembers(1);
      const b = await branchWithMembers(1);
      const key = wecomKey();
      const token = dingtalkToken();
      const secret = dingtalkSecret();
      await register(a.secretary, a.branchId, { platform: 'wecom', url: wecomUrl(key) });
      await register(b.secretary, b.branchId, { platform: 'dingtalk', url: dingtalkUrl(token), secret });
      const committee = await as({ roles: ['committee'] });
      // The consumer really gets each NoticePosted twice: a watcher on the same pattern counts.
      const seen = new Map<string, number>();
      const stop = runtime.bus.subscribe({
        name: `test.work-chat-twice-${newId()}`,
        pattern: { source: ['dangjian.notices'], 'detail-type': ['NoticePosted'] },
        deliver: async (event) => {
          seen.set(event.id, (seen.get(event.id) ?? 0) + 1);
        },
      });
      runtime.bus.faults.duplicateDeliveries = true;
      try {
        await announce(committee, [a.branchId, b.branchId], `双发 ${newId()}`);
        await announce(committee, 'institution', `全体 ${newId()}`);
        await runtime.settle();
      } finally {
        runtime.bus.faults.duplicateDeliveries = false;
        stop();
      }
      expect([...seen.values()]).toEqual([2, 2]);
      // Once per group and notice: each group's post is marked delivered once, for two notices.
      expect(postedLogs(a.branchId)).toBe(2);
      expect(postedLogs(b.branchId)).toBe(2);
      // And posted once, but for a post whose answer did not come back within the consumer's
      // timeout: that one the platform may have taken, and the retry posts again (at least
      // once, services/notices/work-chat.ts). On a loaded machine the capture, in the same
      // busy process, can answer late; on a quiet one there are none and this is exactly 2.
      expect(await accepted(key)).toHaveLength(2 + unansweredPosts(a.branchId));
      expect(await postsTo(key)).toHaveLength(2 + unansweredPosts(a.branchId));
      const signed = await postsTo(token);
      expect(signed).toHaveLength(2 + unansweredPosts(b.branchId));
      for (const post of signed) expectSigned(post, secret);
    },
    // Two branches registered, the bus settled.
    timeoutFor(deliveries(3)),
  );

  it(
    "posts a scheduled activity's notice to its branch's group",
    async () => {
      const a = await branchWithMembers(1);
      const key = wecomKey();
      await register(a.secretary, a.branchId, { platform: 'wecom', url: wecomUrl(key) });
      const activityId = newId();
      await publish(
        ActivityScheduled,
        {
          activityId,
          branchId: a.branchId,
          type: 'branch-committee-meeting',
          title: '支委会',
          startsAt: '2026-12-03T09:00:00+08:00',
          endsAt: '2026-12-03T11:00:00+08:00',
          inviteeIds: a.memberIds,
        },
        // Decided the week before: news to the branch.
        { occurredAt: new Date('2026-11-26T09:00:00+08:00') },
      );
      await until(
        'the activity in the group',
        DELIVERY_BUDGET_MS,
        async () => (await postsTo(key)).length > 0,
      );
      await runtime.settle();
      const posts = await postsTo(key);
      expect(posts).toHaveLength(1);
      expect((posts[0] as CapturedPost).body).toHaveProperty(
        'markdown.content',
        '### 活动通知：支委会\n\n开始时间 2026-12-03T09:00:00+08:00',
      );
    },
    // A branch registered, the post, the bus settled.
    timeoutFor(deliveries(3)),
  );

  it(
    'retries a failing group, ends in the dead letters, and a redrive posts only what is missing',
    async () => {
      const [ok, down, refusing] = [
        await branchWithMembers(1),
        await branchWithMembers(1),
        await branchWithMembers(1),
      ];
      const okKey = wecomKey();
      const downKey = wecomKey();
      const refusingToken = dingtalkToken();
      const secret = dingtalkSecret();
      await register(ok.secretary, ok.branchId, { platform: 'wecom', url: wecomUrl(okKey) });
      await register(down.secretary, down.branchId, { platform: 'wecom', url: wecomUrl(downKey) });
      await register(refusing.secretary, refusing.branchId, {
        platform: 'dingtalk',
        url: dingtalkUrl(refusingToken),
        secret,
      });
      // One robot answers 500, the other 200 with a platform error (钉钉's keyword check).
      await capture('PUT', `/failures/${downKey}`, { status: 500 });
      await capture('PUT', `/failures/${refusingToken}`, { errcode: 310000 });
      const committee = await as({ roles: ['committee'] });
      const id = await announce(
        committee,
        [ok.branchId, down.branchId, refusing.branchId],
        `失败 ${newId()}`,
      );
      let letter: DeadLetter | undefined;
      await until('the dead letter', DELIVERY_BUDGET_MS, async () => {
        letter = (await deadLetters()).find((l) => JSON.stringify(l.event.detail).includes(id));
        return letter !== undefined;
      });
      await runtime.settle();
      expect(letter?.target).toBe('notices.work-chat-notice');
      // The test runtime's bus tries three times; the group that took it was posted to once.
      expect(await postsTo(downKey)).toHaveLength(3);
      expect(await postsTo(refusingToken)).toHaveLength(3);
      expect(await postsTo(okKey)).toHaveLength(1);
      expect(letter?.error.message).toContain(down.branchId);
      expect(letter?.error.message).toContain(refusing.branchId);

      await capture('DELETE', `/failures/${downKey}`);
      await capture('DELETE', `/failures/${refusingToken}`);
      const redrive = await fetch(`${runtime.busEndpoint}/dead-letters/redrive`, {
        method: 'POST',
        body: JSON.stringify({ id: letter?.id }),
      });
      expect(redrive.status).toBe(200);
      await runtime.settle();
      expect(await accepted(downKey)).toHaveLength(1);
      expect(await accepted(refusingToken)).toHaveLength(1);
      expectSigned((await accepted(refusingToken))[0] as CapturedPost, secret);
      expect(await postsTo(okKey)).toHaveLength(1);
      expect((await deadLetters()).filter((l) => JSON.stringify(l.event.detail).includes(id))).toEqual([]);
    },
    // Three branches registered, the dead letter, the bus settled twice.
    timeoutFor(deliveries(6)),
  );

  it('keeps credentials in the table, out of every log line and dead letter', async () => {
    const a = await branchWithMembers(1);
    const token = dingtalkToken();
    const secret = dingtalkSecret();
    await register(a.secretary, a.branchId, { platform: 'dingtalk', url: dingtalkUrl(token), secret });
    const { Item } = await tableClient().send(
      new GetCommand({
        TableName: runtime.tableNames.notices,
        Key: { pk: 'WORK-CHAT', sk: `BRANCH#${a.branchId}` },
      }),
    );
    expect(Item).toMatchObject({ platform: 'dingtalk', credential: token, secret });
    expect(lines.length).toBeGreaterThan(0);
    const letters = JSON.stringify(await deadLetters());
    for (const credential of credentials) {
      expect(lines.filter((line) => line.includes(credential))).toEqual([]);
      expect(letters).not.toContain(credential);
    }
  });
});
