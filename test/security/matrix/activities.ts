/**
 * Access-matrix fixtures for activities's routes: one call per route and persona, on a
 * fresh activity wherever the call may change it (reads share one per world). Every
 * activity belongs to branch A and is scheduled by its secretary; its invitees are
 * the branch's roster (the member and the secretary): invitees are people of the activity's
 * branch, so the committee (in no branch, and not admitted to check-in) is nobody's invitee.
 */
import { expect } from 'vitest';
import { newId } from '../../../shared/ids.js';
import { pdfBytes, uploadWith } from '../../resources/support.js';
import { DELIVERY_BUDGET_MS, until } from '../../support/wait.js';
import type { Fixtures, World } from './world.js';

const STARTS = '2026-12-01T09:00:00+08:00';
const ENDS = '2026-12-01T11:00:00+08:00';
/** Inside the check-in window, before the late mark. */
const DURING = '2026-12-01T09:05:00+08:00';
/** Before the activity: scheduling and changing it is on time (not a late entry). */
const BEFORE = '2026-11-25T10:00:00+08:00';
/** After the start: an activity may be completed. */
const AFTER = '2026-12-01T11:30:00+08:00';

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** A fresh scheduled activity of branch A; its check-in code as its secretary sees it. */
const activity = async (world: World, over: Record<string, unknown> = {}) => {
  const res = await world.clients.ownSecretary.post(
    '/activities',
    {
      branchId: world.branchA.branchId,
      type: 'branch-committee-meeting',
      title: `支委会 ${newId()}`,
      startsAt: STARTS,
      endsAt: ENDS,
      ...over,
    },
    { now: BEFORE },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const body = res.body as { activityId: string; checkInCode: string };
  return { path: `/activities/${body.activityId}`, code: body.checkInCode };
};

/** What only reads use (a room, an activity) is prepared once per world, on first need. */
const prepared = new WeakMap<World, Map<string, Promise<unknown>>>();
const once = <T>(world: World, name: string, make: () => Promise<T>): Promise<T> => {
  const mine = prepared.get(world) ?? new Map<string, Promise<unknown>>();
  prepared.set(world, mine);
  if (!mine.has(name)) mine.set(name, make());
  return mine.get(name) as Promise<T>;
};

const room = (world: World) =>
  once(world, 'room', async () => {
    const res = await world.clients.committee.post('/activities/rooms', {
      name: `矩阵活动室 ${newId()}`,
      capacity: 30,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return (res.body as { roomId: string }).roomId;
  });

const readOnlyActivity = (world: World) => once(world, 'activity', () => activity(world));

/**
 * Leave (请假): a fresh activity of branch A inviting the member and the secretary, with a
 * pending request by the member (by the secretary, for `selfSecretary`: nobody decides their own).
 */
const withLeave = async (world: World, persona: string) => {
  const { path } = await activity(world, { inviteeIds: [world.people.member, world.people.ownSecretary] });
  const asker = persona === 'selfSecretary' ? 'ownSecretary' : 'member';
  const asked = await world.clients[asker].post(`${path}/leave`, { reason: '出差' }, { now: BEFORE });
  expect(asked.status, JSON.stringify(asked.body)).toBe(201);
  return { path, personId: world.people[asker] };
};

const leaveFixtures: Fixtures = {
  'POST /activities/{activityId}/leave': async (world) => {
    const { path } = await activity(world, { inviteeIds: [world.people.member, world.people.ownSecretary] });
    return { path: `${path}/leave`, body: { reason: '赴外地参加抽检工作' }, now: BEFORE };
  },

  'POST /activities/{activityId}/leave/{personId}/decision': async (world, persona) => {
    const { path, personId } = await withLeave(world, persona);
    return { path: `${path}/leave/${personId}/decision`, body: { decision: 'approved' }, now: BEFORE };
  },

  'GET /activities/{activityId}/leave': async (world) => ({
    path: `${(await readOnlyActivity(world)).path}/leave`,
    query: 'limit=5',
  }),

  // Each caller's own agenda: nothing of anyone else's is named.
  'GET /activities/me': async () => ({ path: '/activities/me', query: 'limit=5', now: BEFORE }),
};
/** A campaign (统一部署) of branch A alone. */
const campaignBody = (world: World) => ({
  title: `主题党日 ${newId()}`,
  type: 'theme-day',
  branches: [{ branchId: world.branchA.branchId, startsAt: STARTS, endsAt: ENDS }],
});

const campaign = (world: World) =>
  once(world, 'campaign', async () => {
    const res = await world.clients.committee.post('/activities/campaigns', campaignBody(world), {
      now: BEFORE,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return (res.body as { campaignId: string }).campaignId;
  });

const evidenceBody = (bytes: Uint8Array) => ({
  kind: 'minutes',
  name: '会议记录.pdf',
  contentType: 'application/pdf',
  sizeBytes: bytes.byteLength,
});

/** A checked file of the shared activity (through S3 and the bus, so prepared once): its path. */
const checkedEvidence = (world: World) =>
  once(world, 'evidence', async () => {
    const { path } = await readOnlyActivity(world);
    const bytes = pdfBytes('会议记录');
    const res = await world.clients.ownSecretary.post(`${path}/attachments`, evidenceBody(bytes));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { attachmentId, upload } = res.body as {
      attachmentId: string;
      upload: { url: string; fields: Record<string, string> };
    };
    expect((await uploadWith(upload, bytes, 'application/pdf')).status).toBe(204);
    await until('the evidence checked', DELIVERY_BUDGET_MS, async () => {
      const read = await world.clients.ownSecretary.get(`${path}/attachments`);
      const files = (read.body as { items: { attachmentId: string; status: string }[] }).items;
      return files.some((f) => f.attachmentId === attachmentId && f.status === 'available');
    });
    return `${path}/attachments/${attachmentId}`;
  });

export const fixtures: Fixtures = {
  ...leaveFixtures,

  'POST /activities/rooms': async () => ({
    path: '/activities/rooms',
    body: { name: `党员活动室 ${newId()}`, capacity: 40 },
  }),

  'GET /activities/rooms': async () => ({ path: '/activities/rooms', query: 'limit=5' }),

  'GET /activities/rooms/{roomId}/bookings': async (world) => ({
    path: `/activities/rooms/${await room(world)}/bookings`,
    query: query({ from: '2026-12-01T00:00:00+08:00', to: '2026-12-08T00:00:00+08:00' }),
  }),

  'GET /activities/settings/cadence': async () => ({ path: '/activities/settings/cadence' }),

  // The rules as they stand, at the version read: the committee's save changes nothing that
  // the cadence tests (running alongside, on the same institution-wide settings) rely on.
  'PUT /activities/settings/cadence': async (world) => {
    const read = await world.clients.committee.get('/activities/settings/cadence');
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    const { rules, version } = read.body as { rules: unknown; version: number };
    return { path: '/activities/settings/cadence', body: { rules, version } };
  },

  'GET /activities/insights/compliance': async (world) => ({
    path: '/activities/insights/compliance',
    query: query({ branchId: world.branchA.branchId, year: '2026' }),
  }),

  'GET /activities/insights/participation': async (world) => ({
    path: '/activities/insights/participation',
    query: query({
      branchId: world.branchA.branchId,
      from: '2026-01-01T00:00:00+08:00',
      to: '2026-12-31T00:00:00+08:00',
    }),
  }),

  'GET /activities/exports/register.xlsx': async (world) => ({
    path: '/activities/exports/register.xlsx',
    query: query({ branchId: world.branchA.branchId, year: '2026' }),
  }),

  'GET /activities/exports/compliance.xlsx': async (world) => ({
    path: '/activities/exports/compliance.xlsx',
    query: query({ branchId: world.branchA.branchId, year: '2026' }),
  }),

  'GET /activities/exports/participation.xlsx': async (world) => ({
    path: '/activities/exports/participation.xlsx',
    query: query({
      branchId: world.branchA.branchId,
      from: '2026-01-01T00:00:00+08:00',
      to: '2026-12-31T00:00:00+08:00',
    }),
  }),

  'GET /activities/insights/rooms': async () => ({
    path: '/activities/insights/rooms',
    query: query({ from: '2026-12-01T00:00:00+08:00', to: '2026-12-02T00:00:00+08:00' }),
  }),

  'POST /activities': async (world) => ({
    path: '/activities',
    body: {
      branchId: world.branchA.branchId,
      type: 'party-lesson',
      title: `党课 ${newId()}`,
      startsAt: STARTS,
      endsAt: ENDS,
    },
    now: BEFORE,
  }),

  'GET /activities': async (world) => ({
    path: '/activities',
    query: query({ branchId: world.branchA.branchId, limit: '5' }),
  }),

  'GET /activities/{activityId}': async (world) => ({ path: (await readOnlyActivity(world)).path }),

  'PATCH /activities/{activityId}': async (world) => ({
    path: (await activity(world)).path,
    body: {
      version: 1,
      title: `支委会（改期）${newId()}`,
      startsAt: '2026-12-01T14:00:00+08:00',
      endsAt: '2026-12-01T16:00:00+08:00',
    },
    now: BEFORE,
  }),

  'POST /activities/{activityId}/cancel': async (world) => ({
    path: `${(await activity(world)).path}/cancel`,
    body: { reason: '与上级会议冲突' },
  }),

  'POST /activities/{activityId}/complete': async (world) => ({
    path: `${(await activity(world)).path}/complete`,
    body: { minutes: '会议记录：研究了第四季度发展党员工作。', resolutions: ['同意接收两名预备党员'] },
    now: AFTER,
  }),

  'POST /activities/{activityId}/check-in': async (world) => {
    const { path, code } = await activity(world, {
      inviteeIds: [world.people.member, world.people.ownSecretary],
    });
    return { path: `${path}/check-in`, body: { code }, now: DURING };
  },

  'PUT /activities/{activityId}/attendance': async (world) => ({
    path: `${(await activity(world)).path}/attendance`,
    body: { entries: [{ personId: world.people.member, status: 'excused', note: '出差' }] },
    now: DURING,
  }),

  'GET /activities/{activityId}/attendance': async (world) => ({
    path: `${(await readOnlyActivity(world)).path}/attendance`,
  }),

  'POST /activities/{activityId}/attachments': async (world) => ({
    path: `${(await readOnlyActivity(world)).path}/attachments`,
    body: evidenceBody(pdfBytes()),
  }),

  'POST /activities/campaigns': async (world) => ({
    path: '/activities/campaigns',
    body: campaignBody(world),
    now: BEFORE,
  }),

  'GET /activities/campaigns': async () => ({ path: '/activities/campaigns', query: 'limit=5' }),

  'GET /activities/campaigns/{campaignId}': async (world) => ({
    path: `/activities/campaigns/${await campaign(world)}`,
  }),

  'GET /activities/{activityId}/attachments': async (world) => ({
    path: `${(await readOnlyActivity(world)).path}/attachments`,
  }),

  'GET /activities/{activityId}/attachments/{attachmentId}/download': async (world) => ({
    path: `${await checkedEvidence(world)}/download`,
  }),

  'DELETE /activities/{activityId}/attachments/{attachmentId}': async (world) => {
    const { path } = await readOnlyActivity(world);
    const res = await world.clients.ownSecretary.post(`${path}/attachments`, evidenceBody(pdfBytes()));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { path: `${path}/attachments/${(res.body as { attachmentId: string }).attachmentId}` };
  },
};
