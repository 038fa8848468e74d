/**
 * Self check-in window, through the gateway. The activity runs 09:00–11:00 (+08:00).
 * Edges decided: check-in opens at exactly 08:30:00 (30 minutes before), a check-in at
 * exactly 09:15:00 is still present (late means strictly after +15:00), and the last moment
 * is exactly 11:00:00 (the end, inclusive).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { PersonUpdated } from '../../services/talent/events.js';
import { newId } from '../../shared/ids.js';
import { as, minter, publish, request, runtime, settle, tableClient } from '../support/api.js';
import { deliveries, timeoutFor } from '../support/wait.js';
import { at, branchWithMembers, meeting, meetingOfBranch, nth, seedRoster, snapshot } from './support.js';

const setUp = meetingOfBranch;

describe('self check-in', () => {
  describe('at the window’s edges', () => {
    // One meeting for every edge: a refusal writes nothing, and each count is another
    // member's first check-in, so the cases cannot see each other; its roster is waited for
    // once, not once a case.
    let shared: Awaited<ReturnType<typeof setUp>>;
    beforeAll(async () => {
      shared = await setUp(5);
    });

    it.each([
      ['31 minutes before the start', '2026-11-26T08:29:00+08:00', 422, 'check-in-not-open'],
      ['one second before it opens', '2026-11-26T08:29:59+08:00', 422, 'check-in-not-open'],
      ['one second after the end', '2026-11-26T11:00:01+08:00', 422, 'check-in-closed'],
      ['an hour after the end', '2026-11-26T12:00:00+08:00', 422, 'check-in-closed'],
    ])('is refused %s', async (_label, now, status, code) => {
      const { members, activityId, code: checkInCode } = shared;
      const res = await nth(members, 0).post(
        `/activities/${activityId}/check-in`,
        { code: checkInCode },
        at(now),
      );
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
    });

    it.each([
      [0, 'exactly 30 minutes before', '2026-11-26T08:30:00+08:00', 'present'],
      [1, 'at the start', '2026-11-26T09:00:00+08:00', 'present'],
      [2, 'exactly 15 minutes after the start', '2026-11-26T09:15:00+08:00', 'present'],
      [3, 'one second past 15 minutes', '2026-11-26T09:15:01+08:00', 'late'],
      [4, 'exactly at the end', '2026-11-26T11:00:00+08:00', 'late'],
    ])('counts a check-in (member %i) %s (%s) as %s', async (member, _label, now, status) => {
      const { members, activityId, code } = shared;
      const res = await nth(members, member).post(`/activities/${activityId}/check-in`, { code }, at(now));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ personId: nth(members, member).personId, status, via: 'check-in' });
    });
  });

  it('refuses a wrong code and someone not invited (422)', {
    // Its waits: the branch's roster, then the newcomers'.
    timeout: timeoutFor(deliveries(2)),
  }, async () => {
    const { branchId, members, activityId, code } = await setUp();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const bad = await nth(members, 0).post(
      `/activities/${activityId}/check-in`,
      { code: wrong },
      at('2026-11-26T09:00:00+08:00'),
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('wrong-check-in-code');
    // People of the register: one of the branch who joined after the invitations, one elsewhere.
    const [strangerId, elsewhereId, otherBranchId] = [newId(), newId(), newId()];
    await seedRoster([
      { personId: strangerId, branchId },
      { personId: elsewhereId, branchId: otherBranchId },
    ]);
    const stranger = await as({ roles: ['member'], branchId, personId: strangerId });
    const res = await stranger.post(
      `/activities/${activityId}/check-in`,
      { code },
      at('2026-11-26T09:00:00+08:00'),
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('not-invited');
    const elsewhere = await as({ roles: ['member'], branchId: otherBranchId, personId: elsewhereId });
    expect(
      (await elsewhere.post(`/activities/${activityId}/check-in`, { code }, at('2026-11-26T09:00:00+08:00')))
        .status,
    ).toBe(404);
  });

  it('lets a whole branch check in at the same moment', async () => {
    const { members, activityId, code, secretary } = await setUp(20);
    const results = await Promise.all(
      members.map((m) =>
        m.post(`/activities/${activityId}/check-in`, { code }, at('2026-11-26T09:01:00+08:00')),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(members.map(() => 201));
    expect((await secretary.get(`/activities/${activityId}/attendance`)).body).toMatchObject({ present: 20 });
  });

  it('keeps the first check-in when someone checks in twice', async () => {
    const { members, activityId, code, secretary } = await setUp();
    const first = await nth(members, 0).post(
      `/activities/${activityId}/check-in`,
      { code },
      at('2026-11-26T09:05:00+08:00'),
    );
    expect(first.status).toBe(201);
    const again = await nth(members, 0).post(
      `/activities/${activityId}/check-in`,
      { code },
      at('2026-11-26T09:40:00+08:00'),
    );
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const list = await secretary.get(`/activities/${activityId}/attendance`);
    expect(list.body.items).toEqual([first.body]);
  });

  it('lists every invitee with their status, unknown until recorded, and the rates', {
    // Its waits: the branch's roster, then the newcomer's.
    timeout: timeoutFor(deliveries(2)),
  }, async () => {
    const { branchId, members, memberIds, activityId, code, secretary } = await setUp(4);
    await nth(members, 0).post(
      `/activities/${activityId}/check-in`,
      { code },
      at('2026-11-26T09:00:00+08:00'),
    );
    const put = await secretary.put(
      `/activities/${activityId}/attendance`,
      {
        entries: [
          { personId: memberIds[1], status: 'excused', note: '病假' },
          { personId: memberIds[0], status: 'late' },
        ],
      },
      at('2026-11-26T10:00:00+08:00'),
    );
    expect(put.status).toBe(200);
    const res = await secretary.get(`/activities/${activityId}/attendance`);
    expect(res.body).toMatchObject({
      invited: 4,
      present: 0,
      late: 1,
      excused: 1,
      absent: 0,
      unknown: 2,
      attendanceRate: 0.25,
    });
    const statuses = Object.fromEntries(
      res.body.items.map((i: { personId: string; status: string }) => [i.personId, i.status]),
    );
    expect(statuses).toEqual({
      [nth(memberIds, 0)]: 'late',
      [nth(memberIds, 1)]: 'excused',
      [nth(memberIds, 2)]: 'unknown',
      [nth(memberIds, 3)]: 'unknown',
    });
    // Someone the branch does not hold does not exist here (404, as for another branch's
    // member); a person of the branch who was not invited is this activity's rule (422).
    const nobody = await secretary.put(
      `/activities/${activityId}/attendance`,
      {
        entries: [{ personId: 'not-invited-person', status: 'present' }],
      },
      at('2026-11-26T10:00:00+08:00'),
    );
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('not-found');
    const newcomer = newId();
    await seedRoster([{ personId: newcomer, branchId }]);
    const stranger = await secretary.put(
      `/activities/${activityId}/attendance`,
      {
        entries: [{ personId: newcomer, status: 'present' }],
      },
      at('2026-11-26T10:00:00+08:00'),
    );
    expect(stranger.status).toBe(422);
    expect(stranger.body.error.code).toBe('not-invited');
  });
});

/** The attendance item of one person, straight from the table (undefined: nothing written). */
const attendanceItem = async (activityId: string, personId: string) =>
  (
    await tableClient().send(
      new GetCommand({
        TableName: runtime().tableNames.activities as string,
        Key: { pk: `ACTIVITY#${activityId}`, sk: `ATTENDANCE#${personId}` },
      }),
    )
  ).Item;

describe('check-in is for a person of the register', () => {
  const DURING = at('2026-11-26T09:05:00+08:00');

  it('refuses an invitee who has since left the register (403 no-person), and writes nothing', {
    // Its waits: the branch's roster, the leaver's, the departure settled.
    timeout: timeoutFor(deliveries(3)),
  }, async () => {
    const branch = await branchWithMembers(1);
    // Invitees are people of the branch; this one leaves the register after the invitation.
    const leaverId = newId();
    await seedRoster([{ personId: leaverId, branchId: branch.branchId }]);
    const leaver = await as({ roles: ['member'], branchId: branch.branchId, personId: leaverId });
    const { body } = await branch.secretary.post(
      '/activities',
      meeting(branch.branchId, { inviteeIds: [...branch.memberIds, leaverId] }),
      at('2026-11-20T10:00:00+08:00'),
    );
    await publish(PersonUpdated, {
      person: snapshot({
        personId: leaverId,
        branchId: branch.branchId,
        version: 2,
        departedOn: '2026-11-22',
      }),
      changed: ['departedOn'],
    });
    await settle();
    const path = `/activities/${body.activityId}/check-in`;
    const res = await leaver.post(path, { code: body.checkInCode }, DURING);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('no-person');
    expect(await attendanceItem(body.activityId, leaverId)).toBeUndefined();
    const list = await branch.secretary.get(`/activities/${body.activityId}/attendance`);
    expect(list.body.items).toContainEqual({ personId: leaverId, status: 'unknown' });
  });

  it('refuses an account linked to no person (403 no-person), whatever its account id', async () => {
    const { branchId, members, memberIds, activityId, code } = await setUp();
    // No `custom:personId`; its account id even equals an invitee's person id.
    const token = await (await minter()).mint({ roles: ['member'], branchId, sub: nth(memberIds, 0) });
    const res = await request('POST', `/activities/${activityId}/check-in`, { code }, { token, ...DURING });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('no-person');
    expect(await attendanceItem(activityId, nth(memberIds, 0))).toBeUndefined();
    // The invitee themselves still checks in.
    expect((await nth(members, 0).post(`/activities/${activityId}/check-in`, { code }, DURING)).status).toBe(
      201,
    );
  });

  it("records the check-in for the account's person, never for its account id", async () => {
    const { branchId, memberIds, activityId, code } = await setUp(2);
    const [first, second] = [nth(memberIds, 0), nth(memberIds, 1)];
    // The second invitee's account, whose account id happens to be the first invitee's person id.
    const token = await (await minter()).mint({ roles: ['member'], branchId, sub: first, personId: second });
    const res = await request('POST', `/activities/${activityId}/check-in`, { code }, { token, ...DURING });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ personId: second, via: 'check-in' });
    expect(await attendanceItem(activityId, second)).toMatchObject({ personId: second, recordedBy: second });
    expect(await attendanceItem(activityId, first)).toBeUndefined();
  });
});
