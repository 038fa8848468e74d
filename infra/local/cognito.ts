/**
 * The local Cognito: the `cognito-local` emulator, run inside the runtime's process with
 * its data under `<dataDir>/cognito`, and the user pool, web client, groups and custom
 * attributes of `infra/identity.ts` created in it through the AWS SDK, as the platform
 * stack creates them on AWS.
 *
 * The emulator lacks a few things of Cognito this platform relies on. They are added at
 * its router, in `emulatorGaps` below, each one what Cognito documents:
 * - a disabled account cannot sign in (`NotAuthorizedException: User is disabled.`);
 * - `AdminUserGlobalSignOut` ends the account's refresh tokens;
 * - an e-mail address is a sign-in alias (a pool with `AliasAttributes: ['email']`), so
 *   it signs in, and a second account may not claim a verified address another account
 *   holds (`AliasExistsException`).
 * Invitations (the temporary password Cognito mails on AWS) land in `<dataDir>/cognito/mail`,
 * one JSON file each, where `npm run token` finds them.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  AddCustomAttributesCommand,
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Config } from 'cognito-local/lib/server/config.js';
import type { Route } from 'cognito-local/lib/server/Router.js';
import type { Services } from 'cognito-local/lib/services/index.js';
import type { MessageSender } from 'cognito-local/lib/services/messageDelivery/messageSender.js';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService.js';
import { ulid } from 'ulid';
import { identity, poolName, webClientName } from '../identity.js';

/** What the gateway, the accounts function and `npm run token` need of the local pool. */
export interface LocalCognitoInfo {
  endpoint: string;
  userPoolId: string;
  clientId: string;
  /** The `iss` of its tokens, as API Gateway's JWT authorizer is configured with it on AWS. */
  issuer: string;
  jwksUrl: string;
  /** Where the invitations land. */
  mailDir: string;
}

export interface LocalCognito extends LocalCognitoInfo {
  close(): Promise<void>;
}

/** An invitation as Cognito would mail it: to whom, and the temporary password. */
export interface Invitation {
  username: string;
  to: string;
  subject?: string;
  temporaryPassword: string;
  at: string;
}

// The emulator logs through pino, its own dependency: resolved from where the emulator is installed.
const pino = createRequire(createRequire(import.meta.url).resolve('cognito-local'))('pino') as (
  options: object,
) => unknown;

const REGION = 'eu-west-1';

/**
 * The tokens' issuer is `<this>/<poolId>` wherever the emulator listens (a test's runtime
 * takes a free port), so a pool keeps one issuer across restarts, as a Cognito pool does.
 * It is the emulator's own default address, where `npm start` runs it.
 */
export const ISSUER_DOMAIN = 'http://localhost:9229';

/** The mailbox: Cognito's invitations, kept where `npm run token` reads them. */
const mailbox = (mailDir: string): MessageSender => {
  const keep = async (
    user: User,
    destination: string,
    message: { __code?: string; emailSubject?: string },
  ) => {
    if (message.__code === undefined) return;
    const invitation: Invitation = {
      username: user.Username,
      to: destination,
      ...(message.emailSubject ? { subject: message.emailSubject } : {}),
      temporaryPassword: message.__code,
      at: new Date().toISOString(),
    };
    await mkdir(mailDir, { recursive: true });
    // Whole or not at all: a reader never meets a half-written invitation.
    const path = join(mailDir, `${user.Username}.${ulid()}.json`);
    await writeFile(`${path}.tmp`, `${JSON.stringify(invitation, null, 2)}\n`, { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  };
  return {
    sendEmail: (_ctx, user, destination, message) => keep(user, destination, message),
    sendSms: (_ctx, user, destination, message) => keep(user, destination, message),
  };
};

/** The newest invitation to an account, or undefined. */
export const latestInvitation = async (
  mailDir: string,
  username: string,
): Promise<Invitation | undefined> => {
  let names: string[];
  try {
    // `<username>.<ulid>.json`: an account's invitations, oldest first.
    names = (await readdir(mailDir))
      .filter((n) => n.startsWith(`${username}.`) && n.endsWith('.json'))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  for (const name of names.reverse()) {
    const invitation = JSON.parse(await readFile(join(mailDir, name), 'utf8')) as Invitation;
    if (invitation.username === username) return invitation;
  }
  return undefined;
};

const isVerifiedEmailOf = (user: User, email: string): boolean =>
  attributeOf('email', user.Attributes)?.toLowerCase() === email.toLowerCase() &&
  attributeOf('email_verified', user.Attributes) === 'true';

type Attr = { Name?: string; Value?: string };
const attributeOf = (name: string | undefined, attributes: readonly Attr[]): string | undefined =>
  attributes.find((a) => a.Name === name)?.Value;

/** Cognito's own error classes, as the emulator throws and reports them. */
type Errors = typeof import('cognito-local/lib/errors.js');

/** The account an e-mail alias names, where the pool has e-mail as an alias. */
const byAlias = async (ctx: never, pool: UserPoolService, email: string): Promise<User | undefined> => {
  if (!pool.options.AliasAttributes?.includes('email') || !email.includes('@')) return undefined;
  const users = await pool.listUsers(ctx);
  return users.find((u) => isVerifiedEmailOf(u, email));
};

/** The user a sign-in names: by username, or by its e-mail alias. */
const signingIn = async (ctx: never, pool: UserPoolService, name: string | undefined) => {
  if (!name) return undefined;
  return (await pool.getUserByUsername(ctx, name)) ?? (await byAlias(ctx, pool, name));
};

const refuseDisabled = (errors: Errors, user: User | null | undefined): void => {
  if (user && user.Enabled === false) throw new errors.NotAuthorizedError('User is disabled.');
};

/** A verified e-mail may be the alias of one account only (Cognito: AliasExistsException). */
const refuseTakenAlias = async (
  errors: Errors,
  ctx: never,
  pool: UserPoolService,
  username: string,
  attributes: Attr[],
) => {
  if (!pool.options.AliasAttributes?.includes('email')) return;
  const email = attributes.find((a) => a.Name === 'email')?.Value;
  const verified = attributes.find((a) => a.Name === 'email_verified')?.Value === 'true';
  if (!email || !verified) return;
  const holder = await byAlias(ctx, pool, email);
  if (holder && holder.Username !== username) {
    throw new errors.CognitoError('AliasExistsException', 'An account with the email already exists.');
  }
};

/** The router with what the emulator lacks (see the module comment), the rest untouched. */
const emulatorGaps = (errors: Errors, services: Services, base: (target: string) => Route) => {
  const { cognito } = services;
  const gaps: Record<string, Route> = {
    InitiateAuth: async (ctx, req) => {
      if (req.AuthFlow === 'REFRESH_TOKEN_AUTH' || req.AuthFlow === 'REFRESH_TOKEN') {
        const pool = await cognito.getUserPoolForClientId(ctx, req.ClientId);
        refuseDisabled(
          errors,
          await pool.getUserByRefreshToken(ctx, req.AuthParameters?.REFRESH_TOKEN ?? ''),
        );
        return base('InitiateAuth')(ctx, req);
      }
      const pool = await cognito.getUserPoolForClientId(ctx, req.ClientId);
      const user = await signingIn(ctx as never, pool, req.AuthParameters?.USERNAME);
      refuseDisabled(errors, user);
      const named = user
        ? { ...req, AuthParameters: { ...req.AuthParameters, USERNAME: user.Username } }
        : req;
      return base('InitiateAuth')(ctx, named);
    },
    RespondToAuthChallenge: async (ctx, req) => {
      const pool = await cognito.getUserPoolForClientId(ctx, req.ClientId);
      const user = await signingIn(ctx as never, pool, req.ChallengeResponses?.USERNAME);
      refuseDisabled(errors, user);
      const named = user
        ? { ...req, ChallengeResponses: { ...req.ChallengeResponses, USERNAME: user.Username } }
        : req;
      return base('RespondToAuthChallenge')(ctx, named);
    },
    AdminUserGlobalSignOut: async (ctx, req) => {
      const pool = await cognito.getUserPool(ctx, req.UserPoolId);
      const user = await pool.getUserByUsername(ctx, req.Username);
      if (!user) throw new errors.UserNotFoundError();
      await pool.saveUser(ctx, { ...user, RefreshTokens: [] });
      return {};
    },
    AdminCreateUser: async (ctx, req) => {
      const pool = await cognito.getUserPool(ctx, req.UserPoolId);
      await refuseTakenAlias(errors, ctx as never, pool, req.Username, req.UserAttributes ?? []);
      return base('AdminCreateUser')(ctx, req);
    },
    AdminUpdateUserAttributes: async (ctx, req) => {
      const pool = await cognito.getUserPool(ctx, req.UserPoolId);
      const user = await pool.getUserByUsername(ctx, req.Username);
      if (!user) throw new errors.UserNotFoundError();
      const merged = [
        ...user.Attributes.filter((a) => !(req.UserAttributes ?? []).some((b: Attr) => b.Name === a.Name)),
        ...(req.UserAttributes ?? []),
      ];
      await refuseTakenAlias(errors, ctx as never, pool, user.Username, merged);
      return base('AdminUpdateUserAttributes')(ctx, req);
    },
  };
  return (target: string): Route => gaps[target] ?? base(target);
};

/** The pool, client, groups and attributes of infra/identity.ts, made once and kept up with it. */
const ensurePool = async (client: CognitoIdentityProviderClient, stage: string) => {
  const name = poolName(stage);
  const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = pools.UserPools?.find((p) => p.Name === name)?.Id;
  const schema = identity.customAttributes.map((a) => ({
    Name: a.name,
    AttributeDataType: 'String' as const,
    Mutable: a.mutable,
    StringAttributeConstraints: { MinLength: '1', MaxLength: String(a.maxLength) },
  }));
  if (!userPoolId) {
    const { passwordPolicy } = identity;
    const created = await client.send(
      new CreateUserPoolCommand({
        PoolName: name,
        AliasAttributes: ['email'],
        Schema: schema,
        Policies: {
          PasswordPolicy: {
            MinimumLength: passwordPolicy.minLength,
            RequireLowercase: passwordPolicy.requireLowercase,
            RequireUppercase: passwordPolicy.requireUppercase,
            RequireNumbers: passwordPolicy.requireDigits,
            RequireSymbols: passwordPolicy.requireSymbols,
            TemporaryPasswordValidityDays: passwordPolicy.temporaryPasswordValidityDays,
          },
        },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'OFF',
      }),
    );
    userPoolId = created.UserPool?.Id as string;
  } else {
    // A pool from an earlier start gains the attributes the description gained since.
    const held = await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    const names = new Set((held.UserPool?.SchemaAttributes ?? []).map((a) => a.Name));
    const missing = schema.filter((a) => !names.has(`custom:${a.Name}`));
    if (missing.length > 0) {
      await client.send(
        new AddCustomAttributesCommand({ UserPoolId: userPoolId, CustomAttributes: missing }),
      );
    }
  }
  const groups = new Set(
    ((await client.send(new ListGroupsCommand({ UserPoolId: userPoolId }))).Groups ?? []).map(
      (g) => g.GroupName,
    ),
  );
  for (const group of identity.groups) {
    if (!groups.has(group))
      await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  }
  const clients = await client.send(
    new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
  );
  let clientId = clients.UserPoolClients?.find((c) => c.ClientName === webClientName(stage))?.ClientId;
  if (!clientId) {
    const { tokenValidity } = identity;
    const made = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: webClientName(stage),
        GenerateSecret: false,
        // The emulator speaks only USER_PASSWORD_AUTH and takes it whatever the client allows.
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        IdTokenValidity: tokenValidity.idTokenMinutes,
        AccessTokenValidity: tokenValidity.accessTokenMinutes,
        RefreshTokenValidity: tokenValidity.refreshTokenDays,
        TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'days' },
        WriteAttributes: ['email', 'name'],
      }),
    );
    clientId = made.UserPoolClient?.ClientId as string;
  }
  await ensureBootstrapCommittee(client, userPoolId);
  return { userPoolId, clientId };
};

/**
 * The first committee account, which exists before anyone can name committee members
 * through the API. On AWS the ops team creates it once by hand (README, Deploying);
 * locally the pool is made with it. It belongs to no person.
 */
export const BOOTSTRAP_COMMITTEE = { username: 'committee', email: 'committee@example.cn' } as const;

const ensureBootstrapCommittee = async (client: CognitoIdentityProviderClient, userPoolId: string) => {
  try {
    await client.send(
      new AdminGetUserCommand({ UserPoolId: userPoolId, Username: BOOTSTRAP_COMMITTEE.username }),
    );
    return;
  } catch (error) {
    if ((error as Error).name !== 'UserNotFoundException') throw error;
  }
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: BOOTSTRAP_COMMITTEE.username,
      UserAttributes: [
        { Name: 'email', Value: BOOTSTRAP_COMMITTEE.email },
        { Name: 'email_verified', Value: 'true' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    }),
  );
  await client.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: userPoolId,
      Username: BOOTSTRAP_COMMITTEE.username,
      GroupName: 'committee',
    }),
  );
};

/** An SDK client for the local pool, as the accounts function and the token CLI use it. */
export const localCognitoClient = (endpoint: string): CognitoIdentityProviderClient =>
  new CognitoIdentityProviderClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });

export const startLocalCognito = async (options: {
  dataDir: string;
  stage: string;
  /** 0 for a free one. */
  port: number;
}): Promise<LocalCognito> => {
  const root = join(options.dataDir, 'cognito');
  const dbDir = join(root, 'db');
  const mailDir = join(root, 'mail');
  await mkdir(dbDir, { recursive: true });
  // The emulator stands on the AWS SDK v2, which announces its end of support when loaded.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
  const [
    { CognitoServiceFactoryImpl },
    { DateClock },
    { CryptoService },
    { StormDBDataStoreFactory },
    { LambdaService },
    { MessageDeliveryService },
    { MessagesService },
    { otp },
    { TriggersService },
    { JwtTokenGenerator },
    { UserPoolServiceFactoryImpl },
    errors,
    { Router },
    { createServer },
    { DefaultConfig },
  ] = await Promise.all([
    import('cognito-local/lib/services/cognitoService.js'),
    import('cognito-local/lib/services/clock.js'),
    import('cognito-local/lib/services/crypto.js'),
    import('cognito-local/lib/services/dataStore/stormDb.js'),
    import('cognito-local/lib/services/lambda.js'),
    import('cognito-local/lib/services/messageDelivery/messageDelivery.js'),
    import('cognito-local/lib/services/messages.js'),
    import('cognito-local/lib/services/otp.js'),
    import('cognito-local/lib/services/triggers/triggers.js'),
    import('cognito-local/lib/services/tokenGenerator.js'),
    import('cognito-local/lib/services/userPoolService.js'),
    import('cognito-local/lib/errors.js'),
    import('cognito-local/lib/server/Router.js'),
    import('cognito-local/lib/server/server.js'),
    import('cognito-local/lib/server/config.js'),
  ]);
  const logger = pino({ level: 'silent' }) as never;
  const ctx = { logger } as never;
  const config: Config = {
    ...DefaultConfig,
    // No default UsernameAttributes: the pool's own settings (AliasAttributes) decide.
    UserPoolDefaults: {} as Config['UserPoolDefaults'],
    TokenConfig: { IssuerDomain: ISSUER_DOMAIN },
    ServerConfig: { port: options.port, hostname: '127.0.0.1', development: false, https: false },
  };
  const clock = new DateClock();
  const stores = new StormDBDataStoreFactory(dbDir);
  const cognito = await new CognitoServiceFactoryImpl(
    dbDir,
    stores,
    new UserPoolServiceFactoryImpl(clock, stores),
  ).create(ctx, config.UserPoolDefaults);
  // No triggers are configured; the Lambda and KMS clients are never called.
  const triggers = new TriggersService(
    clock,
    cognito,
    new LambdaService({}, undefined as never),
    new CryptoService({} as never),
  );
  const services: Services = {
    clock,
    cognito,
    config,
    messages: new MessagesService(triggers, new MessageDeliveryService(mailbox(mailDir))),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  const server = await createServer(
    emulatorGaps(errors, services, Router(services)),
    logger,
    config.ServerConfig,
    services,
  ).start();
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  try {
    const { userPoolId, clientId } = await ensurePool(localCognitoClient(endpoint), options.stage);
    return {
      endpoint,
      userPoolId,
      clientId,
      issuer: `${ISSUER_DOMAIN}/${userPoolId}`,
      jwksUrl: `${endpoint}/${userPoolId}/.well-known/jwks.json`,
      mailDir,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
};
