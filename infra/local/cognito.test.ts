/**
 * The local Cognito: the pool made from infra/identity.ts, and what the runtime adds to the
 * emulator so it answers as Cognito does (infra/local/cognito.ts), through the AWS SDK.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customAttributes, identity } from '../identity.js';
import { type LocalCognito, latestInvitation, localCognitoClient, startLocalCognito } from './cognito.js';

let dataDir: string;
let pool: LocalCognito;
let client: ReturnType<typeof localCognitoClient>;
let n = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-cognito-'));
  pool = await startLocalCognito({ dataDir, stage: 'test', port: 0 });
  client = localCognitoClient(pool.endpoint);
});

afterAll(async () => {
  await pool?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const PASSWORD = 'Abcdefgh123!x';

/** An account that has answered its invitation, with a known password. */
const account = async (attributes: Record<string, string> = {}) => {
  n += 1;
  const username = `P${Date.now()}${n}`;
  const email = `${username.toLowerCase()}@example.cn`;
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.userPoolId,
      Username: username,
      UserAttributes: Object.entries({ email, email_verified: 'true', ...attributes }).map(
        ([Name, Value]) => ({
          Name,
          Value,
        }),
      ),
      DesiredDeliveryMediums: ['EMAIL'],
    }),
  );
  const invitation = await latestInvitation(pool.mailDir, username);
  const first = await client.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: invitation?.temporaryPassword ?? '' },
    }),
  );
  const done = await client.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: first.Session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: PASSWORD },
    }),
  );
  return { username, email, refreshToken: done.AuthenticationResult?.RefreshToken as string };
};

const signIn = (name: string) =>
  client.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: name, PASSWORD },
    }),
  );

const refresh = (token: string) =>
  client.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: token },
    }),
  );

describe('the local pool', () => {
  it('has the groups and custom attributes of infra/identity.ts, and keeps them across a restart', async () => {
    const groups = await client.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId }));
    expect(groups.Groups?.map((g) => g.GroupName).sort()).toEqual([...identity.groups].sort());
    const described = await client.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    for (const a of customAttributes) {
      expect(described.UserPool?.SchemaAttributes).toContainEqual(
        expect.objectContaining({ Name: `custom:${a.name}`, Mutable: a.mutable }),
      );
    }
    const again = await startLocalCognito({ dataDir, stage: 'test', port: 0 });
    try {
      expect({ pool: again.userPoolId, client: again.clientId, issuer: again.issuer }).toEqual({
        pool: pool.userPoolId,
        client: pool.clientId,
        issuer: pool.issuer,
      });
    } finally {
      await again.close();
    }
  });
});

describe('what the runtime adds to the emulator, as Cognito answers', () => {
  it('signs in by the e-mail alias as well as the username', async () => {
    const a = await account();
    expect((await signIn(a.email)).AuthenticationResult?.IdToken).toBeDefined();
    expect((await signIn(a.username)).AuthenticationResult?.IdToken).toBeDefined();
  });

  it('refuses a disabled account, by password and by refresh token', async () => {
    const a = await account();
    await client.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: a.username }));
    await expect(signIn(a.username)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });
    await expect(refresh(a.refreshToken)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('ends every refresh token on a global sign-out', async () => {
    const a = await account();
    await client.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: pool.userPoolId, Username: a.username }),
    );
    await expect(refresh(a.refreshToken)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('lets one account at a time hold a verified address, even when two claim it at once', async () => {
    const a = await account();
    await expect(
      client.send(
        new AdminCreateUserCommand({
          UserPoolId: pool.userPoolId,
          Username: `${a.username}-other`,
          UserAttributes: [
            { Name: 'email', Value: a.email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'AliasExistsException' });
    const email = `both${Date.now()}@example.cn`;
    const claims = await Promise.allSettled(
      ['X', 'Y', 'Z'].map((suffix) =>
        client.send(
          new AdminCreateUserCommand({
            UserPoolId: pool.userPoolId,
            Username: `${a.username}${suffix}`,
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
            ],
            DesiredDeliveryMediums: ['EMAIL'],
          }),
        ),
      ),
    );
    expect(claims.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
  });

  // The emulator's own check, which the accounts function relies on as it does on Cognito's.
  it('never changes an immutable attribute once set', async () => {
    const a = await account({ 'custom:personId': 'P-ONE' });
    await expect(
      client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: pool.userPoolId,
          Username: a.username,
          UserAttributes: [{ Name: 'custom:personId', Value: 'P-TWO' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
