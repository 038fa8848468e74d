/**
 * How often each kind of 三会一课 activity must be held, and whether a branch kept to it.
 *
 * Statutory defaults, from 《中国共产党支部工作条例（试行）》 (2018), 第十九条 and 第二十条:
 *   支部党员大会 branch-general-meeting      generally once a quarter
 *   支部委员会会议 branch-committee-meeting   generally once a month
 *   党小组会 party-group-meeting             generally once a month (per party group)
 *   主题党日 theme-day                       once a month (第二十条: 每月相对固定1天)
 *   组织生活会 organizational-life-meeting    generally once a year (第二十一条)
 *   民主评议党员 democratic-evaluation        generally once a year (第二十二条)
 *   党课 party-lesson                        quarterly: a local rule (the 条例 says only
 *                                            "党员领导干部每年至少讲1次党课"); some
 *                                            institutions require twice a semester, hence
 *                                            the per-institution setting.
 * Pure: the calendar is Asia/Shanghai dates given as parameters.
 */
import * as z from 'zod';
import { addDays, addMonths } from '../../../shared/time.js';
import type { ActivityType } from '../events.js';

export const cadenceTypes = [
  'branch-general-meeting',
  'branch-committee-meeting',
  'party-group-meeting',
  'party-lesson',
  'theme-day',
  'organizational-life-meeting',
  'democratic-evaluation',
] as const satisfies readonly ActivityType[];
export type CadenceType = (typeof cadenceTypes)[number];

export const cadencePeriods = ['month', 'quarter', 'half-year', 'year'] as const;
export type CadencePeriod = (typeof cadencePeriods)[number];

export const cadencePeriod = z.enum(cadencePeriods).meta({
  description: 'month — 每月; quarter — 每季度; half-year — 每半年; year — 每年',
});

export const cadenceRule = z.strictObject({
  period: cadencePeriod,
  /** How many must be held (completed) in each period. */
  times: z.number().int().min(1).max(31).meta({ example: 1 }),
});
export type CadenceRule = z.output<typeof cadenceRule>;
export type CadenceRules = Record<CadenceType, CadenceRule>;

export const cadenceRules = z.strictObject(
  Object.fromEntries(cadenceTypes.map((t) => [t, cadenceRule])) as Record<CadenceType, typeof cadenceRule>,
);

export const statutoryCadence: CadenceRules = {
  'branch-general-meeting': { period: 'quarter', times: 1 },
  'branch-committee-meeting': { period: 'month', times: 1 },
  'party-group-meeting': { period: 'month', times: 1 },
  'party-lesson': { period: 'quarter', times: 1 },
  'theme-day': { period: 'month', times: 1 },
  'organizational-life-meeting': { period: 'year', times: 1 },
  'democratic-evaluation': { period: 'year', times: 1 },
};

/** Whether two sets of rules ask for the same thing of every type. */
export const sameRules = (a: CadenceRules, b: CadenceRules): boolean =>
  cadenceTypes.every((t) => a[t].period === b[t].period && a[t].times === b[t].times);

export const isCadenceType = (type: string): type is CadenceType =>
  (cadenceTypes as readonly string[]).includes(type);

export interface Period {
  /** `2026-03`, `2026-Q1`, `2026-H1`, `2026`. */
  label: string;
  /** First and last local dates, inclusive. */
  from: string;
  to: string;
}

const monthsPer: Record<CadencePeriod, number> = { month: 1, quarter: 3, 'half-year': 6, year: 12 };

export const periodsOf = (year: number, period: CadencePeriod): Period[] => {
  const step = monthsPer[period];
  const out: Period[] = [];
  for (let i = 0; i < 12 / step; i += 1) {
    const from = addMonths(`${year}-01-01`, i * step);
    const to = addDays(addMonths(from, step), -1);
    const label =
      period === 'month'
        ? from.slice(0, 7)
        : period === 'quarter'
          ? `${year}-Q${i + 1}`
          : period === 'half-year'
            ? `${year}-H${i + 1}`
            : String(year);
    out.push({ label, from, to });
  }
  return out;
};

/**
 * Whether an activity on a local date counts for a type's period: of the type (and, for a
 * party-group meeting judged per group, of the group) and on a day of the period.
 */
export const countsFor = (
  a: { type: ActivityType; partyGroupId?: string },
  on: string,
  type: CadenceType,
  partyGroupId: string | undefined,
  period: Period,
): boolean =>
  a.type === type &&
  (partyGroupId === undefined || a.partyGroupId === partyGroupId) &&
  on >= period.from &&
  on <= period.to;

export type PeriodStatus = 'met' | 'missed' | 'open';

export interface PeriodCompliance extends Period {
  required: number;
  held: number;
  status: PeriodStatus;
  /** Of those held, how many were recorded late (domain/late-entry.ts), and which. */
  late: number;
  lateActivityIds: string[];
  /** Met, but only thanks to activities recorded late. */
  metLate: boolean;
}

export interface TypeCompliance {
  type: CadenceType;
  partyGroupId?: string;
  period: CadencePeriod;
  times: number;
  periods: PeriodCompliance[];
}

export interface Held {
  type: ActivityType;
  partyGroupId?: string;
  /** Local date it was held. */
  heldOn: string;
  activityId?: string;
  /** Recorded after the fact (domain/late-entry.ts). */
  recordedLate?: boolean;
}

export interface ComplianceSummary {
  periods: number;
  met: number;
  missed: number;
  open: number;
  metLate: number;
}

/**
 * Each period that has begun by `today`: met once enough were held, missed when it ended
 * short, open while it is still running and short. Party-group meetings are judged per
 * party group.
 */
export const compliance = (input: {
  year: number;
  today: string;
  rules: CadenceRules;
  held: readonly Held[];
  partyGroupIds: readonly string[];
}): { types: TypeCompliance[]; summary: ComplianceSummary } => {
  const types: TypeCompliance[] = [];
  const judge = (type: CadenceType, partyGroupId: string | undefined) => {
    const rule = input.rules[type];
    const periods = periodsOf(input.year, rule.period)
      .filter((p) => p.from <= input.today)
      .map((p): PeriodCompliance => {
        const inPeriod = input.held.filter((h) => countsFor(h, h.heldOn, type, partyGroupId, p));
        const held = inPeriod.length;
        const lateOnes = inPeriod.filter((h) => h.recordedLate);
        const status: PeriodStatus = held >= rule.times ? 'met' : p.to < input.today ? 'missed' : 'open';
        return {
          ...p,
          required: rule.times,
          held,
          status,
          late: lateOnes.length,
          lateActivityIds: lateOnes.flatMap((h) => (h.activityId ? [h.activityId] : [])),
          metLate: status === 'met' && held - lateOnes.length < rule.times,
        };
      });
    types.push({
      type,
      ...(partyGroupId === undefined ? {} : { partyGroupId }),
      period: rule.period,
      times: rule.times,
      periods,
    });
  };
  for (const type of cadenceTypes) {
    if (type === 'party-group-meeting') {
      for (const group of [...new Set(input.partyGroupIds)].sort()) judge(type, group);
    } else judge(type, undefined);
  }
  const all = types.flatMap((t) => t.periods);
  return {
    types,
    summary: {
      periods: all.length,
      met: all.filter((p) => p.status === 'met').length,
      missed: all.filter((p) => p.status === 'missed').length,
      open: all.filter((p) => p.status === 'open').length,
      metLate: all.filter((p) => p.metLate).length,
    },
  };
};
