/**
 * Platform function behind the rule for community's PartnerApproved: gives the approved
 * partner's contact a Cognito user (username = contact e-mail, group `partner`,
 * `custom:orgId` = partnerId). Cognito mails the temporary password. Locally
 * `npm run token -- --role partner --org ID` stands in for this (DESIGN.md, community).
 *
 * At-least-once delivery: the same event again finds the user it created and only makes
 * sure of the group. A user of the same e-mail in ANOTHER organisation is never touched:
 * the error lands in the dead-letter queue for a human.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { PartnerApproved } from '../../services/community/events.js';
import { type BusEvent, envelopeSchema } from '../../shared/events/contract.js';
import { maskEmail } from '../../shared/pii.js';

export const PARTNER_GROUP = 'partner';
export const ORG_ID_ATTRIBUTE = 'custom:orgId';

type Attribute = { Name: string; Value: string };

export interface CreateUserInput {
  username: string;
  attributes: Attribute[];
  deliveryMediums: ['EMAIL'];
}

/** The three Cognito calls this function makes, so its logic runs without AWS. */
export interface CognitoPort {
  /** AdminCreateUser; rejects with `UsernameExistsException` when the username is taken. */
  createUser(input: CreateUserInput): Promise<void>;
  /** AdminGetUser: the user's attributes. */
  getUser(input: { username: string }): Promise<{ attributes: Attribute[] }>;
  /** AdminAddUserToGroup: adding a member again is not an error. */
  addToGroup(input: { username: string; group: string }): Promise<void>;
}

export interface PartnerAccountsDeps {
  cognito: CognitoPort;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export type PartnerAccountOutcome = 'created' | 'already-existed';

/**
 * The event breaks the PartnerApproved contract: retrying will not help. (Not the shared
 * consumer's EventRejected: importing that module would bundle the DynamoDB client here.)
 */
export class PartnerApprovedRejected extends Error {
  override readonly name = 'PartnerApprovedRejected';
}

/** A contact e-mail already belongs to a user of another organisation: a human must decide. */
export class PartnerAccountConflict extends Error {
  override readonly name = 'PartnerAccountConflict';
}

const isUsernameTaken = (error: unknown): boolean =>
  error instanceof Error && error.name === 'UsernameExistsException';

/** The bus event's `detail`: the dangjian envelope, its `data` the PartnerApproved contract. */
export const parsePartnerApproved = (event: BusEvent) => {
  if (event?.source !== PartnerApproved.source || event['detail-type'] !== PartnerApproved.name) {
    throw new PartnerApprovedRejected(
      `partner-accounts: expected ${PartnerApproved.source} ${PartnerApproved.name}, got ${String(event?.source)} ${String(event?.['detail-type'])}`,
    );
  }
  const envelope = envelopeSchema.safeParse(event.detail);
  if (!envelope.success) {
    throw new PartnerApprovedRejected(
      `partner-accounts: detail is not a dangjian envelope: ${envelope.error.message}`,
    );
  }
  const data = PartnerApproved.data.safeParse(envelope.data.data);
  if (!data.success) {
    throw new PartnerApprovedRejected(
      `partner-accounts: ${PartnerApproved.name} does not match its contract: ${data.error.message}`,
      { cause: data.error },
    );
  }
  return { eventId: envelope.data.eventId, data: data.data };
};

/** Creates (or finds) the partner's user and makes sure it is in group `partner`. */
export const ensurePartnerAccount = async (
  event: BusEvent,
  { cognito, log }: PartnerAccountsDeps,
): Promise<PartnerAccountOutcome> => {
  const { eventId, data } = parsePartnerApproved(event);
  const username = data.contactEmail;
  const who = { eventId, partnerId: data.partnerId, contactEmail: maskEmail(username) };

  let outcome: PartnerAccountOutcome = 'created';
  try {
    await cognito.createUser({
      username,
      attributes: [
        { Name: 'email', Value: data.contactEmail },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: data.contactName },
        { Name: ORG_ID_ATTRIBUTE, Value: data.partnerId },
      ],
      deliveryMediums: ['EMAIL'],
    });
  } catch (error) {
    if (!isUsernameTaken(error)) throw error;
    const existing = await cognito.getUser({ username });
    const orgId = existing.attributes.find((a) => a.Name === ORG_ID_ATTRIBUTE)?.Value;
    if (orgId !== data.partnerId) {
      log.error('contact e-mail belongs to a user of another organisation', { ...who, existingOrgId: orgId });
      throw new PartnerAccountConflict(
        `partner ${data.partnerId}: the contact e-mail ${who.contactEmail} already has a Cognito user of ` +
          `${orgId === undefined ? 'no organisation' : `another organisation (${orgId})`}; left unchanged for a human to resolve`,
      );
    }
    outcome = 'already-existed';
  }
  await cognito.addToGroup({ username, group: PARTNER_GROUP });
  log.info(outcome === 'created' ? 'partner account created' : 'partner account already existed', who);
  return outcome;
};

/** The port over the real SDK client, for one user pool. */
export const cognitoPort = (client: CognitoIdentityProviderClient, userPoolId: string): CognitoPort => ({
  createUser: async ({ username, attributes, deliveryMediums }) => {
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        UserAttributes: attributes,
        DesiredDeliveryMediums: deliveryMediums,
      }),
    );
  },
  getUser: async ({ username }) => {
    const out = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
    return {
      attributes: (out.UserAttributes ?? []).flatMap((a) =>
        a.Name !== undefined && a.Value !== undefined ? [{ Name: a.Name, Value: a.Value }] : [],
      ),
    };
  },
  addToGroup: async ({ username, group }) => {
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }),
    );
  },
});

// Built on first invocation, so importing this module (CDK synth, tests) needs no environment.
let deps: PartnerAccountsDeps | undefined;

export const handler = async (event: BusEvent): Promise<void> => {
  if (!deps) {
    const userPoolId = process.env.USER_POOL_ID;
    if (!userPoolId) throw new Error('Environment variable USER_POOL_ID is not set');
    deps = {
      cognito: cognitoPort(new CognitoIdentityProviderClient({ maxAttempts: 3 }), userPoolId),
      log: new Logger({ serviceName: 'partner-accounts', environment: process.env.STAGE ?? '' }),
    };
  }
  await ensurePartnerAccount(event, deps);
};
