/**
 * Age structure (年龄结构) of a branch or the institution: party members (probationary and
 * full) and the pipeline (applicant to candidate) by age band, at a given local date.
 */
import { ageOn } from '../../../shared/time.js';
import type { PoliticalStatus } from '../events.js';
import type { Tally } from './tallies.js';

export const AGE_BANDS = ['<30', '30-34', '35-39', '40-44', '45-49', '50-54', '55+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
/** The institution watches the share of people under 35 (青年党员). */
export const YOUNG_AGE_LIMIT = 35;

const MEMBER: readonly PoliticalStatus[] = ['probationary', 'full'];
const PIPELINE: readonly PoliticalStatus[] = ['applicant', 'activist', 'candidate'];

export const bandOf = (age: number): AgeBand => {
  if (age < 30) return '<30';
  if (age >= 55) return '55+';
  const low = 30 + Math.floor((age - 30) / 5) * 5;
  return `${low}-${low + 4}` as AgeBand;
};

export interface GroupStructure {
  count: number;
  bands: Record<AgeBand, number>;
  /** Share under 35, 0..1 rounded to 3 decimals; null when nobody is counted. */
  shareUnder35: number | null;
  /** Average age in years, one decimal; null when nobody is counted. */
  averageAge: number | null;
}

export interface AgeStructure {
  asOf: string;
  members: GroupStructure;
  pipeline: GroupStructure;
  /** Member bands that are empty while a younger and an older band both have members (断层). */
  gaps: AgeBand[];
  warnings: { code: string; message: string }[];
}

/** Ages with how many people have each. */
type Ages = readonly { age: number; count: number }[];

const group = (ages: Ages): GroupStructure => {
  const bands = Object.fromEntries(AGE_BANDS.map((b) => [b, 0])) as Record<AgeBand, number>;
  let count = 0;
  let young = 0;
  let years = 0;
  for (const { age, count: n } of ages) {
    bands[bandOf(age)] += n;
    count += n;
    if (age < YOUNG_AGE_LIMIT) young += n;
    years += age * n;
  }
  return {
    count,
    bands,
    shareUnder35: count === 0 ? null : Math.round((young / count) * 1000) / 1000,
    averageAge: count === 0 ? null : Math.round((years / count) * 10) / 10,
  };
};

/**
 * The age structure at `asOf` from head counts by birth date and status (tallies.ts): ages
 * are worked out on the day asked about, so counts kept by birth date never go stale.
 */
export const ageStructure = (tallies: readonly Tally[], asOf: string): AgeStructure => {
  const ages = (statuses: readonly PoliticalStatus[]): Ages =>
    tallies
      .filter((t) => t.count > 0 && statuses.includes(t.politicalStatus))
      .map((t) => ({ age: ageOn(t.birthDate, asOf), count: t.count }));
  const members = group(ages(MEMBER));
  const pipeline = group(ages(PIPELINE));
  const filled = AGE_BANDS.map((b) => members.bands[b] > 0);
  const gaps = AGE_BANDS.filter(
    (_b, i) => !filled[i] && filled.slice(0, i).some(Boolean) && filled.slice(i + 1).some(Boolean),
  );
  const warnings: AgeStructure['warnings'] = [];
  const youngInPipeline = ages(PIPELINE)
    .filter((a) => a.age < YOUNG_AGE_LIMIT)
    .reduce((s, a) => s + a.count, 0);
  if (youngInPipeline === 0) {
    warnings.push({
      code: 'no-young-pipeline',
      message: `no one under ${YOUNG_AGE_LIMIT} in the pipeline (applicant to candidate)`,
    });
  }
  return { asOf, members, pipeline, gaps, warnings };
};
