/** Attendance: tallies, rates and the final statuses fixed at completion. Pure. */
import type { AttendanceStatus } from '../events.js';

export type RecordedStatus = AttendanceStatus | 'unknown';

export interface Tally {
  invited: number;
  present: number;
  late: number;
  excused: number;
  absent: number;
  unknown: number;
  /** (present + late) / invited; 请假 (excused) does not count as attending. Null with no invitees. */
  attendanceRate: number | null;
}

export const rate = (attended: number, invited: number): number | null =>
  invited === 0 ? null : Math.round((attended / invited) * 10_000) / 10_000;

/** Every invitee with their status: what was recorded, else `unknown`. */
export const roll = (
  inviteeIds: readonly string[],
  recorded: ReadonlyMap<string, RecordedStatus>,
): { personId: string; status: RecordedStatus }[] =>
  inviteeIds.map((personId) => ({ personId, status: recorded.get(personId) ?? 'unknown' }));

export const tally = (statuses: readonly RecordedStatus[]): Tally => {
  const t = { invited: statuses.length, present: 0, late: 0, excused: 0, absent: 0, unknown: 0 };
  for (const s of statuses) t[s] += 1;
  return { ...t, attendanceRate: rate(t.present + t.late, t.invited) };
};

/** At completion nobody stays unknown: whoever was not recorded was absent. */
export const finalStatus = (status: RecordedStatus): AttendanceStatus =>
  status === 'unknown' ? 'absent' : status;
