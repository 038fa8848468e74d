/**
 * Assigned study falling due (必学任务即将到期): when its assignees are reminded, what the
 * reminder says, and who of them it still concerns when it is sent. Pure: the assignment's
 * time and the sweep's are arguments.
 */
import { addDays, startOfLocalDay } from '../../../shared/time.js';
import type { EventNotice } from './event-notices.js';
import type { Timing } from './reminders.js';

/**
 * Three days before the due date, time to fit the study into a working week, and one day
 * before, the last call. Each is a slot of the assignment's reminders.
 */
export const STUDY_DUE_LEADS: readonly StudyLead[] = [
  { slot: '3d', days: 3 },
  { slot: '1d', days: 1 },
];

/** A reminder some whole days before the due date, at the reminder hour. */
export interface StudyLead {
  slot: string;
  days: number;
}

/** The local hour (Asia/Shanghai) a study reminder goes out: the start of a working day. */
export const STUDY_REMINDER_HOUR = 9;

/** The study is overdue once its due date (local) is over: the reminders end with it. */
export const studyDeadline = (dueOn: string): Date => startOfLocalDay(addDays(dueOn, 1));

/**
 * When to remind of study due on `dueOn`, as assigned at `assignedAt`: each lead's day at the
 * reminder hour, except one already past when the assignment arrives (the assignees are being
 * told of it at that moment) and, whatever the leads, none on or after the deadline.
 */
export const studyDueTimes = (
  dueOn: string,
  assignedAt: Date,
  leads: readonly StudyLead[] = STUDY_DUE_LEADS,
): Timing[] => {
  const deadline = studyDeadline(dueOn).getTime();
  return leads
    .map((lead) => ({
      slot: lead.slot,
      dueAt: new Date(
        startOfLocalDay(addDays(dueOn, -lead.days)).getTime() + STUDY_REMINDER_HOUR * 3_600_000,
      ),
    }))
    .filter((t) => t.dueAt.getTime() > assignedAt.getTime() && t.dueAt.getTime() < deadline);
};

/** What a study reminder posts, but for when: a natural id per assignment, lead and due date. */
export type StudyDueNotice = Omit<EventNotice, 'postedAt'>;

export const studyDueNotice = (
  a: { assignmentId: string; resourceId: string; title: string; dueOn: string },
  slot: string,
  personIds: readonly string[],
): StudyDueNotice => ({
  noticeId: `${a.assignmentId}-reminder-${slot}-${a.dueOn.replaceAll('-', '')}`,
  kind: 'study-due',
  title: `学习任务即将到期：${a.title}`,
  summary: `${a.dueOn} 到期，请尽快完成学习`,
  to: { personIds: [...personIds] },
  about: { resourceId: a.resourceId, assignmentId: a.assignmentId, dueOn: a.dueOn },
});

/** Those a reminder named who have not completed the study by the time it is sent, once each. */
export const stillToRemind = (personIds: readonly string[], completed: ReadonlySet<string>): string[] =>
  [...new Set(personIds)].filter((p) => !completed.has(p));
