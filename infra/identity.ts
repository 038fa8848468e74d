/**
 * The one description of how people sign in: the user pool's attributes, groups, password
 * rules and token lifetimes. The platform stack builds the Cognito pool on AWS from it, and
 * the local runtime creates the same pool in the Cognito emulator; neither states any of
 * it again.
 *
 * An account's username is a stable id (a person's or a partner organisation's ULID); the
 * e-mail address is a sign-in alias, so a changed address never changes who the account is.
 */
import { roles } from '../shared/auth.js';

export interface CustomAttribute {
  /** Without the `custom:` prefix Cognito adds. */
  name: string;
  /** False: set once when the account is made, never changed after (Cognito refuses). */
  mutable: boolean;
  maxLength: number;
}

/**
 * Every custom attribute decides what a caller may see, so none is in the web client's
 * write list: only administrators (the accounts functions) set them.
 */
export const customAttributes: readonly CustomAttribute[] = [
  /** The person the account belongs to; it never names another person. */
  { name: 'personId', mutable: false, maxLength: 64 },
  /** The person's branch, kept right as they move. */
  { name: 'branchId', mutable: true, maxLength: 64 },
  /** A partner organisation's account: its organisation. */
  { name: 'orgId', mutable: true, maxLength: 64 },
];

export const identity = {
  /** One group per role; a person's groups follow the register (see infra/functions/accounts.ts). */
  groups: roles,
  customAttributes,
  passwordPolicy: {
    minLength: 12,
    requireLowercase: true,
    requireUppercase: true,
    requireDigits: true,
    requireSymbols: true,
    /** How long the invitation's temporary password works. */
    temporaryPasswordValidityDays: 3,
  },
  /**
   * An ID token stays valid until it expires even after its account is disabled (Cognito
   * cannot recall a JWT; global sign-out ends only the refresh token). One hour is that
   * window; a removed person is refused sooner by the services, which find no person.
   */
  tokenValidity: { idTokenMinutes: 60, accessTokenMinutes: 60, refreshTokenDays: 30 },
} as const;

/** The pool's and the web client's names for a stage. */
export const poolName = (stage: string): string => `dangjian-${stage}`;
export const webClientName = (stage: string): string => `dangjian-${stage}-web`;

/** The claim a custom attribute arrives as in an ID token. */
export const claimOf = (attribute: CustomAttribute['name']): string => `custom:${attribute}`;
