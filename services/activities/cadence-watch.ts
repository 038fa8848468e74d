/**
 * The daily cadence watch (三会一课逾期预警): at its scheduled time, for every branch this
 * service knows and every cadence type whose current period (on that Asia/Shanghai date) is
 * in its warning days, a period the branch has neither held nor scheduled enough of is told
 * as CadenceAtRisk, once per branch, type (and party group) and period: a marker is created
 * only if absent in the transaction that publishes the event. notices turns it into a notice
 * to the branch's secretary.
 */
import type { ServiceContext } from '../../shared/context.js';
import { DomainError } from '../../shared/errors.js';
import type { ScheduleSpec } from '../../shared/service.js';
import { addDays, localDate, startOfLocalDay } from '../../shared/time.js';
import { type AtRisk, type Counted, periodsAtRisk, periodsEnding, spanOf } from './domain/cadence-watch.js';
import { groupsWithMembers } from './domain/party-groups.js';
import { CadenceAtRisk } from './events.js';
import {
  type CadenceFact,
  countedActivities,
  getCadence,
  knownBranches,
  markToldAtRisk,
  meetingPartyGroups,
  partyGroupTally,
  toldAtRisk,
  transaction,
} from './store.js';

/** Branches watched at once: an institution has tens of branches, not thousands. */
const AT_ONCE = 8;

const factOf = (branchId: string, r: AtRisk): CadenceFact => ({
  branchId,
  type: r.type,
  ...(r.partyGroupId === undefined ? {} : { partyGroupId: r.partyGroupId }),
  period: r.period.label,
});

/** Publishes one period at risk unless it was told of before; whether this run told it. */
const tellOnce = async (ctx: ServiceContext, branchId: string, r: AtRisk, at: Date, today: string) => {
  const fact = factOf(branchId, r);
  if (await toldAtRisk(ctx, fact)) return false;
  const t = transaction(ctx);
  markToldAtRisk(t, fact, r.period.to, at.toISOString());
  t.publish(
    CadenceAtRisk,
    {
      ...fact,
      type: r.type,
      periodKind: r.periodKind,
      periodFrom: r.period.from,
      periodEndsOn: r.period.to,
      required: r.required,
      held: r.held,
      scheduled: r.scheduled,
      asOf: today,
    },
    { key: `CADENCE#${branchId}`, occurredAt: at },
  );
  try {
    await t.commit();
    return true;
  } catch (error) {
    // The marker's condition failed: another run (a retry, a redrive) told it since the read.
    if (error instanceof DomainError && error.code === 'conflict') return false;
    throw error;
  }
};

/** One branch: its activities over the periods ending (one Query), judged, each period at risk told once. */
const watchBranch = async (
  ctx: ServiceContext,
  branchId: string,
  ending: ReturnType<typeof periodsEnding>,
  span: { from: string; to: string },
  at: Date,
  today: string,
) => {
  const groupsNeeded = ending.some((e) => e.type === 'party-group-meeting');
  const [activities, tally] = await Promise.all([
    countedActivities(
      ctx,
      branchId,
      startOfLocalDay(span.from).toISOString(),
      startOfLocalDay(addDays(span.to, 1)).toISOString(),
    ),
    groupsNeeded ? partyGroupTally(ctx, branchId) : Promise.resolve({}),
  ]);
  const counted: Counted[] = activities.map((a) => ({
    type: a.type,
    ...(a.partyGroupId ? { partyGroupId: a.partyGroupId } : {}),
    startsOn: localDate(new Date(a.startsAt)),
    status: a.status === 'completed' ? 'completed' : 'scheduled',
  }));
  // The party groups compliance judges: those with members, and those that met in the span.
  const partyGroupIds = [...groupsWithMembers(tally), ...meetingPartyGroups(activities)];
  const atRisk = periodsAtRisk({ ending, activities: counted, partyGroupIds });
  let told = 0;
  for (const r of atRisk) if (await tellOnce(ctx, branchId, r, at, today)) told += 1;
  return { atRisk: atRisk.length, told };
};

/** One run at `at` (its scheduled time): every branch on its own; a failure fails the run, after the rest. */
export const watchCadence = async (at: Date, ctx: ServiceContext): Promise<void> => {
  const today = localDate(at);
  const { rules } = await getCadence(ctx);
  const ending = periodsEnding(rules, today);
  const span = spanOf(ending);
  if (!span) {
    ctx.log.info('cadence watched', { at: at.toISOString(), today, ending: 0 });
    return;
  }
  const branches = await knownBranches(ctx);
  const outcomes: PromiseSettledResult<{ atRisk: number; told: number }>[] = [];
  for (let i = 0; i < branches.length; i += AT_ONCE) {
    outcomes.push(
      ...(await Promise.allSettled(
        branches.slice(i, i + AT_ONCE).map((b) => watchBranch(ctx, b, ending, span, at, today)),
      )),
    );
  }
  const done = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  ctx.log.info('cadence watched', {
    at: at.toISOString(),
    today,
    ending: ending.map((e) => `${e.type} ${e.period.label}`),
    branches: branches.length,
    atRisk: done.reduce((n, d) => n + d.atRisk, 0),
    told: done.reduce((n, d) => n + d.told, 0),
    failed: failed.length,
  });
  // The run fails, so it is retried (then dead-lettered): what it told stays told, once.
  if (failed[0]) throw failed[0].reason;
};

export const activitySchedules: ScheduleSpec[] = [
  { name: 'cadence-watch', every: 1440, handler: watchCadence },
];
