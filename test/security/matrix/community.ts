/**
 * Access-matrix fixtures for community's routes: one fresh call per route and persona.
 * Joint events are the committee's (no branch owns them); "own" is org A, whose account
 * registers participants, and the member, whose registration the one-registration routes
 * act on. Every event is new, so a cancellation or check-in for one persona leaves the next
 * persona's call untouched; what a route only reads is prepared once per world.
 */
import { expect } from 'vitest';
import { newId } from '../../../shared/ids.js';
import { beforeOpening, duringRegistration, eventDay, schedule } from '../../community/support.js';
import { request } from '../../support/api.js';
import type { Fixtures, World } from './world.js';

/** After the start: an event may be completed. */
const AFTER_START = '2027-03-12T12:00:00+08:00';

const draftBody = (capacity = 20) => ({
  title: `联合志愿服务 ${newId()}`,
  kind: 'volunteer-service',
  description: '与周边单位联合开展',
  location: '社区服务中心',
  capacity,
  ...schedule,
});

const draft = async (world: World, capacity?: number) => {
  const res = await world.clients.committee.post('/community/events', draftBody(capacity), {
    now: beforeOpening,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return `/community/events/${(res.body as { jointEventId: string }).jointEventId}`;
};

const published = async (world: World, capacity?: number) => {
  const path = await draft(world, capacity);
  const res = await world.clients.committee.post(`${path}/publish`, undefined, { now: beforeOpening });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return path;
};

/** The member's own registration (for themselves: an empty body). */
const memberRegistration = async (world: World, event: string) => {
  const res = await world.clients.member.post(`${event}/registrations`, {}, { now: duringRegistration });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return `${event}/registrations/${(res.body as { registrationId: string }).registrationId}`;
};

const participants = () => ({
  participants: [{ name: '张三', phone: '13912345678' }, { name: '李四' }],
  consent: true,
});

/** Org A's registration of two named participants, one with a phone. */
const partnerRegistration = async (world: World, event: string) => {
  const res = await world.clients.ownPartner.post(`${event}/registrations`, participants(), {
    now: duringRegistration,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
};

/** Reads change nothing, so the personas of one route share what they read: one per world. */
const prepared = new WeakMap<World, Map<string, Promise<string>>>();
const once = (world: World, key: string, prepare: () => Promise<string>) => {
  const byKey = prepared.get(world) ?? new Map<string, Promise<string>>();
  prepared.set(world, byKey);
  const path = byKey.get(key) ?? prepare();
  byKey.set(key, path);
  return path;
};

/** An event with the member's registration and org A's (two participants, one phone). */
const withRegistrations = (world: World, key: string, capacity?: number) =>
  once(world, key, async () => {
    const event = await published(world, capacity);
    await memberRegistration(world, event);
    await partnerRegistration(world, event);
    return event;
  });

/** A fresh pending application, for the committee's decisions. */
const application = async () => {
  const res = await request('POST', '/community/partners/applications', applicationBody());
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return `/community/partners/${(res.body as { partnerId: string }).partnerId}`;
};

const applicationBody = () => ({
  consent: true,
  orgName: `矩阵测试单位 ${newId()}`,
  orgType: 'community',
  contactName: '赵六',
  contactPhone: '13712345678',
  contactEmail: 'zhaoliu@example.cn',
  intro: '街道社区服务中心',
});

export const fixtures: Fixtures = {
  'POST /community/partners/applications': async () => ({
    path: '/community/partners/applications',
    body: applicationBody(),
  }),

  'GET /community/partners': async () => ({ path: '/community/partners', query: 'status=approved&limit=5' }),

  'GET /community/partners/{partnerId}': async (world) => ({ path: `/community/partners/${world.orgA}` }),

  'POST /community/partners/{partnerId}/approve': async () => ({ path: `${await application()}/approve` }),

  'POST /community/partners/{partnerId}/suspend': async () => ({
    path: `${await application()}/suspend`,
    body: { reason: '暂停合作' },
  }),

  'POST /community/partners/{partnerId}/reject': async () => ({
    path: `${await application()}/reject`,
    body: { reason: '材料不全' },
  }),

  'POST /community/events': async () => ({
    path: '/community/events',
    body: draftBody(),
    now: beforeOpening,
  }),

  'GET /community/events': async (world) => {
    await once(world, 'listed', () => published(world));
    return { path: '/community/events', query: 'limit=5', now: beforeOpening };
  },

  'GET /community/me/registrations': async (world) => {
    await withRegistrations(world, 'registered');
    return { path: '/community/me/registrations', query: 'limit=5' };
  },

  'GET /community/events/drafts': async (world) => {
    await once(world, 'draft', () => draft(world));
    return { path: '/community/events/drafts', query: 'limit=5' };
  },

  'GET /community/events/{eventId}': async (world) => ({
    path: await once(world, 'shown', () => published(world)),
  }),

  'PATCH /community/events/{eventId}': async (world) => ({
    path: await draft(world),
    body: { capacity: 25, version: 1 },
  }),

  'POST /community/events/{eventId}/publish': async (world) => ({
    path: `${await draft(world)}/publish`,
    now: beforeOpening,
  }),

  'POST /community/events/{eventId}/cancel': async (world) => ({
    path: `${await published(world)}/cancel`,
    body: { reason: '天气原因' },
  }),

  // A partner names its participants; a member (a secretary too) registers with an empty body.
  'POST /community/events/{eventId}/registrations': async (world, persona) => ({
    path: `${await published(world)}/registrations`,
    body: persona === 'ownPartner' || persona === 'otherPartner' ? participants() : {},
    now: duringRegistration,
  }),

  'GET /community/events/{eventId}/registrations': async (world) => ({
    path: `${await withRegistrations(world, 'registered')}/registrations`,
    query: 'limit=10',
  }),

  'GET /community/events/{eventId}/registrations.csv': async (world) => ({
    path: `${await withRegistrations(world, 'registered')}/registrations.csv`,
  }),

  'GET /community/events/{eventId}/registrations.xlsx': async (world) => ({
    path: `${await withRegistrations(world, 'registered')}/registrations.xlsx`,
  }),

  'GET /community/events/{eventId}/registrations/{registrationId}': async (world) => ({
    path: await once(world, 'registration', async () => memberRegistration(world, await published(world))),
  }),

  'DELETE /community/events/{eventId}/registrations/{registrationId}': async (world) => ({
    path: await memberRegistration(world, await published(world)),
    now: duringRegistration,
  }),

  // One place: the partner's participants arrive second and wait.
  'GET /community/events/{eventId}/waitlist': async (world) => ({
    path: `${await withRegistrations(world, 'full', 1)}/waitlist`,
    query: 'limit=10',
  }),

  'POST /community/events/{eventId}/check-in': async (world) => {
    const event = await published(world);
    const registration = await memberRegistration(world, event);
    return {
      path: `${event}/check-in`,
      body: { registrationId: registration.split('/').pop() },
      now: eventDay,
    };
  },

  'POST /community/events/{eventId}/complete': async (world) => {
    const event = await published(world);
    await memberRegistration(world, event);
    return { path: `${event}/complete`, now: AFTER_START };
  },
};
