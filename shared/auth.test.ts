import { describe, expect, it } from 'vitest';
import {
  actsForBranch,
  actsForOrg,
  authorize,
  type Caller,
  callerFromClaims,
  isSelf,
  parseGroupsClaim,
  selfOf,
} from './auth.js';

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
        sub: 'a1',
        token_use: 'id',
        'cognito:groups': '[member secretary]',
        'custom:personId': 'P1',
        'custom:branchId': 'B1',
        exp: '1767225600',
      }),
    ).toEqual({
      sub: 'a1',
      personId: 'P1',
      roles: ['secretary', 'member'],
      role: 'secretary',
      branchId: 'B1',
    });
    expect(
      callerFromClaims({
        sub: 'org-user',
        token_use: 'id',
        'cognito:groups': '[partner]',
        'custom:orgId': 'O1',
      }),
    ).toEqual({
      sub: 'org-user',
      roles: ['partner'],
      role: 'partner',
      orgId: 'O1',
    });
    expect(callerFromClaims({ 'cognito:groups': '[member]' })).toBeUndefined();
  });

  it('takes only ID tokens: an access token carries none of the account, so it names nobody', () => {
    const claims = { sub: 'a1', 'cognito:groups': '[member]', 'custom:personId': 'P1' };
    expect(callerFromClaims({ ...claims, token_use: 'access' })).toBeUndefined();
    expect(callerFromClaims(claims)).toBeUndefined();
    expect(callerFromClaims({ ...claims, token_use: 'id' })?.personId).toBe('P1');
  });

  it('acts as a person only with the person claim: the account id is never taken for one', () => {
    const linked = callerFromClaims({
      sub: 'a1',
      token_use: 'id',
      'cognito:groups': '[member]',
      'custom:personId': 'P1',
    });
    const unlinked = callerFromClaims({ sub: 'P1', token_use: 'id', 'cognito:groups': '[member]' });
    expect(isSelf(linked, 'P1')).toBe(true);
    expect(isSelf(linked, 'a1')).toBe(false);
    expect(isSelf(unlinked, 'P1')).toBe(false);
    expect(() => selfOf(unlinked as Caller)).toThrow(
      expect.objectContaining({ kind: 'forbidden', code: 'no-person' }),
    );
    expect(selfOf(linked as Caller)).toBe('P1');
  });

  it('knows a signed-in account whose groups name no known role, with no roles', () => {
    expect(callerFromClaims({ sub: 'a1', token_use: 'id', 'cognito:groups': '[auditor]' })).toEqual({
      sub: 'a1',
      roles: [],
    });
    expect(callerFromClaims({ sub: 'a1', token_use: 'id', 'cognito:groups': '[]' })).toEqual({
      sub: 'a1',
      roles: [],
    });
    const auditor = callerFromClaims({
      sub: 'a1',
      token_use: 'id',
      'cognito:groups': '[auditor]',
      'custom:branchId': 'B1',
    });
    expect(() => authorize(['committee', 'secretary', 'member', 'partner'], auditor)).toThrow(/not allowed/);
    expect(() => authorize('public', auditor)).not.toThrow();
    expect(actsForBranch(auditor, 'B1')).toBe(false);
  });

  it('knows no caller without a sub or without a groups claim in the authorizer form', () => {
    expect(callerFromClaims({ sub: 'a1' })).toBeUndefined();
    expect(callerFromClaims({ sub: 'a1', token_use: 'id', 'cognito:groups': 'member' })).toBeUndefined();
    expect(callerFromClaims({ sub: 'a1', token_use: 'id', 'cognito:groups': true })).toBeUndefined();
    expect(callerFromClaims({ sub: '', token_use: 'id', 'cognito:groups': '[member]' })).toBeUndefined();
    expect(callerFromClaims(undefined)).toBeUndefined();
  });

  it('authorises by the union of roles', () => {
    const caller = callerFromClaims({ sub: 'p1', token_use: 'id', 'cognito:groups': '[secretary member]' });
    expect(() => authorize(['member'], caller)).not.toThrow();
    expect(() => authorize(['committee'], caller)).toThrow(/not allowed/);
    expect(() => authorize(['member'], undefined)).toThrow(/token/);
    expect(() => authorize('public', undefined)).not.toThrow();
  });
});

describe('scope', () => {
  const secretary = callerFromClaims({
    sub: 's',
    token_use: 'id',
    'cognito:groups': '[secretary member]',
    'custom:branchId': 'B1',
  });
  const partner = callerFromClaims({
    sub: 'o',
    token_use: 'id',
    'cognito:groups': '[partner]',
    'custom:orgId': 'O1',
  });
  const committee = callerFromClaims({ sub: 'c', token_use: 'id', 'cognito:groups': '[committee]' });

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
