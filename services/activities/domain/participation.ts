/** Participation per member and per branch, from final attendance records. Pure. */
import type { AttendanceStatus } from '../events.js';
import { rate } from './attendance.js';

/** Members attending less than this share of what they were invited to are flagged. */
export const LOW_PARTICIPATION = 0.6;

export interface FinalRecord {
  personId: string;
  status: AttendanceStatus;
}

export interface MemberParticipation {
  personId: string;
  invited: number;
  present: number;
  late: number;
  excused: number;
  absent: number;
  /** (present + late) / invited. */
  rate: number | null;
  flagged: boolean;
}

export const participation = (
  records: readonly FinalRecord[],
): { members: MemberParticipation[]; invited: number; attended: number; rate: number | null } => {
  const byPerson = new Map<string, MemberParticipation>();
  for (const r of records) {
    const m = byPerson.get(r.personId) ?? {
      personId: r.personId,
      invited: 0,
      present: 0,
      late: 0,
      excused: 0,
      absent: 0,
      rate: null,
      flagged: false,
    };
    m.invited += 1;
    m[r.status] += 1;
    byPerson.set(r.personId, m);
  }
  let invited = 0;
  let attended = 0;
  const members = [...byPerson.values()]
    .map((m) => {
      invited += m.invited;
      attended += m.present + m.late;
      const r = rate(m.present + m.late, m.invited);
      return { ...m, rate: r, flagged: r !== null && r < LOW_PARTICIPATION };
    })
    .sort((a, b) => (a.rate ?? 0) - (b.rate ?? 0) || a.personId.localeCompare(b.personId));
  return { members, invited, attended, rate: rate(attended, invited) };
};
