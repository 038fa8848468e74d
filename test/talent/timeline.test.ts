/**
 * Timelines and points from other services' events, put on the real bus: replays of the same
 * envelope and different events about the same fact change nothing; a later correction
 * replaces the earlier report; the year is the event's local (Asia/Shanghai) date.
 */
import { describe, expect, it } from 'vitest';
import { AttendanceRecorded } from '../../services/activities/events.js';
import { JointEventCompleted } from '../../services/community/events.js';
import { AssessmentGraded, StudyCompleted } from '../../services/resources/events.js';
import { newId } from '../../shared/ids.js';
import { as, publish, runtime, settle } from '../support/api.js';
import { committee, newBranch, register } from './support.js';

const attendance = (
  personId: string,
  branchId: string,
  activityId: string,
  status: 'present' | 'late' | 'excused' | 'absent',
  startsAt = '2026-03-01T09:00:00+08:00',
) => ({
  activityId,
  branchId,
  type: 'theme-day' as const,
  title: '主题党日',
  startsAt,
  endsAt: startsAt.replace('09:00', '11:00'),
  attendees: [{ personId, status }],
});

/** Events talent's consumers gave up on that concern these people: there should be none. */
const deadLettersAbout = async (personIds: string[]) => {
  const res = await fetch(`${runtime().busEndpoint}/dead-letters`);
  const body = (await res.json()) as any;
  const letters: any[] = Array.isArray(body) ? body : body.items;
  return letters.filter(
    (l) =>
      String(l.target).startsWith('talent.') && personIds.some((id) => JSON.stringify(l.event).includes(id)),
  );
};

const setup = async () => {
  const admin = await committee();
  const { branchId } = await newBranch(admin);
  const person = await register(admin, { branchId, politicalStatus: 'full' });
  const self = await as({ roles: ['member'], branchId, personId: person.personId });
  const points = async (year: number) =>
    ((await self.get(`/talent/people/${person.personId}/timeline`)).body.points as any[]).find(
      (y) => y.year === year,
    );
  return { admin, branchId, personId: person.personId, self, points };
};

describe('attendance points', () => {
  it('a replayed envelope and a re-published fact count once; a later correction replaces it', async () => {
    const { branchId, personId, points, self } = await setup();
    const activityId = newId();
    const first = await publish(AttendanceRecorded, attendance(personId, branchId, activityId, 'present'), {
      occurredAt: new Date('2026-03-01T04:00:00Z'),
    });
    await publish(AttendanceRecorded, first.data, { envelope: first });
    // Another event id for the very same fact.
    await publish(AttendanceRecorded, attendance(personId, branchId, activityId, 'present'), {
      occurredAt: new Date('2026-03-01T04:00:00Z'),
    });
    await settle();
    expect(await points(2026)).toEqual({
      year: 2026,
      total: 2,
      attendance: 2,
      study: 0,
      assessment: 0,
      volunteering: 0,
    });

    // The secretary corrects it to absent; activities re-publishes.
    await publish(AttendanceRecorded, attendance(personId, branchId, activityId, 'absent'), {
      occurredAt: new Date('2026-03-02T04:00:00Z'),
    });
    await settle();
    expect((await points(2026)).attendance).toBe(-1);
    // A late redelivery of an older report does not undo the correction.
    await publish(AttendanceRecorded, attendance(personId, branchId, activityId, 'late'), {
      occurredAt: new Date('2026-03-01T05:00:00Z'),
    });
    await settle();
    expect((await points(2026)).attendance).toBe(-1);

    const other = newId();
    await publish(
      AttendanceRecorded,
      attendance(personId, branchId, other, 'late', '2026-04-01T09:00:00+08:00'),
    );
    await publish(
      AttendanceRecorded,
      attendance(personId, branchId, newId(), 'excused', '2026-05-01T09:00:00+08:00'),
    );
    await settle();
    expect((await points(2026)).attendance).toBe(0);

    const timeline = await self.get(`/talent/people/${personId}/timeline`);
    expect(timeline.body.items.map((e: any) => [e.type, e.on, e.status, e.points])).toEqual([
      ['attendance', '2026-05-01', 'excused', 0],
      ['attendance', '2026-04-01', 'late', 1],
      ['attendance', '2026-03-01', 'absent', -1],
    ]);
    expect(await deadLettersAbout([personId])).toEqual([]);

    // Paged: the same entries, newest first, a page at a time; points always for the whole.
    const firstPage = await self.get(`/talent/people/${personId}/timeline?limit=2`);
    expect(firstPage.body.items.map((e: any) => e.on)).toEqual(['2026-05-01', '2026-04-01']);
    expect(firstPage.body.points[0].attendance).toBe(0);
    const second = await self.get(
      `/talent/people/${personId}/timeline?limit=2&cursor=${encodeURIComponent(firstPage.body.nextCursor)}`,
    );
    expect(second.body.items.map((e: any) => e.on)).toEqual(['2026-03-01']);
    expect(second.body.nextCursor).toBeUndefined();
    expect((await self.get(`/talent/people/${personId}/timeline?cursor=junk`)).status).toBe(400);

    // A meeting entered after the fact says so on the timeline, with the reason (补录).
    const late = newId();
    const recordedLate = { reason: '据纸质签到表补录', recordedAt: '2026-06-20T02:00:00.000Z' };
    await publish(AttendanceRecorded, {
      ...attendance(personId, branchId, late, 'present', '2026-02-01T09:00:00+08:00'),
      recordedLate: { ...recordedLate, by: newId() },
    });
    await settle();
    const entries = (await self.get(`/talent/people/${personId}/timeline`)).body.items;
    expect(entries.find((e: any) => e.activityId === late)?.recordedLate).toEqual(recordedLate);
    expect(entries.find((e: any) => e.activityId === other)?.recordedLate).toBeUndefined();
  });
});

describe('attendance of a group', () => {
  it('one event credits everyone it names, each once; a version-1 event (one invitee) still counts', async () => {
    const { admin, branchId, personId, points } = await setup();
    const others = await Promise.all(
      ['late', 'absent'].map(() => register(admin, { branchId, politicalStatus: 'full' })),
    );
    const pointsOf = async (id: string) => {
      const self = await as({ roles: ['member'], branchId, personId: id });
      return ((await self.get(`/talent/people/${id}/timeline`)).body.points as any[]).find(
        (y) => y.year === 2026,
      );
    };
    const activityId = newId();
    const group = {
      ...attendance(personId, branchId, activityId, 'present'),
      attendees: [
        { personId, status: 'present' as const },
        { personId: (others[0] as { personId: string }).personId, status: 'late' as const },
        { personId: (others[1] as { personId: string }).personId, status: 'absent' as const },
      ],
    };
    const sent = await publish(AttendanceRecorded, group, { occurredAt: new Date('2026-03-01T04:00:00Z') });
    await publish(AttendanceRecorded, sent.data, { envelope: sent });
    await settle();
    expect((await points(2026)).attendance).toBe(2);
    expect((await pointsOf((others[0] as { personId: string }).personId)).attendance).toBe(1);
    expect((await pointsOf((others[1] as { personId: string }).personId)).attendance).toBe(-1);

    // Published before version 2 deployed: one invitee, named at the top level.
    const { attendees: _, ...ref } = attendance(
      personId,
      branchId,
      newId(),
      'late',
      '2026-04-01T09:00:00+08:00',
    );
    const legacy = { ...ref, personId, status: 'late' };
    await publish(AttendanceRecorded, group, {
      envelope: { eventId: newId(), occurredAt: new Date().toISOString(), version: 1, data: legacy } as never,
    });
    await settle();
    expect((await points(2026)).attendance).toBe(3);
    expect(await deadLettersAbout([personId])).toEqual([]);
  });
});

describe('study, assessment and volunteering points', () => {
  it('study 1 per full 30 minutes, capped at 20 a year by the local date', async () => {
    const { personId, points } = await setup();
    const study = (resourceId: string, minutes: number, completedAt: string) =>
      publish(StudyCompleted, { resourceId, title: '学习材料', personId, minutes, completedAt });
    const r1 = newId();
    const e = await study(r1, 95, '2026-02-01T10:00:00+08:00');
    await publish(StudyCompleted, e.data, { envelope: e });
    await study(r1, 95, '2026-02-01T10:00:00+08:00');
    // 16:30 UTC on New Year's Eve is already 2026 in Shanghai.
    await study(newId(), 60, '2025-12-31T16:30:00Z');
    await settle();
    expect((await points(2026)).study).toBe(5);
    expect(await points(2025)).toBeUndefined();

    for (let i = 0; i < 8; i++) await study(newId(), 60, '2026-03-01T10:00:00+08:00');
    await settle();
    expect((await points(2026)).study).toBe(20);
  });

  it('an assessment passed gives 5, once per assessment; a failed one nothing', async () => {
    const { personId, points } = await setup();
    const assessmentId = newId();
    const graded = (attemptId: string, passed: boolean) =>
      publish(AssessmentGraded, {
        assessmentId,
        attemptId,
        title: '党章测试',
        personId,
        score: passed ? 90 : 40,
        passed,
        gradedAt: '2026-06-01T10:00:00+08:00',
      });
    const failed = newId();
    await graded(failed, false);
    const passedAttempt = newId();
    const e = await graded(passedAttempt, true);
    await publish(AssessmentGraded, e.data, { envelope: e });
    await graded(passedAttempt, true);
    await graded(newId(), true);
    await settle();
    expect((await points(2026)).assessment).toBe(5);
  });

  it('volunteering 1 per full hour from a joint event, for each member who took part', async () => {
    const { admin, branchId, personId, points } = await setup();
    const other = await register(admin, { branchId });
    const event = await publish(JointEventCompleted, {
      jointEventId: newId(),
      title: '社区义诊',
      kind: 'health-service',
      startsAt: '2026-09-01T09:00:00+08:00',
      endsAt: '2026-09-01T12:30:00+08:00',
      members: [
        { personId, hours: 3.5 },
        { personId: other.personId, hours: 1 },
      ],
      partnerParticipants: 4,
    });
    await publish(JointEventCompleted, event.data, { envelope: event });
    await publish(JointEventCompleted, event.data);
    await settle();
    expect((await points(2026)).volunteering).toBe(3);
    const theirs = await admin.get(`/talent/people/${other.personId}/timeline`);
    expect(theirs.body.points[0]).toMatchObject({ year: 2026, volunteering: 1, total: 1 });
  });
});

describe('a joint event with many members', () => {
  it('credits every member, beyond what one transaction holds', async () => {
    const { admin, branchId } = await setup();
    const members = Array.from({ length: 95 }, () => ({ personId: newId(), hours: 2 }));
    const last = await register(admin, { branchId });
    members.push({ personId: last.personId, hours: 2 });
    const event = await publish(JointEventCompleted, {
      jointEventId: newId(),
      title: '科普进社区',
      kind: 'science-outreach',
      startsAt: '2026-10-01T09:00:00+08:00',
      endsAt: '2026-10-01T11:00:00+08:00',
      members,
      partnerParticipants: 0,
    });
    await publish(JointEventCompleted, event.data, { envelope: event });
    await settle();
    const timeline = await admin.get(`/talent/people/${last.personId}/timeline`);
    expect(timeline.body.points).toEqual([
      { year: 2026, total: 2, attendance: 0, study: 0, assessment: 0, volunteering: 2 },
    ]);
    expect(await deadLettersAbout([last.personId])).toEqual([]);
  });
});

describe('who sees points', () => {
  it('the person, their secretary and the committee; nobody else', async () => {
    const { admin, branchId, personId, self } = await setup();
    await publish(AttendanceRecorded, attendance(personId, branchId, newId(), 'present'));
    await settle();
    const me = await self.get('/talent/me');
    expect(me.body.points[0]).toMatchObject({ year: 2026, total: 2 });
    const secretary = await as({ roles: ['secretary'], branchId });
    expect((await secretary.get(`/talent/people/${personId}/timeline`)).body.points[0].total).toBe(2);
    expect((await admin.get(`/talent/people/${personId}/timeline`)).body.points[0].total).toBe(2);
    const colleague = await as({ roles: ['member'], branchId });
    expect((await colleague.get(`/talent/people/${personId}/timeline`)).status).toBe(404);
  });
});
