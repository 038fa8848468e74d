/**
 * Late entry (domain/late-entry.ts): an activity recorded after the fact needs a reason and is
 * marked wherever it shows (its view, compliance, its events); past 60 days after it ended
 * only the committee may still record it. Days are local (Asia/Shanghai).
 */
import { describe, expect, it } from 'vitest';
import { as } from '../support/api.js';
import { at, branchWithMembers, meeting, outboxOf } from './support.js';

const DECEMBER = at('2026-12-06T10:00:00+08:00');
const JULY = { startsAt: '2026-07-10T09:00:00+08:00', endsAt: '2026-07-10T11:00:00+08:00' };

const refused = (res: { status: number; body: any }, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.error.code).toBe(code);
};

const themeDays = (body: any, branchId: string) =>
  body.branches
    .find((b: { branchId: string }) => b.branchId === branchId)
    .types.find((t: { type: string }) => t.type === 'theme-day').periods;

describe('late entry', () => {
  it('refuses a secretary a July theme day invented in December, and shows the committee’s as recorded late', async () => {
    const { branchId, memberIds, secretary } = await branchWithMembers(2);
    const july = meeting(branchId, { type: 'theme-day', title: '七月主题党日', ...JULY });
    refused(await secretary.post('/activities', july, DECEMBER), 'late-entry-closed');
    refused(
      await secretary.post('/activities', { ...july, lateEntryReason: '补录' }, DECEMBER),
      'late-entry-closed',
    );
    const committee = await as({ roles: ['committee'] });
    refused(await committee.post('/activities', july, DECEMBER), 'late-entry-reason-required');
    const reason = '档案整理时发现漏录，\n据纸质签到表补录';
    const made = await committee.post('/activities', { ...july, lateEntryReason: reason }, DECEMBER);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.recordedLate).toEqual({
      reason,
      recordedAt: '2026-12-06T10:00:00+08:00',
      by: committee.personId,
    });
    const path = `/activities/${made.body.activityId}`;
    // The secretary can do nothing more with it; the committee only with a reason each time.
    const everyone = { entries: memberIds.map((personId) => ({ personId, status: 'present' })) };
    refused(
      await secretary.put(`${path}/attendance`, { ...everyone, lateEntryReason: '补录' }, DECEMBER),
      'late-entry-closed',
    );
    refused(await committee.put(`${path}/attendance`, everyone, DECEMBER), 'late-entry-reason-required');
    expect(
      (await committee.put(`${path}/attendance`, { ...everyone, lateEntryReason: reason }, DECEMBER)).status,
    ).toBe(200);
    refused(
      await secretary.post(`${path}/complete`, { minutes: '记录', lateEntryReason: '补录' }, DECEMBER),
      'late-entry-closed',
    );
    const done = await committee.post(
      `${path}/complete`,
      { minutes: '记录', lateEntryReason: reason },
      DECEMBER,
    );
    expect(done.status).toBe(200);
    expect(done.body.recordedLate).toEqual(made.body.recordedLate);

    // Compliance counts it, and says July was met only thanks to it.
    const res = await secretary.get(
      `/activities/insights/compliance?branchId=${branchId}&year=2026`,
      DECEMBER,
    );
    expect(themeDays(res.body, branchId).find((p: { label: string }) => p.label === '2026-07')).toMatchObject(
      {
        held: 1,
        status: 'met',
        late: 1,
        lateActivityIds: [made.body.activityId],
        metLate: true,
      },
    );
    expect(res.body.branches[0].summary.metLate).toBe(1);
    // What talent reads carries the mark.
    const events = await outboxOf(made.body.activityId);
    const mark = { reason, recordedAt: '2026-12-06T10:00:00+08:00', by: committee.personId };
    for (const type of ['ActivityScheduled', 'ActivityCompleted', 'AttendanceRecorded']) {
      const found = events.filter((e) => e.detailType === type);
      expect(found.length, type).toBeGreaterThan(0);
      for (const e of found) expect(e.data.recordedLate, type).toEqual(mark);
    }
  });

  it('lets the secretary type up a meeting after the fact with a reason, and marks it', async () => {
    const { branchId, secretary } = await branchWithMembers(1);
    const yesterday = meeting(branchId, {
      startsAt: '2026-12-05T14:00:00+08:00',
      endsAt: '2026-12-05T16:00:00+08:00',
    });
    refused(await secretary.post('/activities', yesterday, DECEMBER), 'late-entry-reason-required');
    const made = await secretary.post('/activities', { ...yesterday, lateEntryReason: '会后补录' }, DECEMBER);
    expect(made.status).toBe(201);
    expect(made.body.recordedLate).toMatchObject({ reason: '会后补录', by: secretary.personId });
    // Moving a scheduled activity's end into the past is the same.
    const ahead = await secretary.post('/activities', meeting(branchId), at('2026-11-20T10:00:00+08:00'));
    expect(ahead.body.recordedLate).toBeUndefined();
    const moved = { version: 1, startsAt: yesterday.startsAt, endsAt: yesterday.endsAt };
    refused(
      await secretary.patch(`/activities/${ahead.body.activityId}`, moved, DECEMBER),
      'late-entry-reason-required',
    );
  });

  it('gives attendance and completion 7 local days after the day it ended, and the secretary 60', async () => {
    const { branchId, memberIds, secretary } = await branchWithMembers(1);
    const { body } = await secretary.post('/activities', meeting(branchId), at('2026-11-20T10:00:00+08:00'));
    const path = `/activities/${body.activityId}`;
    const entry = { entries: [{ personId: memberIds[0], status: 'present' }] };
    // The meeting ended 2026-11-26 11:00: on time through 2026-12-03.
    expect((await secretary.put(`${path}/attendance`, entry, at('2026-12-03T23:59:59+08:00'))).status).toBe(
      200,
    );
    const read = await secretary.get(path);
    expect(read.body.recordedLate).toBeUndefined();
    expect(read.body.version).toBe(1);
    refused(
      await secretary.put(`${path}/attendance`, entry, at('2026-12-04T00:00:00+08:00')),
      'late-entry-reason-required',
    );
    refused(
      await secretary.post(`${path}/complete`, { minutes: '记录' }, at('2026-12-04T00:00:00+08:00')),
      'late-entry-reason-required',
    );
    // The last day a secretary may still: the 60th after 2026-11-26.
    refused(
      await secretary.put(
        `${path}/attendance`,
        { ...entry, lateEntryReason: '补录' },
        at('2027-01-26T00:00:00+08:00'),
      ),
      'late-entry-closed',
    );
    const late = await secretary.put(
      `${path}/attendance`,
      { ...entry, lateEntryReason: '书记出差，回来补录' },
      at('2027-01-25T23:59:59+08:00'),
    );
    expect(late.status).toBe(200);
    const marked = await secretary.get(path);
    expect(marked.body).toMatchObject({
      version: 2,
      recordedLate: { reason: '书记出差，回来补录', recordedAt: '2027-01-25T23:59:59+08:00' },
    });
  });
});
