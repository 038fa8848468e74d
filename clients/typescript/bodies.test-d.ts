/**
 * Checks at compile time, by `tsc` in `npm test` (nothing here runs): a body the document
 * describes per caller compiles only in a shape some caller may send. Each `@ts-expect-error`
 * fails the type check the day the generated types accept the body below it.
 */
import type { DangjianClient } from './index.js';

const registrations = '/community/events/{eventId}/registrations';
const event = { params: { path: { eventId: '01JD3W5E8QK6M1V2X9ZC7N4P5R' } } };

/** A member registers themselves with an empty body. */
export const asMember = (api: DangjianClient) => api.POST(registrations, { ...event, body: {} });

/** A partner names its participants and confirms their consent. */
export const asPartner = (api: DangjianClient) =>
  api.POST(registrations, { ...event, body: { participants: [{ name: '王五' }], consent: true } });

/** A partner's body without consent is neither caller's body. */
export const withoutConsent = (api: DangjianClient) =>
  api.POST(registrations, {
    ...event,
    // @ts-expect-error consent is required with participants
    body: { participants: [{ name: '王五' }] },
  });

/** Consent without participants is neither either. */
export const consentAlone = (api: DangjianClient) =>
  api.POST(registrations, {
    ...event,
    // @ts-expect-error a partner names its participants; a member sends nothing
    body: { consent: true },
  });
