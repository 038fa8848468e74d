import { describe, expect, it } from 'vitest';
import { isoDate, isoDateTime, multiLine, singleLine } from './schemas.js';

describe('shared date schemas', () => {
  it.each([
    ['2026-11-26T09:30:00+08:00', true],
    ['2026-11-26T01:30:00Z', true],
    ['2026-11-26T09:30:00', false], // no offset
    ['9999-12-31T23:00:00-05:00', false], // year 10000 in UTC
    ['0001-01-01T00:00:00Z', false],
    ['2100-12-31T23:00:00-05:00', false], // 2101 in UTC
  ])('isoDateTime %s → %s', (value, valid) => {
    expect(isoDateTime.safeParse(value).success).toBe(valid);
  });

  it.each([
    ['1949-10-01', true],
    ['1900-01-01', true],
    ['1899-12-31', false],
    ['2101-01-01', false],
    ['2026-02-30', false],
  ])('isoDate %s → %s', (value, valid) => {
    expect(isoDate.safeParse(value).success).toBe(valid);
  });
});

describe('shared text schemas', () => {
  it.each([
    ['张三', true, true],
    ['  张三  ', true, true],
    ['张\u0000三', false, false],
    ['张\u001b[31m三', false, false],
    ['张三\nrm', false, true],
    ['第一段\r\n第二段\t完', false, true],
    ['invoice\u202Etxt.exe', false, false],
    ['\u2066isolated\u2069', false, false],
    ['\u200Bzero width', true, true],
    ['', false, false],
  ])('%j: single line %s, multi-line %s', (value, oneLine, free) => {
    expect([singleLine(50).safeParse(value).success, multiLine(50).safeParse(value).success]).toEqual([
      oneLine,
      free,
    ]);
  });
});
