/**
 * The caller's own registrations (GET /community/me/registrations) through the local
 * runtime: upcoming first, with the event; following a cancellation, a promotion from the
 * waitlist and a check-in; a member's own only, a partner's organisation's only.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { asPeople } from '../activities/support.js';
import { as } from '../support/api.js';
import { approvedPartner, duringRegistration, eventDay, publishedEvent, schedule } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;

const mine = async (who: Client, now: string, query = '') => {
  const res = await who.get(`/community/me/registrations${query}`, { now });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: any[]; nextCursor?: string };
};
const summary = (page: { items: any[] }) => page.items.map((r) => `${r.jointEventId}:${r.status}`);

const register = async (who: Client, eventId: string) => {
  const res = await who.post(`/community/events/${eventId}/registrations`, {}, { now: duringRegistration });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.registrationId as string;
};

describe('GET /community/me/registrations', () => {
  it('lists the caller’s registrations upcoming first, and follows a cancellation, a promotion and a check-in', async () => {
    const [first, second] = await asPeople({ roles: ['member'] }, { roles: ['member'] });
    // One place: the second member waits.
    const { eventId: soon, admin } = await publishedEvent({ capacity: 1, title: '社区义诊' });
    const { eventId: later } = await publishedEvent({
      title: '植树活动',
      location: '城郊林场',
      startsAt: '2027-04-12T09:00:00+08:00',
      endsAt: '2027-04-12T11:00:00+08:00',
    });
    const firstSoon = await register(first, soon);
    await register(first, later);
    const secondSoon = await register(second, soon);

    const listed = await mine(first, duringRegistration);
    expect(summary(listed)).toEqual([`${soon}:registered`, `${later}:registered`]);
    expect(listed.items[0]).toMatchObject({
      registrationId: firstSoon,
      title: '社区义诊',
      startsAt: schedule.startsAt,
      location: '社区服务中心',
      eventStatus: 'published',
      confirmed: 1,
      waitlisted: 0,
    });
    expect(listed.items[1]).toMatchObject({ title: '植树活动', location: '城郊林场' });
    // The other member never sees them, only their own, waiting.
    expect(summary(await mine(second, duringRegistration))).toEqual([`${soon}:waitlisted`]);

    // The first cancels: their registration shows cancelled, and the second moves up.
    const cancelled = await first.delete(`/community/events/${soon}/registrations/${firstSoon}`, {
      now: duringRegistration,
    });
    expect(cancelled.status).toBe(204);
    const afterCancel = await mine(first, duringRegistration);
    expect(summary(afterCancel)).toEqual([`${soon}:cancelled`, `${later}:registered`]);
    expect(afterCancel.items[0].cancelledAt).toBe(duringRegistration);
    expect(summary(await mine(second, duringRegistration))).toEqual([`${soon}:registered`]);

    const checkIn = await admin.post(
      `/community/events/${soon}/check-in`,
      { registrationId: secondSoon },
      { now: eventDay },
    );
    expect(checkIn.status).toBe(200);
    expect((await mine(second, eventDay)).items).toEqual([
      expect.objectContaining({ jointEventId: soon, status: 'checked-in', checkedInAt: eventDay }),
    ]);

    // Once the first event has started it is past: the one to come leads, page by page.
    const page1 = await mine(first, eventDay, '?limit=1');
    expect(summary(page1)).toEqual([`${later}:registered`]);
    const page2 = await mine(first, eventDay, `?limit=1&cursor=${page1.nextCursor}`);
    expect(summary(page2)).toEqual([`${soon}:cancelled`]);
    // DynamoDB cannot tell a full page from the last one: the next is empty and ends the list.
    const page3 = await mine(first, eventDay, `?limit=1&cursor=${page2.nextCursor}`);
    expect(page3).toEqual({ items: [] });
    // A cursor holds its list's partition: it opens nobody else's registrations.
    const foreign = await second.get(`/community/me/registrations?limit=1&cursor=${page1.nextCursor}`, {
      now: eventDay,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('invalid-cursor');
  });

  it('lists a partner’s organisation’s registrations to its accounts only', async () => {
    const [member] = await asPeople({ roles: ['member'] });
    const ours = await approvedPartner();
    const theirs = await approvedPartner();
    const { eventId } = await publishedEvent();
    const placed = await ours.client.post(
      `/community/events/${eventId}/registrations`,
      { participants: [{ name: '王芳' }, { name: '李雷', phone: '13812345678' }], consent: true },
      { now: duringRegistration },
    );
    expect(placed.status).toBe(201);
    await register(member, eventId);

    const colleague = await as({ roles: ['partner'], orgId: ours.partnerId });
    for (const who of [ours.client, colleague]) {
      const listed = await mine(who, duringRegistration);
      expect(listed.items).toEqual([
        expect.objectContaining({
          registrationId: placed.body.registrationId,
          status: 'registered',
          confirmed: 2,
          waitlisted: 0,
        }),
      ]);
      // Names and phones stay on the registration's own read.
      expect(JSON.stringify(listed)).not.toContain('13812345678');
    }
    expect((await mine(theirs.client, duringRegistration)).items).toEqual([]);
    expect(summary(await mine(member, duringRegistration))).toEqual([`${eventId}:registered`]);
  });

  it('refuses a member the register does not hold (403 no-person)', async () => {
    const ghost = await as({ roles: ['member'], personId: newId() });
    const refused = await ghost.get('/community/me/registrations');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('no-person');
  });
});
