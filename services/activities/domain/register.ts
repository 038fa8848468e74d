/**
 * A branch's register of its meetings (三会一课台账) for a year, as an inspection reads it:
 * every activity of the year, held, cancelled or still to come, with what happened at it.
 * Pure: the activities, their final attendance, names and evidence counts are parameters.
 */
import { localDate, toLocalIso } from '../../../shared/time.js';
import type { ActivityType, AttendanceStatus } from '../events.js';
import type { Activity, ActivityStatus } from './activity.js';
import { rate } from './attendance.js';
import { type EvidenceTally, evidenceOf } from './evidence.js';

/** The types as the institution's registers name them. */
export const activityTypeLabels: Record<ActivityType, string> = {
  'branch-general-meeting': '支部党员大会',
  'branch-committee-meeting': '支委会',
  'party-group-meeting': '党小组会',
  'party-lesson': '党课',
  'theme-day': '主题党日',
  'organizational-life-meeting': '组织生活会',
  'democratic-evaluation': '民主评议党员',
  'history-study': '党史学习教育',
  'warning-education': '警示教育',
  seminar: '专题研讨',
  other: '其他',
};

export const activityStatusLabels: Record<ActivityStatus, string> = {
  completed: '已召开',
  cancelled: '已取消',
  scheduled: '已安排',
};

/** How much of the minutes the register quotes; the whole is on the activity. */
export const MINUTES_SUMMARY_CHARS = 200;

/** One line of the register. Counts are the final tally, so only a held meeting has them. */
export interface RegisterLine {
  activityId: string;
  /** Local date and `HH:mm–HH:mm`. */
  date: string;
  time: string;
  type: ActivityType;
  title: string;
  place?: string;
  invited: number;
  attended?: number;
  late?: number;
  excused?: number;
  absent?: number;
  /** Names (the person's id where the roster copy has no name), in the order of the records. */
  absentees: string[];
  excusedPeople: string[];
  minutesSummary?: string;
  /** Accepted files (佐证材料). */
  evidence: number;
  status: ActivityStatus;
  /** Why it was cancelled, or recorded after the fact (补录). */
  remarks?: string;
}

export interface FinalStatus {
  activityId: string;
  personId: string;
  status: AttendanceStatus;
}

/** The first `max` characters (not UTF-16 units), marked when cut. */
export const summaryOf = (text: string | undefined, max = MINUTES_SUMMARY_CHARS): string | undefined => {
  if (text === undefined) return undefined;
  const chars = [...text.trim()];
  if (chars.length === 0) return undefined;
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max).join('')}…`;
};

const clock = (iso: string) => toLocalIso(new Date(iso)).slice(11, 16);

export const registerLines = (input: {
  /** By start, as the branch's index gives them. */
  activities: readonly Activity[];
  /** The final statuses of the held ones' invitees (written at completion). */
  finals: readonly FinalStatus[];
  names: ReadonlyMap<string, string>;
  rooms: ReadonlyMap<string, string>;
  evidence: EvidenceTally;
}): RegisterLine[] => {
  const byActivity = new Map<string, FinalStatus[]>();
  for (const f of input.finals) byActivity.set(f.activityId, [...(byActivity.get(f.activityId) ?? []), f]);
  const named = (fs: readonly FinalStatus[], status: AttendanceStatus) =>
    fs.filter((f) => f.status === status).map((f) => input.names.get(f.personId) ?? f.personId);
  return input.activities.map((a) => {
    const finals = a.status === 'completed' ? (byActivity.get(a.activityId) ?? []) : [];
    const tally = a.status === 'completed' ? a.attendance : undefined;
    const place = a.location ?? (a.roomId ? (input.rooms.get(a.roomId) ?? a.roomId) : undefined);
    const remarks = [
      ...(a.status === 'cancelled' && a.cancelReason ? [`取消原因：${a.cancelReason}`] : []),
      ...(a.recordedLate ? [`补录：${a.recordedLate.reason}`] : []),
    ].join('；');
    const minutesSummary = summaryOf(a.minutes);
    return {
      activityId: a.activityId,
      date: localDate(new Date(a.startsAt)),
      time: `${clock(a.startsAt)}–${clock(a.endsAt)}`,
      type: a.type,
      title: a.title,
      ...(place ? { place } : {}),
      invited: tally?.invited ?? a.inviteeIds.length,
      ...(tally
        ? {
            attended: tally.present + tally.late,
            late: tally.late,
            excused: tally.excused,
            absent: tally.absent,
          }
        : {}),
      absentees: named(finals, 'absent'),
      excusedPeople: named(finals, 'excused'),
      ...(minutesSummary ? { minutesSummary } : {}),
      evidence: evidenceOf(input.evidence, a.activityId),
      status: a.status,
      ...(remarks ? { remarks } : {}),
    };
  });
};

/** The register's totals per type (汇总), in the order of the types' first meeting. */
export const registerTotals = (lines: readonly RegisterLine[]) => {
  const byType = new Map<ActivityType, RegisterLine[]>();
  for (const l of lines) byType.set(l.type, [...(byType.get(l.type) ?? []), l]);
  return [...byType].map(([type, ofType]) => {
    const held = ofType.filter((l) => l.status === 'completed');
    const invited = held.reduce((n, l) => n + l.invited, 0);
    const attended = held.reduce((n, l) => n + (l.attended ?? 0), 0);
    return {
      type,
      held: held.length,
      cancelled: ofType.filter((l) => l.status === 'cancelled').length,
      scheduled: ofType.filter((l) => l.status === 'scheduled').length,
      invited,
      attended,
      rate: rate(attended, invited),
      withoutEvidence: held.filter((l) => l.evidence === 0).length,
    };
  });
};
