/**
 * The platform's own functions (infra/functions/index.ts): sign-in accounts that follow
 * talent's register, and accounts for approved partners. Every function is deployed here
 * from its description and nothing else (`PlatformFunctionDeployment`): its own function
 * and role, the environment its description calls for, one rule on the stage bus with the
 * description's pattern, a retry policy and a dead-letter queue, and its alarms. Its grants
 * follow the description too: its Cognito actions on the stage's pool, GetItem of talent's
 * person items limited to the attributes it reads, PutEvents on the bus if it tells events.
 *
 * The stack comes after the service stacks because `accounts` reads talent's table, which
 * talent's service stack owns. It finds that table by its name (infra/names.ts), not by an
 * export, so talent's stack exports nothing; it takes the pool and the bus from the platform
 * stack. Its dashboard shows its own functions.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { type Alarm, Dashboard, GraphWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { type CfnRule, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { validatePattern } from '../../shared/events/pattern.js';
import type { StageConfig } from '../config.js';
import { alarmsTo } from '../constructs/alarms.js';
import { deadLetterQueue, failuresTo, ownFunction } from '../constructs/lambda.js';
import { pascal } from '../constructs/service-stack.js';
import { type PlatformFunction, patternOf } from '../functions/platform-function.js';
import { dashboardNameOf } from '../names.js';

/** talent's person items, as a function that reads people (`readsPeople`) may reach them. */
export interface PeopleTable<T = ITable> {
  /** The table itself in this stack; its name when handed to the stack. */
  table: T;
  /** The table's key attributes: GetItem names them, so the attribute condition lists them. */
  keyAttributes: readonly string[];
  /** The partition keys of person items, as an IAM StringLike pattern (`PERSON#*`). */
  leadingKeys: string;
}

export interface AccountsStackProps extends StackProps {
  config: StageConfig;
  /** Where `package-lock.json` lives and the descriptions' `entry` paths start. */
  projectRoot: string;
  functions: readonly PlatformFunction<never>[];
  userPool: IUserPool;
  bus: IEventBus;
  alarmTopic: ITopic;
  /** talent's table, by name; required when a function reads people. */
  people?: PeopleTable<string>;
}

interface DeploymentProps extends Omit<AccountsStackProps, 'functions' | 'people' | keyof StackProps> {
  spec: PlatformFunction<never>;
  people?: PeopleTable;
}

/** One platform function, built from its description: the one place that does it. */
export class PlatformFunctionDeployment extends Construct {
  readonly spec: PlatformFunction<never>;
  readonly fn: NodejsFunction;
  readonly rule: Rule;
  readonly deadLetters: Queue;
  readonly errorsAlarm: Alarm;
  readonly deadLettersAlarm: Alarm;

  constructor(scope: Construct, id: string, props: DeploymentProps) {
    super(scope, id);
    const { config, spec, userPool, bus, people } = props;
    this.spec = spec;
    const entry = join(props.projectRoot, spec.entry);
    if (!existsSync(entry)) throw new Error(`Platform function ${spec.name} has no Lambda entry at ${entry}`);
    if (spec.readsPeople && !people) {
      throw new Error(
        `Platform function ${spec.name} reads talent's people, but no talent service is listed`,
      );
    }
    const pattern = patternOf(spec);
    try {
      validatePattern(pattern);
    } catch (error) {
      throw new Error(`Platform function ${spec.name}: ${(error as Error).message}`, { cause: error });
    }
    const takes = spec.takes.map((c) => c.name).join(', ');

    // The environment the entry reads (infra/functions/*-lambda.ts), from what it is granted.
    const environment: Record<string, string> = {
      STAGE: config.stage,
      POWERTOOLS_LOG_LEVEL: config.logLevel,
      NODE_OPTIONS: '--enable-source-maps',
      ...(spec.cognitoActions.length > 0 ? { USER_POOL_ID: userPool.userPoolId } : {}),
      ...(spec.readsPeople && people ? { TALENT_TABLE: people.table.tableName } : {}),
      ...(spec.tells?.length ? { BUS_NAME: bus.eventBusName } : {}),
    };
    this.fn = ownFunction(this, 'Function', {
      config,
      entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      roleDescription: `platform ${spec.name} (${config.stage})`,
      description: `dangjian ${config.stage}: ${spec.description}`,
      environment,
    });

    // Grants: what the description says, on this stage's resources, nothing else.
    if (spec.cognitoActions.length > 0) {
      this.fn.addToRolePolicy(
        new PolicyStatement({ actions: [...spec.cognitoActions], resources: [userPool.userPoolArn] }),
      );
    }
    if (spec.readsPeople && people) {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:GetItem'],
          resources: [people.table.tableArn],
          conditions: {
            // Person items only: their partition key, whatever the person.
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [people.leadingKeys] },
            // These attributes only (the keys too: GetItem names them).
            'ForAllValues:StringEquals': {
              'dynamodb:Attributes': [...new Set([...people.keyAttributes, ...spec.readsPeople])],
            },
            // A read without a projection would return every attribute: refused.
            StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
          },
        }),
      );
    }
    if (spec.tells?.length) bus.grantPutEventsTo(this.fn);

    this.deadLetters = deadLetterQueue(this, 'DeadLetters');
    failuresTo(this.fn, this.deadLetters, config);

    this.rule = new Rule(this, 'Rule', {
      eventBus: bus,
      description: `platform ${spec.name}: ${pattern.source?.join(', ')} ${takes}`,
      // Placeholder for the L2's own check; the description's pattern is set verbatim below.
      eventPattern: { source: pattern.source },
    });
    (this.rule.node.defaultChild as CfnRule).eventPattern = pattern;
    this.rule.addTarget(
      new LambdaFunction(this.fn, {
        deadLetterQueue: this.deadLetters,
        retryAttempts: config.events.retryAttempts,
        maxEventAge: config.events.maxEventAge,
      }),
    );

    const alarm = alarmsTo(this, props.alarmTopic);
    this.errorsAlarm = alarm(
      'Errors',
      this.fn.metricErrors({ period: Duration.minutes(5) }),
      1,
      `platform ${spec.name}: the function failed`,
    );
    this.deadLettersAlarm = alarm(
      'DeadLettersDepth',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      1,
      `platform ${spec.name}: events (${takes}) waiting in its dead-letter queue, not handled; the function's log says why`,
    );
  }
}

export class AccountsStack extends Stack {
  /** One per description, in the order of infra/functions/index.ts. */
  readonly deployments: PlatformFunctionDeployment[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: AccountsStackProps) {
    super(scope, id, props);
    const { functions } = props;
    const names = new Set<string>();
    for (const spec of functions) {
      if (names.has(spec.name)) throw new Error(`Platform function "${spec.name}" is listed twice`);
      names.add(spec.name);
    }
    const people: PeopleTable | undefined = props.people && {
      ...props.people,
      table: Table.fromTableName(this, 'TalentTable', props.people.table),
    };
    this.deployments = functions.map(
      (spec) =>
        new PlatformFunctionDeployment(this, pascal(spec.name), {
          spec,
          config: props.config,
          projectRoot: props.projectRoot,
          userPool: props.userPool,
          bus: props.bus,
          alarmTopic: props.alarmTopic,
          ...(people ? { people } : {}),
        }),
    );

    const period = Duration.minutes(5);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: dashboardNameOf(props.config.stage, 'accounts'),
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      ...this.deployments.map(
        (d) =>
          new GraphWidget({
            title: `platform ${d.spec.name}: errors and dead letters`,
            left: [d.fn.metricErrors({ period })],
            right: [d.deadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' })],
            width: 12,
          }),
      ),
    );
  }

  /** The deployment of the named description. */
  deployment(name: string): PlatformFunctionDeployment {
    const found = this.deployments.find((d) => d.spec.name === name);
    if (!found) throw new Error(`No platform function "${name}" in ${this.stackName}`);
    return found;
  }
}
