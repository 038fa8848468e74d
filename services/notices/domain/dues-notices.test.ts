import { describe, expect, it } from 'vitest';
import { duesUnpaidNotice } from './dues-notices.js';

describe('the reminder of unpaid dues', () => {
  it('to the member, naming the months, under its natural id', () => {
    const at = new Date('2026-12-20T01:00:00Z');
    expect(
      duesUnpaidNotice(
        { personId: 'P', branchId: 'B', sweptIn: '2026-12', months: ['2026-09', '2026-11'] },
        at,
      ),
    ).toEqual({
      noticeId: 'dues-unpaid-P-2026-12',
      kind: 'dues-unpaid',
      title: '党费催缴：2 个月未缴',
      summary: '您有 2 个月的党费尚未缴纳：2026年9月、2026年11月，请尽快向党支部缴纳',
      postedAt: '2026-12-20T01:00:00.000Z',
      to: { personIds: ['P'] },
      about: { personId: 'P' },
    });
  });
});
