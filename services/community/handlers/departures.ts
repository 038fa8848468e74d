/**
 * A member who leaves the register (组织关系转出, the end of a membership) gives up the places
 * they hold in joint events still to start, so those waiting move up and the sign-in sheet
 * lists only people of the institution. Their past registrations (checked in, events held)
 * stay as they were: history, and the volunteering hours talent credited.
 */
import { patternFor } from '../../../shared/events/contract.js';
import { subscription } from '../../../shared/service.js';
import { PersonUpdated } from '../../talent/events.js';
import { memberRegistrationsFrom } from '../store/me.js';
import { withdrawForDeparture } from './places.js';

export const departureSubscriptions = [
  subscription({
    name: 'withdraw-departed-registrations',
    pattern: patternFor(PersonUpdated),
    contract: PersonUpdated,
    // Each withdrawal is its own conditioned transaction (a place and the waitlist move
    // together), so a repeated or retried delivery finds the ones done and writes nothing for them.
    handler: async (event, _t, ctx) => {
      const { person } = event.data;
      if (person.departedOn === undefined) return;
      const departedAt = new Date(event.occurredAt);
      for (const registration of await memberRegistrationsFrom(ctx, person.personId, departedAt)) {
        await withdrawForDeparture(ctx, {
          eventId: registration.jointEventId,
          registrationId: registration.registrationId,
          departedAt,
        });
      }
    },
  }),
];
