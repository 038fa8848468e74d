/**
 * What every service stands on: the event bus (with its archive for replay), the Cognito
 * user pool whose tokens the HTTP API's JWT authorizer checks, the HTTP API itself (its
 * routes come from the service stacks, its stage from the API stack), the alarm topic,
 * and the partner-accounts function that gives an approved partner its Cognito user.
 */

import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpAuthorizer, HttpAuthorizerType } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Archive, type CfnRule, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PartnerApproved } from '../../services/community/events.js';
import { roles } from '../../shared/auth.js';
import { patternFor } from '../../shared/events/contract.js';
import type { StageConfig } from '../config.js';
import { alarmsTo } from '../constructs/alarms.js';
import { deadLetterQueue, failuresTo, ownFunction } from '../constructs/lambda.js';
import { acknowledge } from '../nag.js';

/** Where `package-lock.json` lives: esbuild bundles the platform functions from here. */
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The Cognito calls of the partner-accounts function: nothing else, on this pool only. */
export const PARTNER_ACCOUNT_ACTIONS = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminAddUserToGroup',
] as const;

export interface PlatformStackProps extends StackProps {
  config: StageConfig;
}

export class PlatformStack extends Stack {
  readonly bus: EventBus;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly httpApi: HttpApi;
  readonly authorizer: HttpAuthorizer;
  readonly alarmTopic: Topic;
  /** Creates an approved partner's Cognito user (group `partner`, `custom:orgId`). */
  readonly partnerAccounts: NodejsFunction;
  readonly partnerAccountsRule: Rule;
  readonly partnerAccountsDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.bus = new EventBus(this, 'Bus', { eventBusName: `dangjian-${config.stage}` });
    new Archive(this, 'BusArchive', {
      sourceEventBus: this.bus,
      description: `Every event on dangjian-${config.stage}, kept for replay`,
      // An archive needs a pattern; every event carries the account, so this keeps them all.
      eventPattern: { account: [Stack.of(this).account] },
      retention: config.events.archiveRetention,
    });

    this.userPool = new UserPool(this, 'Users', {
      userPoolName: `dangjian-${config.stage}`,
      // People are registered by the committee, partners on approval: nobody signs up alone.
      selfSignUpEnabled: false,
      signInAliases: { email: true, phone: false, username: false },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        branchId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        orgId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy,
    });
    for (const role of roles) {
      new UserPoolGroup(this, `Group-${role}`, { userPool: this.userPool, groupName: role });
    }
    this.userPoolClient = this.userPool.addClient('WebClient', {
      userPoolClientName: `dangjian-${config.stage}-web`,
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // branchId and orgId decide what a caller may see: only administrators may set them.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
    });

    this.httpApi = new HttpApi(this, 'Api', {
      apiName: `dangjian-${config.stage}`,
      description: `dangjian ${config.stage}: every route of every service description`,
      // The stage is created after the routes (API stack), so it can throttle them by key.
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...config.corsOrigins],
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.DELETE,
          CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type'],
        exposeHeaders: ['location'],
        maxAge: Duration.hours(1),
      },
    });
    // One JWT authorizer for the whole API; service stacks attach it to their non-public routes.
    this.authorizer = new HttpAuthorizer(this, 'JwtAuthorizer', {
      httpApi: this.httpApi,
      authorizerName: 'cognito-jwt',
      type: HttpAuthorizerType.JWT,
      identitySource: ['$request.header.Authorization'],
      jwtIssuer: this.userPool.userPoolProviderUrl,
      jwtAudience: [this.userPoolClient.userPoolClientId],
    });

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
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.alarmTopic = new Topic(this, 'Alarms', {
      displayName: `dangjian ${config.stage} alarms`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    this.alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));

    const partner = this.buildPartnerAccounts(config);
    this.partnerAccounts = partner.fn;
    this.partnerAccountsRule = partner.rule;
    this.partnerAccountsDeadLetters = partner.deadLetters;

    // What the front ends and the ops team need after a deploy.
    new CfnOutput(this, 'ApiEndpoint', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });

    acknowledge(
      this.userPool,
      'AwsSolutions-COG2',
      'MFA is optional by design (DESIGN.md): members and partner staff sign in from shared devices without an authenticator; the committee enables TOTP on its own accounts.',
    );
    acknowledge(
      this.userPool,
      'AwsSolutions-COG8',
      'Threat protection (advanced security) needs the Cognito Plus plan, billed per active user; the pool has no self sign-up and strong passwords, and the ops team reviews sign-in metrics instead.',
    );
  }

  /**
   * community's PartnerApproved → the partner's Cognito user. Built like a service consumer
   * (infra/constructs/service-stack.ts): own role and log group, a rule with a retry policy,
   * delivery and handler failures to one dead-letter queue, alarms to the alarm topic.
   */
  private buildPartnerAccounts(config: StageConfig): { fn: NodejsFunction; rule: Rule; deadLetters: Queue } {
    const id = 'PartnerAccounts';
    const fn = ownFunction(this, id, {
      config,
      entry: fileURLToPath(new URL('../functions/partner-accounts.ts', import.meta.url)),
      handler: 'handler',
      projectRoot,
      // The three Cognito calls on this pool, nothing else (granted below).
      roleDescription: `platform ${id} (${config.stage})`,
      description: `dangjian ${config.stage}: Cognito user for an approved partner (${PartnerApproved.name})`,
      environment: {
        STAGE: config.stage,
        USER_POOL_ID: this.userPool.userPoolId,
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    fn.addToRolePolicy(
      new PolicyStatement({ actions: [...PARTNER_ACCOUNT_ACTIONS], resources: [this.userPool.userPoolArn] }),
    );

    const deadLetters = deadLetterQueue(this, `${id}DeadLetters`);
    failuresTo(fn, deadLetters, config);

    const pattern = patternFor(PartnerApproved);
    const rule = new Rule(this, `${id}Rule`, {
      eventBus: this.bus,
      description: `platform: ${id} (${PartnerApproved.source} ${PartnerApproved.name})`,
      // Placeholder for the L2's own check; the shared pattern is set verbatim below.
      eventPattern: { source: pattern.source },
    });
    (rule.node.defaultChild as CfnRule).eventPattern = pattern;
    rule.addTarget(
      new LambdaFunction(fn, {
        deadLetterQueue: deadLetters,
        retryAttempts: config.events.retryAttempts,
        maxEventAge: config.events.maxEventAge,
      }),
    );

    const alarm = alarmsTo(this, this.alarmTopic);
    alarm(
      `${id}Errors`,
      fn.metricErrors({ period: Duration.minutes(5) }),
      1,
      `platform ${id}: the function failed`,
    );
    alarm(
      `${id}DeadLettersDepth`,
      deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      1,
      `platform: PartnerApproved events waiting in dead-letter queue ${id}DeadLetters (no Cognito user was made; e.g. the contact e-mail belongs to another organisation)`,
    );
    return { fn, rule, deadLetters };
  }
}
