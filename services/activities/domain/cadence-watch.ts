/**
 * Which 三会一课 periods are about to be missed (逾期预警): the cadence's current period is in
 * its last days and the branch has neither held nor scheduled enough to meet it. The daily
 * `cadence-watch` schedule (../cadence-watch.ts) asks this of every branch and tells the
 * branch's secretary, once per period, through CadenceAtRisk. Pure: today is a parameter.
 */
import { addDays } from '../../../shared/time.js';
import type { ActivityType } from '../events.js';
import {
  type CadencePeriod,
  type CadenceRule,
  type CadenceRules,
  type CadenceType,
  cadenceTypes,
  countsFor,
  type Period,
  periodsOf,
} from './cadence.js';

/**
 * How many days before a period's end (its last day included) the warning goes out, per
 * period length. Late enough that a branch that keeps its rhythm has met the period by
 * then (no warning about the month's meeting it holds on the 20th), early enough that the
 * secretary can still convene what is missing:
 * - month, 10: a third of the month, with one or two weekends and the month's fixed 主题党日
 *   still ahead; a 支委会 or 党小组会 is called within days.
 * - quarter, 15: a 支部党员大会 and a 党课 need their agenda agreed by the 支委会 and the
 *   members told ahead, so two weeks.
 * - half-year, 20: a rule of "twice a semester" is met late in each half; three weeks.
 * - year, 30: 组织生活会 and 民主评议党员 are prepared with 谈心谈话 and opinions gathered
 *   beforehand, commonly over a month.
 */
export const WARNING_DAYS: Record<CadencePeriod, number> = {
  month: 10,
  quarter: 15,
  'half-year': 20,
  year: 30,
};

/** A cadence type whose current period is in its warning days. */
export interface Ending {
  type: CadenceType;
  rule: CadenceRule;
  period: Period;
}

/** The current period of `type` (the one holding today). */
const currentPeriod = (rule: CadenceRule, today: string): Period => {
  const found = periodsOf(Number(today.slice(0, 4)), rule.period).find(
    (p) => p.from <= today && today <= p.to,
  );
  if (!found) throw new Error(`no ${rule.period} holds ${today}`);
  return found;
};

/** The cadence types whose current period ends within its warning days of `today`. */
export const periodsEnding = (rules: CadenceRules, today: string): Ending[] =>
  cadenceTypes.flatMap((type) => {
    const rule = rules[type];
    const period = currentPeriod(rule, today);
    return today >= addDays(period.to, -(WARNING_DAYS[rule.period] - 1)) ? [{ type, rule, period }] : [];
  });

/** The days the periods ending span, for the one Query of a branch's activities; none when none ends. */
export const spanOf = (ending: readonly Ending[]): { from: string; to: string } | undefined => {
  // ISO dates sort as strings.
  const froms = ending.map((e) => e.period.from).sort();
  const tos = ending.map((e) => e.period.to).sort();
  const [from, to] = [froms[0], tos.at(-1)];
  return from === undefined || to === undefined ? undefined : { from, to };
};

/** An activity as the watch counts it: cancelled ones are left out before. */
export interface Counted {
  type: ActivityType;
  partyGroupId?: string;
  /** The local date it starts (compliance counts an activity in the period holding it). */
  startsOn: string;
  status: 'scheduled' | 'completed';
}

export interface AtRisk {
  type: CadenceType;
  /** A party-group meeting's party group: those are judged per group. */
  partyGroupId?: string;
  period: Period;
  periodKind: CadencePeriod;
  required: number;
  /** Completed in the period. */
  held: number;
  /** Scheduled (not cancelled, not completed yet) to start in the period. */
  scheduled: number;
}

/**
 * The periods ending that a branch is short of: fewer completed plus still-scheduled
 * activities of the type in the period than the rule requires. A meeting scheduled in the
 * period counts: a secretary who has called it needs no warning (if it is cancelled, a
 * later day's watch finds the period short). Party-group meetings are judged per party
 * group, as compliance judges them; a branch with no party group has none to hold.
 */
export const periodsAtRisk = (input: {
  ending: readonly Ending[];
  activities: readonly Counted[];
  partyGroupIds: readonly string[];
}): AtRisk[] => {
  const judge = ({ type, rule, period }: Ending, partyGroupId: string | undefined): AtRisk[] => {
    const inPeriod = input.activities.filter((a) => countsFor(a, a.startsOn, type, partyGroupId, period));
    const held = inPeriod.filter((a) => a.status === 'completed').length;
    const scheduled = inPeriod.length - held;
    if (held + scheduled >= rule.times) return [];
    return [
      {
        type,
        ...(partyGroupId === undefined ? {} : { partyGroupId }),
        period,
        periodKind: rule.period,
        required: rule.times,
        held,
        scheduled,
      },
    ];
  };
  const groups = [...new Set(input.partyGroupIds)].sort();
  return input.ending.flatMap((e) =>
    e.type === 'party-group-meeting' ? groups.flatMap((g) => judge(e, g)) : judge(e, undefined),
  );
};
