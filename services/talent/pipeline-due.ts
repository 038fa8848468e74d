/**
 * The daily `pipeline-due` schedule (发展党员提醒): at its scheduled time it reads the people in
 * the stages with steps (the pipeline insight's Queries, never everyone) and announces each
 * step falling due within a week, or overdue, as PipelineStepDue (rules: domain/pipeline-due.ts).
 * Each (person, rule, dueOn, phase) is announced once: its marker is created, only if absent,
 * in the transaction of its event, so a second run the same day, a retried or redriven run or
 * two runs at once publish nothing new. Someone who left the register is in no stage's list,
 * so is never reminded of; someone in no branch is, with no branch named.
 */
import type { ServiceContext } from '../../shared/context.js';
import { DomainError } from '../../shared/errors.js';
import type { ScheduleSpec } from '../../shared/service.js';
import { localDate } from '../../shared/time.js';
import { STAGES_WITH_STEPS } from './domain/due.js';
import { type StepReminder, stepReminders } from './domain/pipeline-due.js';
import { PipelineStepDue } from './events.js';
import { announcedSteps, markStepAnnounced, peopleAtStages, transaction } from './store.js';

/** Transactions at once: a day's reminders are tens, a first run after a long pause hundreds. */
const PARALLEL = 10;

/** Announces one step, unless another run did meanwhile. */
const announce = async (ctx: ServiceContext, r: StepReminder, at: Date): Promise<'announced' | 'skipped'> => {
  const tx = transaction(ctx);
  markStepAnnounced(tx, r, at.toISOString());
  tx.publish(
    PipelineStepDue,
    {
      personId: r.personId,
      name: r.name,
      ...(r.branchId ? { branchId: r.branchId } : {}),
      politicalStatus: r.politicalStatus,
      rule: r.rule,
      dueOn: r.dueOn,
      ...(r.deadline ? { deadline: r.deadline } : {}),
      phase: r.phase,
    },
    { key: r.personId, occurredAt: at },
  );
  try {
    await tx.commit();
    return 'announced';
  } catch (error) {
    // The marker's condition is the transaction's only one: another run announced it.
    if (error instanceof DomainError && error.code === 'conflict') return 'skipped';
    throw error;
  }
};

/** One run at `at` (the scheduled time): today's reminders, each announced on its own; a failure fails the run. */
export const sweepPipelineDue = async (at: Date, ctx: ServiceContext): Promise<void> => {
  const today = localDate(at);
  const people = await peopleAtStages(ctx, undefined, STAGES_WITH_STEPS);
  const due = people.flatMap((p) => stepReminders(p, today));
  const announced = await announcedSteps(ctx, due);
  const fresh = due.filter((r) => !announced(r));
  const outcomes: PromiseSettledResult<'announced' | 'skipped'>[] = [];
  for (let i = 0; i < fresh.length; i += PARALLEL) {
    outcomes.push(
      ...(await Promise.allSettled(fresh.slice(i, i + PARALLEL).map((r) => announce(ctx, r, at)))),
    );
  }
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  ctx.log.info('pipeline steps swept', {
    at: at.toISOString(),
    people: people.length,
    due: due.length,
    announced: outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'announced').length,
    failed: failed.length,
  });
  // The run fails, so it is retried (then goes to the dead letters): what it announced stays announced.
  if (failed[0]) throw failed[0].reason;
};

export const talentSchedules: ScheduleSpec[] = [
  { name: 'pipeline-due', every: 24 * 60, handler: sweepPipelineDue },
];
