/**
 * Whose keys a community create's Idempotency-Key is among (the claims themselves are
 * shared/store/idempotency.ts): the caller's identity, per kind of create.
 */
import { createHash } from 'node:crypto';
import type { Registrant } from '../store.js';

export const scopes = {
  /** A registration: the partner's, or the member's (the person). */
  registration: (registrant: Registrant) =>
    registrant.kind === 'partner'
      ? `registration#PARTNER#${registrant.partnerId}`
      : `registration#MEMBER#${registrant.personId}`,
  /** A public application: the organisation's credit code, else its normalised name (hashed, as the identity item). */
  application: ({ creditCode, nameKey }: { creditCode?: string | undefined; nameKey: string }) =>
    creditCode
      ? `application#credit#${creditCode}`
      : `application#name#${createHash('sha256').update(nameKey).digest('hex')}`,
  /** A draft event: the committee member's person, else the account. */
  draft: (account: string) => `draft#${account}`,
};
