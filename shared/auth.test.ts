import { describe, expect, it } from 'vitest';
import { actsForBranch, actsForOrg, authorize, callerFromClaims, parseGroupsClaim } from './auth.js';

describe('claims from API Gateway', () => {
  it.each([
    ['[secretary member]', ['secretary', 'member']],
    ['[committee]', ['committee']],
    ['[]', []],
    ['[member unknown-group]', ['member']],
    ['secretary', []],
    ['["secretary"]', []],
    [undefined, []],
  ])('parses groups %s', (value, expected) => {
    expect(parseGroupsClaim(value)).toEqual(expected);
  });

  it('builds the caller with every role, the widest first, and the custom attributes', () => {
    expect(
      callerFromClaims({
        sub: 'p1',
        'cognito:groups': '[member secretary]',
        'custom:branchId': 'B1',
        exp: '1767225600',
      }),
    ).toEqual({ sub: 'p1', roles: ['secretary', 'member'], role: 'secretary', branchId: 'B1' });
    expect(
      callerFromClaims({ sub: 'org-user', 'cognito:groups': '[partner]', 'custom:orgId': 'O1' }),
    ).toEqual({
      sub: 'org-user',
      roles: ['partner'],
      role: 'partner',
      orgId: 'O1',
    });
    expect(callerFromClaims({ 'cognito:groups': '[member]' })).toBeUndefined();
  });

  it('knows a signed-in account whose groups name no known role, with no roles', () => {
    expect(callerFromClaims({ sub: 'a1', 'cognito:groups': '[auditor]' })).toEqual({ sub: 'a1', roles: [] });
    expect(callerFromClaims({ sub: 'a1', 'cognito:groups': '[]' })).toEqual({ sub: 'a1', roles: [] });
    const auditor = callerFromClaims({ sub: 'a1', 'cognito:groups': '[auditor]', 'custom:branchId': 'B1' });
    expect(() => authorize(['committee', 'secretary', 'member', 'partner'], auditor)).toThrow(/not allowed/);
    expect(() => authorize('public', auditor)).not.toThrow();
    expect(actsForBranch(auditor, 'B1')).toBe(false);
  });

  it('knows no caller without a sub or without a groups claim in the authorizer form', () => {
    expect(callerFromClaims({ sub: 'a1' })).toBeUndefined();
    expect(callerFromClaims({ sub: 'a1', 'cognito:groups': 'member' })).toBeUndefined();
    expect(callerFromClaims({ sub: 'a1', 'cognito:groups': true })).toBeUndefined();
    expect(callerFromClaims({ sub: '', 'cognito:groups': '[member]' })).toBeUndefined();
    expect(callerFromClaims(undefined)).toBeUndefined();
  });

  it('authorises by the union of roles', () => {
    const caller = callerFromClaims({ sub: 'p1', 'cognito:groups': '[secretary member]' });
    expect(() => authorize(['member'], caller)).not.toThrow();
    expect(() => authorize(['committee'], caller)).toThrow(/not allowed/);
    expect(() => authorize(['member'], undefined)).toThrow(/token/);
    expect(() => authorize('public', undefined)).not.toThrow();
  });
});

describe('scope', () => {
  const secretary = callerFromClaims({
    sub: 's',
    'cognito:groups': '[secretary member]',
    'custom:branchId': 'B1',
  });
  const partner = callerFromClaims({ sub: 'o', 'cognito:groups': '[partner]', 'custom:orgId': 'O1' });
  const committee = callerFromClaims({ sub: 'c', 'cognito:groups': '[committee]' });

  it('lets a secretary act for their own branch only, and the committee for all', () => {
    expect(actsForBranch(secretary, 'B1')).toBe(true);
    expect(actsForBranch(secretary, 'B2')).toBe(false);
    expect(actsForBranch(committee, 'B2')).toBe(true);
    expect(actsForBranch(partner, 'B1')).toBe(false);
  });

  it('lets a partner account act for its own organisation only', () => {
    expect(actsForOrg(partner, 'O1')).toBe(true);
    expect(actsForOrg(partner, 'O2')).toBe(false);
    expect(actsForOrg(secretary, 'O1')).toBe(false);
    expect(actsForOrg(undefined, 'O1')).toBe(false);
  });
});
