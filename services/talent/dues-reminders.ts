/**
 * The daily `dues-reminders` schedule (党费催缴): from the 20th of a month (Asia/Shanghai) it
 * reads the party members (预备党员, 正式党员: one Query per status on gsi2, as pipeline-due
 * reads its stages, never everyone) and each one's dues of the year (the arrears route's
 * Query per person), and announces each member with unpaid late months as DuesArrearsFound
 * (rules: domain/dues-reminders.ts). Each person is reminded once a month: the marker is
 * created, only if absent, in the transaction of the event, and those marked already are not
 * read again, so the days after the 20th cost two Queries and a BatchGet plus the members
 * still unreminded. A run before the 20th does nothing.
 */
import type { ServiceContext } from '../../shared/context.js';
import { DomainError } from '../../shared/errors.js';
import type { ScheduleSpec } from '../../shared/service.js';
import { localDate } from '../../shared/time.js';
import { membershipOf } from './domain/dues.js';
import { duesReminderWindow, unpaidMonthsToRemind } from './domain/dues-reminders.js';
import { DuesArrearsFound } from './events.js';
import { duesYearsOf, markRemindedOfDues, remindedOfDues } from './store/dues.js';
import { peopleAtStages, transaction } from './store.js';

/** Transactions (and members' Queries) at once: an institution's members are hundreds. */
const PARALLEL = 10;

interface Reminder {
  personId: string;
  branchId?: string;
  sweptIn: string;
  months: string[];
}

/** Announces one member's unpaid months, unless another run did meanwhile. */
const remind = async (ctx: ServiceContext, r: Reminder, at: Date): Promise<'reminded' | 'skipped'> => {
  const tx = transaction(ctx);
  markRemindedOfDues(tx, r, at.toISOString());
  tx.publish(DuesArrearsFound, r, { key: r.personId, occurredAt: at });
  try {
    await tx.commit();
    return 'reminded';
  } catch (error) {
    // The marker's condition is the transaction's only one: another run reminded them.
    if (error instanceof DomainError && error.code === 'conflict') return 'skipped';
    throw error;
  }
};

/** One run at `at` (the scheduled time): each member's reminder, on its own; a failure fails the run. */
export const sweepDuesReminders = async (at: Date, ctx: ServiceContext): Promise<void> => {
  const window = duesReminderWindow(localDate(at));
  if (!window) return;
  const { sweptIn, lastDue } = window;
  const members = await peopleAtStages(ctx, undefined, ['probationary', 'full']);
  const reminded = await remindedOfDues(
    ctx,
    members.map((p) => p.personId),
    sweptIn,
  );
  const pending = members.filter((p) => !reminded.has(p.personId));
  const year = Number(lastDue.slice(0, 4));
  const outcomes: PromiseSettledResult<'reminded' | 'skipped'>[] = [];
  let late = 0;
  for (let i = 0; i < pending.length; i += PARALLEL) {
    const batch = pending.slice(i, i + PARALLEL);
    const years = await duesYearsOf(
      ctx,
      batch.map((p) => p.personId),
      year,
    );
    const due = batch.flatMap((p): Reminder[] => {
      const dues = years.get(p.personId);
      const months = unpaidMonthsToRemind(membershipOf(p), lastDue, dues?.base, dues?.payments ?? []);
      if (months.length === 0) return [];
      return [{ personId: p.personId, ...(p.branchId ? { branchId: p.branchId } : {}), sweptIn, months }];
    });
    late += due.length;
    outcomes.push(...(await Promise.allSettled(due.map((r) => remind(ctx, r, at)))));
  }
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  ctx.log.info('dues reminders swept', {
    at: at.toISOString(),
    sweptIn,
    members: members.length,
    read: pending.length,
    late,
    reminded: outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'reminded').length,
    failed: failed.length,
  });
  // The run fails, so it is retried (then goes to the dead letters): who was reminded stays reminded.
  if (failed[0]) throw failed[0].reason;
};

export const duesSchedules: ScheduleSpec[] = [
  { name: 'dues-reminders', every: 24 * 60, handler: sweepDuesReminders },
];
