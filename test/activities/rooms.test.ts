/** Rooms and their bookings, through the gateway: never two bookings of one room at once. */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { at, meeting, nth, seedRoster } from './support.js';

const NOW = at('2026-11-20T10:00:00+08:00');

const setUp = async (capacity = 50) => {
  const committee = await as({ roles: ['committee'] });
  const room = await committee.post('/activities/rooms', { name: `活动室 ${newId()}`, capacity }, NOW);
  expect(room.status).toBe(201);
  return { committee, roomId: room.body.roomId as string, branchId: newId() };
};

const slot = (from: string, to: string) => ({
  startsAt: `2026-11-26T${from}:00+08:00`,
  endsAt: `2026-11-26T${to}:00+08:00`,
});

describe('room bookings', () => {
  it('lets exactly one of ten simultaneous overlapping requests book the room', async () => {
    const { committee, roomId, branchId } = await setUp();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        committee.post(
          '/activities',
          meeting(branchId, {
            roomId,
            inviteeIds: [],
            title: `#${i}`,
            ...slot(`09:${String(i).padStart(2, '0')}`, '11:00'),
          }),
          NOW,
        ),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const winner = nth(
      results.filter((r) => r.status === 201),
      0,
    );
    for (const loser of results.filter((r) => r.status === 409)) {
      expect(loser.body.error.code).toBe('room-booked');
      expect(loser.body.error.details.activityId).toBe(winner.body.activityId);
      expect(loser.body.error.message).toContain(winner.body.activityId);
    }
    const bookings = await committee.get(
      `/activities/rooms/${roomId}/bookings?from=${encodeURIComponent('2026-11-26T00:00:00+08:00')}&to=${encodeURIComponent('2026-11-27T00:00:00+08:00')}`,
    );
    expect(bookings.body.items).toEqual([
      {
        roomId,
        activityId: winner.body.activityId,
        startsAt: winner.body.startsAt,
        endsAt: '2026-11-26T11:00:00+08:00',
      },
    ]);
  });

  it('allows back-to-back bookings, frees the room on cancel, and re-checks a reschedule', async () => {
    const { committee, roomId, branchId } = await setUp();
    const morning = await committee.post(
      '/activities',
      meeting(branchId, { roomId, inviteeIds: [], ...slot('09:00', '11:00') }),
      NOW,
    );
    const noon = await committee.post(
      '/activities',
      meeting(branchId, { roomId, inviteeIds: [], ...slot('11:00', '12:00') }),
      NOW,
    );
    expect([morning.status, noon.status]).toEqual([201, 201]);
    const clash = await committee.post(
      '/activities',
      meeting(branchId, { roomId, inviteeIds: [], ...slot('10:59', '11:30') }),
      NOW,
    );
    expect(clash.status).toBe(409);

    // Moving noon into the morning's slot clashes; the activity stays as it was.
    const moved = await committee.patch(
      `/activities/${noon.body.activityId}`,
      { version: 1, ...slot('10:30', '11:30') },
      NOW,
    );
    expect(moved.status).toBe(409);
    expect(moved.body.error.details.activityId).toBe(morning.body.activityId);
    expect((await committee.get(`/activities/${noon.body.activityId}`)).body.startsAt).toBe(
      '2026-11-26T11:00:00+08:00',
    );

    await committee.post(`/activities/${morning.body.activityId}/cancel`, { reason: '改期' }, NOW);
    const again = await committee.patch(
      `/activities/${noon.body.activityId}`,
      { version: 1, ...slot('10:00', '11:30') },
      NOW,
    );
    expect(again.status).toBe(200);
    const bookings = await committee.get(
      `/activities/rooms/${roomId}/bookings?from=${encodeURIComponent('2026-11-26T00:00:00+08:00')}&to=${encodeURIComponent('2026-11-27T00:00:00+08:00')}`,
    );
    expect(
      bookings.body.items.map((b: { activityId: string; startsAt: string }) => [b.activityId, b.startsAt]),
    ).toEqual([[noon.body.activityId, '2026-11-26T10:00:00+08:00']]);
    // Only the end moves: the booking keeps its key and follows.
    const longer = await committee.patch(
      `/activities/${noon.body.activityId}`,
      { version: 2, endsAt: '2026-11-26T12:00:00+08:00' },
      NOW,
    );
    expect(longer.status).toBe(200);
    const extended = await committee.get(
      `/activities/rooms/${roomId}/bookings?from=${encodeURIComponent('2026-11-26T00:00:00+08:00')}&to=${encodeURIComponent('2026-11-27T00:00:00+08:00')}`,
    );
    expect(extended.body.items.map((b: { endsAt: string }) => b.endsAt)).toEqual([
      '2026-11-26T12:00:00+08:00',
    ]);
    // Releasing the room via PATCH frees it too.
    await committee.patch(`/activities/${noon.body.activityId}`, { version: 3, roomId: null }, NOW);
    const free = await committee.post(
      '/activities',
      meeting(branchId, { roomId, inviteeIds: [], ...slot('10:00', '11:00') }),
      NOW,
    );
    expect(free.status).toBe(201);
  });

  it('refuses an unknown room and a room too small for the invitees', async () => {
    const { committee, roomId, branchId } = await setUp(2);
    expect((await committee.get(`/activities/rooms/${newId()}/bookings`, NOW)).status).toBe(404);
    const backwards = await committee.get(
      `/activities/rooms/${roomId}/bookings?from=2026-11-27T00:00:00Z&to=2026-11-20T00:00:00Z`,
    );
    expect(backwards.status).toBe(400);
    // A window past the year 9999 in UTC: a 400 naming the field, not a DynamoDB error.
    const far = await committee.get(
      `/activities/rooms/${roomId}/bookings?from=${encodeURIComponent('9999-12-31T23:00:00-05:00')}`,
    );
    expect(far.status).toBe(400);
    expect(far.body.error.details.fields[0].field).toBe('query.from');
    const unknown = await committee.post(
      '/activities',
      meeting(branchId, { roomId: newId(), inviteeIds: [] }),
      NOW,
    );
    expect(unknown.body.error.code).toBe('room-not-found');
    // Three people of the branch, for a room of two (invitees are the branch's people).
    const three = [newId(), newId(), newId()];
    await seedRoster(three.map((personId) => ({ personId, branchId })));
    const small = await committee.post('/activities', meeting(branchId, { roomId, inviteeIds: three }), NOW);
    expect(small.status).toBe(422);
    expect(small.body.error.code).toBe('room-too-small');
  });

  it('reports hours booked and utilisation per room', async () => {
    const { committee, roomId, branchId } = await setUp();
    await committee.post(
      '/activities',
      meeting(branchId, { roomId, inviteeIds: [], ...slot('09:00', '11:00') }),
      NOW,
    );
    await committee.post(
      '/activities',
      meeting(branchId, { roomId, inviteeIds: [], ...slot('14:00', '17:00') }),
      NOW,
    );
    // Half of this one falls outside the window.
    await committee.post(
      '/activities',
      meeting(branchId, {
        roomId,
        inviteeIds: [],
        startsAt: '2026-11-25T23:00:00+08:00',
        endsAt: '2026-11-26T01:00:00+08:00',
      }),
      NOW,
    );
    const res = await committee.get(
      `/activities/insights/rooms?from=${encodeURIComponent('2026-11-26T00:00:00+08:00')}&to=${encodeURIComponent('2026-11-27T00:00:00+08:00')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.hours).toBe(24);
    expect(res.body.rooms.find((r: { roomId: string }) => r.roomId === roomId)).toMatchObject({
      bookings: 3,
      bookedHours: 6,
      utilisation: 0.25,
    });
    const member = await as({ roles: ['member'], branchId });
    expect(
      (await member.get('/activities/insights/rooms?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z'))
        .status,
    ).toBe(403);
    expect((await member.post('/activities/rooms', { name: 'x', capacity: 1 })).status).toBe(403);
  });
});
