import { describe, expect, it } from 'vitest';
import { type Contribution, yearlyPoints } from './points.js';

describe('points', () => {
  it('attendance: present 2, late 1, excused 0, absent −1', () => {
    const c: Contribution[] = [
      { kind: 'attendance', on: '2026-01-01', status: 'present' },
      { kind: 'attendance', on: '2026-01-02', status: 'late' },
      { kind: 'attendance', on: '2026-01-03', status: 'excused' },
      { kind: 'attendance', on: '2026-01-04', status: 'absent' },
    ];
    expect(yearlyPoints(c)).toEqual([
      { year: 2026, total: 2, attendance: 2, study: 0, assessment: 0, volunteering: 0 },
    ]);
  });

  it('study: 1 per full 30 minutes, at most 20 a year', () => {
    expect(yearlyPoints([{ kind: 'study', on: '2026-03-01', minutes: 59 }])[0]?.study).toBe(1);
    expect(yearlyPoints([{ kind: 'study', on: '2026-03-01', minutes: 60 }])[0]?.study).toBe(2);
    const lots = Array.from(
      { length: 11 },
      (_, i): Contribution => ({
        kind: 'study',
        on: `2026-03-${String(i + 1).padStart(2, '0')}`,
        minutes: 60,
      }),
    );
    expect(yearlyPoints(lots)[0]).toMatchObject({ study: 20, total: 20 });
    // The cap is per year: next year starts again.
    const twoYears = yearlyPoints([...lots, { kind: 'study', on: '2027-01-01', minutes: 90 }]);
    expect(twoYears.map((y) => [y.year, y.study])).toEqual([
      [2027, 3],
      [2026, 20],
    ]);
  });

  it('assessment passed 5, once per assessment; failing 0', () => {
    expect(
      yearlyPoints([
        { kind: 'assessment', on: '2026-01-01', assessmentId: 'A', passed: false },
        { kind: 'assessment', on: '2026-01-02', assessmentId: 'A', passed: true },
        { kind: 'assessment', on: '2026-01-03', assessmentId: 'A', passed: true },
        { kind: 'assessment', on: '2026-01-04', assessmentId: 'B', passed: true },
      ])[0]?.assessment,
    ).toBe(10);
  });

  it('volunteering: 1 per full hour', () => {
    expect(yearlyPoints([{ kind: 'volunteering', on: '2026-01-01', hours: 3.5 }])[0]?.volunteering).toBe(3);
  });
});
