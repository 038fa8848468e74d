import { describe, expect, it } from 'vitest';
import { as, request } from '../support/api.js';
import { beforeOpening, committee, outboxOf, publishedEvent, schedule } from './support.js';

const draft = {
  title: '科普进社区',
  kind: 'science-outreach',
  description: '药品安全知识讲座',
  location: '社区活动室',
  capacity: 30,
  partnerQuota: 5,
  ...schedule,
};

describe('joint events', () => {
  it('refuses times that do not fit together, naming the field', async () => {
    const admin = await committee();
    const cases: [Record<string, string>, string][] = [
      [{ endsAt: schedule.startsAt }, 'body.endsAt'],
      [{ registrationClosesAt: '2027-03-12T10:00:00+08:00' }, 'body.registrationClosesAt'],
      [{ registrationOpensAt: '2027-03-11T09:00:00+08:00' }, 'body.registrationOpensAt'],
      [{ startsAt: '2027-03-12 09:00' }, 'body.startsAt'],
      [{ endsAt: '9999-12-31T23:00:00Z' }, 'body.endsAt'],
    ];
    for (const [change, field] of cases) {
      const res = await admin.post('/community/events', { ...draft, ...change }, { now: beforeOpening });
      expect(res.status, field).toBe(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect((await admin.post('/community/events', { ...draft, partnerQuota: 31 })).status).toBe(400);
    expect((await admin.post('/community/events', { ...draft, capacity: 0 })).status).toBe(400);
    const member = await as({ roles: ['member'] });
    expect((await member.post('/community/events', draft)).status).toBe(403);
  });

  it('keeps a draft hidden, edits it with its version, publishes it and lists it by start', async () => {
    const admin = await committee();
    const created = await admin.post('/community/events', draft, { now: beforeOpening });
    expect(created.status).toBe(201);
    const id = created.body.jointEventId;
    expect((await request('GET', `/community/events/${id}`)).status).toBe(404);
    // The committee finds its drafts (with the version to edit) on its own list.
    const drafts = await admin.get('/community/events/drafts?limit=100');
    expect(drafts.body.items.find((e: { jointEventId: string }) => e.jointEventId === id)).toMatchObject({
      status: 'draft',
      version: 1,
    });

    const patched = await admin.patch(`/community/events/${id}`, { capacity: 25, version: 1 });
    expect(patched.body).toMatchObject({ capacity: 25, version: 2, remainingPlaces: 25 });
    const stale = await admin.patch(`/community/events/${id}`, { capacity: 26, version: 1 });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'version-conflict' } } });
    const badTimes = await admin.patch(`/community/events/${id}`, {
      endsAt: '2027-03-12T08:00:00+08:00',
      version: 2,
    });
    expect(badTimes.status).toBe(400);

    expect(
      (await admin.post(`/community/events/${id}/publish`, undefined, { now: beforeOpening })).status,
    ).toBe(200);
    const draftsAfter = await admin.get('/community/events/drafts?limit=100');
    expect(draftsAfter.body.items.map((e: { jointEventId: string }) => e.jointEventId)).not.toContain(id);
    expect((await admin.patch(`/community/events/${id}`, { capacity: 40, version: 3 })).status).toBe(409);
    expect(await outboxOf(id)).toEqual([
      {
        type: 'JointEventPublished',
        data: expect.objectContaining({
          jointEventId: id,
          capacity: 25,
          startsAt: '2027-03-12T09:00:00+08:00',
        }),
      },
    ]);

    const shown = await request('GET', `/community/events/${id}`);
    expect(shown.body).toMatchObject({
      jointEventId: id,
      status: 'published',
      remainingPlaces: 25,
      capacity: 25,
    });
    expect(shown.body.version).toBeUndefined();

    // A second, earlier event: the list is ordered by start.
    const { eventId: earlier } = await publishedEvent({
      startsAt: '2027-03-11T09:00:00+08:00',
      endsAt: '2027-03-11T10:00:00+08:00',
    });
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await request(
        'GET',
        `/community/events?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        {
          now: beforeOpening,
        },
      );
      expect(page.status).toBe(200);
      ids.push(...page.body.items.map((e: { jointEventId: string }) => e.jointEventId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(ids.filter((x) => x === id || x === earlier)).toEqual([earlier, id]);

    // Once started, it is no longer upcoming.
    const later = await request('GET', '/community/events?limit=100', undefined, {
      now: '2027-03-12T09:00:01+08:00',
    });
    expect(later.body.items.map((e: { jointEventId: string }) => e.jointEventId)).not.toContain(id);
  });

  it('cancels with a reason and leaves the public list', async () => {
    const { eventId, admin } = await publishedEvent();
    expect((await admin.post(`/community/events/${eventId}/cancel`, {})).status).toBe(400);
    const cancelled = await admin.post(`/community/events/${eventId}/cancel`, { reason: '天气原因' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: '天气原因' });
    const list = await request('GET', '/community/events?limit=100', undefined, { now: beforeOpening });
    expect(list.body.items.map((e: { jointEventId: string }) => e.jointEventId)).not.toContain(eventId);
    expect((await admin.post(`/community/events/${eventId}/publish`)).status).toBe(409);
  });
});
