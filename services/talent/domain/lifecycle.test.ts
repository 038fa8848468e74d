import { describe, expect, it } from 'vitest';
import { checkEndMembership, checkTransferOut } from './lifecycle.js';

const full = { politicalStatus: 'full' as const };
const today = '2026-11-26';
const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error?.code);

describe('a transfer out', () => {
  it('is for party members, on or before today', () => {
    expect(codeOf(checkTransferOut({ person: full, on: today, today }))).toBe('ok');
    expect(codeOf(checkTransferOut({ person: { politicalStatus: 'probationary' }, on: today, today }))).toBe(
      'ok',
    );
    expect(codeOf(checkTransferOut({ person: { politicalStatus: 'activist' }, on: today, today }))).toBe(
      'not-a-party-member',
    );
    expect(codeOf(checkTransferOut({ person: full, on: '2026-11-27', today }))).toBe('departure-in-future');
  });
});

describe('an end of membership', () => {
  const end = (over: Partial<Parameters<typeof checkEndMembership>[0]> = {}) =>
    codeOf(
      checkEndMembership({ person: full, kind: 'deceased', on: today, today, byCommittee: false, ...over }),
    );

  it('is recorded by a secretary, but an expulsion only by the committee', () => {
    expect(end()).toBe('ok');
    expect(end({ kind: 'membership-stopped' })).toBe('ok');
    expect(end({ kind: 'expelled' })).toBe('expulsion-committee-only');
    expect(end({ kind: 'expelled', byCommittee: true })).toBe('ok');
  });

  it('is a decision already taken, of a party member', () => {
    expect(end({ on: '2026-11-27' })).toBe('effective-date-in-future');
    expect(end({ person: { politicalStatus: 'candidate' } })).toBe('not-a-party-member');
  });

  it('records a retirement once', () => {
    expect(end({ kind: 'retired' })).toBe('ok');
    const retired = {
      ...full,
      retirement: { on: '2026-01-01', authority: 'x', reason: 'y', recordedBy: 'z' },
    };
    expect(end({ kind: 'retired', person: retired })).toBe('already-retired');
  });
});
