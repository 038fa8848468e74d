import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../shared/auth.js';
import {
  type Activity,
  canSee,
  checkCompletion,
  checkIn,
  checkWindow,
  newCheckInCode,
  requireScheduled,
} from './activity.js';

const activity = (over: Partial<Activity> = {}): Activity => ({
  activityId: 'A1',
  branchId: 'B1',
  type: 'party-lesson',
  title: '党课',
  startsAt: '2026-11-26T01:00:00.000Z',
  endsAt: '2026-11-26T03:00:00.000Z',
  inviteeIds: ['p1', 'p2'],
  status: 'scheduled',
  checkInCode: '042137',
  version: 1,
  createdBy: 's',
  createdAt: '2026-11-20T00:00:00.000Z',
  ...over,
});

const code = (r: { ok: boolean; error?: { code: string }; value?: unknown }) =>
  r.ok ? r.value : r.error?.code;

describe('the time window', () => {
  it('normalises to UTC, needs the end after the start and at most 12 hours between', () => {
    expect(checkWindow('2026-11-26T09:00:00+08:00', '2026-11-26T21:00:00+08:00')).toEqual({
      ok: true,
      value: { startsAt: '2026-11-26T01:00:00.000Z', endsAt: '2026-11-26T13:00:00.000Z' },
    });
    expect(code(checkWindow('2026-11-26T09:00:00+08:00', '2026-11-26T21:00:01+08:00'))).toBe('too-long');
    expect(code(checkWindow('2026-11-26T09:00:00+08:00', '2026-11-26T09:00:00+08:00'))).toBe(
      'ends-before-start',
    );
  });
});

describe('self check-in', () => {
  const at = (iso: string) => new Date(iso);
  it.each([
    ['2026-11-26T00:29:59.999Z', 'check-in-not-open'],
    ['2026-11-26T00:30:00.000Z', 'present'],
    ['2026-11-26T01:15:00.000Z', 'present'],
    ['2026-11-26T01:15:00.001Z', 'late'],
    ['2026-11-26T03:00:00.000Z', 'late'],
    ['2026-11-26T03:00:00.001Z', 'check-in-closed'],
  ])('at %s: %s', (now, expected) => {
    expect(code(checkIn(activity(), 'p1', '042137', at(now)))).toBe(expected);
  });

  it('refuses the uninvited (422) and a wrong code', () => {
    const r = checkIn(activity(), 'p9', '042137', at('2026-11-26T01:00:00Z'));
    expect(r.ok ? undefined : [r.error.kind, r.error.code]).toEqual(['rule', 'not-invited']);
    expect(code(checkIn(activity(), 'p1', '042138', at('2026-11-26T01:00:00Z')))).toBe('wrong-check-in-code');
  });
});

describe('status rules', () => {
  it('changes only what is scheduled with attendance open', () => {
    expect(code(requireScheduled(activity({ status: 'completed' }), 'x'))).toBe('activity-completed');
    expect(code(requireScheduled(activity({ status: 'cancelled' }), 'x'))).toBe('activity-cancelled');
    expect(code(requireScheduled(activity({ attendanceClosed: true }), 'x'))).toBe('activity-completing');
  });

  it('completes only once started, and lets an interrupted completion go on', () => {
    expect(code(checkCompletion(activity(), new Date('2026-11-26T00:59:59Z')))).toBe('activity-not-started');
    expect(checkCompletion(activity(), new Date('2026-11-26T01:00:00Z')).ok).toBe(true);
    expect(checkCompletion(activity({ attendanceClosed: true }), new Date('2026-11-26T05:00:00Z')).ok).toBe(
      true,
    );
    expect(code(checkCompletion(activity({ status: 'completed' }), new Date('2026-11-27T00:00:00Z')))).toBe(
      'activity-completed',
    );
  });
});

describe('codes and visibility', () => {
  it('makes six digits, keeping leading zeros', () => {
    expect(newCheckInCode(() => 42)).toBe('000042');
    expect(newCheckInCode(() => 999_999)).toBe('999999');
  });

  it("shows a member their own branch's activities and those they are invited to", () => {
    const member = (branchId: string, personId = 'x'): Caller => ({
      sub: `account-of-${personId}`,
      personId,
      roles: ['member'],
      role: 'member',
      branchId,
    });
    expect(canSee(member('B1'), activity())).toBe(true);
    expect(canSee(member('B2'), activity())).toBe(false);
    expect(canSee(member('B2', 'p1'), activity())).toBe(true);
    const secretaryB2: Caller = { sub: 's', roles: ['secretary'], role: 'secretary', branchId: 'B2' };
    expect(canSee(secretaryB2, activity())).toBe(false);
  });
});
