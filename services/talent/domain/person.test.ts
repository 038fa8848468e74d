import { describe, expect, it } from 'vitest';
import { checkPersonDates } from './person.js';

const TODAY = '2026-11-26';
const code = (r: ReturnType<typeof checkPersonDates>) => (r.ok ? 'ok' : r.error.code);
const dates = { birthDate: '1990-05-01', statusSince: '2020-01-01' };

describe('checkPersonDates', () => {
  it('accepts dates that agree, up to today', () => {
    expect(code(checkPersonDates(dates, TODAY))).toBe('ok');
    expect(code(checkPersonDates({ birthDate: '1900-01-01', statusSince: TODAY }, TODAY))).toBe('ok');
    expect(code(checkPersonDates({ ...dates, workStartDate: '1990-05-01' }, TODAY))).toBe('ok');
  });

  it('names the rule a date breaks', () => {
    expect(code(checkPersonDates({ ...dates, birthDate: '1899-12-31' }, TODAY))).toBe(
      'birth-date-implausible',
    );
    expect(code(checkPersonDates({ ...dates, birthDate: '0001-01-01' }, TODAY))).toBe(
      'birth-date-implausible',
    );
    expect(code(checkPersonDates({ birthDate: '2026-11-27', statusSince: '2026-11-27' }, TODAY))).toBe(
      'birth-date-in-future',
    );
    expect(code(checkPersonDates({ ...dates, statusSince: '1990-04-30' }, TODAY))).toBe(
      'status-since-out-of-range',
    );
    expect(code(checkPersonDates({ ...dates, statusSince: '2026-11-27' }, TODAY))).toBe(
      'status-since-out-of-range',
    );
    expect(code(checkPersonDates({ ...dates, workStartDate: '1990-04-30' }, TODAY))).toBe(
      'work-start-before-birth',
    );
  });
});
