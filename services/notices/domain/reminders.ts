/**
 * Reminders at a time (提醒): when one is due, and whether a sweep that finds it sends it.
 * Pure: the sweep's "now" and the times are arguments.
 */

/** A reminder some lead before what it reminds of: `slot` names it among its subject's reminders. */
export interface Lead {
  slot: string;
  minutes: number;
}

/** An activity's invitees are reminded a day and an hour before it starts. */
export const activityLeads: readonly Lead[] = [
  { slot: '24h', minutes: 24 * 60 },
  { slot: '1h', minutes: 60 },
];

export interface Timing {
  slot: string;
  dueAt: Date;
}

/**
 * When to remind of something starting at `startsAt`, as decided at `decidedAt` (when it was
 * scheduled or moved): each lead before the start, except those already due then, which
 * would only repeat the news the people are being told at that very moment.
 */
export const reminderTimes = (startsAt: Date, decidedAt: Date, leads: readonly Lead[]): Timing[] =>
  leads
    .map((lead) => ({ slot: lead.slot, dueAt: new Date(startsAt.getTime() - lead.minutes * 60_000) }))
    .filter((t) => t.dueAt.getTime() > decidedAt.getTime());

/**
 * What a sweep at `now` does with a reminder it found: not yet due, it waits; due before
 * what it reminds of (`until`, the start), it is sent; found at or after that, it is
 * dropped, never sent late.
 */
export const reminderAction = (
  reminder: { dueAt: Date; until: Date },
  now: Date,
): 'wait' | 'send' | 'drop' => {
  if (now.getTime() >= reminder.until.getTime()) return 'drop';
  if (now.getTime() < reminder.dueAt.getTime()) return 'wait';
  return 'send';
};

/** The minute a reminder's sweep takes it: its due time, rounded up to a whole minute. */
export const dueMinute = (dueAt: Date): Date => new Date(Math.ceil(dueAt.getTime() / 60_000) * 60_000);

/**
 * Whether an activity's schedule (or move) is news to its invitees: not when the activity had
 * already begun when it was decided. That is a record entered after the fact (补录), such as a
 * year of meetings brought in from paper; telling each invitee of a meeting they sat in long
 * ago would fill their inbox and mail with history.
 */
export const isNews = (startsAt: Date, decidedAt: Date): boolean => startsAt.getTime() > decidedAt.getTime();
