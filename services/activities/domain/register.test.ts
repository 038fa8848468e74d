import { describe, expect, it } from 'vitest';
import type { Activity } from './activity.js';
import { registerLines, registerTotals, summaryOf } from './register.js';

const activity = (over: Partial<Activity> & { activityId: string }): Activity => ({
  branchId: 'b1',
  type: 'branch-committee-meeting',
  title: '支委会',
  startsAt: '2026-03-05T01:00:00.000Z',
  endsAt: '2026-03-05T03:00:00.000Z',
  inviteeIds: ['p1', 'p2', 'p3'],
  status: 'scheduled',
  checkInCode: '123456',
  version: 1,
  createdBy: 'p9',
  createdAt: '2026-03-01T00:00:00.000Z',
  ...over,
});

describe('the register (三会一课台账)', () => {
  it('gives a held meeting its tally, the absent and excused by name, minutes and evidence', () => {
    const [line] = registerLines({
      activities: [
        activity({
          activityId: 'a1',
          status: 'completed',
          roomId: 'r1',
          minutes: '研究发展党员工作。',
          attendance: { invited: 3, present: 1, late: 0, excused: 1, absent: 1, attendanceRate: 0.3333 },
        }),
      ],
      finals: [
        { activityId: 'a1', personId: 'p1', status: 'present' },
        { activityId: 'a1', personId: 'p2', status: 'absent' },
        { activityId: 'a1', personId: 'p3', status: 'excused' },
        { activityId: 'other', personId: 'p1', status: 'absent' },
      ],
      names: new Map([
        ['p2', '李四'],
        ['p3', '王五'],
      ]),
      rooms: new Map([['r1', '第一党员活动室']]),
      evidence: { a1: 2 },
    });
    expect(line).toEqual({
      activityId: 'a1',
      date: '2026-03-05',
      time: '09:00–11:00',
      type: 'branch-committee-meeting',
      title: '支委会',
      place: '第一党员活动室',
      invited: 3,
      attended: 1,
      late: 0,
      excused: 1,
      absent: 1,
      absentees: ['李四'],
      excusedPeople: ['王五'],
      minutesSummary: '研究发展党员工作。',
      evidence: 2,
      status: 'completed',
    });
  });

  it('marks a cancelled meeting with its reason and gives it no counts, and a late record its 补录', () => {
    const lines = registerLines({
      activities: [
        activity({
          activityId: 'a1',
          status: 'cancelled',
          cancelReason: '与上级会议冲突',
          location: '会议室',
        }),
        activity({
          activityId: 'a2',
          status: 'completed',
          recordedLate: { reason: '补记', recordedAt: '2026-04-01T00:00:00.000Z', by: 'p9' },
          attendance: { invited: 1, present: 1, late: 0, excused: 0, absent: 0, attendanceRate: 1 },
        }),
      ],
      finals: [],
      names: new Map(),
      rooms: new Map(),
      evidence: {},
    });
    expect(lines[0]).toMatchObject({ status: 'cancelled', invited: 3, place: '会议室', evidence: 0 });
    expect(lines[0]?.remarks).toBe('取消原因：与上级会议冲突');
    expect(lines[0]?.attended).toBeUndefined();
    expect(lines[1]?.remarks).toBe('补录：补记');
  });

  it('quotes the first 200 characters of the minutes, marking a cut', () => {
    expect(summaryOf('会'.repeat(200))).toBe('会'.repeat(200));
    expect(summaryOf(`${'会'.repeat(200)}议`)).toBe(`${'会'.repeat(200)}…`);
    expect(summaryOf('  ')).toBeUndefined();
    expect(summaryOf(undefined)).toBeUndefined();
  });

  it('totals each type: held, cancelled, scheduled, attendance and meetings without evidence', () => {
    const lines = registerLines({
      activities: [
        activity({
          activityId: 'a1',
          status: 'completed',
          attendance: { invited: 3, present: 2, late: 1, excused: 0, absent: 0, attendanceRate: 1 },
        }),
        activity({
          activityId: 'a2',
          status: 'completed',
          attendance: { invited: 3, present: 0, late: 0, excused: 0, absent: 3, attendanceRate: 0 },
        }),
        activity({ activityId: 'a3', status: 'cancelled' }),
        activity({ activityId: 'a4', type: 'party-lesson' }),
      ],
      finals: [],
      names: new Map(),
      rooms: new Map(),
      evidence: { a1: 1 },
    });
    expect(registerTotals(lines)).toEqual([
      {
        type: 'branch-committee-meeting',
        held: 2,
        cancelled: 1,
        scheduled: 0,
        invited: 6,
        attended: 3,
        rate: 0.5,
        withoutEvidence: 1,
      },
      {
        type: 'party-lesson',
        held: 0,
        cancelled: 0,
        scheduled: 1,
        invited: 0,
        attended: 0,
        rate: null,
        withoutEvidence: 0,
      },
    ]);
  });
});
