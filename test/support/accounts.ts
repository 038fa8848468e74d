/** Sign-in accounts with an e-mail address, for the tests of what notices mails. */
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { newId } from '../../shared/ids.js';
import { runtime } from './api.js';

/**
 * A sign-in account for the person on the current runtime's identity emulator, as the
 * accounts function makes it (username = person id), with a fresh address, verified unless
 * told otherwise. Answers the address.
 */
export const accountWithAddress = async (personId: string, options: { verified?: boolean } = {}) => {
  const address = `p${newId().toLowerCase()}@example.cn`;
  const { identity } = runtime();
  const cognito = new CognitoIdentityProviderClient({
    region: 'eu-west-1',
    endpoint: identity.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: identity.userPoolId,
      Username: personId,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: address },
        { Name: 'email_verified', Value: String(options.verified ?? true) },
      ],
    }),
  );
  return address;
};
