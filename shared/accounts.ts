/**
 * What the platform's accounts function reports about a person's sign-in account, for the
 * register to show (the person view's `account`). It carries no contact details: the
 * function reads the e-mail where talent keeps it and tells only how the account stands.
 */
import * as z from 'zod';
import { defineEvent } from './events/contract.js';

/**
 * `none`: no account (no e-mail on the register, or it could not be made: see `problem`);
 * `invited`: made, the invitation's temporary password not yet changed; `active`: signed in
 * at least once; `disabled`: the person left the register, the account can no longer sign in.
 */
export const accountStatuses = ['none', 'invited', 'active', 'disabled'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

/** Why an account could not be made: `email-taken`, another account signs in with that address. */
export const accountProblems = ['email-taken'] as const;
export type AccountProblem = (typeof accountProblems)[number];

export const AccountChanged = defineEvent(
  'platform',
  'AccountChanged',
  z.object({
    personId: z.string(),
    /** The version of the person the account was brought in line with. */
    personVersion: z.number().int().positive(),
    status: z.enum(accountStatuses),
    problem: z.enum(accountProblems).optional(),
  }),
);
export type AccountChange = z.output<typeof AccountChanged.data>;
