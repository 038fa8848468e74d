import { pageOf } from '../../shared/http/paging.js';
import { committeeOnly, everyone } from '../../shared/outcomes.js';
import { defineService, type Outcomes, route } from '../../shared/service.js';
import { rosterSubscriptions } from '../talent/roster.js';
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
  showRegistration,
  waitlist,
} from './handlers/registrations.js';
import { table } from './store.js';
import {
  EventCompleted,
  JointEvent,
  Partner,
  PartnerApplicationAccepted,
  PartnerSummary,
  PublicJointEvent,
  Registration,
  RegistrationPlaced,
  RegistrationSummary,
  WaitingPlace,
} from './views.js';

const committee = ['committee'] as const;

/**
 * One member's registration: theirs and the committee's to see or cancel. Secretaries hold it
 * only as members (joint events are not a branch's business), partners only their own: 404.
 */
const memberRegistration: Outcomes = {
  anonymous: 401,
  member: 'allowed',
  ownSecretary: 404,
  otherSecretary: 404,
  committee: 'allowed',
  ownPartner: 404,
  otherPartner: 404,
};

const event = PublicJointEvent.or(JointEvent).meta({
  description: 'The committee sees the managed view (counters, version); everyone else the public one',
});

export const communityService = defineService({
  name: 'community',
  table,
  publishes: communityEvents,
  // talent's roster, kept as community's own copy: a member registers only as a person of the register.
  subscriptions: rosterSubscriptions(table),
  routes: [
    route('POST /community/partners/applications', {
      summary: 'Apply as a partner organisation (合作单位申请); public, needs PIPL consent',
      access: 'public',
      throttle: 'public',
      maxBodyBytes: 8 * 1024,
      outcomes: everyone,
      responses: { 202: PartnerApplicationAccepted },
      request: { body: applicationBody },
      handler: apply,
    }),
    route('GET /community/partners', {
      summary: 'List partner organisations by status, contacts masked',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: pageOf(PartnerSummary) },
      request: { query: listPartnersQuery },
      handler: listPartners,
    }),
    route('GET /community/partners/{partnerId}', {
      summary: 'Read one partner organisation with its contact in full',
      access: ['committee', 'partner'],
      outcomes: { ...committeeOnly, ownPartner: 'allowed', otherPartner: 404 },
      responses: { 200: Partner },
      request: { params: partnerParams },
      handler: showPartner,
    }),
    route('POST /community/partners/{partnerId}/approve', {
      summary: 'Approve a pending partner application (审核通过)',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: Partner },
      request: { params: partnerParams },
      handler: decide('approve'),
    }),
    route('POST /community/partners/{partnerId}/suspend', {
      summary: 'Suspend a partner organisation, with a reason',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: Partner },
      request: { params: partnerParams, body: reasonBody },
      handler: decide('suspend'),
    }),
    route('POST /community/partners/{partnerId}/reject', {
      summary: 'Reject a pending partner application, with a reason',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: Partner },
      request: { params: partnerParams, body: reasonBody },
      handler: decide('reject'),
    }),
    route('POST /community/events', {
      summary: 'Create a joint event (联合活动) as a draft',
      access: committee,
      outcomes: committeeOnly,
      responses: { 201: JointEvent },
      request: { body: createEventBody },
      handler: createEvent,
    }),
    route('GET /community/events', {
      summary: 'List published joint events still to come, by start; public',
      access: 'public',
      outcomes: everyone,
      responses: { 200: pageOf(PublicJointEvent) },
      request: { query: listEventsQuery },
      handler: listPublishedEvents,
    }),
    route('GET /community/events/drafts', {
      summary: "List the committee's draft joint events, by start",
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: pageOf(JointEvent) },
      request: { query: listEventsQuery },
      handler: listDrafts,
    }),
    route('GET /community/events/{eventId}', {
      summary: 'Read one joint event; drafts exist only for the committee',
      access: 'public',
      outcomes: everyone,
      responses: { 200: event },
      request: { params: eventParams },
      handler: showEvent,
    }),
    route('PATCH /community/events/{eventId}', {
      summary: 'Change a draft joint event (optimistic: send its version)',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: JointEvent },
      request: { params: eventParams, body: patchEventBody },
      handler: patchEvent,
    }),
    route('POST /community/events/{eventId}/publish', {
      summary: 'Publish a draft joint event (发布), opening it for registration',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: JointEvent },
      request: { params: eventParams },
      handler: publishEvent,
    }),
    route('POST /community/events/{eventId}/cancel', {
      summary: 'Cancel a joint event, with a reason',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: JointEvent },
      request: { params: eventParams, body: cancelEventBody },
      handler: cancelEvent,
    }),
    route('POST /community/events/{eventId}/registrations', {
      summary: 'Register (报名): a member for themselves, a partner for named participants',
      access: ['partner', 'member'],
      // Any approved partner and any member may take part; a secretary registers as a member.
      outcomes: {
        anonymous: 401,
        member: 'allowed',
        ownSecretary: 'allowed',
        otherSecretary: 'allowed',
        committee: 403,
        ownPartner: 'allowed',
        otherPartner: 'allowed',
      },
      responses: { 201: RegistrationPlaced },
      request: { params: eventParams, body: registrationBody },
      handler: register,
    }),
    route('GET /community/events/{eventId}/registrations', {
      summary: "List an event's registrations: all for the committee, one's own otherwise; phones masked",
      access: ['committee', 'partner', 'member'],
      // Everyone signed in gets a list, scoped to what is theirs (possibly empty).
      outcomes: { ...everyone, anonymous: 401 },
      responses: { 200: pageOf(RegistrationSummary) },
      request: { params: eventParams, query: listRegistrationsQuery },
      handler: listRegistrations,
    }),
    route('GET /community/events/{eventId}/registrations.csv', {
      summary: 'Export registrations as CSV for on-site check-in (签到表); phones masked',
      access: ['committee', 'partner'],
      outcomes: { ...committeeOnly, ownPartner: 'allowed', otherPartner: 'allowed' },
      responses: {
        200: {
          contentType: 'text/csv',
          description:
            'UTF-8 with BOM, CRLF: one row per participant; the committee gets all, a partner its own',
        },
      },
      request: { params: eventParams },
      handler: exportRegistrations,
    }),
    route('GET /community/events/{eventId}/registrations/{registrationId}', {
      summary: 'Read one registration, participants’ phones in full, to its registrant or the committee',
      access: ['committee', 'partner', 'member'],
      outcomes: memberRegistration,
      responses: { 200: Registration },
      request: { params: registrationParams },
      handler: showRegistration,
    }),
    route('DELETE /community/events/{eventId}/registrations/{registrationId}', {
      summary: 'Cancel a registration until 24 hours before the start; the waitlist moves up',
      access: ['committee', 'partner', 'member'],
      outcomes: memberRegistration,
      responses: { 204: 'empty' },
      request: { params: registrationParams },
      handler: cancelRegistration,
    }),
    route('GET /community/events/{eventId}/waitlist', {
      summary: 'The waitlist (候补) in arrival order',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: pageOf(WaitingPlace) },
      request: { params: eventParams, query: listRegistrationsQuery },
      handler: waitlist,
    }),
    route('POST /community/events/{eventId}/check-in', {
      summary: 'Check a registration in (签到) on the day of the event',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: Registration },
      request: { params: eventParams, body: checkInBody },
      handler: checkIn,
    }),
    route('POST /community/events/{eventId}/complete', {
      summary: 'Complete an event: who took part, and their volunteering hours',
      access: committee,
      outcomes: committeeOnly,
      responses: { 200: EventCompleted },
      request: { params: eventParams },
      handler: completeEvent,
    }),
  ],
});
