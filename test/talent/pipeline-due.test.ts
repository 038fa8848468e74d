/**
 * A pipeline step due within a week, or overdue (发展党员提醒), through the gateway on a
 * runtime of its own: talent's daily `pipeline-due` sweep reads everyone in the stages with
 * steps, so it runs where no other file's people are. The activist and their branch's
 * secretary each get one notice per phase, in the inbox and by e-mail; a second sweep the
 * same day, a redelivered event and another event about the same step add nothing; a review
 * recorded in time means no overdue notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticesService } from '../../services/notices/service.js';
import { PipelineStepDue } from '../../services/talent/events.js';
import { talentService } from '../../services/talent/service.js';
import { newId } from '../../shared/ids.js';
import { as, publish, settle, tick } from '../support/api.js';
import { type Caught, catchEvents, startOwnRuntime } from '../support/own-runtime.js';
import type { TestRuntime } from '../support/start.js';
import { DELIVERY_BUDGET_MS, until } from '../support/wait.js';
import { type Client, committee, newBranch, register } from './support.js';

type StepDue = Caught<typeof PipelineStepDue>;
interface Entry {
  noticeId: string;
  kind: string;
  title: string;
  summary: string;
  personId?: string;
  rule?: string;
  dueOn?: string;
}

let runtime: TestRuntime;
let stop: (() => Promise<void>) | undefined;
/** Every PipelineStepDue talent put on the bus, as delivered. */
let announced: StepDue[];

beforeAll(async () => {
  ({ runtime, stop } = await startOwnRuntime('pipeline-due', { services: [talentService, noticesService] }));
  announced = catchEvents(runtime, PipelineStepDue);
});

afterAll(() => stop?.());

/** An address of one's own: talent keeps it, the accounts function gives it to the sign-in account. */
const uniqueEmail = () => `p${newId().toLowerCase()}@example.cn`;

const mailSubjects = async (address: string): Promise<string[]> => {
  const res = await fetch(`${runtime.mailCatcherUrl}/api/email`);
  const mails = (await res.json()) as { subject: string; to: { address: string }[] }[];
  return mails
    .filter((m) => m.to.some((t) => t.address === address) && m.subject.startsWith('发展党员'))
    .map((m) => m.subject);
};

const pipelineNotices = async (client: Client): Promise<Entry[]> => {
  const res = await client.get('/notices/me?limit=100');
  expect(res.status).toBe(200);
  return (res.body.items as Entry[]).filter((e) => e.kind.startsWith('pipeline-step-'));
};

const sweep = (at: string) => tick(new Date(at), ['talent.pipeline-due']);

/**
 * Waits until each client holds at least that many pipeline notices (two hops, talent's event
 * then notices' NoticePosted, may outrun one settle), then until everything is handled.
 */
const arrived = async (expected: [Client, number][]) => {
  for (const [client, count] of expected) {
    await until(
      `${count} pipeline notices`,
      DELIVERY_BUDGET_MS,
      async () => (await pipelineNotices(client)).length >= count,
    );
  }
  await settle();
};

/** Half a year on from 2026-01-10: the activists' review falls due on 2026-07-10. */
const REVIEW_ON = '2026-07-10';

describe('a pipeline step due, to the person and their branch secretary', () => {
  let admin: Client;
  let reviewed: Client;
  let late: Client;
  let secretary: Client;
  let lateName: string;
  const addresses: Record<string, string> = {};

  beforeAll(async () => {
    admin = await committee();
    const { branchId } = await newBranch(admin);
    const secretaryEmail = uniqueEmail();
    const secretaryId = (
      await register(admin, { branchId, politicalStatus: 'full', name: '李书记', email: secretaryEmail })
    ).personId;
    addresses[secretaryId] = secretaryEmail;
    const named = await admin.patch(`/talent/branches/${branchId}`, { version: 1, secretaryId });
    expect(named.status, JSON.stringify(named.body)).toBe(200);
    const activist = async (name: string) => {
      const email = uniqueEmail();
      const { personId } = await register(admin, {
        branchId,
        name,
        politicalStatus: 'activist',
        statusSince: '2026-01-10',
        email,
      });
      addresses[personId] = email;
      return as({ roles: ['member'], branchId, personId });
    };
    reviewed = await activist('王考察');
    lateName = `赵逾期${newId().slice(-4)}`;
    late = await activist(lateName);
    secretary = await as({ roles: ['secretary', 'member'], branchId, personId: secretaryId });
    await settle();
  });

  it('a week before the review: one due-soon notice each, the secretary’s naming the person; mailed once', async () => {
    await sweep('2026-07-03T09:00:00+08:00');
    await arrived([
      [late, 1],
      [reviewed, 1],
      [secretary, 2],
    ]);
    // Nothing the sweep caused gave up (a consumer's failure would show here first).
    expect(await runtime.bus.deadLetters.list()).toEqual([]);
    expect(announced.map((e) => [e.data.personId, e.data.rule, e.data.phase])).toEqual(
      expect.arrayContaining([
        [reviewed.personId, 'activist-half-yearly-review', 'due-soon'],
        [late.personId, 'activist-half-yearly-review', 'due-soon'],
      ]),
    );
    expect(announced).toHaveLength(2);

    const [own, ...moreOwn] = await pipelineNotices(late);
    expect(moreOwn).toEqual([]);
    expect(own).toMatchObject({
      kind: 'pipeline-step-due',
      title: '发展党员提醒：积极分子半年考察',
      summary: `您的积极分子半年考察期限为 ${REVIEW_ON}，请按时办理`,
      personId: late.personId,
      rule: 'activist-half-yearly-review',
      dueOn: REVIEW_ON,
    });
    expect(await pipelineNotices(reviewed)).toHaveLength(1);

    const theirs = await pipelineNotices(secretary);
    expect(theirs).toHaveLength(2);
    const aboutLate = theirs.find((e) => e.personId === late.personId);
    expect(aboutLate).toMatchObject({
      kind: 'pipeline-step-due',
      title: `发展党员提醒：${lateName} 积极分子半年考察`,
      rule: 'activist-half-yearly-review',
      dueOn: REVIEW_ON,
    });
    expect(aboutLate?.summary).toContain(`${lateName}（入党积极分子）`);

    // E-mail too: the person once, the secretary once per person.
    const lateAddress = addresses[late.personId] as string;
    const secretaryAddress = addresses[secretary.personId] as string;
    await until(
      'the due-soon mails',
      DELIVERY_BUDGET_MS,
      async () => (await mailSubjects(secretaryAddress)).length >= 2,
    );
    await settle();
    expect(await mailSubjects(lateAddress)).toEqual(['发展党员提醒：积极分子半年考察']);
    expect((await mailSubjects(secretaryAddress)).sort()).toEqual(
      [`发展党员提醒：${lateName} 积极分子半年考察`, '发展党员提醒：王考察 积极分子半年考察'].sort(),
    );
  });

  it('a second sweep the same day, a redelivered event and another event about the step add nothing', async () => {
    await sweep('2026-07-03T21:00:00+08:00');
    expect(announced).toHaveLength(2);

    const first = announced.find((e) => e.data.personId === late.personId) as StepDue;
    await publish(PipelineStepDue, first.data, { envelope: first });
    await publish(PipelineStepDue, first.data);
    await settle();
    expect(await pipelineNotices(late)).toHaveLength(1);
    expect(await pipelineNotices(secretary)).toHaveLength(2);
    expect(await mailSubjects(addresses[late.personId] as string)).toHaveLength(1);
  });

  it('after the date: overdue for the one not reviewed, nothing for the one reviewed in time', async () => {
    const recorded = await admin.post(
      `/talent/people/${reviewed.personId}/pipeline-events`,
      { kind: 'activist-review', on: '2026-07-08' },
      { now: '2026-07-08T10:00:00+08:00' },
    );
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    // What this test put on the bus itself is not talent's.
    const from = announced.length;
    await sweep('2026-07-11T09:00:00+08:00');
    await sweep('2026-07-11T10:00:00+08:00');
    await arrived([
      [late, 2],
      [secretary, 3],
    ]);

    expect(
      announced.slice(from).map((e) => [e.data.personId, e.data.rule, e.data.dueOn, e.data.phase]),
    ).toEqual([[late.personId, 'activist-half-yearly-review', REVIEW_ON, 'overdue']]);
    expect((await pipelineNotices(late)).map((e) => [e.kind, e.title, e.summary])).toContainEqual([
      'pipeline-step-overdue',
      '发展党员逾期：积极分子半年考察',
      `您的积极分子半年考察已逾期（期限 ${REVIEW_ON}），请尽快办理`,
    ]);
    expect(await pipelineNotices(late)).toHaveLength(2);
    expect(await pipelineNotices(reviewed)).toHaveLength(1);
    const theirs = await pipelineNotices(secretary);
    expect(theirs.filter((e) => e.kind === 'pipeline-step-overdue')).toMatchObject([
      { personId: late.personId, title: `发展党员逾期：${lateName} 积极分子半年考察` },
    ]);
    expect(theirs).toHaveLength(3);
    expect(await runtime.bus.deadLetters.list()).toEqual([]);
  });
});
