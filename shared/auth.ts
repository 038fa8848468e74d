import { forbidden, noPerson, unauthenticated } from './errors.js';

export const roles = ['committee', 'secretary', 'member', 'partner'] as const;
export type Role = (typeof roles)[number];
export const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value);

/**
 * Who is calling. A person may hold several groups (a secretary is also a member); their
 * rights are the union, so `roles` keeps them all. A signed-in account whose groups name no
 * role we know (a group added in Cognito before the code knows it) has `roles: []`: it is
 * authenticated, so it gets 403 rather than 401, and may do nothing.
 */
export interface Caller {
  /** The account that signed in (Cognito's `sub`); audit entries keep it beside `personId`. */
  sub: string;
  /**
   * The person the account belongs to (`custom:personId`, which only administrators write,
   * once). Every "this is me" decision uses it; absent for partner accounts and for an
   * account linked to no person, which therefore act for nobody.
   */
  personId?: string;
  roles: readonly Role[];
  /** The role with the widest rights, for logs and simple checks; absent when `roles` is empty. */
  role?: Role;
  branchId?: string;
  orgId?: string;
}

const rank: Record<Role, number> = { committee: 0, secretary: 1, member: 2, partner: 3 };

const groupsForm = /^\[(.*)\]$/;

/**
 * API Gateway's JWT authorizer passes every claim as a string and an array claim as a
 * bracketed, space-separated string (`"[secretary member]"`). We parse that form and only
 * that form, so a token shaped differently fails here first, locally as on AWS.
 */
export const parseGroupsClaim = (value: string | undefined): Role[] => {
  if (value === undefined) return [];
  const match = groupsForm.exec(value);
  if (!match) return [];
  const names = (match[1] ?? '').split(' ').filter((name) => name.length > 0);
  return names.filter(isRole);
};

/**
 * The caller behind API Gateway's claims, or undefined when they do not identify one: no
 * `sub`, not an ID token (an access token carries none of the account's attributes, so it
 * cannot say whose it is), or no groups claim in the authorizer's form. A groups claim
 * naming no known role still identifies a caller, with no roles.
 */
export const callerFromClaims = (
  claims: Record<string, string | number | boolean> | undefined,
): Caller | undefined => {
  if (!claims) return undefined;
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0) return undefined;
  if (claims.token_use !== 'id') return undefined;
  const groupsClaim = claims['cognito:groups'];
  if (typeof groupsClaim !== 'string' || !groupsForm.test(groupsClaim)) return undefined;
  const sorted = [...new Set(parseGroupsClaim(groupsClaim))].sort((a, b) => rank[a] - rank[b]);
  const role = sorted[0];
  const branchId = claims['custom:branchId'];
  const orgId = claims['custom:orgId'];
  const personId = claims['custom:personId'];
  return {
    sub,
    ...(typeof personId === 'string' && personId.length > 0 ? { personId } : {}),
    roles: sorted,
    ...(role !== undefined ? { role } : {}),
    ...(typeof branchId === 'string' && branchId.length > 0 ? { branchId } : {}),
    ...(typeof orgId === 'string' && orgId.length > 0 ? { orgId } : {}),
  };
};

/**
 * Who acted, for the `createdBy` / `recordedBy` of what a caller writes: their person, or
 * for an account that is no person (a partner's), the account.
 */
export const actorOf = (caller: Caller): string => caller.personId ?? caller.sub;

/** The caller is this person (never true for an account linked to no person). */
export const isSelf = (caller: Caller | undefined, personId: string): boolean =>
  caller?.personId !== undefined && caller.personId === personId;

/** The caller's person, for a route that acts for the caller themselves; 403 `no-person` without one. */
export const selfOf = (caller: Caller): string => {
  if (caller.personId === undefined) throw noPerson();
  return caller.personId;
};

export const hasRole = (caller: Caller | undefined, role: Role): boolean =>
  caller?.roles.includes(role) ?? false;

/** Route-level access: `public`, or the roles allowed. Scope (which branch) is the domain's job. */
export type Access = 'public' | readonly Role[];

export const authorize = (access: Access, caller: Caller | undefined): void => {
  if (access === 'public') return;
  if (!caller) throw unauthenticated();
  if (!access.some((role) => caller.roles.includes(role))) throw forbidden();
};

/**
 * Branch scope: the committee acts for every branch, a secretary for their own. Callers
 * outside the scope should get 404 (not 403) so they learn nothing about other branches.
 */
export const actsForBranch = (caller: Caller | undefined, branchId: string | undefined): boolean =>
  hasRole(caller, 'committee') ||
  (hasRole(caller, 'secretary') && branchId !== undefined && caller?.branchId === branchId);

/** Organisation scope: a partner account acts only for its own organisation (`custom:orgId`). */
export const actsForOrg = (caller: Caller | undefined, orgId: string): boolean =>
  hasRole(caller, 'partner') && caller?.orgId === orgId;
