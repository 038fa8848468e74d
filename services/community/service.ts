/**
 * community: partner organisations (合作单位) and the joint events (联合活动) members and
 * partners register for, with places, quotas and a waitlist. See the README.
 */
import { defineService } from '../../shared/service.js';
import { rosterSubscriptions } from '../talent/roster.js';
import { communityEvents } from './events.js';
import { departureSubscriptions } from './handlers/departures.js';
import { jointEventRoutes } from './handlers/joint-events.js';
import { meRoutes } from './handlers/me.js';
import { partnerRoutes } from './handlers/partners.js';
import { registrationRoutes } from './handlers/registrations.js';
import { table } from './store.js';

export const communityService = defineService({
  name: 'community',
  table,
  publishes: communityEvents,
  subscriptions: [
    // talent's roster, kept as community's own copy: a member registers only as a person of the register.
    ...rosterSubscriptions(table),
    // A member who leaves gives up their places in events still to start (handlers/departures.ts).
    ...departureSubscriptions,
  ],
  routes: [...partnerRoutes, ...jointEventRoutes, ...registrationRoutes, ...meRoutes],
});
