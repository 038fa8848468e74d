/** Scheduling, changing, cancelling and completing activities, through the local gateway. */
import { describe, expect, it } from 'vitest';
import { MemberJoinedBranch, MemberLeftBranch, PersonRegistered } from '../../services/talent/events.js';
import { newId } from '../../shared/ids.js';
import { as, publish, publishAll, settle } from '../support/api.js';
import {
  at,
  attendanceIn,
  branchWithMembers,
  meeting,
  nth,
  outboxOf,
  seedRoster,
  snapshot,
} from './support.js';

const NOW = at('2026-11-20T10:00:00+08:00');

describe('scheduling an activity', () => {
  it("invites the branch's party members by default, and shows the code to the organiser only", async () => {
    const { branchId, memberIds, secretary, members } = await branchWithMembers(3);
    // Not members: an activist of the branch, and a member of another branch.
    await seedRoster([
      { personId: newId(), branchId, politicalStatus: 'activist' },
      { personId: newId(), branchId: newId() },
    ]);
    const res = await secretary.post('/activities', meeting(branchId), NOW);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      branchId,
      status: 'scheduled',
      version: 1,
      startsAt: '2026-11-26T09:00:00+08:00',
      endsAt: '2026-11-26T11:00:00+08:00',
    });
    expect(res.body.checkInCode).toMatch(/^\d{6}$/);
    expect([...res.body.inviteeIds].sort()).toEqual([...memberIds].sort());
    expect(res.headers.get('location')).toBe(`/activities/${res.body.activityId}`);

    const asMember = await nth(members, 0).get(`/activities/${res.body.activityId}`);
    expect(asMember.status).toBe(200);
    expect(asMember.body.checkInCode).toBeUndefined();
    expect(asMember.text).not.toContain(res.body.checkInCode);
    const asCommittee = await (await as({ roles: ['committee'] })).get(`/activities/${res.body.activityId}`);
    expect(asCommittee.body.checkInCode).toBe(res.body.checkInCode);

    const [event] = await outboxOf(res.body.activityId);
    expect(event?.detailType).toBe('ActivityScheduled');
    expect(event?.data.inviteeIds).toHaveLength(3);
  });

  it("invites a party group's members to its meeting, and needs the group", async () => {
    const { branchId, partyGroupId, memberIds, secretary } = await branchWithMembers(4, { grouped: 2 });
    const without = await secretary.post(
      '/activities',
      meeting(branchId, { type: 'party-group-meeting' }),
      NOW,
    );
    expect(without.status).toBe(400);
    expect(without.body.error.details.fields[0].field).toBe('body.partyGroupId');
    const res = await secretary.post(
      '/activities',
      meeting(branchId, { type: 'party-group-meeting', partyGroupId }),
      NOW,
    );
    expect(res.status).toBe(201);
    expect([...res.body.inviteeIds].sort()).toEqual(memberIds.slice(0, 2).sort());
  });

  it('refuses an end before the start and anything longer than 12 hours, writing nothing', async () => {
    const { branchId, secretary } = await branchWithMembers(1);
    const backwards = await secretary.post(
      '/activities',
      meeting(branchId, { endsAt: '2026-11-26T08:59:59+08:00' }),
      NOW,
    );
    expect(backwards.status).toBe(422);
    expect(backwards.body.error.code).toBe('ends-before-start');
    const long = await secretary.post(
      '/activities',
      meeting(branchId, { startsAt: '2026-11-26T08:00:00+08:00', endsAt: '2026-11-26T20:00:01+08:00' }),
      NOW,
    );
    expect(long.body.error.code).toBe('too-long');
    const twelve = await secretary.post(
      '/activities',
      meeting(branchId, { startsAt: '2026-11-26T08:00:00+08:00', endsAt: '2026-11-26T20:00:00+08:00' }),
      NOW,
    );
    expect(twelve.status).toBe(201);
    const unknown = await secretary.post('/activities', { ...meeting(branchId), colour: 'red' }, NOW);
    expect(unknown.status).toBe(400);
    // Instants that parse but are absurd are a 400 naming the field, never a 500 or a stored row.
    for (const [startsAt, endsAt] of [
      ['9999-12-31T23:00:00-05:00', '9999-12-31T23:30:00-05:00'],
      ['0001-01-01T09:00:00+08:00', '0001-01-01T10:00:00+08:00'],
    ]) {
      const absurd = await secretary.post('/activities', meeting(branchId, { startsAt, endsAt }), NOW);
      expect(absurd.status, startsAt).toBe(400);
      expect(absurd.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
        'body.startsAt',
        'body.endsAt',
      ]);
    }
    const list = await secretary.get(`/activities?branchId=${branchId}`);
    expect(list.body.items).toHaveLength(1);
  });

  it('defaults invitees from the roster after a member moves branch', async () => {
    const [a, b] = [newId(), newId()];
    const mover = newId();
    const stayer = newId();
    await seedRoster([
      { personId: mover, branchId: a, version: 1 },
      { personId: stayer, branchId: a, version: 1 },
    ]);
    const moved = snapshot({ personId: mover, branchId: b, version: 2 });
    await publish(MemberLeftBranch, { person: moved, branchId: a });
    await publish(MemberJoinedBranch, { person: moved, branchId: b });
    await settle();
    const committee = await as({ roles: ['committee'] });
    const inA = await committee.post('/activities', meeting(a), NOW);
    const inB = await committee.post('/activities', meeting(b), NOW);
    expect(inA.body.inviteeIds).toEqual([stayer]);
    expect(inB.body.inviteeIds).toEqual([mover]);

    // A stale snapshot arriving late does not move them back.
    await publish(MemberJoinedBranch, {
      person: snapshot({ personId: mover, branchId: a, version: 1 }),
      branchId: a,
    });
    await settle();
    expect((await committee.post('/activities', meeting(a), NOW)).body.inviteeIds).toEqual([stayer]);
  });
});

describe('listing', () => {
  it("pages a branch's activities by start time, filtered by type, status and window", async () => {
    const { branchId, secretary, members } = await branchWithMembers(1);
    const days = ['2026-11-03', '2026-11-01', '2026-11-04', '2026-11-02'];
    const ids: Record<string, string> = {};
    for (const day of days) {
      const res = await secretary.post(
        '/activities',
        meeting(branchId, {
          type: day === '2026-11-02' ? 'theme-day' : 'branch-committee-meeting',
          title: day,
          startsAt: `${day}T09:00:00+08:00`,
          endsAt: `${day}T10:00:00+08:00`,
        }),
        at('2026-10-20T10:00:00+08:00'),
      );
      ids[day] = res.body.activityId;
    }
    const first = await nth(members, 0).get('/activities?limit=2');
    expect(first.body.items.map((a: { title: string }) => a.title)).toEqual(['2026-11-01', '2026-11-02']);
    const second = await nth(members, 0).get(`/activities?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((a: { title: string }) => a.title)).toEqual(['2026-11-03', '2026-11-04']);

    const themed = await secretary.get(`/activities?branchId=${branchId}&type=theme-day`);
    expect(themed.body.items.map((a: { title: string }) => a.title)).toEqual(['2026-11-02']);
    const window = await secretary.get(
      `/activities?branchId=${branchId}&from=${encodeURIComponent('2026-11-02T09:00:00+08:00')}&to=${encodeURIComponent('2026-11-04T09:00:00+08:00')}`,
    );
    expect(window.body.items.map((a: { title: string }) => a.title)).toEqual(['2026-11-02', '2026-11-03']);
    const backwards = await secretary.get(
      `/activities?branchId=${branchId}&from=${encodeURIComponent('2026-11-04T09:00:00+08:00')}&to=${encodeURIComponent('2026-11-02T09:00:00+08:00')}`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details.fields).toEqual([
      { field: 'query.to', message: 'Must be after from' },
    ]);
    await secretary.post(`/activities/${ids['2026-11-03']}/cancel`, { reason: '改期' }, NOW);
    const cancelled = await secretary.get(`/activities?branchId=${branchId}&status=cancelled`);
    expect(cancelled.body.items.map((a: { title: string }) => a.title)).toEqual(['2026-11-03']);
  });
});

describe('changing and cancelling', () => {
  it('patches a scheduled activity with the version read, and refuses a stale version', async () => {
    const { branchId, secretary } = await branchWithMembers(1);
    const { body } = await secretary.post('/activities', meeting(branchId), NOW);
    const patched = await secretary.patch(
      `/activities/${body.activityId}`,
      { version: 1, title: '支委会（改）', endsAt: '2026-11-26T12:00:00+08:00' },
      NOW,
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      title: '支委会（改）',
      version: 2,
      endsAt: '2026-11-26T12:00:00+08:00',
    });
    const stale = await secretary.patch(`/activities/${body.activityId}`, { version: 1, title: 'x' }, NOW);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version-conflict');
    const tooLong = await secretary.patch(
      `/activities/${body.activityId}`,
      { version: 2, endsAt: '2026-11-27T12:00:00+08:00' },
      NOW,
    );
    expect(tooLong.body.error.code).toBe('too-long');
    expect((await secretary.get(`/activities/${body.activityId}`)).body.title).toBe('支委会（改）');
  });

  it('cancels with a reason and publishes it; a cancelled activity no longer changes', async () => {
    const { branchId, secretary } = await branchWithMembers(1);
    const { body } = await secretary.post('/activities', meeting(branchId), NOW);
    const cancelled = await secretary.post(`/activities/${body.activityId}/cancel`, { reason: '台风' }, NOW);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: '台风' });
    expect((await secretary.post(`/activities/${body.activityId}/cancel`, { reason: 'x' }, NOW)).status).toBe(
      409,
    );
    expect(
      (await secretary.patch(`/activities/${body.activityId}`, { version: 2, title: 'x' }, NOW)).status,
    ).toBe(409);
    const completed = await secretary.post(
      `/activities/${body.activityId}/complete`,
      { minutes: 'm' },
      at('2026-11-26T12:00:00+08:00'),
    );
    expect(completed.body.error.code).toBe('activity-cancelled');
    const events = await outboxOf(body.activityId);
    expect(events.map((e) => e.detailType)).toEqual(['ActivityScheduled', 'ActivityCancelled']);
    expect(events[1]?.data.reason).toBe('台风');
  });
});

describe('completing', () => {
  it('only after the start; marks unknowns absent; names every invitee once in AttendanceRecorded; twice is 409', async () => {
    const { branchId, memberIds, secretary, members } = await branchWithMembers(4);
    const { body } = await secretary.post('/activities', meeting(branchId), NOW);
    const id = body.activityId;
    const early = await secretary.post(
      `/activities/${id}/complete`,
      { minutes: '会议记录' },
      at('2026-11-26T08:59:59+08:00'),
    );
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('activity-not-started');

    expect(
      (
        await nth(members, 0).post(
          `/activities/${id}/check-in`,
          { code: body.checkInCode },
          at('2026-11-26T09:00:00+08:00'),
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await nth(members, 1).post(
          `/activities/${id}/check-in`,
          { code: body.checkInCode },
          at('2026-11-26T09:20:00+08:00'),
        )
      ).body.status,
    ).toBe('late');
    await secretary.put(
      `/activities/${id}/attendance`,
      { entries: [{ personId: memberIds[2], status: 'excused', note: '出差' }] },
      at('2026-11-26T10:00:00+08:00'),
    );

    const done = await secretary.post(
      `/activities/${id}/complete`,
      { minutes: '会议记录', resolutions: ['同意张三转正'] },
      at('2026-11-26T11:05:00+08:00'),
    );
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'completed',
      resolutions: ['同意张三转正'],
      attendance: { invited: 4, present: 1, late: 1, excused: 1, absent: 1, attendanceRate: 0.5 },
    });
    const twice = await secretary.post(
      `/activities/${id}/complete`,
      { minutes: 'again' },
      at('2026-11-26T11:06:00+08:00'),
    );
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('activity-completed');

    const attendance = await secretary.get(`/activities/${id}/attendance`);
    expect(attendance.body).toMatchObject({ invited: 4, unknown: 0 });
    // The subscription on ActivityCompleted runs too: it must not publish anything twice.
    await settle();
    const events = await outboxOf(id);
    expect(events.filter((e) => e.detailType === 'ActivityCompleted')).toHaveLength(1);
    const completed = nth(
      events.filter((e) => e.detailType === 'ActivityCompleted'),
      0,
    );
    expect(completed.data).toMatchObject({
      heldOn: '2026-11-26',
      resolutions: ['同意张三转正'],
      attendance: { invited: 4, present: 1, late: 1, excused: 1, absent: 1 },
    });
    expect(
      attendanceIn(events)
        .map((e) => [e.personId, e.status])
        .sort(),
    ).toEqual(
      [
        [memberIds[0], 'present'],
        [memberIds[1], 'late'],
        [memberIds[2], 'excused'],
        [memberIds[3], 'absent'],
      ].sort(),
    );
    const recorded = events.filter((e) => e.detailType === 'AttendanceRecorded');
    // One group, so one event.
    expect(recorded).toHaveLength(1);
    expect(recorded.every((e) => e.data.activityId === id && e.data.branchId === branchId)).toBe(true);

    // Attendance is final now.
    const late = await secretary.put(
      `/activities/${id}/attendance`,
      { entries: [{ personId: memberIds[3], status: 'present' }] },
      at('2026-11-26T11:10:00+08:00'),
    );
    expect(late.status).toBe(409);
  });

  it('completes once when two organisers complete at the same moment', async () => {
    const { branchId, secretary } = await branchWithMembers(3);
    const committee = await as({ roles: ['committee'] });
    const { body } = await secretary.post('/activities', meeting(branchId), NOW);
    const after = at('2026-11-26T11:00:00+08:00');
    const results = await Promise.all([
      secretary.post(`/activities/${body.activityId}/complete`, { minutes: 'a' }, after),
      committee.post(`/activities/${body.activityId}/complete`, { minutes: 'b' }, after),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    await settle();
    const events = await outboxOf(body.activityId);
    expect(events.filter((e) => e.detailType === 'ActivityCompleted')).toHaveLength(1);
    expect(attendanceIn(events)).toHaveLength(3);
  });

  it('publishes attendance for more invitees than one transaction holds', async () => {
    const branchId = newId();
    const inviteeIds = Array.from({ length: 120 }, () => newId());
    // Invitees are people of the branch (as the roster copy knows them).
    await publishAll(
      PersonRegistered,
      inviteeIds.map((personId) => ({ person: snapshot({ personId, branchId }) })),
    );
    await settle();
    const committee = await as({ roles: ['committee'] });
    const { body } = await committee.post('/activities', meeting(branchId, { inviteeIds }), NOW);
    expect(body.inviteeIds).toHaveLength(120);
    const done = await committee.post(
      `/activities/${body.activityId}/complete`,
      { minutes: '大会' },
      at('2026-11-26T11:00:00+08:00'),
    );
    expect(done.body.attendance).toMatchObject({ invited: 120, absent: 120 });
    await settle();
    const events = (await outboxOf(body.activityId)).filter((e) => e.detailType === 'AttendanceRecorded');
    const recorded = attendanceIn(events);
    expect(new Set(recorded.map((e) => e.personId)).size).toBe(120);
    expect(recorded).toHaveLength(120);
    expect(events).toHaveLength(5);
    // A volume test: 120 roster events, a meeting, 5 attendance events and their consumers
    // (notices' inbox among them) on one DynamoDB Local; on a loaded machine that is slow, not wrong.
  }, 120_000);
});
