import { describe, expect, it } from 'vitest';
import type { Caller } from '../../shared/auth.js';
import type { Activity } from './domain/activity.js';
import { ActivityView, activityView } from './views.js';

const completed: Activity = {
  activityId: 'A1',
  branchId: 'B1',
  type: 'branch-general-meeting',
  title: '支部党员大会',
  startsAt: '2026-11-26T01:00:00.000Z',
  endsAt: '2026-11-26T03:00:00.000Z',
  inviteeIds: ['p1', 'p2'],
  status: 'completed',
  checkInCode: '042137',
  version: 3,
  attendanceClosed: true,
  createdBy: 's',
  createdAt: '2026-11-20T00:00:00.000Z',
  minutes: '会议记录',
  resolutions: [],
  completedAt: '2026-11-26T03:05:00.000Z',
  attendance: { invited: 2, present: 1, late: 0, excused: 1, absent: 0, attendanceRate: 0.5 },
};

const secretary: Caller = { sub: 's', roles: ['secretary', 'member'], role: 'secretary', branchId: 'B1' };
const member: Caller = { sub: 'p1', roles: ['member'], role: 'member', branchId: 'B1' };

describe('activityView', () => {
  it('answers what its schema documents, in +08:00, and never the completion step marker', () => {
    const view = activityView(completed, secretary);
    expect(ActivityView.parse(view)).toEqual(view);
    expect(view).not.toHaveProperty('attendanceClosed');
    expect(view).toMatchObject({
      startsAt: '2026-11-26T09:00:00+08:00',
      completedAt: '2026-11-26T11:05:00+08:00',
      checkInCode: '042137',
    });
  });

  it('shows the check-in code to organisers only', () => {
    const view = activityView(completed, member);
    expect(ActivityView.parse(view)).toEqual(view);
    expect(view).not.toHaveProperty('checkInCode');
  });
});
