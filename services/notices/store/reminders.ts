/**
 * Reminders at a time (提醒): each is an item of this table, written in the same transaction
 * as the copy it derives from (an activity's), so a move or a cancellation changes it
 * atomically. Access patterns (pk / sk):
 *   REMINDERS#<subject> / REMINDER#<slot>   one reminder of a subject (`activity#<id>`), at a
 *                                           key its owner knows without reading    Put, Delete (in
 *                                           the owner's transaction; the sweep's Delete)
 *     gsi1 REMINDERS-DUE#<local date> / <due minute, UTC ISO>#<subject>#<slot>
 *                                           what falls due on a day (Asia/Shanghai), by time
 *                                                                                 Query (the sweep: one
 *                                           per run, on the day of its scheduled time)
 * A reminder is filed under the minute its sweep takes it (its due time rounded up), so a
 * sweep on the minute finds everything due that day up to then in its own day's partition.
 * It goes when sent or dropped; `expiresAt` (a week after what it reminds of) clears one no
 * sweep ever took (a run dead-lettered and never redriven).
 */
import type { ServiceContext } from '../../../shared/context.js';
import { queryAll } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { localDate } from '../../../shared/time.js';
import type { EventNotice } from '../domain/event-notices.js';
import { dueMinute } from '../domain/reminders.js';
import type { ActivityNotice } from '../store.js';

/**
 * The notice a reminder posts when sent: its id is natural, one per reminder and occurrence;
 * an activity's, or another subject's made like an event's notice (study falling due).
 */
export type ReminderNotice = Omit<ActivityNotice, 'postedAt'> | Omit<EventNotice, 'postedAt'>;

export interface Reminder {
  /** What it is about, as its owner names it (`activity#<activityId>`). */
  subject: string;
  /** Which of the subject's reminders (`24h`, `1h`). */
  slot: string;
  /** When it is due, and what it reminds of begins (UTC ISO): after that it is dropped. */
  dueAt: string;
  until: string;
  /** What it posts, to whom (the notice's `personIds`). */
  notice: ReminderNotice;
}

const WEEK_S = 7 * 24 * 60 * 60;

const reminderKey = (subject: string, slot: string) => ({
  pk: `REMINDERS#${subject}`,
  sk: `REMINDER#${slot}`,
});

const dueIndex = (r: Pick<Reminder, 'subject' | 'slot' | 'dueAt'>) => {
  const minute = dueMinute(new Date(r.dueAt));
  return {
    gsi1pk: `REMINDERS-DUE#${localDate(minute)}`,
    gsi1sk: `${minute.toISOString()}#${r.subject}#${r.slot}`,
  };
};

/** Writes (or replaces, at a new time) a subject's reminder, in its owner's transaction. */
export const putReminder = (t: Transaction, r: Reminder): Transaction =>
  t.put({
    ...reminderKey(r.subject, r.slot),
    kind: 'timed-reminder',
    ...dueIndex(r),
    ...r,
    // The occurrence it posts, at the top level for the sweep's condition.
    noticeId: r.notice.noticeId,
    expiresAt: Math.floor(Date.parse(r.until) / 1000) + WEEK_S,
  });

/** Takes a subject's reminder away, whether it was there or not (a cancellation, a time past). */
export const deleteReminder = (t: Transaction, subject: string, slot: string): Transaction =>
  t.delete(reminderKey(subject, slot));

/**
 * The sweep takes a reminder (sent or dropped) only as it read it: one moved meanwhile posts
 * another occurrence, and a cancelled or already taken one is not there. Either way the
 * transaction fails and the reminder is left to what replaced it.
 */
export const takeReminder = (t: Transaction, r: Reminder): Transaction =>
  t.delete(reminderKey(r.subject, r.slot), {
    condition: 'noticeId = :noticeId',
    values: { ':noticeId': r.notice.noticeId },
  });

const toReminder = (item: Record<string, unknown>): Reminder => ({
  subject: item.subject as string,
  slot: item.slot as string,
  dueAt: item.dueAt as string,
  until: item.until as string,
  notice: item.notice as ReminderNotice,
});

/** Every reminder filed under the day of `now` (Asia/Shanghai) up to `now`: one Query. */
export const dueReminders = async (ctx: ServiceContext, now: Date): Promise<Reminder[]> =>
  (
    await queryAll(ctx, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :day AND gsi1sk < :after',
      // '$' sorts right after '#': every key whose minute is `now` or earlier.
      ExpressionAttributeValues: {
        ':day': `REMINDERS-DUE#${localDate(now)}`,
        ':after': `${now.toISOString()}$`,
      },
    })
  ).map(toReminder);
