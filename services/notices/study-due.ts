/**
 * Assigned study falling due (必学任务即将到期): when notices learns of an assignment
 * (StudyAssigned) it writes the assignment's reminders, a few days before the due date, with
 * the reminders' own mechanism (store/reminders.ts, swept by the `reminders` schedule); it
 * keeps who completed what (StudyCompleted), and when a reminder is sent it goes only to those
 * who have not completed the study by then (`studyStillDue`, called by the sweep).
 */
import type { ServiceContext } from '../../shared/context.js';
import { patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import { StudyAssigned, StudyCompleted } from '../resources/events.js';
import { studyAssignedNotice } from './domain/event-notices.js';
import { stillToRemind, studyDeadline, studyDueNotice, studyDueTimes } from './domain/study-due.js';
import { eventNoticeRecipients } from './store/event-notices.js';
import { putReminder, type ReminderNotice } from './store/reminders.js';
import { assignmentReminded, completedOf, markAssignmentReminded, putStudyDone } from './store/study.js';

/** A reminder's subject for study: `study#<assignmentId>`; the sweep knows it by `study`. */
export const STUDY_SUBJECT = 'study';

/**
 * The reminder as it is sent: to those it named who have not completed the study meanwhile,
 * or to nobody (undefined), and then it posts nothing.
 */
export const studyStillDue = async (
  ctx: ServiceContext,
  notice: ReminderNotice,
): Promise<ReminderNotice | undefined> => {
  if (!('to' in notice) || !notice.about.resourceId) return notice;
  const named = notice.to.personIds ?? [];
  const remaining = stillToRemind(named, await completedOf(ctx, notice.about.resourceId, named));
  return remaining.length > 0 ? { ...notice, to: { personIds: remaining } } : undefined;
};

export const studyDueSubscriptions = [
  // The reminders of an assignment, to its assignees as the assigned notice reaches them.
  subscription({
    name: 'study-due',
    pattern: patternFor(StudyAssigned),
    contract: StudyAssigned,
    handler: async (event, t, ctx) => {
      const a = event.data;
      if (await assignmentReminded(ctx, a.assignmentId)) return;
      const times = studyDueTimes(a.dueOn, new Date(event.occurredAt));
      markAssignmentReminded(t, a);
      if (times.length === 0) return;
      // The assigned notice's recipients, resolved the same way now (the roster copy).
      const assigned = studyAssignedNotice(a, new Date(event.occurredAt));
      const personIds = (await eventNoticeRecipients(ctx, assigned)).map((r) => r.personId);
      for (const timing of times) {
        putReminder(t, {
          subject: `${STUDY_SUBJECT}#${a.assignmentId}`,
          slot: timing.slot,
          dueAt: timing.dueAt.toISOString(),
          until: studyDeadline(a.dueOn).toISOString(),
          notice: studyDueNotice(a, timing.slot, personIds),
        });
      }
    },
  }),

  // Who completed what, whenever: the sweep leaves them out of a study reminder.
  subscription({
    name: 'study-completed',
    pattern: patternFor(StudyCompleted),
    contract: StudyCompleted,
    handler: async (event, t) => {
      const { resourceId, personId, completedAt } = event.data;
      putStudyDone(t, { resourceId, personId, completedAt });
    },
  }),
];
