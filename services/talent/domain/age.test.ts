import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageOn } from '../../../shared/time.js';
import { type PoliticalStatus, politicalStatuses } from '../events.js';
import { AGE_BANDS, type AgeBand, type AgeStructure, ageStructure, bandOf, YOUNG_AGE_LIMIT } from './age.js';
import { tallyOf } from './tallies.js';

type Someone = { birthDate: string; politicalStatus: PoliticalStatus };
const of = (people: Someone[], asOf: string) => ageStructure(tallyOf(people), asOf);

describe('age bands', () => {
  it.each([
    [29, '<30'],
    [30, '30-34'],
    [34, '30-34'],
    [35, '35-39'],
    [54, '50-54'],
    [55, '55+'],
  ] as const)('%i is in %s', (age, band) => expect(bandOf(age)).toBe(band));

  it('a birthday moves a person into the next band on the day', () => {
    const on = (asOf: string) => of([{ birthDate: '1991-11-26', politicalStatus: 'full' }], asOf);
    expect(on('2026-11-25').members.bands['30-34']).toBe(1);
    expect(on('2026-11-26').members.bands['35-39']).toBe(1);
  });

  it('flags empty bands between members, and a pipeline without anyone under 35', () => {
    const s = of(
      [
        { birthDate: '2000-01-01', politicalStatus: 'full' }, // 26
        { birthDate: '1980-01-01', politicalStatus: 'probationary' }, // 46
        { birthDate: '1985-01-01', politicalStatus: 'activist' }, // 41
      ],
      '2026-06-01',
    );
    expect(s.gaps).toEqual(['30-34', '35-39', '40-44']);
    expect(s.warnings.map((w) => w.code)).toEqual(['no-young-pipeline']);
  });

  it('counts a tally of many born on one day as that many people, and ignores emptied tallies', () => {
    const s = ageStructure(
      [
        { birthDate: '1996-03-01', politicalStatus: 'full', count: 3 },
        { birthDate: '1970-03-01', politicalStatus: 'probationary', count: 1 },
        { birthDate: '1960-03-01', politicalStatus: 'full', count: 0 },
      ],
      '2026-03-01',
    );
    expect(s.members).toEqual({
      count: 4,
      bands: { '<30': 0, '30-34': 3, '35-39': 0, '40-44': 0, '45-49': 0, '50-54': 0, '55+': 1 },
      shareUnder35: 0.75,
      averageAge: 36.5,
    });
  });
});

/** The age structure as it was computed from every person before the tallies (the reference). */
const fromEveryPerson = (people: readonly Someone[], asOf: string): AgeStructure => {
  const group = (ages: number[]) => {
    const bands = Object.fromEntries(AGE_BANDS.map((b) => [b, 0])) as Record<AgeBand, number>;
    for (const age of ages) bands[bandOf(age)]++;
    const count = ages.length;
    return {
      count,
      bands,
      shareUnder35:
        count === 0
          ? null
          : Math.round((ages.filter((a) => a < YOUNG_AGE_LIMIT).length / count) * 1000) / 1000,
      averageAge: count === 0 ? null : Math.round((ages.reduce((s, a) => s + a, 0) / count) * 10) / 10,
    };
  };
  const ages = (statuses: readonly PoliticalStatus[]) =>
    people.filter((p) => statuses.includes(p.politicalStatus)).map((p) => ageOn(p.birthDate, asOf));
  const members = group(ages(['probationary', 'full']));
  const pipeline = group(ages(['applicant', 'activist', 'candidate']));
  const filled = AGE_BANDS.map((b) => members.bands[b] > 0);
  const gaps = AGE_BANDS.filter(
    (_b, i) => !filled[i] && filled.slice(0, i).some(Boolean) && filled.slice(i + 1).some(Boolean),
  );
  const warnings =
    ages(['applicant', 'activist', 'candidate']).filter((a) => a < YOUNG_AGE_LIMIT).length === 0
      ? [
          {
            code: 'no-young-pipeline',
            message: `no one under ${YOUNG_AGE_LIMIT} in the pipeline (applicant to candidate)`,
          },
        ]
      : [];
  return { asOf, members, pipeline, gaps, warnings };
};

const isoDay = (from: string, to: string) =>
  fc
    .date({ min: new Date(`${from}T00:00:00Z`), max: new Date(`${to}T00:00:00Z`), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));

describe('age structure from tallies', () => {
  it('equals the one computed from every person, for any population and day', () => {
    // Few distinct birth days, so many people share a tally (the case counting must get right).
    const population = fc.array(
      fc.record({
        birthDate: fc.oneof(isoDay('1950-01-01', '2005-12-31'), fc.constantFrom('1991-11-26', '1996-02-29')),
        politicalStatus: fc.constantFrom(...politicalStatuses),
      }),
      { maxLength: 200 },
    );
    fc.assert(
      fc.property(population, isoDay('2010-01-01', '2040-12-31'), (people, asOf) => {
        expect(of(people, asOf)).toEqual(fromEveryPerson(people, asOf));
      }),
      { numRuns: 300 },
    );
  });
});
