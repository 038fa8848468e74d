/**
 * No body sets what the server owns: ids, statuses, counters, a version as a value, or the
 * organisation a partner acts for (that comes from its token, never from the body).
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as, request } from '../support/api.js';
import {
  application,
  approvedPartner,
  beforeOpening,
  committee,
  duringRegistration,
  publishedEvent,
  schedule,
} from './support.js';

const fieldsOf = (res: { body: { error?: { details?: { fields?: { field: string }[] } } } }) =>
  (res.body.error?.details?.fields ?? []).map((f) => f.field);

describe('mass assignment', () => {
  it("refuses a partner registering under another organisation's id, and files it under its own", async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 10 });
    const a = await approvedPartner();
    const b = await approvedPartner();
    const path = `/community/events/${eventId}/registrations`;
    const participants = [{ name: '张三' }];
    for (const extra of [
      { orgId: b.partnerId },
      { partnerId: b.partnerId },
      { registrant: { kind: 'partner', partnerId: b.partnerId } },
      { registrationId: newId() },
      { status: 'active' },
      { confirmed: 1 },
    ]) {
      const res = await a.client.post(
        path,
        { participants, consent: true, ...extra },
        { now: duringRegistration },
      );
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(fieldsOf(res)).toContain(`body.${Object.keys(extra)[0]}`);
    }
    const refusedParticipant = await a.client.post(
      path,
      { participants: [{ name: '张三', status: 'confirmed' }], consent: true },
      { now: duringRegistration },
    );
    expect(refusedParticipant.status).toBe(400);
    const member = await as({ roles: ['member'] });
    expect((await member.post(path, { personId: newId() }, { now: duringRegistration })).status).toBe(400);
    // Nothing of the refused bodies was written.
    expect((await admin.get(`${path}?limit=100`)).body.items).toEqual([]);

    const placed = await a.client.post(path, { participants, consent: true }, { now: duringRegistration });
    expect(placed.status).toBe(201);
    expect(placed.body.registrant).toEqual({ kind: 'partner', partnerId: a.partnerId });
    expect((await b.client.get(path)).body.items).toEqual([]);
  });

  it('keeps ids, status, counters and the version out of event and application bodies', async () => {
    const admin = await committee();
    const draft = {
      title: '志愿服务',
      kind: 'volunteer-service',
      description: '',
      location: '社区',
      capacity: 10,
      ...schedule,
    };
    for (const extra of [
      { jointEventId: newId() },
      { status: 'published' },
      { confirmed: 3 },
      { version: 7 },
      { remainingPlaces: 10 },
    ]) {
      const res = await admin.post('/community/events', { ...draft, ...extra }, { now: beforeOpening });
      expect(res.status, JSON.stringify(extra)).toBe(400);
    }
    const created = await admin.post('/community/events', draft, { now: beforeOpening });
    expect(created.body).toMatchObject({ status: 'draft', confirmed: 0, version: 1 });
    const id = created.body.jointEventId as string;
    for (const extra of [{ status: 'published' }, { confirmed: 3 }, { jointEventId: newId() }]) {
      const res = await admin.patch(`/community/events/${id}`, { version: 1, capacity: 12, ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
    }
    // The version is the precondition, never the value stored.
    const patched = await admin.patch(`/community/events/${id}`, { version: 1, capacity: 12 });
    expect(patched.body).toMatchObject({ capacity: 12, version: 2 });
    expect((await admin.patch(`/community/events/${id}`, { version: 9, capacity: 13 })).status).toBe(409);

    for (const extra of [{ status: 'approved' }, { partnerId: newId() }, { version: 2 }]) {
      const res = await request('POST', '/community/partners/applications', application(extra));
      expect(res.status, JSON.stringify(extra)).toBe(400);
    }
  });
});
