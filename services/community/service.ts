import { defineService, route } from '../../shared/service.js';
import { communityEvents } from './events.js';
import {
  cancelEvent,
  cancelEventBody,
  createEvent,
  createEventBody,
  eventParams,
  listDrafts,
  listEventsQuery,
  listPublishedEvents,
  patchEvent,
  patchEventBody,
  publishEvent,
  showEvent,
} from './handlers/joint-events.js';
import {
  applicationBody,
  apply,
  decide,
  listPartners,
  listPartnersQuery,
  partnerParams,
  reasonBody,
  showPartner,
} from './handlers/partners.js';
import {
  cancelRegistration,
  checkIn,
  checkInBody,
  completeEvent,
  exportRegistrations,
  listRegistrations,
  listRegistrationsQuery,
  register,
  registrationBody,
  registrationParams,
  waitlist,
} from './handlers/registrations.js';
import { table } from './store.js';

const committee = ['committee'] as const;

export const communityService = defineService({
  name: 'community',
  table,
  publishes: communityEvents,
  subscriptions: [],
  routes: [
    route('POST /community/partners/applications', {
      access: 'public',
      throttle: 'public',
      maxBodyBytes: 8 * 1024,
      request: { body: applicationBody },
      handler: apply,
    }),
    route('GET /community/partners', {
      access: committee,
      request: { query: listPartnersQuery },
      handler: listPartners,
    }),
    route('GET /community/partners/{partnerId}', {
      access: ['committee', 'partner'],
      request: { params: partnerParams },
      handler: showPartner,
    }),
    route('POST /community/partners/{partnerId}/approve', {
      access: committee,
      request: { params: partnerParams },
      handler: decide('approve'),
    }),
    route('POST /community/partners/{partnerId}/suspend', {
      access: committee,
      request: { params: partnerParams, body: reasonBody },
      handler: decide('suspend'),
    }),
    route('POST /community/partners/{partnerId}/reject', {
      access: committee,
      request: { params: partnerParams, body: reasonBody },
      handler: decide('reject'),
    }),
    route('POST /community/events', {
      access: committee,
      request: { body: createEventBody },
      handler: createEvent,
    }),
    route('GET /community/events', {
      access: 'public',
      request: { query: listEventsQuery },
      handler: listPublishedEvents,
    }),
    route('GET /community/events/drafts', {
      access: committee,
      request: { query: listEventsQuery },
      handler: listDrafts,
    }),
    route('GET /community/events/{eventId}', {
      access: 'public',
      request: { params: eventParams },
      handler: showEvent,
    }),
    route('PATCH /community/events/{eventId}', {
      access: committee,
      request: { params: eventParams, body: patchEventBody },
      handler: patchEvent,
    }),
    route('POST /community/events/{eventId}/publish', {
      access: committee,
      request: { params: eventParams },
      handler: publishEvent,
    }),
    route('POST /community/events/{eventId}/cancel', {
      access: committee,
      request: { params: eventParams, body: cancelEventBody },
      handler: cancelEvent,
    }),
    route('POST /community/events/{eventId}/registrations', {
      access: ['partner', 'member'],
      request: { params: eventParams, body: registrationBody },
      handler: register,
    }),
    route('GET /community/events/{eventId}/registrations', {
      access: ['committee', 'partner', 'member'],
      request: { params: eventParams, query: listRegistrationsQuery },
      handler: listRegistrations,
    }),
    route('GET /community/events/{eventId}/registrations.csv', {
      access: ['committee', 'partner'],
      request: { params: eventParams },
      handler: exportRegistrations,
    }),
    route('DELETE /community/events/{eventId}/registrations/{registrationId}', {
      access: ['committee', 'partner', 'member'],
      request: { params: registrationParams },
      handler: cancelRegistration,
    }),
    route('GET /community/events/{eventId}/waitlist', {
      access: committee,
      request: { params: eventParams, query: listRegistrationsQuery },
      handler: waitlist,
    }),
    route('POST /community/events/{eventId}/check-in', {
      access: committee,
      request: { params: eventParams, body: checkInBody },
      handler: checkIn,
    }),
    route('POST /community/events/{eventId}/complete', {
      access: committee,
      request: { params: eventParams },
      handler: completeEvent,
    }),
  ],
});
