/**
 * Leave (请假) through the gateway: an invitee asks before the start, the branch's secretary
 * (or, for the secretary's own, the committee) decides once, completion makes approved leave
 * excused unless attendance was recorded, and the notices reach the secretary and the member.
 * The activity runs 2026-11-26 09:00–11:00 (+08:00), scheduled on 11-20.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { activitiesService } from '../../services/activities/service.js';
import { newId } from '../../shared/ids.js';
import { as, runtime } from '../support/api.js';
import { invoke } from '../support/http-event.js';
import { interposed } from '../support/interposed.js';
import { contextOn } from '../support/start.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';
import { at, attendanceIn, meeting, nth, outboxOf, seedRoster } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;

const BEFORE = at('2026-11-25T18:00:00+08:00');
const DURING = at('2026-11-26T09:30:00+08:00');
const AFTER = at('2026-11-26T11:30:00+08:00');

/** A branch with a secretary (支部书记 in the roster) and two members, and their meeting inviting all three. */
const setUp = async () => {
  const branchId = newId();
  const [secretaryId, aliceId, bobId] = [newId(), newId(), newId()];
  await seedRoster([
    { personId: secretaryId, branchId, secretaryOf: branchId, name: '张书记' },
    { personId: aliceId, branchId, name: '李明' },
    { personId: bobId, branchId, name: '王芳' },
  ]);
  const secretary = await as({ roles: ['secretary', 'member'], branchId, personId: secretaryId });
  const alice = await as({ roles: ['member'], branchId, personId: aliceId });
  const bob = await as({ roles: ['member'], branchId, personId: bobId });
  const res = await secretary.post(
    '/activities',
    meeting(branchId, { inviteeIds: [secretaryId, aliceId, bobId] }),
    at('2026-11-20T10:00:00+08:00'),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const activityId = res.body.activityId as string;
  return {
    branchId,
    secretaryId,
    aliceId,
    bobId,
    secretary,
    alice,
    bob,
    activityId,
    path: `/activities/${activityId}`,
  };
};

const ask = (
  client: Client,
  path: string,
  options = BEFORE,
  body: unknown = { reason: '赴外地参加抽检工作' },
) => client.post(`${path}/leave`, body, options);

const decide = (client: Client, path: string, personId: string, decision: string, options = BEFORE) =>
  client.post(`${path}/leave/${personId}/decision`, { decision, note: '同意，请会后补学' }, options);

const leaveList = async (secretary: Client, path: string) => {
  const res = await secretary.get(`${path}/leave`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { personId: string; status: string }[];
};

const leaveEvents = async (activityId: string) =>
  (await outboxOf(activityId)).filter((e) => e.detailType.startsWith('Leave'));

const complete = async (secretary: Client, path: string) => {
  const res = await secretary.post(`${path}/complete`, { minutes: '会议记录' }, AFTER);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

type Entry = { noticeId: string; kind: string; title: string; summary: string; activityId?: string };
const noticeOf = async (client: Client, kind: string, activityId: string): Promise<Entry> => {
  let found: Entry | undefined;
  await until(
    `a ${kind} notice about ${activityId} in ${client.personId}'s inbox`,
    DELIVERY_BUDGET_MS,
    async () => {
      const res = await client.get('/notices/me?limit=100');
      found = (res.body.items as Entry[]).find((e) => e.kind === kind && e.activityId === activityId);
      return found !== undefined;
    },
  );
  return found as Entry;
};

describe('leave (请假)', () => {
  it('is asked, approved and counted excused at completion; the member and the secretary are told', {
    // Its waits: the roster, the notice to the secretary, the notice to Alice.
    timeout: timeoutFor(deliveries(3)),
  }, async () => {
    const { branchId, aliceId, bobId, secretary, alice, activityId, path } = await setUp();

    const asked = await ask(alice, path);
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.body).toMatchObject({
      activityId,
      personId: aliceId,
      status: 'pending',
      reason: '赴外地参加抽检工作',
    });
    // Asked again (a retry, another reason): the first request stands, once.
    const again = await ask(alice, path, at('2026-11-25T19:00:00+08:00'), { reason: '另一个理由' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(asked.body);
    expect(await leaveList(secretary, path)).toHaveLength(1);
    expect((await leaveEvents(activityId)).map((e) => e.detailType)).toEqual(['LeaveRequested']);

    const toSecretary = await noticeOf(secretary, 'leave-requested', activityId);
    expect(toSecretary.summary).toContain('李明');

    const approved = await decide(secretary, path, aliceId, 'approved');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      decidedBy: secretary.personId,
      note: '同意，请会后补学',
    });
    const second = await decide(secretary, path, aliceId, 'declined');
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('leave-already-decided');
    // The member asking again now sees the decision.
    expect((await ask(alice, path)).body).toMatchObject({ status: 'approved' });

    const toAlice = await noticeOf(alice, 'leave-decided', activityId);
    expect(toAlice.title).toContain('请假审批');
    expect(toAlice.summary).toContain('已批准');

    // Before completion the attendance list already shows her excused; Bob is unknown.
    const roll = await secretary.get(`${path}/attendance`, DURING);
    const statusOf = (id: string) =>
      roll.body.items.find((i: { personId: string }) => i.personId === id)?.status;
    expect(statusOf(aliceId)).toBe('excused');
    expect(statusOf(bobId)).toBe('unknown');

    const done = await complete(secretary, path);
    expect(done.attendance).toMatchObject({ invited: 3, excused: 1, absent: 2, present: 0 });
    const recorded = attendanceIn(await outboxOf(activityId));
    expect(recorded.find((e) => e.personId === aliceId)?.status).toBe('excused');
    expect(recorded.find((e) => e.personId === bobId)?.status).toBe('absent');

    // Participation counts excused on its own, not as attending.
    const insight = await secretary.get(
      `/activities/insights/participation?branchId=${branchId}&from=${encodeURIComponent('2026-11-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-12-01T00:00:00+08:00')}`,
      at('2026-12-01T00:00:00+08:00'),
    );
    expect(insight.status, JSON.stringify(insight.body)).toBe(200);
    const mine = insight.body.members.find((m: { personId: string }) => m.personId === aliceId);
    expect(mine).toMatchObject({ invited: 1, excused: 1, absent: 0, present: 0, rate: 0 });

    // Decided no more after completion.
    await ask(secretary, path, BEFORE).then((r) => expect(r.status).toBe(409));
    const late = await decide(secretary, path, aliceId, 'declined', AFTER);
    expect(late.status).toBe(409);
  });

  it('lets what was recorded stand over approved leave, and a declined leave is absent', async () => {
    const { aliceId, bobId, secretary, alice, bob, path } = await setUp();
    expect((await ask(alice, path)).status).toBe(201);
    expect((await ask(bob, path)).status).toBe(201);
    expect((await decide(secretary, path, aliceId, 'approved')).status).toBe(200);
    expect((await decide(secretary, path, bobId, 'declined')).status).toBe(200);
    // She came after all: the secretary records her present.
    const rec = await secretary.put(
      `${path}/attendance`,
      { entries: [{ personId: aliceId, status: 'present' }] },
      DURING,
    );
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    const done = await complete(secretary, path);
    expect(done.attendance).toMatchObject({ invited: 3, present: 1, excused: 0, absent: 2 });
  });

  it('refuses the asks it must, each with its code, writing nothing', {
    // Its waits: the branch's roster, the newcomers', the cancelled meeting's.
    timeout: timeoutFor(deliveries(3)),
  }, async () => {
    const { branchId, secretary, alice, activityId, path } = await setUp();
    const [strangerId, elsewhereId, otherBranch] = [newId(), newId(), newId()];
    await seedRoster([
      { personId: strangerId, branchId },
      { personId: elsewhereId, branchId: otherBranch },
    ]);
    const stranger = await as({ roles: ['member'], branchId, personId: strangerId });
    const elsewhere = await as({ roles: ['member'], branchId: otherBranch, personId: elsewhereId });
    const nobody = await as({ roles: ['member'], branchId, personId: newId() });

    const cases: [string, Promise<{ status: number; body: any }>, number, string][] = [
      ['at the start', ask(alice, path, at('2026-11-26T09:00:00+08:00')), 422, 'leave-after-start'],
      ['after the start', ask(alice, path, DURING), 422, 'leave-after-start'],
      [
        'for someone else',
        ask(alice, path, BEFORE, { reason: '出差', personId: strangerId }),
        400,
        'validation-failed',
      ],
      ['without a reason', ask(alice, path, BEFORE, {}), 400, 'validation-failed'],
      ['with an empty reason', ask(alice, path, BEFORE, { reason: '' }), 400, 'validation-failed'],
      ['by a person of the branch not invited', ask(stranger, path), 422, 'not-invited'],
      ['by a member of another branch', ask(elsewhere, path), 404, 'not-found'],
      ['by an account of no person', ask(nobody, path), 403, 'no-person'],
      ['for an activity that does not exist', ask(alice, `/activities/${newId()}`), 404, 'not-found'],
    ];
    for (const [label, call, status, code] of cases) {
      const res = await call;
      expect(res.status, label).toBe(status);
      expect(res.body.error.code, label).toBe(code);
    }
    const personField = await ask(alice, path, BEFORE, { reason: '出差', personId: strangerId });
    expect(personField.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      'body.personId',
    ]);
    expect(await leaveList(secretary, path)).toEqual([]);
    expect(await leaveEvents(activityId)).toEqual([]);

    const cancelled = await setUp();
    expect(
      (await cancelled.secretary.post(`${cancelled.path}/cancel`, { reason: '改期' }, BEFORE)).status,
    ).toBe(200);
    const onCancelled = await ask(cancelled.alice, cancelled.path);
    expect([onCancelled.status, onCancelled.body.error.code]).toEqual([409, 'activity-cancelled']);
    expect(await leaveList(cancelled.secretary, cancelled.path)).toEqual([]);
  });

  it('refuses the decisions it must, each with its code, writing nothing', async () => {
    const { branchId, secretaryId, aliceId, bobId, secretary, alice, activityId, path } = await setUp();
    expect((await ask(alice, path)).status).toBe(201);
    expect((await ask(secretary, path)).status).toBe(201);
    const otherSecretary = await as({ roles: ['secretary', 'member'], branchId: newId(), personId: newId() });
    const committee = await as({ roles: ['committee'], personId: newId() });

    // Nobody decides their own: the secretary's leave goes to the committee.
    const own = await decide(secretary, path, secretaryId, 'approved');
    expect([own.status, own.body.error.code]).toEqual([403, 'own-record']);
    const foreign = await decide(otherSecretary, path, aliceId, 'approved');
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'not-found']);
    const none = await decide(secretary, path, bobId, 'approved');
    expect([none.status, none.body.error.code]).toEqual([404, 'not-found']);
    const member = await decide(alice, path, aliceId, 'approved');
    expect(member.status).toBe(403);
    const bad = await secretary.post(`${path}/leave/${aliceId}/decision`, { decision: 'maybe' }, BEFORE);
    expect(bad.status).toBe(400);
    expect((await leaveList(secretary, path)).map((l) => l.status)).toEqual(['pending', 'pending']);
    expect((await leaveEvents(activityId)).map((e) => e.detailType)).toEqual([
      'LeaveRequested',
      'LeaveRequested',
    ]);

    const byCommittee = await decide(committee, path, secretaryId, 'approved');
    expect(byCommittee.status, JSON.stringify(byCommittee.body)).toBe(200);
    expect(byCommittee.body.decidedBy).toBe(committee.personId);

    // Once the activity is completed, pending leave is decided no more.
    await complete(secretary, path);
    const after = await decide(secretary, path, aliceId, 'approved', AFTER);
    expect([after.status, after.body.error.code]).toEqual([409, 'activity-completed']);
    expect(branchId).toBeDefined();
  });

  it('never duplicates a request sent twice at once, and decides a request once under a race', async () => {
    const { aliceId, secretary, alice, activityId, path } = await setUp();
    const committee = await as({ roles: ['committee'], personId: newId() });
    const both = await Promise.all([ask(alice, path), ask(alice, path), ask(alice, path)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(await leaveList(secretary, path)).toHaveLength(1);
    expect((await leaveEvents(activityId)).filter((e) => e.detailType === 'LeaveRequested')).toHaveLength(1);

    const decisions = await Promise.all([
      decide(secretary, path, aliceId, 'approved'),
      decide(committee, path, aliceId, 'declined'),
    ]);
    expect(decisions.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await leaveEvents(activityId)).filter((e) => e.detailType === 'LeaveDecided')).toHaveLength(1);
    expect(nth(await leaveList(secretary, path), 0).status).toBe(
      nth(
        decisions.filter((r) => r.status === 200),
        0,
      ).body.status,
    );
  });

  it('is created once even when the request that read nothing commits after another landed', async () => {
    const { branchId, aliceId, alice, secretary, activityId, path } = await setUp();
    expect((await ask(alice, path)).status).toBe(201);
    // The next request's read of her standing request answers nothing, as a read made just
    // before the first one committed would: only the write's condition stands in the way.
    let hidden = false;
    const ctx = interposed(contextOn(runtime(), 'activities'), async (command, send) => {
      if (!hidden && command instanceof GetCommand && String(command.input.Key?.sk).startsWith('LEAVE#')) {
        hidden = true;
        return {};
      }
      return send(command);
    });
    const late = await invoke(activitiesService, ctx, {
      method: 'POST',
      path: `${path}/leave`,
      body: { reason: '另一个理由' },
      caller: { sub: newId(), personId: aliceId, branchId, groups: ['member'] },
      now: '2026-11-25T18:30:00+08:00',
    });
    expect(hidden).toBe(true);
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect(late.body).toMatchObject({ reason: '赴外地参加抽检工作', status: 'pending' });
    expect(await leaveList(secretary, path)).toHaveLength(1);
    expect(await leaveEvents(activityId)).toHaveLength(1);
  });

  it('refuses a decision decided on the activity as it was before completion closed attendance', async () => {
    const { aliceId, secretaryId, branchId, secretary, alice, activityId, path } = await setUp();
    expect((await ask(alice, path)).status).toBe(201);
    const before = await contextOn(runtime(), 'activities').db.send(
      new GetCommand({
        TableName: runtime().tableNames.activities as string,
        Key: { pk: `ACTIVITY#${activityId}`, sk: 'ACTIVITY' },
      }),
    );
    await complete(secretary, path);
    // The decision reads the activity as it stood before completion: only the write's
    // condition (attendance still open) stands in the way of a decision completion never saw.
    const ctx = interposed(contextOn(runtime(), 'activities'), async (command, send) =>
      command instanceof GetCommand && command.input.Key?.sk === 'ACTIVITY' ? before : send(command),
    );
    const res = await invoke(activitiesService, ctx, {
      method: 'POST',
      path: `${path}/leave/${aliceId}/decision`,
      body: { decision: 'approved' },
      caller: { sub: newId(), personId: secretaryId, branchId, groups: ['secretary', 'member'] },
      now: '2026-11-26T11:40:00+08:00',
    });
    expect([res.status, res.body.error?.code]).toEqual([409, 'attendance-closed']);
    expect(nth(await leaveList(secretary, path), 0).status).toBe('pending');
    expect((await leaveEvents(activityId)).map((e) => e.detailType)).toEqual(['LeaveRequested']);
  });

  it('refuses a request decided on the activity as it was before it moved to an earlier start', async () => {
    const { aliceId, branchId, secretary, activityId, path } = await setUp();
    const before = await contextOn(runtime(), 'activities').db.send(
      new GetCommand({
        TableName: runtime().tableNames.activities as string,
        Key: { pk: `ACTIVITY#${activityId}`, sk: 'ACTIVITY' },
      }),
    );
    const moved = await secretary.patch(
      path,
      { version: 1, startsAt: '2026-11-25T17:00:00+08:00', endsAt: '2026-11-25T19:00:00+08:00' },
      at('2026-11-25T10:00:00+08:00'),
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    // At 18:00 the moved activity has started; the request read it as starting tomorrow.
    const ctx = interposed(contextOn(runtime(), 'activities'), async (command, send) =>
      command instanceof GetCommand && command.input.Key?.sk === 'ACTIVITY' ? before : send(command),
    );
    const res = await invoke(activitiesService, ctx, {
      method: 'POST',
      path: `${path}/leave`,
      body: { reason: '出差' },
      caller: { sub: newId(), personId: aliceId, branchId, groups: ['member'] },
      now: '2026-11-25T18:00:00+08:00',
    });
    expect([res.status, res.body.error?.code]).toEqual([409, 'version-conflict']);
    expect(await leaveList(secretary, path)).toEqual([]);
    expect(await leaveEvents(activityId)).toEqual([]);
  });
});
