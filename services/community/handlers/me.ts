/**
 * The caller's own registrations (我的报名) across joint events, for their agenda: a member's
 * own, or a partner's organisation's. No person or organisation is named in the request.
 */
import * as z from 'zod';
import { pageOf, pageQuery } from '../../../shared/http/paging.js';
import { ok } from '../../../shared/http/result.js';
import { everyoneSignedIn } from '../../../shared/outcomes.js';
import { route } from '../../../shared/service.js';
import { rosterSelf } from '../../talent/roster.js';
import { eventsOf, myRegistrationsPage } from '../store/me.js';
import { rosterReader } from '../store.js';
import { MyRegistration, myRegistrationView } from '../views.js';
import { registrantOf } from './registrations.js';

const MyRegistrationPage = pageOf(MyRegistration);

export const meRoutes = [
  route('GET /community/me/registrations', {
    summary:
      "The caller's own joint-event registrations (我的报名): events still to start first (soonest first), then past ones (latest first). A partner's account lists its organisation's",
    access: ['partner', 'member'],
    // Whoever may register has a list of their own; the committee registers no one.
    outcomes: { ...everyoneSignedIn, committee: 403 },
    refusals: ['no-person'],
    responses: { 200: MyRegistrationPage },
    request: { query: z.strictObject({ ...pageQuery }) },
    handler: async ({ query, caller, now }, ctx) => {
      const registrant = registrantOf(caller);
      // A member is a person of the register, as when they register (403 `no-person`).
      if (registrant.kind === 'member') await rosterSelf(rosterReader(ctx), caller);
      const page = await myRegistrationsPage(ctx, registrant, { ...query, now });
      const events = await eventsOf(
        ctx,
        page.items.map((r) => r.jointEventId),
      );
      // Registrations are only ever placed on published events, which are never deleted.
      const items = page.items.flatMap((r) => {
        const event = events.get(r.jointEventId);
        return event ? [myRegistrationView(r, event)] : [];
      });
      return ok({
        items,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      } satisfies z.output<typeof MyRegistrationPage>);
    },
  }),
];
