import { describe, expect, it } from 'vitest';
import { checkEndMembership, checkTransferOut, retirementPlacement } from './lifecycle.js';

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

describe('where a retiree belongs', () => {
  const work = { branchId: 'work', retiredMembers: false };
  const retiredA = { branchId: 'retired-a', retiredMembers: true };
  const retiredB = { branchId: 'retired-b', retiredMembers: true };
  const place = (branches: (typeof work)[], requested?: string, branchId: string | undefined = 'work') => {
    const r = retirementPlacement({ person: { branchId }, branches, requested });
    return r.ok ? { moveTo: r.value } : r.error.code;
  };

  it('stays in their branch when the institution has no retired members’ branch', () => {
    expect(place([work])).toEqual({ moveTo: undefined });
    expect(place([work], undefined, undefined)).toEqual({ moveTo: undefined });
  });

  it('moves to the only retired members’ branch when none is named', () => {
    expect(place([work, retiredA])).toEqual({ moveTo: 'retired-a' });
    expect(place([work, retiredA], undefined, undefined)).toEqual({ moveTo: 'retired-a' });
  });

  it('needs one named when there are several', () => {
    expect(place([work, retiredA, retiredB])).toBe('retired-branch-required');
    expect(place([work, retiredA, retiredB], 'retired-b')).toEqual({ moveTo: 'retired-b' });
  });

  it('moves only into a branch that is a retired members’ branch, and one that exists', () => {
    expect(place([work, retiredA], 'retired-a')).toEqual({ moveTo: 'retired-a' });
    expect(place([work, retiredA, { branchId: 'other', retiredMembers: false }], 'other')).toBe(
      'not-a-retired-members-branch',
    );
    expect(place([work, retiredA], 'work')).toBe('not-a-retired-members-branch');
    expect(place([work, retiredA], 'nowhere')).toBe('unknown-branch');
  });

  it('stays when already in a retired members’ branch', () => {
    expect(place([work, retiredA, retiredB], undefined, 'retired-a')).toEqual({ moveTo: undefined });
    expect(place([work, retiredA], 'retired-a', 'retired-a')).toEqual({ moveTo: undefined });
    // Named explicitly, another retired members' branch is a move the committee chose.
    expect(place([work, retiredA, retiredB], 'retired-b', 'retired-a')).toEqual({ moveTo: 'retired-b' });
  });
});
