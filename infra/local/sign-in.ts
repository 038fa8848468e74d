/**
 * Signing in to the local pool as a person, a partner or the bootstrap committee account,
 * through the same Cognito calls a front end makes: InitiateAuth, and the first time the
 * new-password challenge answered with the temporary password of the invitation (which
 * Cognito mails on AWS and the local pool keeps in its mailbox). The password chosen then is
 * kept in `<dataDir>/cognito/passwords/<username>`, a local developer's keyring, one file per
 * account so that processes signing in to different accounts at once never lose each other's.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { type LocalCognitoInfo, latestInvitation, localCognitoClient } from './cognito.js';

/** A sign-in that cannot succeed; `message` is one line for the person at the terminal. */
export class SignInRefused extends Error {
  override readonly name = 'SignInRefused';
}

const keyringOf = (dataDir: string) => join(dataDir, 'cognito', 'passwords');

const knownPassword = async (keyring: string, username: string): Promise<string | undefined> => {
  try {
    return (await readFile(join(keyring, username), 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

const keep = async (keyring: string, username: string, password: string) => {
  await mkdir(keyring, { recursive: true });
  const path = join(keyring, username);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${password}\n`, { mode: 0o600 });
  await rename(tmp, path);
};

/** Meets the pool's policy: 12+ characters of every class. */
const newPassword = () => `${randomBytes(12).toString('base64url')}Aa1!`;

const refusal = (error: unknown, username: string): never => {
  const name = (error as Error).name;
  const message = (error as Error).message;
  if (name === 'NotAuthorizedException' && /disabled/i.test(message)) {
    throw new SignInRefused(`the account ${username} is disabled`);
  }
  throw error;
};

const passwordSignIn = async (
  client: CognitoIdentityProviderClient,
  clientId: string,
  username: string,
  password: string,
) =>
  client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );

/** An ID token of the account `username`. */
export const signIn = async (pool: LocalCognitoInfo, dataDir: string, username: string): Promise<string> => {
  const client = localCognitoClient(pool.endpoint);
  try {
    await client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') {
      throw new SignInRefused(`there is no account ${username}`);
    }
    throw error;
  }
  const keyring = keyringOf(dataDir);
  const known = await knownPassword(keyring, username);
  if (known !== undefined) {
    const out = await passwordSignIn(client, pool.clientId, username, known).catch((e) =>
      refusal(e, username),
    );
    if (out.AuthenticationResult?.IdToken) return out.AuthenticationResult.IdToken;
  }
  const invitation = await latestInvitation(pool.mailDir, username);
  if (!invitation) throw new SignInRefused(`the account ${username} has no invitation in ${pool.mailDir}`);
  const first = await passwordSignIn(client, pool.clientId, username, invitation.temporaryPassword).catch(
    (e) => refusal(e, username),
  );
  if (first.AuthenticationResult?.IdToken) return first.AuthenticationResult.IdToken;
  if (first.ChallengeName !== 'NEW_PASSWORD_REQUIRED') {
    throw new SignInRefused(
      `the pool asked ${username} for ${first.ChallengeName}, which this tool does not answer`,
    );
  }
  const password = newPassword();
  const answered = await client.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: first.Session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: password },
    }),
  );
  const token = answered.AuthenticationResult?.IdToken;
  if (!token) throw new Error(`the new-password challenge of ${username} gave no token`);
  await keep(keyring, username, password);
  return token;
};
