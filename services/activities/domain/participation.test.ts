import { describe, expect, it } from 'vitest';
import { finalStatus, roll, tally } from './attendance.js';
import { participation } from './participation.js';

describe('attendance', () => {
  it('lists every invitee, unknown until recorded, and absent once final', () => {
    const r = roll(['a', 'b', 'c'], new Map([['b', 'late' as const]]));
    expect(r).toEqual([
      { personId: 'a', status: 'unknown' },
      { personId: 'b', status: 'late' },
      { personId: 'c', status: 'unknown' },
    ]);
    expect(tally(r.map((x) => x.status))).toEqual({
      invited: 3,
      present: 0,
      late: 1,
      excused: 0,
      absent: 0,
      unknown: 2,
      attendanceRate: 0.3333,
    });
    expect(tally(r.map((x) => finalStatus(x.status)))).toMatchObject({ absent: 2, unknown: 0 });
    expect(tally([]).attendanceRate).toBeNull();
  });
});

describe('participation', () => {
  it('rates each member, flags those below 60% (exactly 60% is not flagged), and rates the branch', () => {
    const records = [
      ...['present', 'late', 'present', 'absent', 'excused'].map((status) => ({ personId: 'ok', status })),
      ...['present', 'absent', 'excused'].map((status) => ({ personId: 'low', status })),
    ] as { personId: string; status: 'present' | 'late' | 'excused' | 'absent' }[];
    const r = participation(records);
    expect(r.members).toEqual([
      {
        personId: 'low',
        invited: 3,
        present: 1,
        late: 0,
        excused: 1,
        absent: 1,
        rate: 0.3333,
        flagged: true,
      },
      { personId: 'ok', invited: 5, present: 2, late: 1, excused: 1, absent: 1, rate: 0.6, flagged: false },
    ]);
    expect(r).toMatchObject({ invited: 8, attended: 4, rate: 0.5 });
  });
});
