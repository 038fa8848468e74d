/**
 * Across services, end to end: HTTP in, HTTP out, and only the bus in between. Each flow
 * starts from one service's API and ends at another's, with `settle()` waiting for the
 * outboxes, the relays and every delivery (and what it caused) to finish. The flows are
 * run by flows.test.ts on the shared runtime and by duplicates.test.ts on a runtime that
 * delivers every event twice: their exact figures must not change.
 */
import { expect } from 'vitest';
import { duringRegistration, eventDay, publishedEvent } from '../community/support.js';
import { pdfBytes, uploadWith } from '../resources/support.js';
import { as, settle } from '../support/api.js';
import { committee, newBranch, register } from '../talent/support.js';

type Client = Awaited<ReturnType<typeof as>>;

const MEETING_AT = { startsAt: '2026-12-03T14:00:00+08:00', endsAt: '2026-12-03T16:00:00+08:00' };

/**
 * A branch with a secretary, and full members registered in talent (not on the bus by hand),
 * known to every other service's roster copy once this returns: a member acts for themselves
 * only as a person the service holds.
 */
const branchWithPeople = async (admin: Client, n: number) => {
  const { branchId } = await newBranch(admin);
  const people = [];
  for (let i = 0; i < n; i++) {
    people.push(
      await register(admin, {
        branchId,
        politicalStatus: 'full',
        statusSince: '2015-07-01',
        name: `党员${i}`,
      }),
    );
  }
  const secretary = await as({ roles: ['secretary', 'member'], branchId });
  await settle();
  return { branchId, people, secretary };
};

const scheduleMeeting = async (secretary: Client, branchId: string, type = 'branch-general-meeting') => {
  const res = await secretary.post(
    '/activities',
    { branchId, type, title: '支部党员大会', ...MEETING_AT },
    { now: '2026-11-26T10:00:00+08:00' },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { activityId: string; inviteeIds: string[] };
};

const timeline = async (admin: Client, personId: string) => {
  const res = await admin.get(`/talent/people/${personId}/timeline`);
  expect(res.status).toBe(200);
  return res.body as {
    items: { type: string; [k: string]: unknown }[];
    points: { year: number; [k: string]: number }[];
  };
};

const pointsIn = (t: Awaited<ReturnType<typeof timeline>>, year: number) =>
  t.points.find((p) => p.year === year);

export const flows: [string, () => Promise<void>][] = [
  [
    'talent → activities: a registered member is invited to the next branch meeting, and follows a branch move',
    async () => {
      const admin = await committee();
      const a = await branchWithPeople(admin, 2);
      const b = await branchWithPeople(admin, 1);
      await settle();

      const first = await scheduleMeeting(a.secretary, a.branchId);
      expect([...first.inviteeIds].sort()).toEqual(a.people.map((p) => p.personId).sort());

      const mover = a.people[0] as { personId: string; version: number };
      const moved = await admin.patch(`/talent/people/${mover.personId}`, {
        version: mover.version,
        branchId: b.branchId,
      });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      await settle();

      const inA = await scheduleMeeting(a.secretary, a.branchId);
      const inB = await scheduleMeeting(b.secretary, b.branchId);
      expect(inA.inviteeIds).not.toContain(mover.personId);
      expect(inA.inviteeIds).toEqual([a.people[1]?.personId]);
      expect([...inB.inviteeIds].sort()).toEqual([mover.personId, b.people[0]?.personId].sort());
    },
  ],
  [
    'activities → talent: each invitee’s attendance is on their timeline with the points of its status',
    async () => {
      const admin = await committee();
      const { branchId, people, secretary } = await branchWithPeople(admin, 3);
      await settle();
      const meeting = await scheduleMeeting(secretary, branchId);
      const [present, late, absent] = people.map((p) => p.personId) as [string, string, string];
      const recorded = await secretary.put(
        `/activities/${meeting.activityId}/attendance`,
        {
          entries: [
            { personId: present, status: 'present' },
            { personId: late, status: 'late' },
          ],
        },
        { now: '2026-12-03T15:00:00+08:00' },
      );
      expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
      const completed = await secretary.post(
        `/activities/${meeting.activityId}/complete`,
        { minutes: '学习了党章。', resolutions: ['同意接收张三为预备党员'] },
        { now: '2026-12-03T16:30:00+08:00' },
      );
      expect(completed.status, JSON.stringify(completed.body)).toBe(200);
      await settle();

      const expected: [string, string, number][] = [
        [present, 'present', 2],
        [late, 'late', 1],
        [absent, 'absent', -1], // unrecorded at completion: absent
      ];
      for (const [personId, status, points] of expected) {
        const t = await timeline(admin, personId);
        const entry = t.items.find((i) => i.type === 'attendance');
        expect(entry, `${status} on the timeline`).toMatchObject({ status });
        expect(JSON.stringify(entry)).toContain(meeting.activityId);
        expect(pointsIn(t, 2026)).toMatchObject({ attendance: points, total: points });
        expect(t.items.filter((i) => i.type === 'attendance')).toHaveLength(1);
      }
    },
  ],
  [
    'resources → talent: a completed study and a passed assessment are on the timeline and in the points',
    async () => {
      const admin = await committee();
      const { branchId, people, secretary } = await branchWithPeople(admin, 1);
      const personId = (people[0] as { personId: string }).personId;
      const member = await as({ roles: ['member'], branchId, personId: personId });

      const link = await secretary.post('/resources', {
        title: '学习贯彻党的二十大精神',
        kind: 'link',
        url: 'https://www.12371.cn/special/20da/',
        audience: { branchIds: [branchId] },
      });
      expect(link.status, JSON.stringify(link.body)).toBe(201);
      const resourceId = link.body.resourceId as string;
      const now = { now: '2026-12-01T20:00:00+08:00' };
      expect((await member.post(`/resources/${resourceId}/progress`, { minutes: 45 }, now)).status).toBe(200);
      expect(
        (await member.post(`/resources/${resourceId}/progress`, { minutes: 20, completed: true }, now))
          .status,
      ).toBe(200);

      const assessment = await secretary.post('/resources/assessments', {
        title: '党章知识考核',
        passMark: 60,
        timeLimitMinutes: 20,
        maxAttempts: 1,
        questions: [{ kind: 'true-false', prompt: '预备党员的预备期为一年。', answer: true }],
      });
      expect(assessment.status, JSON.stringify(assessment.body)).toBe(201);
      const { assessmentId } = assessment.body as { assessmentId: string };
      const attempt = await member.post(`/resources/assessments/${assessmentId}/attempts`, undefined, now);
      expect(attempt.status).toBe(201);
      const questionId = attempt.body.questions[0].questionId as string;
      const graded = await member.post(
        `/resources/assessments/${assessmentId}/attempts/${attempt.body.attemptId}/submit`,
        { answers: { [questionId]: true } },
        now,
      );
      expect(graded.body).toMatchObject({ score: 100, passed: true });
      await settle();

      const t = await timeline(admin, personId);
      expect(t.items.map((i) => i.type).sort()).toEqual(expect.arrayContaining(['assessment', 'study']));
      // 65 minutes: two full half-hours; a passed assessment: 5.
      expect(pointsIn(t, 2026)).toMatchObject({ study: 2, assessment: 5, total: 7 });
    },
  ],
  [
    'community → talent: a completed joint event shows as volunteering hours on the timeline',
    async () => {
      const { eventId, admin } = await publishedEvent({ capacity: 5 });
      const { branchId, people } = await branchWithPeople(admin, 1);
      const personId = (people[0] as { personId: string }).personId;
      const member = await as({ roles: ['member'], personId: personId, branchId });
      const registration = await member.post(
        `/community/events/${eventId}/registrations`,
        {},
        { now: duringRegistration },
      );
      expect(registration.body.confirmed).toBe(1);
      const checkIn = await admin.post(
        `/community/events/${eventId}/check-in`,
        { registrationId: registration.body.registrationId },
        { now: eventDay },
      );
      expect(checkIn.status).toBe(200);
      const done = await admin.post(`/community/events/${eventId}/complete`, undefined, {
        now: '2027-03-12T12:00:00+08:00',
      });
      expect(done.status).toBe(200);
      await settle();
      const t = await timeline(admin, personId);
      const entries = t.items.filter((i) => i.type === 'volunteering');
      expect(entries).toHaveLength(1);
      expect(JSON.stringify(entries[0])).toContain(eventId);
      // 09:00–11:40 counts as 2.5 hours (rounded to the half hour): 2 points for 2 full hours.
      expect(pointsIn(t, 2027)).toMatchObject({ volunteering: 2, total: 2 });
    },
  ],
  [
    'resources: an upload stays uploading until S3 reports the object, then serves the same bytes',
    async () => {
      const admin = await committee();
      const { branchId, secretary } = await branchWithPeople(admin, 0);
      const member = await as({ roles: ['member'], branchId });
      const bytes = pdfBytes('会议精神');
      const created = await secretary.post('/resources', {
        title: '全会精神',
        kind: 'meeting-spirit',
        contentType: 'application/pdf',
        sizeBytes: bytes.length,
        audience: { branchIds: [branchId] },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const { resourceId } = created.body as { resourceId: string };
      await settle();
      expect((await secretary.get(`/resources/${resourceId}`)).body.status).toBe('uploading');
      expect((await member.get(`/resources/${resourceId}/download`)).status).toBeGreaterThanOrEqual(400);

      expect((await uploadWith(created.body.upload, bytes, 'application/pdf')).status).toBeLessThan(300);
      await settle();
      expect((await secretary.get(`/resources/${resourceId}`)).body.status).toBe('available');
      const download = await member.get(`/resources/${resourceId}/download`);
      expect(download.status).toBe(200);
      const fetched = new Uint8Array(await (await fetch(download.body.url)).arrayBuffer());
      expect(Buffer.from(fetched).equals(Buffer.from(bytes))).toBe(true);
    },
  ],
];
