/**
 * Reminders at a time (提醒): an activity's invitees are reminded a day and an hour before
 * it starts. The activity consumers (subscriptions.ts) write the reminders in the same
 * transaction as the activity copy; the `reminders` schedule sweeps, every minute, what is
 * due and posts each as a notice through the path every event-made notice takes
 * (NoticePosted, then deliver-notice writes the inbox entries).
 */
import type { ServiceContext } from '../../shared/context.js';
import { DomainError } from '../../shared/errors.js';
import type { ScheduleSpec } from '../../shared/service.js';
import type { Transaction } from '../../shared/store/transaction.js';
import { toLocalIso } from '../../shared/time.js';
import { excerpt } from './domain/announcements.js';
import { activityLeads, reminderAction, reminderTimes } from './domain/reminders.js';
import { NoticePosted } from './events.js';
import {
  deleteReminder,
  dueReminders,
  putReminder,
  type Reminder,
  type ReminderNotice,
  takeReminder,
} from './store/reminders.js';
import { createActivityNotice, getNotice, transaction } from './store.js';
import { STUDY_SUBJECT, studyStillDue } from './study-due.js';

type ActivityRef = { activityId: string; branchId: string; title: string; startsAt: string };

const activitySubject = (activityId: string) => `activity#${activityId}`;

/** `2026-12-05T01:00:00.000Z` → `20261205T010000Z`: an occurrence in an id's characters. */
const compact = (instant: Date) => instant.toISOString().replace(/[-:]|\.\d{3}/g, '');

const leadText: Record<string, string> = { '24h': '24 小时后开始', '1h': '1 小时后开始' };

/**
 * The activity's reminders at its start as of `decidedAt` (scheduled or moved then), to its
 * invitees: one per lead still ahead, each replacing the slot's reminder of an earlier start;
 * a lead already past takes its slot's old reminder away.
 */
export const remindActivity = (t: Transaction, a: ActivityRef, inviteeIds: string[], decidedAt: Date) => {
  const startsAt = new Date(a.startsAt);
  const subject = activitySubject(a.activityId);
  const ahead = reminderTimes(startsAt, decidedAt, activityLeads);
  for (const lead of activityLeads) {
    const timing = ahead.find((x) => x.slot === lead.slot);
    if (!timing) {
      deleteReminder(t, subject, lead.slot);
      continue;
    }
    putReminder(t, {
      subject,
      slot: lead.slot,
      dueAt: timing.dueAt.toISOString(),
      until: startsAt.toISOString(),
      notice: {
        // One per reminder and occurrence: a move makes a new one, a replay finds this one.
        noticeId: `${a.activityId}-reminder-${lead.slot}-${compact(startsAt)}`,
        kind: 'activity-reminder',
        title: `活动提醒：${a.title}`,
        summary: excerpt(`${leadText[lead.slot] ?? ''}：${toLocalIso(startsAt)}`),
        activityId: a.activityId,
        branchId: a.branchId,
        startsAt: startsAt.toISOString(),
        personIds: inviteeIds,
      },
    });
  }
};

/** A cancelled activity reminds nobody. */
export const forgetActivity = (t: Transaction, activityId: string) => {
  for (const lead of activityLeads) deleteReminder(t, activitySubject(activityId), lead.slot);
};

/**
 * Whom a reminder still concerns when it is sent, by its subject's kind (before the `#`): a
 * study reminder leaves out those who completed the study meanwhile. Undefined: nobody, and it
 * goes unsent. Any other subject reminds everyone it names.
 */
const stillConcerned: Record<
  string,
  (ctx: ServiceContext, n: ReminderNotice) => Promise<ReminderNotice | undefined>
> = { [STUDY_SUBJECT]: studyStillDue };
const concerned = (ctx: ServiceContext, r: Reminder) =>
  stillConcerned[r.subject.split('#')[0] ?? '']?.(ctx, r.notice) ?? Promise.resolve(r.notice);

/** A reminder moved, cancelled or taken by another sweep meanwhile: nothing to do. */
const takenMeanwhile = (error: unknown) => error instanceof DomainError && error.code === 'conflict';

/**
 * Sends (or drops) one reminder, once: the notice is created only if absent and the
 * reminder is taken only as read, in one transaction with the NoticePosted event.
 */
const take = async (
  ctx: ServiceContext,
  r: Reminder,
  now: Date,
): Promise<'sent' | 'dropped' | 'unneeded' | 'left'> => {
  const action = reminderAction({ dueAt: new Date(r.dueAt), until: new Date(r.until) }, now);
  if (action === 'wait') return 'left';
  const notice = action === 'send' ? await concerned(ctx, r) : undefined;
  const t = transaction(ctx);
  takeReminder(t, r);
  if (notice) {
    createActivityNotice(t, { ...notice, postedAt: now.toISOString() });
    t.publish(
      NoticePosted,
      { noticeId: notice.noticeId, kind: notice.kind, postedAt: toLocalIso(now) },
      { key: notice.noticeId, occurredAt: now },
    );
  }
  try {
    await t.commit();
    if (action !== 'send') return 'dropped';
    return notice ? 'sent' : 'unneeded';
  } catch (error) {
    if (!takenMeanwhile(error)) throw error;
  }
  // This occurrence was posted before (moved away and back): the reminder goes, unsent again.
  if (action === 'send' && (await getNotice(ctx, r.notice.noticeId))) {
    try {
      await takeReminder(transaction(ctx), r).commit();
    } catch (error) {
      if (!takenMeanwhile(error)) throw error;
    }
  }
  return 'left';
};

/** One run of the sweep at `now`: every reminder due, each on its own; a failure fails the run. */
export const sweepReminders = async (now: Date, ctx: ServiceContext): Promise<void> => {
  const due = await dueReminders(ctx, now);
  const outcomes = await Promise.allSettled(due.map((r) => take(ctx, r, now)));
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  const count = (what: string) => outcomes.filter((o) => o.status === 'fulfilled' && o.value === what).length;
  ctx.log.info('reminders swept', {
    at: now.toISOString(),
    found: due.length,
    sent: count('sent'),
    dropped: count('dropped'),
    unneeded: count('unneeded'),
    failed: failed.length,
  });
  // The run fails, so it is retried (and ends in the dead letters): what it sent stays sent.
  if (failed[0]) throw failed[0].reason;
};

export const noticeSchedules: ScheduleSpec[] = [{ name: 'reminders', every: 1, handler: sweepReminders }];
