/**
 * Yearly points, the one place their rules live. Points come only from verified events of
 * other services (attendance, study, assessments, volunteering) and are shown to the person,
 * their secretary and the committee, never as a ranking. They are computed from the
 * timeline's contributions on every read, so a replayed or corrected event (which replaces
 * the contribution with the same natural key) can never count twice.
 */
import type { AttendanceStatus } from '../../activities/events.js';

export const ATTENDANCE_POINTS: Readonly<Record<AttendanceStatus, number>> = {
  present: 2,
  late: 1,
  excused: 0,
  absent: -1,
};
/** One point per full 30 minutes studied… */
export const STUDY_MINUTES_PER_POINT = 30;
/** …and at most 20 points a year from study. */
export const MAX_STUDY_POINTS_PER_YEAR = 20;
export const ASSESSMENT_PASSED_POINTS = 5;
/** One point per full hour of volunteering at a joint event. */
export const VOLUNTEERING_POINTS_PER_HOUR = 1;

/** A contribution, dated by the local (Asia/Shanghai) date it happened on. */
export type Contribution =
  | { kind: 'attendance'; on: string; status: AttendanceStatus }
  | { kind: 'study'; on: string; minutes: number }
  | { kind: 'assessment'; on: string; assessmentId: string; passed: boolean }
  | { kind: 'volunteering'; on: string; hours: number };

export interface YearPoints {
  year: number;
  total: number;
  attendance: number;
  study: number;
  assessment: number;
  volunteering: number;
}

export const pointsOf = (c: Contribution): number => {
  switch (c.kind) {
    case 'attendance':
      return ATTENDANCE_POINTS[c.status];
    case 'study':
      return Math.floor(c.minutes / STUDY_MINUTES_PER_POINT);
    case 'assessment':
      return c.passed ? ASSESSMENT_PASSED_POINTS : 0;
    case 'volunteering':
      return Math.floor(c.hours) * VOLUNTEERING_POINTS_PER_HOUR;
  }
};

/** Points per year, newest year first; study capped per year, an assessment passed counts once. */
export const yearlyPoints = (contributions: readonly Contribution[]): YearPoints[] => {
  const years = new Map<number, YearPoints>();
  const passedAssessments = new Set<string>();
  const sorted = [...contributions].sort((a, b) => a.on.localeCompare(b.on));
  for (const c of sorted) {
    const year = Number(c.on.slice(0, 4));
    const y = years.get(year) ?? { year, total: 0, attendance: 0, study: 0, assessment: 0, volunteering: 0 };
    years.set(year, y);
    if (c.kind === 'assessment') {
      // Passing the same assessment again is not new learning: the first pass counts.
      if (!c.passed || passedAssessments.has(c.assessmentId)) continue;
      passedAssessments.add(c.assessmentId);
    }
    y[c.kind] += pointsOf(c);
  }
  for (const y of years.values()) {
    y.study = Math.min(y.study, MAX_STUDY_POINTS_PER_YEAR);
    y.total = y.attendance + y.study + y.assessment + y.volunteering;
  }
  return [...years.values()].sort((a, b) => b.year - a.year);
};
