/**
 * Platform function behind the rule for community's PartnerApproved: gives the approved
 * partner organisation a Cognito account named by its partner id, with the contact's
 * e-mail as the sign-in alias, group `partner` and `custom:orgId`. Cognito mails the
 * temporary password.
 *
 * At-least-once delivery: the same event again finds the account it made and only makes
 * sure of the group. An address that already signs in to another account is never taken
 * from it: the error lands in the dead-letter queue for a human.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { PartnerApproved } from '../../services/community/events.js';
import type { BusEvent } from '../../shared/events/contract.js';
import { maskEmail } from '../../shared/pii.js';
import { claimOf } from '../identity.js';
import { parseEvent } from './bus-events.js';
import { accountActions, type CognitoAccounts, cognitoAccounts } from './cognito-accounts.js';
import type { PlatformFunction } from './platform-function.js';

export const PARTNER_GROUP = 'partner';
const ORG = claimOf('orgId');

export type PartnerAccountOutcome = 'created' | 'already-existed';

/** The contact e-mail signs in to another account, or the username is another's: a human must decide. */
export class PartnerAccountConflict extends Error {
  override readonly name = 'PartnerAccountConflict';
}

/** Creates (or finds) the partner's account and makes sure it is in group `partner`. */
export const ensurePartnerAccount = async (
  event: BusEvent,
  { cognito, log }: { cognito: CognitoAccounts; log: Pick<Logger, 'info' | 'warn' | 'error'> },
): Promise<PartnerAccountOutcome> => {
  const { eventId, data } = parseEvent('partner-accounts', [PartnerApproved], event);
  const username = data.partnerId;
  const who = { eventId, partnerId: data.partnerId, contactEmail: maskEmail(data.contactEmail) };
  const made = await cognito.create(username, {
    email: data.contactEmail,
    email_verified: 'true',
    name: data.contactName,
    [ORG]: data.partnerId,
  });
  if (made === 'email-taken') {
    log.error('contact e-mail signs in to another account', who);
    throw new PartnerAccountConflict(
      `partner ${data.partnerId}: the contact e-mail ${who.contactEmail} already signs in to another account; left unchanged for a human to resolve`,
    );
  }
  if (made === 'exists') {
    const existing = await cognito.get(username);
    if (existing?.attributes[ORG] !== data.partnerId) {
      throw new PartnerAccountConflict(
        `partner ${data.partnerId}: account ${username} belongs to ${existing?.attributes[ORG] ?? 'no organisation'}; left unchanged`,
      );
    }
  }
  await cognito.addToGroup(username, PARTNER_GROUP);
  const outcome: PartnerAccountOutcome = made === 'created' ? 'created' : 'already-existed';
  log.info(outcome === 'created' ? 'partner account created' : 'partner account already existed', who);
  return outcome;
};

export const partnerAccounts: PlatformFunction<'cognito' | 'userPoolId' | 'log'> = {
  name: 'partner-accounts',
  entry: 'infra/functions/partner-accounts-lambda.ts',
  description: `Cognito account for an approved partner (${PartnerApproved.name})`,
  takes: [PartnerApproved],
  cognitoActions: [...accountActions.read, ...accountActions.create],
  build: (c) => (event) =>
    ensurePartnerAccount(event, { cognito: cognitoAccounts(c.cognito, c.userPoolId), log: c.log }),
};
