/**
 * notices by e-mail, through the gateway on a runtime of its own (so its service log and
 * every event can be read): each notice posted reaches each recipient's verified account
 * address once, in the runtime's mail catcher (maildev, fed by the local SES endpoint),
 * however often the bus delivers it; e-mail off means none but the mandatory; a person
 * without an address gets none and nothing fails; no address reaches a log, an event or the table.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticesService } from '../../services/notices/service.js';
import { newId } from '../../shared/ids.js';
import { branchWithMembers } from '../activities/support.js';
import { accountWithAddress } from '../support/accounts.js';
import { as, settle, tableClient } from '../support/api.js';
import { startOwnRuntime } from '../support/own-runtime.js';
import type { TestRuntime } from '../support/start.js';
import { DELIVERY_BUDGET_MS, until } from '../support/wait.js';

type Client = Awaited<ReturnType<typeof as>>;
interface CaughtMail {
  subject: string;
  text: string;
  to: { address: string }[];
  from: { address: string }[];
}

let runtime: TestRuntime;
let stop: (() => Promise<void>) | undefined;
const serviceLines: string[] = [];
const runtimeLines: string[] = [];
const events: unknown[] = [];
/** Every address given to an account here: none may show anywhere but in the catcher. */
const addresses: string[] = [];

beforeAll(async () => {
  ({ runtime, stop } = await startOwnRuntime('email', {
    services: [noticesService],
    logLevel: 'DEBUG',
    serviceLog: (line) => serviceLines.push(line),
    log: (entry) => runtimeLines.push(JSON.stringify(entry)),
  }));
  runtime.bus.subscribe({
    name: 'email-test.every-event',
    pattern: { source: [{ prefix: 'dangjian.' }] },
    deliver: async (event) => {
      events.push(event);
    },
  });
});

afterAll(() => stop?.());

/** A sign-in account for the person, as the accounts function makes it: username = person id. */
const account = async (personId: string, options: { verified?: boolean } = {}) => {
  const address = await accountWithAddress(personId, options);
  addresses.push(address);
  return address;
};

const caught = async (): Promise<CaughtMail[]> => {
  const res = await fetch(`${runtime.mailCatcherUrl}/api/email`);
  expect(res.status).toBe(200);
  return (await res.json()) as CaughtMail[];
};
const mailsTo = async (address: string) =>
  (await caught()).filter((m) => m.to.some((t) => t.address === address));

/** Waits until each address has a mail, then until everything is handled; the mails each has then. */
const mailedOnce = async (to: string[]) => {
  for (const address of to) {
    await until(
      'an e-mail in the catcher',
      DELIVERY_BUDGET_MS,
      async () => (await mailsTo(address)).length > 0,
    );
  }
  await settle();
  return Promise.all(to.map(mailsTo));
};

const announce = async (publisher: Client, branchId: string, over: Record<string, unknown> = {}) => {
  const title = `关于开展主题党日活动的通知 ${newId()}`;
  const drafted = await publisher.post('/notices/announcements', {
    title,
    text: '各党员：\n本月主题党日定于周五下午举行，请准时参加。',
    audience: { kind: 'branches', branchIds: [branchId] },
    ...over,
  });
  expect(drafted.status, JSON.stringify(drafted.body)).toBe(201);
  const id = (drafted.body as { announcementId: string }).announcementId;
  const published = await publisher.post(`/notices/announcements/${id}/publish`);
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  return { id, title };
};

describe('notices by e-mail', () => {
  it('mail each recipient with an address exactly once, from the stage sender, in Chinese', async () => {
    const a = await branchWithMembers(3);
    const to = await Promise.all(a.memberIds.map((p) => account(p)));
    const { title } = await announce(a.secretary, a.branchId);
    for (const mails of await mailedOnce(to)) {
      expect(mails).toHaveLength(1);
      const [mail] = mails as [CaughtMail];
      expect(mail.subject).toBe(`【通知公告】${title}`);
      expect(mail.text).toContain('本月主题党日定于周五下午举行，请准时参加。');
      expect(mail.from[0]?.address).toBe('no-reply@dangjian.localhost');
    }
  });

  it('mail once however often the bus delivers the notice', async () => {
    const a = await branchWithMembers(4);
    const to = await Promise.all(a.memberIds.map((p) => account(p)));
    runtime.bus.faults.duplicateDeliveries = true;
    try {
      await announce(a.secretary, a.branchId);
      const mails = await mailedOnce(to);
      expect(mails.map((m) => m.length)).toEqual([1, 1, 1, 1]);
    } finally {
      runtime.bus.faults.duplicateDeliveries = false;
    }
  });

  it('e-mail off: none, except a notice the committee marked mandatory (必读); the inbox gets both', async () => {
    const a = await branchWithMembers(2);
    const off = a.members[0] as Client;
    const [offAddress, onAddress] = await Promise.all(a.memberIds.map((p) => account(p)));
    expect((await off.get('/notices/me/preferences')).body).toEqual({ email: true });
    const put = await off.put('/notices/me/preferences', { email: false });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual({ email: false });
    expect((await off.get('/notices/me/preferences')).body).toEqual({ email: false });
    // Strict: only a boolean `email`.
    expect((await off.put('/notices/me/preferences', { email: 'no' })).status).toBe(400);
    expect((await off.put('/notices/me/preferences', { email: false, sms: false })).status).toBe(400);

    const usual = await announce(a.secretary, a.branchId);
    await mailedOnce([onAddress as string]);
    expect(await mailsTo(offAddress as string)).toEqual([]);
    expect(
      (await off.get('/notices/me?limit=100')).body.items.map((e: { noticeId: string }) => e.noticeId),
    ).toContain(usual.id);

    const committee = await as({ roles: ['committee'] });
    const mandatory = await announce(committee, a.branchId, { mandatory: true });
    const [mails] = await mailedOnce([offAddress as string]);
    expect(mails?.map((m) => m.subject)).toEqual([`【必读】${mandatory.title}`]);
    expect((await mailsTo(onAddress as string)).map((m) => m.subject)).toContain(
      `【必读】${mandatory.title}`,
    );
  });

  it('a person without an account or without a verified address gets no e-mail, and nothing fails', async () => {
    const a = await branchWithMembers(3);
    const [withAddress, unverifiedId] = a.memberIds as [string, string, string];
    const address = await account(withAddress);
    const unverified = await account(unverifiedId, { verified: false });
    const { id } = await announce(a.secretary, a.branchId);
    await mailedOnce([address]);
    expect(await mailsTo(unverified)).toEqual([]);
    // Everyone has it in the inbox, and no delivery gave up.
    for (const member of a.members) {
      const inbox = await member.get('/notices/me?limit=100');
      expect(inbox.body.items.map((e: { noticeId: string }) => e.noticeId)).toContain(id);
    }
    expect(await runtime.bus.deadLetters.list()).toEqual([]);
    // Logged by person id, never by address.
    const noAddress = serviceLines.filter((l) => l.includes('no e-mail address'));
    expect(noAddress.some((l) => l.includes(unverifiedId))).toBe(true);
  });

  it('no address in the service log, the runtime log, any event or the table', async () => {
    expect(addresses.length).toBeGreaterThan(0);
    await settle();
    const texts = [...serviceLines, ...runtimeLines, ...events.map((e) => JSON.stringify(e))];
    const { Items = [] } = await tableClient().send(
      new ScanCommand({ TableName: runtime.tableNames.notices as string }),
    );
    texts.push(...Items.map((i) => JSON.stringify(i)));
    const leaks = texts.filter((t) => addresses.some((address) => t.includes(address)));
    expect(leaks).toEqual([]);
  });
});
