import { describe, expect, it } from 'vitest';
import { lateEntry, lateEntryEdges } from './late-entry.js';

/** The activity ended 2026-07-20 11:00 local. */
const ENDS = '2026-07-20T03:00:00.000Z';

const judge = (
  write: 'create' | 'record',
  now: string,
  over: { reason?: string; committee?: boolean } = {},
) => {
  const r = lateEntry({
    write,
    endsAt: ENDS,
    now: new Date(now),
    reason: over.reason,
    committee: over.committee ?? false,
    by: 'p1',
  });
  return r.ok ? (r.value ?? 'on-time') : r.error.code;
};

describe('late entry', () => {
  it('counts local days: the 7th day after is on time, the 8th needs a reason, the 61st is closed to secretaries', () => {
    expect(lateEntryEdges(ENDS)).toEqual({
      graceEnds: new Date('2026-07-28T00:00:00+08:00'),
      secretaryLimit: new Date('2026-09-19T00:00:00+08:00'),
    });
    expect(judge('record', '2026-07-27T23:59:59+08:00')).toBe('on-time');
    expect(judge('record', '2026-07-28T00:00:00+08:00')).toBe('late-entry-reason-required');
    expect(judge('record', '2026-09-18T23:59:59+08:00', { reason: '补录' })).toEqual({
      reason: '补录',
      recordedAt: '2026-09-18T23:59:59+08:00',
      by: 'p1',
    });
    expect(judge('record', '2026-09-19T00:00:00+08:00', { reason: '补录' })).toBe('late-entry-closed');
  });

  it('needs a reason to schedule an activity whose end is past, from the first millisecond', () => {
    expect(judge('create', '2026-07-20T11:00:00+08:00')).toBe('on-time');
    expect(judge('create', '2026-07-20T11:00:00.001+08:00')).toBe('late-entry-reason-required');
    expect(judge('create', '2026-07-21T09:00:00+08:00', { reason: '会后补录' })).toMatchObject({
      reason: '会后补录',
    });
  });

  it('lets only the committee record beyond the limit, and only with a reason', () => {
    const december = '2026-12-06T10:00:00+08:00';
    expect(judge('create', december, { reason: '补录' })).toBe('late-entry-closed');
    expect(judge('record', december, { reason: '补录' })).toBe('late-entry-closed');
    expect(judge('create', december, { committee: true })).toBe('late-entry-reason-required');
    expect(judge('record', december, { committee: true, reason: '档案整理' })).toMatchObject({
      reason: '档案整理',
      by: 'p1',
    });
  });
});
