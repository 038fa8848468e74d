/**
 * One service's stack, built from its description and nothing else: the table, the
 * router function behind every described route, the outbox relay on the table's stream,
 * one rule and consumer per subscription, one Scheduler schedule and function per schedule,
 * the bucket if described, and the alarms and the
 * dashboard of all of it. The routes themselves are in the API stack, beside the stage that
 * throttles them (api-stack.ts), and reach the router by its name. The local runtime reads
 * the same description (infra/local/runtime.ts), so a route, rule or table exists in both
 * worlds or in neither.
 *
 * Nothing here is exported to another stack: a change to a subscription, a consumer or a
 * queue updates this stack alone.
 */

import { type CfnResource, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Dashboard, GraphWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import {
  AttributeType,
  BillingMode,
  type CfnTable,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { type CfnRule, EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, type Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, type Function as LambdaFn, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import {
  ContextAttribute,
  ScheduleExpression,
  Schedule as SchedulerSchedule,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { outboxStreamFilter } from '../../shared/events/outbox.js';
import { validatePattern } from '../../shared/events/pattern.js';
import type { SchedulePayload } from '../../shared/schedules.js';
import {
  pagesLists,
  type ScheduleSpec,
  type ServiceDescription,
  type SubscriptionSpec,
} from '../../shared/service.js';
import { isS3Pattern, ownBucketPattern, sourcesOf } from '../bucket-events.js';
import type { StageConfig } from '../config.js';
import { acknowledge } from '../nag.js';
import { dashboardNameOf, routerNameOf, tableNameOf } from '../names.js';
import { alarmsTo } from './alarms.js';
import { deadLetterQueue, failuresTo, ownFunction } from './lambda.js';

/** A description and the module exporting its Lambda entry points (`http`, `relay`, `consume`). */
export interface ServiceEntry {
  description: ServiceDescription;
  /** Absolute path of the service's `lambda.ts`. */
  entry: string;
}

export interface ServiceStackProps extends StackProps {
  config: StageConfig;
  service: ServiceEntry;
  /** Where `package-lock.json` lives: esbuild bundles from here. */
  projectRoot: string;
  bus: IEventBus;
  /** The API whose routes (API stack) invoke the router. */
  httpApi: IHttpApi;
  alarmTopic: ITopic;
  /** The stage's paging-cursor secret: read by the router of a service that pages a list, by nothing else. */
  cursorKey: ISecret;
  /** The stage's user pool, whose accounts' addresses a consumer that sends mail reads; absent with OIDC. */
  userPool?: IUserPool;
}

// The S3 rule both runtimes apply; tests find it here beside the stack.
export { isS3Pattern } from '../bucket-events.js';

/** A pattern EventBridge would refuse fails synth, naming the service and subscription. */
export const checkPattern = (service: string, sub: SubscriptionSpec, pattern = sub.pattern): void => {
  try {
    validatePattern(pattern);
  } catch (error) {
    throw new Error(`${service} subscription ${sub.name}: ${(error as Error).message}`, { cause: error });
  }
};

// The local gateway throttles by the same classes, so the rule lives where both can load it.
export { throttleClass } from '../throttle.js';

/** A kebab-case name as a construct id: `meeting-held` → `MeetingHeld`. */
export const pascal = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');

export class ServiceStack extends Stack {
  readonly description: ServiceDescription;
  readonly table: Table;
  readonly bucket?: Bucket;
  readonly router: NodejsFunction;
  readonly relay: NodejsFunction;
  readonly consumers: Record<string, NodejsFunction> = {};
  readonly scheduled: Record<string, NodejsFunction> = {};
  readonly schedules: SchedulerSchedule[] = [];
  readonly deadLetterQueues: Queue[] = [];
  readonly rules: Rule[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, service, bus, alarmTopic } = props;
    const { description } = service;
    this.description = description;
    const name = description.name;

    // Validate first: a refused pattern must stop synth before any resource is built.
    for (const sub of description.subscriptions) checkPattern(name, sub);

    this.table = this.buildTable(config);
    if (description.bucket) this.bucket = this.buildBucket(config);

    const environment: Record<string, string> = {
      STAGE: config.stage,
      TABLE_NAME: this.table.tableName,
      EVENT_BUS_NAME: bus.eventBusName,
      UPLOAD_LIMIT_BYTES: String(config.uploadLimitBytes),
      POWERTOOLS_LOG_LEVEL: config.logLevel,
      NODE_OPTIONS: '--enable-source-maps',
      ...(this.bucket ? { BUCKET_NAME: this.bucket.bucketName } : {}),
    };
    const fn = (
      fnId: string,
      handler: 'http' | 'relay' | 'consume' | 'schedule',
      extra: Record<string, string> = {},
      functionName?: string,
    ) => this.buildFunction(fnId, handler, { ...environment, ...extra }, props, functionName);

    // Router: every route of the description, and nothing else. Its name is how the routes
    // in the API stack find it, so that stack imports nothing from this one.
    const routerName = routerNameOf(config.stage, name);
    if (routerName.length > LAMBDA_NAME_MAX) {
      throw new Error(`Service "${name}": its router's name ${routerName} is longer than Lambda allows`);
    }
    const pages = pagesLists(description);
    this.router = fn(
      'Router',
      'http',
      pages ? { CURSOR_KEY_SECRET_ARN: props.cursorKey.secretArn } : {},
      routerName,
    );
    if (pages) props.cursorKey.grantRead(this.router);
    this.table.grantReadWriteData(this.router);
    this.grantObjects(this.router);
    // One invoke permission for the whole API instead of one per route: a large service
    // would otherwise outgrow the function's 20 KB resource policy.
    this.router.addPermission('ApiInvoke', {
      principal: new ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: this.formatArn({
        service: 'execute-api',
        resource: props.httpApi.apiId,
        resourceName: '*/*/*',
      }),
    });

    // Relay: outbox items on the stream → PutEvents on the bus. Stream read and PutEvents only.
    this.relay = fn('Relay', 'relay');
    const relayFailures = this.deadLetterQueue('RelayFailures');
    this.relay.addEventSource(
      new DynamoEventSource(this.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        // The same filter object the local stream relay applies.
        filters: [FilterCriteria.filter({ ...outboxStreamFilter })],
        bisectBatchOnError: true,
        retryAttempts: config.relayRetryAttempts,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(relayFailures),
      }),
    );
    bus.grantPutEventsTo(this.relay);
    acknowledge(
      this.relay.role as Role,
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams, which the stream event source needs, has no resource-level permissions; the relay reads records only from its own table stream.',
    );

    // Consumers: one rule and one function per subscription.
    for (const sub of description.subscriptions) this.buildSubscription(sub, fn, props);
    for (const schedule of description.schedules ?? []) this.buildSchedule(schedule, fn, config);

    this.buildAlarms(alarmTopic);
    this.dashboard = this.buildDashboard(config);

    // CDK's data grants cover the table's indexes with a wildcard: this table's, nobody else's.
    acknowledge(
      this,
      `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.table.node.defaultChild as CfnTable)}.Arn>/index/*]`,
      `Queries on the ${name} table's own global secondary indexes; no other table is reachable.`,
    );
    if (this.bucket) {
      acknowledge(
        this,
        `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
        `Objects of the ${name} bucket, whose keys are generated per upload; no other bucket is reachable.`,
      );
    }
  }

  /** Presigned POST and GET, the uploaded-object check and its removal: objects of the own bucket only. */
  private grantObjects(fn: NodejsFunction): void {
    if (!this.bucket) return;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    // Without ListBucket a HEAD on a missing object answers 403 instead of 404.
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
  }

  private buildTable(config: StageConfig): Table {
    const spec = this.description.table;
    const table = new Table(this, 'Table', {
      // Named, so the accounts stack finds talent's table without an export; a change that
      // would replace the table (its keys) fails instead of starting an empty one.
      tableName: tableNameOf(config.stage, this.description.name),
      partitionKey: { name: spec.partitionKey.name, type: attributeType(spec.partitionKey.type) },
      sortKey: { name: spec.sortKey.name, type: attributeType(spec.sortKey.type) },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: config.pointInTimeRecovery },
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy,
      ...(spec.timeToLiveAttribute ? { timeToLiveAttribute: spec.timeToLiveAttribute } : {}),
    });
    for (const index of spec.indexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey.type) },
        ...(index.sortKey
          ? { sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey.type) } }
          : {}),
      });
    }
    if (!config.pointInTimeRecovery) {
      acknowledge(
        table,
        'AwsSolutions-DDB3',
        `Point-in-time recovery is off in ${config.stage} by the stage config: its tables hold throwaway test data; staging and prod keep it on.`,
      );
    }
    return table;
  }

  private buildBucket(config: StageConfig): Bucket {
    // A bucket deleted with its stack is emptied first: CloudFormation cannot delete a bucket
    // that holds objects, so deleting a dev stack would fail. Retained buckets keep theirs.
    const emptiedOnDelete = config.removalPolicy === RemovalPolicy.DESTROY;
    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(config.uploads.accessLogDays) }],
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: emptiedOnDelete,
    });
    acknowledge(
      accessLogs,
      'AwsSolutions-S1',
      'This bucket is the destination of its service bucket’s server access logs; logging it would log itself.',
    );
    const bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'access/',
      versioned: config.uploads.versioned,
      // Browsers upload straight to S3 with a presigned POST and download with presigned GETs.
      cors: [
        {
          allowedMethods: [HttpMethods.POST, HttpMethods.GET, HttpMethods.HEAD],
          allowedOrigins: [...config.corsOrigins],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Location'],
          maxAge: 3600,
        },
      ],
      lifecycleRules: [
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(this.description.bucket?.expiring ?? []).map(({ prefix, days }) => ({
          prefix,
          expiration: Duration.days(days),
        })),
        ...(config.uploads.versioned
          ? [{ noncurrentVersionExpiration: Duration.days(config.uploads.noncurrentVersionDays) }]
          : []),
      ],
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: emptiedOnDelete,
    });
    if (this.description.bucket?.objectEvents) {
      // Native CloudFormation setting: `eventBridgeEnabled` would add a custom-resource Lambda.
      (bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
    }
    return bucket;
  }

  private buildFunction(
    id: string,
    handler: 'http' | 'relay' | 'consume' | 'schedule',
    environment: Record<string, string>,
    props: ServiceStackProps,
    functionName?: string,
  ): NodejsFunction {
    return ownFunction(this, id, {
      config: props.config,
      entry: props.service.entry,
      handler,
      projectRoot: props.projectRoot,
      environment,
      roleDescription: `${this.description.name} ${id} (${props.config.stage})`,
      ...(functionName ? { functionName } : {}),
    });
  }

  private deadLetterQueue(id: string): Queue {
    const queue = deadLetterQueue(this, id);
    this.deadLetterQueues.push(queue);
    return queue;
  }

  /**
   * A function invoked asynchronously (a rule's or a schedule's target): its table and
   * bucket, and one dead-letter queue for both failed deliveries and failed runs.
   */
  private asyncTarget(id: string, target: NodejsFunction, config: StageConfig): Queue {
    this.table.grantReadWriteData(target);
    this.grantObjects(target);
    const dlq = this.deadLetterQueue(`${id}DeadLetters`);
    failuresTo(target, dlq, config);
    return dlq;
  }

  /**
   * The stage's sender as an SES email identity, made once per stack that sends; undefined
   * where the stage sends no mail (no address to read: no user pool, or `mailFrom.none`).
   */
  private mailIdentity?: EmailIdentity;
  private mailSender(config: StageConfig, userPool: IUserPool | undefined) {
    if (typeof config.mailFrom !== 'string' || !userPool) return undefined;
    this.mailIdentity ??= new EmailIdentity(this, 'MailFrom', { identity: Identity.email(config.mailFrom) });
    return { identity: this.mailIdentity, from: config.mailFrom, userPool };
  }

  private buildSubscription(
    sub: SubscriptionSpec,
    fn: (id: string, handler: 'consume', extra: Record<string, string>) => NodejsFunction,
    props: ServiceStackProps,
  ): void {
    const { config } = props;
    const name = this.description.name;
    const id = `Consumer${pascal(sub.name)}`;
    const sender = sub.sendsMail ? this.mailSender(config, props.userPool) : undefined;
    const consumer = fn(id, 'consume', {
      SUBSCRIPTION: sub.name,
      ...(sender ? { MAIL_FROM: sender.from, USER_POOL_ID: sender.userPool.userPoolId } : {}),
    });
    this.consumers[sub.name] = consumer;
    if (sender) {
      // Sends from the stage's sender only, and reads one account at a time: no list, no write.
      consumer.addToRolePolicy(
        new PolicyStatement({ actions: ['ses:SendEmail'], resources: [sender.identity.emailIdentityArn] }),
      );
      consumer.addToRolePolicy(
        new PolicyStatement({
          actions: ['cognito-idp:AdminGetUser'],
          resources: [sender.userPool.userPoolArn],
        }),
      );
    }
    const dlq = this.asyncTarget(id, consumer, config);

    let pattern = sub.pattern;
    let eventBus: IEventBus = props.bus;
    if (isS3Pattern(name, sub)) {
      // The default bus carries every bucket's events: keep only this service's bucket.
      pattern = ownBucketPattern(name, sub, this.bucket?.bucketName);
      checkPattern(name, sub, pattern);
      eventBus = EventBus.fromEventBusName(this, `${id}DefaultBus`, 'default');
    }

    const rule = new Rule(this, `${id}Rule`, {
      eventBus,
      description: `${name}: ${sub.name}`,
      // Placeholder for the L2's own check; the description's pattern is set verbatim below.
      eventPattern: { source: sourcesOf(sub.pattern) },
    });
    (rule.node.defaultChild as CfnRule).eventPattern = pattern;
    rule.addTarget(
      new LambdaFunction(consumer, {
        deadLetterQueue: dlq,
        retryAttempts: config.events.retryAttempts,
        maxEventAge: config.events.maxEventAge,
      }),
    );
    this.rules.push(rule);
  }

  /**
   * One Scheduler schedule per described schedule, invoking its own function with the
   * schedule's name and scheduled time. Scheduler retries a failed invocation and then sends
   * it to the dead-letter queue; Lambda invokes asynchronously, so a failing handler is
   * retried twice and then lands in the same queue, as a consumer's does.
   */
  private buildSchedule(
    schedule: ScheduleSpec,
    fn: (id: string, handler: 'schedule', extra: Record<string, string>) => NodejsFunction,
    config: StageConfig,
  ): void {
    const id = `Schedule${pascal(schedule.name)}`;
    const target = fn(id, 'schedule', { SCHEDULE: schedule.name });
    this.scheduled[schedule.name] = target;
    const dlq = this.asyncTarget(id, target, config);
    // Scheduler's role for the target is CDK's, granting the function and its qualifiers.
    acknowledge(
      this,
      `AwsSolutions-IAM5[Resource::<${this.getLogicalId(target.node.defaultChild as CfnResource)}.Arn>:*]`,
      `The ${schedule.name} schedule may invoke its own function, qualified or not (\`:*\` is Lambda's version or alias suffix); no other function.`,
    );
    const payload: SchedulePayload = {
      schedule: schedule.name,
      scheduledTime: ContextAttribute.scheduledTime,
    };
    this.schedules.push(
      new SchedulerSchedule(this, `${id}Schedule`, {
        description: `${this.description.name}: ${schedule.name}, every ${schedule.every} min`,
        schedule: ScheduleExpression.rate(Duration.minutes(schedule.every)),
        target: new LambdaInvoke(target, {
          input: ScheduleTargetInput.fromObject(payload),
          deadLetterQueue: dlq,
          retryAttempts: config.events.retryAttempts,
          maxEventAge: config.events.maxEventAge,
        }),
      }),
    );
  }

  private buildAlarms(topic: ITopic): void {
    const alarm = alarmsTo(this, topic);
    const name = this.description.name;
    const functions: [string, LambdaFn][] = [
      ['Router', this.router],
      ['Relay', this.relay],
      ...Object.entries(this.consumers).map(([sub, f]): [string, LambdaFn] => [`Consumer${pascal(sub)}`, f]),
      ...Object.entries(this.scheduled).map(([s, f]): [string, LambdaFn] => [`Schedule${pascal(s)}`, f]),
    ];
    for (const [id, f] of functions) {
      alarm(
        `${id}Errors`,
        f.metricErrors({ period: Duration.minutes(5) }),
        1,
        `${name} ${id}: the function failed`,
      );
    }
    for (const queue of this.deadLetterQueues) {
      alarm(
        `${queue.node.id}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        1,
        `${name}: messages waiting in dead-letter queue ${queue.node.id}`,
      );
    }
    alarm(
      'RelayIteratorAge',
      this.relay.metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' }),
      5 * 60 * 1000,
      `${name}: the outbox relay is more than five minutes behind the table stream`,
    );
  }

  /** The service's own dashboard: in this stack, so it names nothing another stack owns. */
  private buildDashboard(config: StageConfig): Dashboard {
    const name = this.description.name;
    const period = Duration.minutes(5);
    const functions = [
      this.router,
      this.relay,
      ...Object.values(this.consumers),
      ...Object.values(this.scheduled),
    ];
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: dashboardNameOf(config.stage, name),
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new GraphWidget({
        title: `${name}: function errors`,
        left: functions.map((f) => f.metricErrors({ period })),
        width: 8,
      }),
      new GraphWidget({
        title: `${name}: dead letters`,
        left: this.deadLetterQueues.map((q) =>
          q.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: `${name}: relay iterator age (ms)`,
        left: [this.relay.metric('IteratorAge', { statistic: 'Maximum', period })],
        width: 8,
      }),
    );
    return dashboard;
  }
}

/** Lambda's limit on a function name. */
const LAMBDA_NAME_MAX = 64;

const attributeType = (type: 'S' | 'N'): AttributeType =>
  type === 'S' ? AttributeType.STRING : AttributeType.NUMBER;
