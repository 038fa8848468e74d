/**
 * No body sets what the server owns: ids, statuses, counters, the check-in code, who
 * created or recorded something, or a version as a value (a PATCH's or PUT's `version` is
 * only the precondition; the next version is the server's).
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { at, branchWithMembers, meeting, nth } from './support.js';

const NOW = at('2026-11-20T10:00:00+08:00');
const DURING = at('2026-11-26T09:05:00+08:00');

const fieldsOf = (res: { body: { error?: { details?: { fields?: { field: string }[] } } } }) =>
  (res.body.error?.details?.fields ?? []).map((f) => f.field);

const serverOwned = [
  { activityId: newId() },
  { status: 'completed' },
  { version: 7 },
  { checkInCode: '000000' },
  { createdBy: newId() },
  { createdAt: '2026-01-01T00:00:00+08:00' },
  { minutes: '伪造的会议记录' },
  { attendance: { invited: 1, present: 1, late: 0, excused: 0, absent: 0, attendanceRate: 1 } },
  { attendanceClosed: true },
];

describe('mass assignment', () => {
  it('refuses server-owned fields when scheduling an activity, and writes nothing', async () => {
    const { branchId, secretary } = await branchWithMembers(1);
    for (const extra of serverOwned) {
      const res = await secretary.post('/activities', { ...meeting(branchId), ...extra }, NOW);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(fieldsOf(res)).toContain(`body.${Object.keys(extra)[0]}`);
    }
    expect((await secretary.get(`/activities?branchId=${branchId}`)).body.items).toEqual([]);
  });

  it('takes a PATCH version as the precondition only, and refuses server-owned fields', async () => {
    const { branchId, secretary } = await branchWithMembers(1);
    const made = await secretary.post('/activities', meeting(branchId), NOW);
    const path = `/activities/${made.body.activityId}`;
    for (const extra of serverOwned.filter((e) => !('version' in e))) {
      const res = await secretary.patch(path, { version: 1, title: '改', ...extra }, NOW);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(fieldsOf(res)).toContain(`body.${Object.keys(extra)[0]}`);
    }
    // A version ahead of the stored one is a conflict, never a way to set it.
    expect((await secretary.patch(path, { version: 9, title: '改' }, NOW)).status).toBe(409);
    const changed = await secretary.patch(path, { version: 1, title: '改' }, NOW);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      version: 2,
      status: 'scheduled',
      checkInCode: made.body.checkInCode,
    });
  });

  it('refuses a check-in that names its person or status, and attendance recorded as someone else', async () => {
    const { branchId, secretary, members } = await branchWithMembers(2);
    const made = await secretary.post('/activities', meeting(branchId), NOW);
    const path = `/activities/${made.body.activityId}`;
    const code = made.body.checkInCode as string;
    const member = nth(members, 0);
    for (const extra of [
      { personId: nth(members, 1).personId },
      { status: 'present' },
      { via: 'secretary' },
    ]) {
      const res = await member.post(`${path}/check-in`, { code, ...extra }, DURING);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(fieldsOf(res)).toContain(`body.${Object.keys(extra)[0]}`);
    }
    for (const extra of [
      { recordedBy: newId() },
      { recordedAt: '2026-11-26T09:00:00+08:00' },
      { via: 'check-in' },
    ]) {
      const res = await secretary.put(
        `${path}/attendance`,
        { entries: [{ personId: member.personId, status: 'present', ...extra }] },
        DURING,
      );
      expect(res.status, JSON.stringify(extra)).toBe(400);
    }
    const roll = await secretary.get(`${path}/attendance`);
    expect(roll.body.unknown).toBe(2);
  });

  it('refuses a room id or booking counter on a new room, and settings stamped by the caller', async () => {
    const committee = await as({ roles: ['committee'] });
    for (const extra of [
      { roomId: newId() },
      { bookingsVersion: 3 },
      { createdAt: '2026-01-01T00:00:00Z' },
    ]) {
      const res = await committee.post('/activities/rooms', { name: '党员活动室', capacity: 10, ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(fieldsOf(res)).toContain(`body.${Object.keys(extra)[0]}`);
    }
    const read = await committee.get('/activities/settings/cadence');
    for (const extra of [{ updatedBy: newId() }, { updatedAt: '2026-01-01T00:00:00Z' }]) {
      const res = await committee.put('/activities/settings/cadence', {
        rules: read.body.rules,
        version: read.body.version,
        ...extra,
      });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(fieldsOf(res)).toContain(`body.${Object.keys(extra)[0]}`);
    }
  });
});
