/**
 * community follows talent's departures, through the gateway: a member who leaves the register
 * (组织关系转出) gives up their place in a joint event still to start, even inside the 24-hour
 * cancellation deadline (a departure is no change of mind), and the first waiting moves up;
 * a later event about the same departed person changes nothing more.
 */
import { describe, expect, it } from 'vitest';
import { PersonUpdated } from '../../services/talent/events.js';
import { as, publish, settle } from '../support/api.js';
import { untilRosterCopies } from '../support/roster.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';
import { committee, newBranch, outbox, register, transferOut } from '../talent/support.js';
import { duringRegistration, outboxOf, publishedEvent } from './support.js';

/** The evening before the event (it starts 2027-03-12 09:00): inside the cancellation deadline. */
const EVE = '2027-03-11T20:00:00+08:00';

describe('a joint event after a member’s departure', () => {
  it(
    'gives up the departed member’s place to the first waiting, once',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const full = { branchId, politicalStatus: 'full', statusSince: '2010-07-01' };
      const [leaves, waits] = [await register(admin, full), await register(admin, full)];
      await Promise.all([leaves, waits].map((p) => untilRosterCopies(['community'], p.personId, p.version)));
      const { eventId, admin: host } = await publishedEvent({ capacity: 1 });
      const path = `/community/events/${eventId}/registrations`;
      const registerAs = async (personId: string) => {
        const res = await (await as({ roles: ['member'], branchId, personId })).post(
          path,
          {},
          { now: duringRegistration },
        );
        expect(res.status, res.text).toBe(201);
        return res.body as { registrationId: string; confirmed: number };
      };
      const held = await registerAs(leaves.personId);
      const waiting = await registerAs(waits.personId);
      expect([held.confirmed, waiting.confirmed]).toEqual([1, 0]);
      const registration = async (registrationId: string) =>
        (await host.get(`${path}/${registrationId}`)).body;

      const out = await transferOut(admin, leaves, '2027-03-11', { now: EVE });
      expect(out.status, out.text).toBe(200);
      await until('the departed member’s place given up', DELIVERY_BUDGET_MS, async () =>
        ['cancelled'].includes((await registration(held.registrationId)).status),
      );
      await until(
        'the first waiting moved up',
        DELIVERY_BUDGET_MS,
        async () => (await registration(waiting.registrationId)).participants[0].status === 'confirmed',
      );
      const confirmations = async () =>
        (await outboxOf(eventId)).filter((e) => e.type === 'RegistrationConfirmed').map((e) => e.data);
      expect(await confirmations()).toEqual([
        expect.objectContaining({ registrationId: held.registrationId }),
        expect.objectContaining({ registrationId: waiting.registrationId, promotedFromWaitlist: true }),
      ]);

      // The departure heard again (a later change of the record): nothing more moves.
      const departed = (await outbox(leaves.personId)).filter((e) => e.type === 'PersonUpdated').at(-1);
      await publish(PersonUpdated, departed?.detail.data, { occurredAt: new Date(EVE) });
      await settle();
      expect(await confirmations()).toHaveLength(2);
      expect((await registration(waiting.registrationId)).participants[0].status).toBe('confirmed');
      expect((await host.get(`/community/events/${eventId}`)).body.remainingPlaces).toBe(0);
      // Waits: the roster copies, the place given up, the next confirmed, the platform quiet.
    },
    timeoutFor(deliveries(4)),
  );
});
