import { describe, expect, it } from 'vitest';
import { ratingProblem, recordKinds } from './records.js';

describe('ratingProblem', () => {
  it('accepts each kind with its own ratings and nothing else', () => {
    expect(ratingProblem('performance', 'basically-competent')).toBeUndefined();
    expect(ratingProblem('evaluation', 'basically-qualified')).toBeUndefined();
    expect(ratingProblem('performance', 'qualified')).toMatch(/performance rating is one of/);
    expect(ratingProblem('evaluation', 'competent')).toMatch(/evaluation rating is one of/);
    expect(ratingProblem('performance', undefined)).toMatch(/needs a rating/);
  });

  it('refuses a rating on kinds that take none', () => {
    for (const kind of recordKinds.filter((k) => k !== 'performance' && k !== 'evaluation')) {
      expect(ratingProblem(kind, undefined)).toBeUndefined();
      expect(ratingProblem(kind, 'excellent')).toMatch(/takes no rating/);
    }
  });
});
