/**
 * What every service stands on: the event bus (with its archive for replay), the Cognito
 * user pool whose tokens the HTTP API's JWT authorizer checks, the HTTP API itself (its
 * routes and stage come from the API stack) with its own domain where the stage has one,
 * and the alarm topic. The pool is built from infra/identity.ts, the one description of
 * sign-in, which the local runtime's Cognito emulator reads too. Where the stage signs in
 * with its own OpenID Connect provider instead (AWS China offers no user pools), there is
 * no pool and the authorizer trusts that provider. The platform's own functions (accounts
 * from the register and for approved partners) are in the accounts stack (accounts-stack.ts).
 */

import { ArnFormat, Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  DomainName,
  HttpApi,
  HttpAuthorizer,
  HttpAuthorizerType,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolEmail,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Archive, type CfnArchive, EventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { cors } from '../../shared/http/cors.js';
import type { MailConfig, SignInConfig, StageConfig } from '../config.js';
import { identity, poolName, webClientName } from '../identity.js';
import { acknowledge } from '../nag.js';

export interface PlatformStackProps extends StackProps {
  config: StageConfig;
}

/** The pool's sender: SES in this account where the stage names one, Cognito's own otherwise. */
const mailOf = (mail: MailConfig): UserPoolEmail =>
  mail.sender === 'ses'
    ? UserPoolEmail.withSES({
        fromEmail: mail.from,
        fromName: mail.fromName,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        // The identity is the From address's domain, verified once per account and region.
        sesVerifiedDomain: mail.from.split('@')[1] as string,
        // The stack's own region unless told otherwise; stages are region-agnostic until deploy.
        sesRegion: mail.sesRegion ?? Aws.REGION,
      })
    : UserPoolEmail.withCognito();

export class PlatformStack extends Stack {
  readonly bus: EventBus;
  /** The stage's user pool and its web client; none where an OIDC provider signs people in. */
  readonly userPool?: UserPool;
  readonly userPoolClient?: UserPoolClient;
  readonly httpApi: HttpApi;
  /** The API's own domain name, where the stage has one (its API mapping is in the API stack). */
  readonly apiDomain?: DomainName;
  readonly authorizer: HttpAuthorizer;
  readonly alarmTopic: Topic;
  /** The stage's paging-cursor secret (shared/http/cursor.ts); only routers that page may read it. */
  readonly cursorKey: Secret;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.bus = new EventBus(this, 'Bus', { eventBusName: `dangjian-${config.stage}` });
    const archive = new Archive(this, 'BusArchive', {
      sourceEventBus: this.bus,
      description: `Every event on dangjian-${config.stage}, kept for replay`,
      // An archive needs a pattern; every event carries the account, so this keeps them all.
      eventPattern: { account: [Stack.of(this).account] },
      retention: config.events.archiveRetention,
    });
    // CDK writes an empty KmsKeyIdentifier when no key is given, which is no key id at all:
    // leave the property out, so the archive is encrypted with the AWS-owned key as intended.
    (archive.node.defaultChild as CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');

    const { signIn } = config;
    const cognito = signIn.provider === 'cognito' ? this.buildUserPool(config, signIn) : undefined;
    if (cognito) {
      this.userPool = cognito.pool;
      this.userPoolClient = cognito.client;
    }

    this.httpApi = new HttpApi(this, 'Api', {
      apiName: `dangjian-${config.stage}`,
      description: `dangjian ${config.stage}: every route of every service description`,
      // The stage is created after the routes (API stack), so it can throttle them by key.
      createDefaultStage: false,
      // With its own domain, the API answers there only (in China the default endpoint would
      // need the ICP filing anyway, and one address is easier to audit).
      disableExecuteApiEndpoint: config.apiDomain !== undefined,
      corsPreflight: {
        allowOrigins: [...config.corsOrigins],
        allowMethods: cors.allowMethods.map((method) => CorsHttpMethod[method]),
        allowHeaders: [...cors.allowHeaders],
        exposeHeaders: [...cors.exposeHeaders],
        maxAge: Duration.seconds(cors.maxAgeSeconds),
      },
    });
    if (config.apiDomain) {
      this.apiDomain = new DomainName(this, 'ApiDomain', {
        domainName: config.apiDomain.name,
        certificate: Certificate.fromCertificateArn(this, 'ApiCertificate', config.apiDomain.certificateArn),
      });
    }
    // One JWT authorizer for the whole API; the API stack attaches it to every non-public route.
    this.authorizer = new HttpAuthorizer(this, 'JwtAuthorizer', {
      httpApi: this.httpApi,
      identitySource: ['$request.header.Authorization'],
      type: HttpAuthorizerType.JWT,
      ...(signIn.provider === 'oidc'
        ? { authorizerName: 'oidc-jwt', jwtIssuer: signIn.issuer, jwtAudience: [...signIn.audience] }
        : {
            authorizerName: 'cognito-jwt',
            jwtIssuer: cognito?.pool.userPoolProviderUrl,
            jwtAudience: cognito ? [cognito.client.userPoolClientId] : [],
          }),
    });

    // Only this account's alarms, in this region, may act through CloudWatch here: without the
    // conditions any account's alarm could publish to the topic (the confused deputy).
    const ownAlarms = {
      StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      ArnLike: {
        'aws:SourceArn': Stack.of(this).formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    // CloudWatch alarms can publish to an encrypted topic only with a key they may use.
    const topicKey = new Key(this, 'AlarmTopicKey', {
      description: `dangjian ${config.stage} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
    });
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: ownAlarms,
      }),
    );
    // Grants on the key only for AWS services acting for a resource (SNS, CloudWatch): nobody
    // can hand the key's use to someone else by grant.
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
    this.alarmTopic = new Topic(this, 'Alarms', {
      displayName: `dangjian ${config.stage} alarms`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, which let the account's own services publish:
    // without this statement every alarm would change state and nobody would hear of it.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: ownAlarms,
      }),
    );
    this.alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));

    this.cursorKey = new Secret(this, 'CursorKey', {
      description: `dangjian ${config.stage}: the key paging cursors are sealed with`,
      // 64 letters and digits, about 380 bits: the AES key is derived from it (HKDF).
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: config.removalPolicy,
    });
    acknowledge(
      this.cursorKey,
      'AwsSolutions-SMG4',
      'The secret only seals paging cursors, which live for one walk through a list, and every container keeps it once read: a scheduled rotation would make cursors issued by one container fail on another until all are recycled, and would only ever invalidate open cursors. A leaked value lets nobody read beyond their own lists (a cursor still has to stay in the partition being listed, after the caller scope check), so it is replaced by hand if it leaks (docs/architecture.md).',
    );

    // What the front ends and the ops team need after a deploy.
    if (this.apiDomain && config.apiDomain) {
      new CfnOutput(this, 'ApiEndpoint', { value: `https://${config.apiDomain.name}` });
      // The DNS record of the API's name points here (CNAME).
      new CfnOutput(this, 'ApiDomainTarget', { value: this.apiDomain.regionalDomainName });
    } else {
      new CfnOutput(this, 'ApiEndpoint', { value: this.httpApi.apiEndpoint });
    }
    if (cognito) {
      new CfnOutput(this, 'UserPoolId', { value: cognito.pool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: cognito.client.userPoolClientId });
    }
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    // For the runbook's check that the alarm e-mail is subscribed and an alarm reaches it.
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
  }

  /** The pool from infra/identity.ts, its groups, and the front ends' web client. */
  private buildUserPool(
    config: StageConfig,
    signIn: Extract<SignInConfig, { provider: 'cognito' }>,
  ): { pool: UserPool; client: UserPoolClient } {
    const { passwordPolicy, tokenValidity } = identity;
    const pool = new UserPool(this, 'Users', {
      userPoolName: poolName(config.stage),
      // People are registered by the committee, partners on approval: nobody signs up alone.
      selfSignUpEnabled: false,
      // The username is a stable id (a person's or a partner's); the e-mail is an alias, so a
      // changed address never changes whose account it is.
      signInAliases: { username: true, email: true, phone: false },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: Object.fromEntries(
        identity.customAttributes.map((a) => [
          a.name,
          new StringAttribute({ minLen: 1, maxLen: a.maxLength, mutable: a.mutable }),
        ]),
      ),
      passwordPolicy: {
        minLength: passwordPolicy.minLength,
        requireLowercase: passwordPolicy.requireLowercase,
        requireUppercase: passwordPolicy.requireUppercase,
        requireDigits: passwordPolicy.requireDigits,
        requireSymbols: passwordPolicy.requireSymbols,
        tempPasswordValidity: Duration.days(passwordPolicy.temporaryPasswordValidityDays),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      email: mailOf(signIn.mail),
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy,
    });
    for (const group of identity.groups) {
      new UserPoolGroup(this, `Group-${group}`, { userPool: pool, groupName: group });
    }
    const custom = identity.customAttributes.map((a) => a.name);
    const client = pool.addClient('WebClient', {
      userPoolClientName: webClientName(config.stage),
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.minutes(tokenValidity.accessTokenMinutes),
      idTokenValidity: Duration.minutes(tokenValidity.idTokenMinutes),
      refreshTokenValidity: Duration.days(tokenValidity.refreshTokenDays),
      // The ID token carries what the services scope by: the custom attributes, readable.
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(...custom),
      // Every custom attribute decides what a caller may see: only administrators (the
      // accounts functions) write them, never a signed-in user through this client.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
      // CDK's default would allow the implicit and code flows with an example.com callback.
      ...(signIn.hostedUi
        ? {
            oAuth: {
              flows: { authorizationCodeGrant: true },
              scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
              callbackUrls: [...signIn.hostedUi.callbackUrls],
              logoutUrls: [...signIn.hostedUi.logoutUrls],
            },
          }
        : { disableOAuth: true }),
    });
    if (signIn.hostedUi) {
      pool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: signIn.hostedUi.domainPrefix } });
    }
    acknowledge(
      pool,
      'AwsSolutions-COG2',
      'MFA is optional by design: members and partner staff sign in from shared devices without an authenticator; the committee enables TOTP on its own accounts.',
    );
    acknowledge(
      pool,
      'AwsSolutions-COG8',
      'Threat protection (advanced security) needs the Cognito Plus plan, billed per active user; the pool has no self sign-up and strong passwords, and the ops team reviews sign-in metrics instead.',
    );
    return { pool, client };
  }
}
