/**
 * Who may do what, as a matrix through the gateway: the committee everywhere, a secretary in
 * their own branch only (another branch's activities do not exist for them: 404), members
 * read their branch's activities and check themselves in, partners nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { at, branchWithMembers, meeting } from './support.js';

const NOW = at('2026-11-20T10:00:00+08:00');
const AFTER = at('2026-11-26T11:30:00+08:00');

type Client = Awaited<ReturnType<typeof as>>;
let a: Awaited<ReturnType<typeof branchWithMembers>>;
let secretaryB: Client;
let memberB: Client;
let partner: Client;
let activityId: string;

beforeAll(async () => {
  a = await branchWithMembers(2);
  const branchB = newId();
  secretaryB = await as({ roles: ['secretary', 'member'], branchId: branchB });
  memberB = await as({ roles: ['member'], branchId: branchB });
  partner = await as({ roles: ['partner'], orgId: newId() });
  const res = await a.secretary.post('/activities', meeting(a.branchId), NOW);
  expect(res.status).toBe(201);
  activityId = res.body.activityId;
});

describe("a secretary of branch B, for branch A's activity", () => {
  it.each([
    ['see it', () => secretaryB.get(`/activities/${activityId}`)],
    ['edit it', () => secretaryB.patch(`/activities/${activityId}`, { version: 1, title: 'x' }, NOW)],
    ['cancel it', () => secretaryB.post(`/activities/${activityId}/cancel`, { reason: 'x' }, NOW)],
    ['complete it', () => secretaryB.post(`/activities/${activityId}/complete`, { minutes: 'x' }, AFTER)],
    [
      'record attendance',
      () =>
        secretaryB.put(`/activities/${activityId}/attendance`, {
          entries: [{ personId: a.memberIds[0], status: 'absent' }],
        }),
    ],
    ['read attendance', () => secretaryB.get(`/activities/${activityId}/attendance`)],
    ['schedule one in A', () => secretaryB.post('/activities', meeting(a.branchId), NOW)],
    ["list A's activities", () => secretaryB.get(`/activities?branchId=${a.branchId}`)],
    ["see A's compliance", () => secretaryB.get(`/activities/insights/compliance?branchId=${a.branchId}`)],
    [
      "see A's participation",
      () => secretaryB.get(`/activities/insights/participation?branchId=${a.branchId}`),
    ],
  ])('cannot %s: 404', async (_label, call) => {
    const res = await call();
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not-found');
  });

  it('left the activity untouched', async () => {
    const res = await a.secretary.get(`/activities/${activityId}`);
    expect(res.body).toMatchObject({ status: 'scheduled', version: 1, title: '支委会' });
    const att = await a.secretary.get(`/activities/${activityId}/attendance`);
    expect(att.body.unknown).toBe(2);
  });
});

describe('members and partners', () => {
  it('a member of another branch cannot see the activity; a member of A can but cannot change it', async () => {
    expect((await memberB.get(`/activities/${activityId}`)).status).toBe(404);
    const own = a.members[0] as Client;
    expect((await own.get(`/activities/${activityId}`)).status).toBe(200);
    expect((await own.patch(`/activities/${activityId}`, { version: 1, title: 'x' }, NOW)).status).toBe(403);
    expect((await own.post(`/activities/${activityId}/cancel`, { reason: 'x' }, NOW)).status).toBe(403);
    expect((await own.get(`/activities/${activityId}/attendance`)).status).toBe(403);
    expect((await own.post('/activities', meeting(a.branchId), NOW)).status).toBe(403);
  });

  it('a partner reaches nothing', async () => {
    expect((await partner.get(`/activities/${activityId}`)).status).toBe(403);
    expect((await partner.get('/activities/rooms')).status).toBe(403);
  });

  it('the committee reaches every branch', async () => {
    const committee = await as({ roles: ['committee'] });
    const res = await committee.get(`/activities/${activityId}`);
    expect(res.status).toBe(200);
    expect(res.body.checkInCode).toMatch(/^\d{6}$/);
    expect((await committee.get(`/activities?branchId=${a.branchId}`)).body.items).toHaveLength(1);
  });
});
