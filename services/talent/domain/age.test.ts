import { describe, expect, it } from 'vitest';
import { ageStructure, bandOf } from './age.js';

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
    const on = (asOf: string) => ageStructure([{ birthDate: '1991-11-26', politicalStatus: 'full' }], asOf);
    expect(on('2026-11-25').members.bands['30-34']).toBe(1);
    expect(on('2026-11-26').members.bands['35-39']).toBe(1);
  });

  it('flags empty bands between members, and a pipeline without anyone under 35', () => {
    const s = ageStructure(
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
});
