/**
 * The Cognito calls the platform's account functions make (partner-accounts, accounts), on
 * one user pool, with Cognito's refusals turned into answers the functions decide on.
 * Accounts are named by a stable id (a person's or a partner organisation's); the e-mail
 * address is a verified sign-in alias, which Cognito lets one account hold at a time.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  type AdminGetUserCommandOutput,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

/** Every action this module may call; the functions' IAM grants take theirs from here. */
export const accountActions = {
  read: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser'],
  create: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminAddUserToGroup'],
  maintain: [
    'cognito-idp:AdminUpdateUserAttributes',
    'cognito-idp:AdminDeleteUserAttributes',
    'cognito-idp:AdminRemoveUserFromGroup',
    'cognito-idp:AdminDisableUser',
    'cognito-idp:AdminEnableUser',
    'cognito-idp:AdminUserGlobalSignOut',
  ],
} as const;

export interface Account {
  username: string;
  enabled: boolean;
  /** Cognito's UserStatus: FORCE_CHANGE_PASSWORD until the invitation's password is changed. */
  status: string;
  attributes: Record<string, string>;
  groups: string[];
}

/** The account could not take the e-mail: another account signs in with it. */
export type EmailTaken = 'email-taken';

export interface CognitoAccounts {
  get(username: string): Promise<Account | undefined>;
  /** Makes the account and has Cognito mail the invitation; `exists` when the username is taken. */
  create(username: string, attributes: Record<string, string>): Promise<'created' | 'exists' | EmailTaken>;
  update(username: string, attributes: Record<string, string>): Promise<'updated' | EmailTaken>;
  deleteAttributes(username: string, names: readonly string[]): Promise<void>;
  addToGroup(username: string, group: string): Promise<void>;
  removeFromGroup(username: string, group: string): Promise<void>;
  /** No more sign-ins, and every refresh token ended (an ID token lives out its hour). */
  disable(username: string): Promise<void>;
  enable(username: string): Promise<void>;
}

const named = (error: unknown, ...names: string[]): boolean =>
  error instanceof Error && names.includes(error.name);

const attributeList = (attributes: Record<string, string>) =>
  Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));

export const cognitoAccounts = (
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): CognitoAccounts => ({
  get: async (username) => {
    let user: AdminGetUserCommandOutput;
    try {
      user = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
    } catch (error) {
      if (named(error, 'UserNotFoundException')) return undefined;
      throw error;
    }
    const groups = await client.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: username, Limit: 60 }),
    );
    return {
      username,
      enabled: user.Enabled !== false,
      status: user.UserStatus ?? 'UNKNOWN',
      attributes: Object.fromEntries(
        (user.UserAttributes ?? []).flatMap((a) =>
          a.Name && a.Value !== undefined ? [[a.Name, a.Value]] : [],
        ),
      ),
      groups: (groups.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : [])),
    };
  },
  create: async (username, attributes) => {
    try {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: username,
          UserAttributes: attributeList(attributes),
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      return 'created';
    } catch (error) {
      if (named(error, 'UsernameExistsException')) return 'exists';
      if (named(error, 'AliasExistsException')) return 'email-taken';
      throw error;
    }
  },
  update: async (username, attributes) => {
    try {
      await client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: userPoolId,
          Username: username,
          UserAttributes: attributeList(attributes),
        }),
      );
      return 'updated';
    } catch (error) {
      if (named(error, 'AliasExistsException')) return 'email-taken';
      throw error;
    }
  },
  deleteAttributes: async (username, names) => {
    await client.send(
      new AdminDeleteUserAttributesCommand({
        UserPoolId: userPoolId,
        Username: username,
        UserAttributeNames: [...names],
      }),
    );
  },
  addToGroup: async (username, group) => {
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }),
    );
  },
  removeFromGroup: async (username, group) => {
    await client.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }),
    );
  },
  disable: async (username) => {
    await client.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: username }));
    await client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: username }));
  },
  enable: async (username) => {
    await client.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: username }));
  },
});
