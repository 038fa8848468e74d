/**
 * Across services: a completed joint event reaches talent, through the outbox, the relay,
 * the bus and talent's consumer, and shows on the member's timeline.
 */
import { describe, expect, it } from 'vitest';
import { as, settle } from '../support/api.js';
import { newBranch, register } from '../talent/support.js';
import { duringRegistration, eventDay, publishedEvent } from './support.js';

describe('joint event → talent timeline', () => {
  it('credits a checked-in member with the event on their timeline', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 5 });
    const { branchId } = await newBranch(admin);
    const person = await register(admin, { branchId });
    const member = await as({ roles: ['member'], sub: person.personId, branchId });
    const reg = await member.post(
      `/community/events/${eventId}/registrations`,
      {},
      { now: duringRegistration },
    );
    expect(reg.body.confirmed).toBe(1);
    expect(
      (
        await admin.post(
          `/community/events/${eventId}/check-in`,
          { registrationId: reg.body.registrationId },
          { now: eventDay },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await admin.post(`/community/events/${eventId}/complete`, undefined, {
          now: '2027-03-12T12:00:00+08:00',
        })
      ).status,
    ).toBe(200);

    await settle();
    const timeline = await admin.get(`/talent/people/${person.personId}/timeline`);
    expect(timeline.status).toBe(200);
    expect(JSON.stringify(timeline.body.items)).toContain(eventId);
    expect(timeline.body.points.find((p: { year: number }) => p.year === 2027)?.volunteering).toBeGreaterThan(
      0,
    );
  });
});
