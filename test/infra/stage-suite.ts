/**
 * What every stage must satisfy, asserted on its synthesized templates. Each stage's test
 * file calls this once, so the stage is synthesized once and the files run in parallel.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SignInConfig, type Stage, type StageConfig, stageConfig } from '../../infra/config.js';
import { isS3Pattern, type ServiceStack, throttleClass } from '../../infra/constructs/service-stack.js';
import { projectRoot } from '../../infra/dangjian.js';
import { accounts } from '../../infra/functions/accounts.js';
import { platformFunctions } from '../../infra/functions/index.js';
import { partnerAccounts } from '../../infra/functions/partner-accounts.js';
import { patternOf } from '../../infra/functions/platform-function.js';
import { acceptedFindings, acceptedFor } from '../../infra/guard.js';
import { identity, poolName, webClientName } from '../../infra/identity.js';
import { routerNameOf, tableNameOf } from '../../infra/names.js';
import type { AccountsStack, PlatformFunctionDeployment } from '../../infra/platform/accounts-stack.js';
import { PartnerApproved } from '../../services/community/events.js';
import { personFacts, keys as talentKeys } from '../../services/talent/store.js';
import { patternFor } from '../../shared/events/contract.js';
import { outboxStreamFilter } from '../../shared/events/outbox.js';
import { cors } from '../../shared/http/cors.js';
import { pagesLists } from '../../shared/service.js';
import { runGuard } from './guard.js';
import {
  functionsOf,
  importOf,
  isBucketEmptier,
  type Resource,
  resourcesOf,
  type SynthesizedStage,
  synthStage,
} from './support.js';

/** A service's asynchronously invoked functions, each with its dead-letter queue: consumers and schedules. */
const asyncFunctions = (svc: ServiceStack) =>
  svc.description.subscriptions.length + (svc.description.schedules?.length ?? 0);

type Statement = { Action: string | string[]; Effect: string; Resource: unknown };

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every resource of a statement, as what it points at: own logical ids, imports, literals. */
const targetsOf = (resource: unknown): { ids: string[]; imports: string[]; literals: string[] } => {
  const out = { ids: [] as string[], imports: [] as string[], literals: [] as string[] };
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value !== '' && value !== '/*' && value !== '/index/*') out.literals.push(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if ('Fn::GetAtt' in v) out.ids.push((v['Fn::GetAtt'] as string[])[0] as string);
      else if ('Ref' in v) out.ids.push(v.Ref as string);
      else if ('Fn::ImportValue' in v) out.imports.push(JSON.stringify(v['Fn::ImportValue']));
      else if ('Fn::Join' in v) walk((v['Fn::Join'] as [string, unknown[]])[1]);
      else throw new Error(`Unexpected resource form ${JSON.stringify(v)}`);
    }
  };
  walk(resource);
  return out;
};

const statementsOf = (template: Template): { policy: string; role: string; statement: Statement }[] =>
  resourcesOf(template, 'AWS::IAM::Policy').flatMap(([policy, r]) => {
    const props = r.Properties ?? {};
    const roles = props.Roles as { Ref: string }[];
    return (props.PolicyDocument.Statement as Statement[]).map((statement) => ({
      policy,
      role: roles[0]?.Ref as string,
      statement,
    }));
  });

/** A template value as one string: `{ Ref: X }` as `${X}`, `Fn::Join` joined. */
const flat = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v && 'Ref' in v) return `\${${v.Ref}}`;
  if (v && 'Fn::Join' in v) return (v['Fn::Join'][1] as unknown[]).map(flat).join(v['Fn::Join'][0]);
  throw new Error(`Not a plain ARN: ${JSON.stringify(value)}`);
};

/** An ARN of the stack's own partition, region and account, as the template spells it. */
const arnIn = (stack: Stack, service: string, resource: string): string =>
  `arn:${flat(stack.resolve(stack.partition))}:${service}:${flat(stack.resolve(stack.region))}:${flat(stack.resolve(stack.account))}:${resource}`;

/** cfn-guard takes seconds per template with the rules that apply; minutes on a loaded machine. */
const GUARD_TIMEOUT_MS = 300_000;

/** A synth of every service takes seconds of CPU; on a shared, loaded machine much longer. */
const SYNTH_TIMEOUT_MS = 180_000;

const STREAM_READ = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];

type CognitoSignIn = Extract<SignInConfig, { provider: 'cognito' }>;
type OidcSignIn = Extract<SignInConfig, { provider: 'oidc' }>;

/** What every platform function's entry reads besides what its grants call for. */
const BASE_ENV = ['NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'STAGE'];

/** Scheduler's rate for a number of minutes, in the largest whole unit, as CDK writes it: `rate(1 day)`. */
const rateOf = (minutes: number): string => {
  const [count, unit] =
    minutes % 1440 === 0
      ? [minutes / 1440, 'day']
      : minutes % 60 === 0
        ? [minutes / 60, 'hour']
        : [minutes, 'minute'];
  return `rate(${count} ${unit}${count === 1 ? '' : 's'})`;
};

export const stageSuite = (stage: Stage): void => {
  // Which tests a stage has depends on how it signs people in (no user pool in AWS China).
  const signsInWithCognito = stageConfig(stage).signIn.provider === 'cognito';
  describe(`stage ${stage}`, () => {
    let s: SynthesizedStage;
    let config: StageConfig;
    let services: ServiceStack[];
    const t = (stack: Stack) => s.template(stack);
    const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId((construct.node.defaultChild ?? construct) as never);
    const resourceOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
      t(stack).toJSON().Resources[logicalId(stack, construct)] as Resource;
    const roleOf = (stack: Stack, d: PlatformFunctionDeployment) =>
      logicalId(stack, d.fn.role as unknown as { node: { defaultChild?: unknown } });
    const envOf = (stack: AccountsStack, name: string) =>
      resourceOf(stack, stack.deployment(name).fn).Properties?.Environment.Variables as Record<
        string,
        unknown
      >;
    const accountsStack = (): AccountsStack => {
      if (!s.dangjian.accounts) throw new Error(`stage ${stage} has no accounts stack`);
      return s.dangjian.accounts;
    };
    /** The platform's own functions (infra/functions/index.ts), all in the accounts stack if any. */
    const platformFunctionCount = () => s.dangjian.accounts?.deployments.length ?? 0;
    const serviceNamed = (name: string) => {
      const found = services.find((svc) => svc.description.name === name);
      if (!found) throw new Error(`no ${name} stack`);
      return found;
    };

    /** A stage whose tables, buckets and logs outlive their stacks (prod, prod-cn). */
    let keepsData: boolean;

    beforeAll(() => {
      config = stageConfig(stage);
      keepsData = config.removalPolicy === RemovalPolicy.RETAIN;
      s = synthStage(stage);
      services = s.dangjian.services;
    }, SYNTH_TIMEOUT_MS);

    it('names every stack after the stage and builds one stack per listed service', () => {
      const accounts = signsInWithCognito ? [`${stage}-dangjian-accounts`] : [];
      expect(s.stacks.map((stack) => stack.stackName)).toEqual([
        `${stage}-dangjian-platform`,
        ...services.map((svc) => `${stage}-dangjian-${svc.description.name}`),
        ...accounts,
        `${stage}-dangjian-api`,
      ]);
      expect(services.map((svc) => svc.description.name)).toContain('notes');
    });

    it('deploys the platform first, the accounts after the services, and the API stage last', () => {
      const names = (stack: Stack) => stack.dependencies.map((d) => d.stackName).sort();
      for (const svc of services) expect(names(svc)).toEqual([`${stage}-dangjian-platform`]);
      if (s.dangjian.accounts) {
        expect(names(s.dangjian.accounts)).toEqual(
          [`${stage}-dangjian-platform`, ...services.map((svc) => svc.stackName)].sort(),
        );
      }
      expect(names(s.dangjian.api)).toEqual(
        [
          `${stage}-dangjian-platform`,
          ...services.map((svc) => svc.stackName),
          ...(s.dangjian.accounts ? [`${stage}-dangjian-accounts`] : []),
        ].sort(),
      );
    });

    it('runs every function on nodejs22.x and arm64', () => {
      let count = 0;
      for (const stack of s.stacks) {
        for (const [id, fn] of functionsOf(t(stack))) {
          count++;
          expect({ id, runtime: fn.Properties?.Runtime, arch: fn.Properties?.Architectures }).toEqual({
            id,
            runtime: 'nodejs22.x',
            arch: ['arm64'],
          });
        }
      }
      // A router and a relay per service, one consumer per subscription and one function per
      // schedule, and the platform's own functions: nothing more.
      const expected = services.reduce((n, svc) => n + 2 + asyncFunctions(svc), 0);
      expect(count).toBe(expected + platformFunctionCount());
      expect(platformFunctionCount()).toBe(signsInWithCognito ? platformFunctions.length : 0);
    });

    it('has one API route per described route and nothing else, in the API stack, public routes without the authorizer', () => {
      const described = services.flatMap((svc) => svc.description.routes.map((r) => r.routeKey)).sort();
      const api = s.dangjian.api;
      const deployed: string[] = [];
      for (const stack of s.stacks) {
        for (const [, route] of resourcesOf(t(stack), 'AWS::ApiGatewayV2::Route')) {
          // Every route sits beside the stage that throttles it.
          expect(stack).toBe(api);
          deployed.push(route.Properties?.RouteKey);
        }
      }
      expect(deployed.sort()).toEqual(described);
      const platform = s.dangjian.platform;
      const authorizer = importOf(t, platform, platform.authorizer.authorizerId);
      const integrations = Object.fromEntries(resourcesOf(t(api), 'AWS::ApiGatewayV2::Integration'));
      expect(Object.keys(integrations)).toHaveLength(services.length);
      for (const svc of services) {
        const routes = api.routes.get(svc.description.name) ?? [];
        expect(routes.map((r) => r.routeKey).sort()).toEqual(
          svc.description.routes.map((r) => r.routeKey).sort(),
        );
        const targets = new Set<string>();
        for (const route of svc.description.routes) {
          const cfn = routes.find((r) => r.routeKey === route.routeKey) as CfnRoute;
          const props = resourceOf(api, cfn).Properties as Record<string, any>;
          if (route.access === 'public') {
            expect(props.AuthorizationType, route.routeKey).toBe('NONE');
            expect(props.AuthorizerId, route.routeKey).toBeUndefined();
          } else {
            expect(props.AuthorizationType, route.routeKey).toBe('JWT');
            expect(props.AuthorizerId, route.routeKey).toEqual(authorizer);
          }
          targets.add(JSON.stringify(props.Target));
        }
        // Every route of a service goes to its one integration, which calls the service's
        // router by the name the router is given in its own stack: no export in between.
        expect(targets.size, svc.description.name).toBe(1);
        const integrationId = JSON.parse([...targets][0] as string)['Fn::Join'][1][1].Ref as string;
        const integration = integrations[integrationId]?.Properties as Record<string, any>;
        expect(integration.IntegrationType).toBe('AWS_PROXY');
        expect(integration.PayloadFormatVersion).toBe('2.0');
        const name = routerNameOf(stage, svc.description.name);
        expect(resourceOf(svc, svc.router).Properties?.FunctionName).toBe(name);
        expect(flat(integration.IntegrationUri)).toBe(arnIn(api, 'lambda', `function:${name}`));
        // The router lets this API, and no other, invoke it: one permission for every route.
        const permissions = resourcesOf(t(svc), 'AWS::Lambda::Permission').filter(
          ([, p]) => p.Properties?.Principal === 'apigateway.amazonaws.com',
        );
        expect(permissions).toHaveLength(1);
        const permission = permissions[0]?.[1].Properties as Record<string, any>;
        expect(permission.FunctionName).toEqual({
          'Fn::GetAtt': [logicalId(svc, svc.router), 'Arn'],
        });
        expect(JSON.stringify(permission.SourceArn)).toContain(
          JSON.stringify(importOf(t, platform, platform.httpApi.apiId)),
        );
        expect(JSON.stringify(permission.SourceArn)).toContain('/*/*/*');
      }
    });

    it('has one rule per subscription with its pattern, a retry policy and a dead-letter queue', () => {
      for (const svc of services) {
        const template = t(svc);
        const rules = resourcesOf(template, 'AWS::Events::Rule');
        expect(rules.map(([, r]) => r.Properties?.Description).sort()).toEqual(
          svc.description.subscriptions.map((sub) => `${svc.description.name}: ${sub.name}`).sort(),
        );
        const functions = Object.fromEntries(functionsOf(template));
        const queues = new Set(resourcesOf(template, 'AWS::SQS::Queue').map(([id]) => id));
        for (const sub of svc.description.subscriptions) {
          const [, rule] = rules.find(
            ([, r]) => r.Properties?.Description === `${svc.description.name}: ${sub.name}`,
          ) as [string, Resource];
          const props = rule.Properties as Record<string, any>;
          if (isS3Pattern(svc.description.name, sub)) {
            expect(props.EventBusName).toBe('default');
            expect(props.EventPattern.detail.bucket.name).toEqual([
              { Ref: svc.getLogicalId(svc.bucket?.node.defaultChild as never) },
            ]);
            const { bucket: _bucket, ...restDetail } = props.EventPattern.detail;
            expect({ ...props.EventPattern, detail: restDetail }).toEqual({
              ...sub.pattern,
              detail: (sub.pattern.detail as object | undefined) ?? {},
            });
          } else {
            expect(props.EventPattern).toEqual(sub.pattern);
            expect(JSON.stringify(props.EventBusName)).toContain(`${stage}-dangjian-platform`);
          }
          expect(props.Targets).toHaveLength(1);
          const target = props.Targets[0];
          expect(target.RetryPolicy).toEqual({
            MaximumRetryAttempts: config.events.retryAttempts,
            MaximumEventAgeInSeconds: config.events.maxEventAge.toSeconds(),
          });
          const dlq = target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0];
          expect(queues.has(dlq), `${sub.name} has a dead-letter queue`).toBe(true);
          // The target is this subscription's consumer, which knows its subscription by name.
          const consumer = functions[target.Arn['Fn::GetAtt'][0]];
          expect(consumer?.Properties?.Environment.Variables.SUBSCRIPTION).toBe(sub.name);
          expect(consumer?.Properties?.Handler).toBe('index.consume');
          // Handler failures after Lambda's own retries land in the same queue.
          template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
            FunctionName: { Ref: target.Arn['Fn::GetAtt'][0] },
            DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
          });
        }
      }
    });

    it('has one Scheduler schedule per described schedule, with its payload, retries and a dead-letter queue', () => {
      const described = services.flatMap((svc) => svc.description.schedules ?? []);
      // notices sweeps its reminders every minute: the check below is about something.
      expect(described.map((s) => s.name)).toContain('reminders');
      for (const svc of services) {
        const template = t(svc);
        const schedules = resourcesOf(template, 'AWS::Scheduler::Schedule');
        const mine = svc.description.schedules ?? [];
        expect(schedules).toHaveLength(mine.length);
        const functions = Object.fromEntries(functionsOf(template));
        const queues = new Set(resourcesOf(template, 'AWS::SQS::Queue').map(([id]) => id));
        for (const spec of mine) {
          const [, schedule] = schedules.find(([, r]) =>
            String(r.Properties?.Description).startsWith(`${svc.description.name}: ${spec.name},`),
          ) as [string, Resource];
          const props = schedule.Properties as Record<string, any>;
          expect(props.ScheduleExpression).toBe(rateOf(spec.every));
          expect(props.State).not.toBe('DISABLED');
          const target = props.Target;
          expect(target.RetryPolicy).toEqual({
            MaximumRetryAttempts: config.events.retryAttempts,
            MaximumEventAgeInSeconds: config.events.maxEventAge.toSeconds(),
          });
          const dlq = target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0];
          expect(queues.has(dlq), `${spec.name} has a dead-letter queue`).toBe(true);
          // The run names its schedule and the time it was due, which the handler takes as now.
          expect(JSON.parse(target.Input)).toEqual({
            schedule: spec.name,
            scheduledTime: '<aws.scheduler.scheduled-time>',
          });
          const fn = functions[target.Arn['Fn::GetAtt'][0]];
          expect(fn?.Properties?.Handler).toBe('index.schedule');
          // A failing run, after Lambda's own retries, lands in the same queue.
          template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
            FunctionName: { Ref: target.Arn['Fn::GetAtt'][0] },
            DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
          });
        }
      }
    });

    it('relays outbox items from the stream with the shared filter, bisecting and a failure queue', () => {
      for (const svc of services) {
        const template = t(svc);
        const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
        expect(mappings).toHaveLength(1);
        const props = mappings[0]?.[1].Properties as Record<string, any>;
        expect(props.FunctionName).toEqual({ Ref: svc.getLogicalId(svc.relay.node.defaultChild as never) });
        expect(props.EventSourceArn).toEqual({
          'Fn::GetAtt': [svc.getLogicalId(svc.table.node.defaultChild as never), 'StreamArn'],
        });
        expect(JSON.parse(props.FilterCriteria.Filters[0].Pattern)).toEqual(outboxStreamFilter);
        expect(props.FilterCriteria.Filters).toHaveLength(1);
        expect(props.BisectBatchOnFunctionError).toBe(true);
        expect(props.MaximumRetryAttempts).toBe(config.relayRetryAttempts);
        expect(props.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
        expect(props.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][1]).toBe('Arn');
      }
    });

    it('gives functions their service environment and the configured memory', () => {
      for (const svc of services) {
        for (const [id, fn] of functionsOf(t(svc))) {
          const vars = fn.Properties?.Environment.Variables as Record<string, unknown>;
          expect(vars.STAGE, id).toBe(stage);
          expect(vars.TABLE_NAME, id).toEqual({
            Ref: svc.getLogicalId(svc.table.node.defaultChild as never),
          });
          expect(JSON.stringify(vars.EVENT_BUS_NAME), id).toContain(`${stage}-dangjian-platform`);
          expect(vars.UPLOAD_LIMIT_BYTES, id).toBe(String(config.uploadLimitBytes));
          // The HTTP API answers CORS; the functions know nothing of origins.
          expect('CORS_ORIGINS' in vars, id).toBe(false);
          expect(vars.POWERTOOLS_LOG_LEVEL, id).toBe(config.logLevel);
          expect('BUCKET_NAME' in vars, id).toBe(svc.description.bucket !== undefined);
          expect(fn.Properties?.MemorySize, id).toBe(config.lambda.memorySize);
        }
      }
    });

    it('lets a function reach only its own table, its own bucket, and PutEvents only from the relay', () => {
      for (const svc of services) {
        const template = t(svc);
        const tableId = svc.getLogicalId(svc.table.node.defaultChild as never);
        const bucketId = svc.bucket ? svc.getLogicalId(svc.bucket.node.defaultChild as never) : undefined;
        const relayRole = svc.getLogicalId(svc.relay.role?.node.defaultChild as never);
        const ownIds = new Set(Object.keys(template.toJSON().Resources));
        const putEventRoles = new Set<string>();
        for (const { policy, role, statement } of statementsOf(template)) {
          const where = `${svc.stackName} ${policy}: ${JSON.stringify(statement)}`;
          const actions = actionsOf(statement);
          const { ids, imports, literals } = targetsOf(statement.Resource);
          expect(statement.Effect, where).toBe('Allow');
          // Everything a statement names is in this stack (or is the partition, region and
          // account of an ARN), apart from the platform's bus.
          for (const id of ids) if (!id.startsWith('AWS::')) expect(ownIds.has(id), where).toBe(true);
          const mails = actions.some((a) => a.startsWith('ses:') || a.startsWith('cognito-idp:'));
          if (mails) {
            // A consumer that sends mail: SendEmail from the stage's own identity, and
            // AdminGetUser on the stage's pool; nothing else of SES or Cognito.
            const sub = svc.description.subscriptions.find((x) => x.sendsMail);
            expect(sub, where).toBeDefined();
            expect(role, where).toBe(
              svc.getLogicalId(svc.consumers[sub?.name as string]?.role?.node.defaultChild as never),
            );
            if (actions.some((a) => a.startsWith('ses:'))) {
              expect(actions, where).toEqual(['ses:SendEmail']);
              const identities = resourcesOf(template, 'AWS::SES::EmailIdentity').map(([id]) => id);
              expect(identities, where).toHaveLength(1);
              expect(
                ids.filter((id) => !id.startsWith('AWS::')),
                where,
              ).toEqual(identities);
            } else {
              expect(actions, where).toEqual(['cognito-idp:AdminGetUser']);
              expect(imports, where).toHaveLength(1);
              expect(imports[0], where).toContain(`${stage}-dangjian-platform`);
            }
          }
          if (literals.length > 0 && actions.every((a) => a === 'lambda:InvokeFunction')) {
            // Scheduler's role: the schedule's own function (ids, above), qualified or not.
            expect(literals, where).toEqual([':*']);
          } else if (literals.length > 0 && !mails) {
            // dynamodb:ListStreams has no resource-level permission; nothing else may use "*".
            expect(literals, where).toEqual(['*']);
            expect(actions, where).toEqual(['dynamodb:ListStreams']);
          }
          if (actions.some((a) => a.startsWith('secretsmanager:'))) {
            // The cursor key, checked on its own below.
            expect(imports, where).toHaveLength(1);
          } else if (imports.length > 0 && !mails) {
            expect(actions, where).toEqual(['events:PutEvents']);
            for (const imported of imports) expect(imported, where).toContain(`${stage}-dangjian-platform`);
          }
          if (actions.some((a) => a.startsWith('events:'))) putEventRoles.add(role);
          if (actions.some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:ListStreams')) {
            expect(ids, where).not.toHaveLength(0);
            expect(new Set(ids), where).toEqual(new Set([tableId]));
          }
          if (actions.some((a) => a.startsWith('s3:'))) {
            expect(bucketId, where).toBeDefined();
            expect(new Set(ids), where).toEqual(new Set([bucketId]));
          }
          if (role === relayRole) {
            // The relay reads the stream and puts events; it never reads or writes the table.
            for (const action of actions) {
              expect(
                ['logs:', 'sqs:', 'events:PutEvents', 'dynamodb:ListStreams', ...STREAM_READ].some((ok) =>
                  action.startsWith(ok),
                ),
                `${where}: ${action}`,
              ).toBe(true);
            }
          }
        }
        expect([...putEventRoles], svc.stackName).toEqual([relayRole]);
      }
    });

    it('keeps one cursor secret for the stage, read only by the routers of services that page a list', () => {
      const platform = s.dangjian.platform;
      const secrets = resourcesOf(t(platform), 'AWS::SecretsManager::Secret');
      expect(secrets).toHaveLength(1);
      const [secretId, secret] = secrets[0] as [string, Resource];
      expect(secret.Properties?.GenerateSecretString).toMatchObject({
        PasswordLength: 64,
        ExcludePunctuation: true,
      });
      expect(secret.DeletionPolicy).toBe(keepsData ? 'Retain' : 'Delete');
      const imported = JSON.stringify(importOf(s.template, platform, platform.cursorKey.secretArn));
      expect(imported).toContain(secretId);
      const theSecret = (value: unknown) => JSON.stringify(value) === imported;

      const paging = services.filter((svc) => pagesLists(svc.description));
      expect(paging.map((svc) => svc.description.name)).toEqual(
        expect.arrayContaining(['notes', 'talent', 'activities', 'community', 'resources']),
      );
      const readers: string[] = [];
      for (const stack of s.stacks) {
        if (stack !== platform) expect(resourcesOf(t(stack), 'AWS::SecretsManager::Secret')).toEqual([]);
        for (const { role, statement } of statementsOf(t(stack))) {
          const actions = actionsOf(statement);
          if (!actions.some((a) => a.startsWith('secretsmanager:'))) continue;
          expect(actions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
          expect(theSecret(statement.Resource), JSON.stringify(statement)).toBe(true);
          readers.push(`${stack.stackName}/${role}`);
        }
        for (const [id, fn] of functionsOf(t(stack))) {
          const vars = (fn.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
          const svc = services.find((x) => x === stack);
          const isPagingRouter =
            svc !== undefined && paging.includes(svc) && id === logicalId(svc, svc.router);
          expect('CURSOR_KEY_SECRET_ARN' in vars, `${stack.stackName} ${id}`).toBe(isPagingRouter);
          if (isPagingRouter) expect(theSecret(vars.CURSOR_KEY_SECRET_ARN), id).toBe(true);
        }
      }
      expect(readers.sort()).toEqual(
        paging.map((svc) => `${svc.stackName}/${logicalId(svc, svc.router.role as never)}`).sort(),
      );
    });

    it('references nothing of another service: service stacks import only from the platform', () => {
      for (const svc of services) {
        const imports = JSON.stringify(t(svc).toJSON()).match(/"Fn::ImportValue":"[^"]+"/g) ?? [];
        for (const imported of imports) expect(imported).toContain(`${stage}-dangjian-platform:`);
      }
    });

    it('builds each table from its description with the stage’s recovery and protection', () => {
      for (const svc of services) {
        const tables = resourcesOf(t(svc), 'AWS::DynamoDB::Table');
        expect(tables).toHaveLength(1);
        const [, table] = tables[0] as [string, Resource];
        const spec = svc.description.table;
        const props = table.Properties as Record<string, any>;
        expect(props.BillingMode).toBe('PAY_PER_REQUEST');
        expect(props.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
        expect(props.SSESpecification?.SSEEnabled).toBe(true);
        expect(props.KeySchema).toEqual([
          { AttributeName: spec.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: spec.sortKey.name, KeyType: 'RANGE' },
        ]);
        expect((props.GlobalSecondaryIndexes ?? []).map((i: { IndexName: string }) => i.IndexName)).toEqual(
          (spec.indexes ?? []).map((i) => i.name),
        );
        if (spec.timeToLiveAttribute) {
          expect(props.TimeToLiveSpecification).toEqual({
            AttributeName: spec.timeToLiveAttribute,
            Enabled: true,
          });
        }
        expect(props.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled ?? false).toBe(
          config.pointInTimeRecovery,
        );
        expect(props.DeletionProtectionEnabled ?? false).toBe(config.deletionProtection);
        expect(table.DeletionPolicy).toBe(keepsData ? 'Retain' : 'Delete');
      }
      if (stage.startsWith('prod'))
        expect(config.pointInTimeRecovery && config.deletionProtection).toBe(true);
      if (keepsData && s.dangjian.platform.userPool) {
        t(s.dangjian.platform).hasResource('AWS::Cognito::UserPool', {
          DeletionPolicy: 'Retain',
          Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
        });
      }
      if (stage === 'dev') expect(config.deletionProtection || config.pointInTimeRecovery).toBe(false);
    });

    it('keeps every log group for the stage’s retention', () => {
      let count = 0;
      for (const stack of s.stacks) {
        for (const [id, group] of resourcesOf(t(stack), 'AWS::Logs::LogGroup')) {
          count++;
          expect({ id, days: group.Properties?.RetentionInDays }).toEqual({ id, days: config.logRetention });
          expect(group.DeletionPolicy, id).toBe(keepsData ? 'Retain' : 'Delete');
        }
      }
      // One per function (the platform's too) plus the API's access logs.
      const functions = services.reduce((n, svc) => n + 2 + asyncFunctions(svc), 0);
      expect(count).toBe(functions + platformFunctionCount() + 1);
      // Every function writes to its own group.
      for (const stack of s.stacks) {
        for (const [id, fn] of functionsOf(t(stack))) {
          expect(fn.Properties?.LoggingConfig?.LogGroup?.Ref, id).toBeDefined();
        }
      }
    });

    it('throttles the stage by config, public routes lowest', () => {
      const stages = resourcesOf(t(s.dangjian.api), 'AWS::ApiGatewayV2::Stage');
      expect(stages).toHaveLength(1);
      const props = stages[0]?.[1].Properties as Record<string, any>;
      expect(props.StageName).toBe('$default');
      expect(props.DefaultRouteSettings).toEqual({
        ThrottlingRateLimit: config.throttle.default.rateLimit,
        ThrottlingBurstLimit: config.throttle.default.burstLimit,
      });
      const publicKeys = services
        .flatMap((svc) => svc.description.routes)
        .filter((r) => throttleClass(r) === 'public')
        .map((r) => r.routeKey)
        .sort();
      expect(publicKeys).toContain('GET /notes/public/ping');
      // The public partner application form is on the lowest limits in every stage.
      expect(publicKeys).toContain('POST /community/partners/applications');
      expect(Object.keys(props.RouteSettings ?? {}).sort()).toEqual(publicKeys);
      // Created after every route, and updated before a removed one is deleted: API Gateway
      // refuses a route setting for a route it cannot find.
      const routeIds = resourcesOf(t(s.dangjian.api), 'AWS::ApiGatewayV2::Route').map(([id]) => id);
      expect([...(stages[0]?.[1].DependsOn ?? [])].sort()).toEqual(expect.arrayContaining(routeIds.sort()));
      for (const key of publicKeys) {
        expect(props.RouteSettings[key]).toEqual({
          ThrottlingRateLimit: config.throttle.public.rateLimit,
          ThrottlingBurstLimit: config.throttle.public.burstLimit,
        });
      }
      expect(config.throttle.public.rateLimit).toBeLessThan(config.throttle.default.rateLimit);
      expect(config.throttle.public.burstLimit).toBeLessThan(config.throttle.default.burstLimit);
      // The access log feeds the 429 metric, so status must be a JSON number there.
      expect(props.AccessLogSettings.Format).toContain('"status":$context.status');
    });

    it('encrypts every dead-letter queue and refuses it anything but TLS', () => {
      for (const svc of services) {
        const template = t(svc);
        const queues = resourcesOf(template, 'AWS::SQS::Queue');
        expect(queues).toHaveLength(asyncFunctions(svc) + 1);
        for (const [id, queue] of queues) {
          expect(queue.Properties?.SqsManagedSseEnabled, id).toBe(true);
          template.hasResourceProperties('AWS::SQS::QueuePolicy', {
            Queues: [{ Ref: id }],
            PolicyDocument: {
              Statement: Match.arrayWith([
                Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
              ]),
            },
          });
        }
      }
    });

    it('configures CORS for the stage’s origins and mails every alarm to the stage’s address', () => {
      const platform = t(s.dangjian.platform);
      platform.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: Match.objectLike({
          AllowOrigins: [...config.corsOrigins],
          AllowMethods: [...cors.allowMethods],
          // A browser app sends retry-safe creates and reads the request id and an export's name.
          AllowHeaders: Match.arrayWith(['authorization', 'content-type', 'idempotency-key']),
          ExposeHeaders: Match.arrayWith(['location', 'x-request-id', 'content-disposition']),
        }),
      });
      platform.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: config.alarmEmail,
      });
    });

    it('empties the buckets it deletes with their stack, and protects the stacks of a stage that keeps its data', () => {
      const destroys = config.removalPolicy === RemovalPolicy.DESTROY;
      for (const svc of services) {
        const template = t(svc);
        const buckets = resourcesOf(template, 'AWS::S3::Bucket');
        const emptiers = resourcesOf(template, 'Custom::S3AutoDeleteObjects');
        const provider = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => isBucketEmptier(id));
        expect(emptiers, svc.stackName).toHaveLength(destroys ? buckets.length : 0);
        expect(provider, svc.stackName).toHaveLength(destroys && buckets.length > 0 ? 1 : 0);
        for (const [id] of buckets) {
          const emptied = emptiers.some(
            ([, e]) => JSON.stringify(e.Properties?.BucketName) === JSON.stringify({ Ref: id }),
          );
          expect(emptied, id).toBe(destroys);
        }
      }
      for (const stack of s.stacks.filter((st) => !services.includes(st as ServiceStack))) {
        expect(resourcesOf(t(stack), 'Custom::S3AutoDeleteObjects'), stack.stackName).toEqual([]);
      }
      // What `cdk deploy` sets on each stack.
      const assembly = s.app.synth();
      for (const stack of s.stacks) {
        expect(assembly.getStackByName(stack.stackName).terminationProtection, stack.stackName).toBe(
          config.terminationProtection,
        );
      }
      if (stage.startsWith('prod')) expect(config.terminationProtection).toBe(true);
    });

    it('serves the API at its own domain only, where the stage has one', () => {
      const platform = t(s.dangjian.platform);
      const [[, api] = []] = resourcesOf(platform, 'AWS::ApiGatewayV2::Api');
      const domains = resourcesOf(platform, 'AWS::ApiGatewayV2::DomainName');
      const mappings = resourcesOf(t(s.dangjian.api), 'AWS::ApiGatewayV2::ApiMapping');
      const outputs = t(s.dangjian.platform).toJSON().Outputs as Record<string, { Value: unknown }>;
      if (!config.apiDomain) {
        expect([domains, mappings]).toEqual([[], []]);
        expect(api?.Properties?.DisableExecuteApiEndpoint ?? false).toBe(false);
        return;
      }
      // The default execute-api endpoint is off: every caller comes through the filed name.
      expect(api?.Properties?.DisableExecuteApiEndpoint).toBe(true);
      expect(domains).toHaveLength(1);
      const [domainId, domain] = domains[0] as [string, Resource];
      expect(domain.Properties?.DomainName).toBe(config.apiDomain.name);
      expect(domain.Properties?.DomainNameConfigurations).toEqual([
        expect.objectContaining({
          CertificateArn: config.apiDomain.certificateArn,
          EndpointType: 'REGIONAL',
        }),
      ]);
      expect(mappings).toHaveLength(1);
      const mapping = mappings[0]?.[1].Properties as Record<string, any>;
      expect(mapping.DomainName).toEqual(
        importOf(t, s.dangjian.platform, s.dangjian.platform.apiDomain?.name as string),
      );
      expect(mapping.Stage).toBe('$default');
      expect(mappings[0]?.[1].DependsOn).toContain(logicalId(s.dangjian.api, s.dangjian.api.stage));
      expect(outputs.ApiEndpoint?.Value).toBe(`https://${config.apiDomain.name}`);
      expect(JSON.stringify(outputs.ApiDomainTarget?.Value)).toContain(domainId);
    });

    it('builds every ARN in the stage’s own partition', () => {
      const partition = s.dangjian.platform.partition;
      for (const stack of s.stacks) {
        const json = JSON.stringify(t(stack).toJSON());
        // Never the commercial partition written out: a China template would name ARNs that
        // do not exist there.
        expect(json.match(/arn:aws:[^"]*/g) ?? [], stack.stackName).toEqual([]);
        if (config.region) {
          expect(stack.region, stack.stackName).toBe(config.region);
          expect(stack.partition, stack.stackName).toBe(partition);
          for (const arn of json.match(/arn:[a-z-]*:/g) ?? [])
            expect(arn, stack.stackName).toBe(`arn:${partition}:`);
        } else {
          // Region-agnostic: the partition comes from the region the stack is deployed to.
          expect(json.match(/arn:aws-[a-z-]+:[^"]*/g) ?? [], stack.stackName).toEqual([]);
        }
      }
      if (config.region?.startsWith('cn-')) expect(partition).toBe('aws-cn');
    });

    it('archives every event of the bus for the stage’s retention, without an empty key id', () => {
      const archives = resourcesOf(t(s.dangjian.platform), 'AWS::Events::Archive');
      expect(archives).toHaveLength(1);
      const props = archives[0]?.[1].Properties as Record<string, any>;
      expect(props.RetentionDays).toBe(config.events.archiveRetention.toDays());
      expect(props.SourceArn).toEqual({
        'Fn::GetAtt': [logicalId(s.dangjian.platform, s.dangjian.platform.bus), 'Arn'],
      });
      // "" is not a key: CloudFormation would be asked for a key that does not exist.
      expect(props).not.toHaveProperty('KmsKeyIdentifier');
    });

    it('lets this account’s CloudWatch alarms, and nobody else, publish to the alarm topic over TLS', () => {
      const platform = s.dangjian.platform;
      const topicId = logicalId(platform, platform.alarmTopic);
      const policies = resourcesOf(t(platform), 'AWS::SNS::TopicPolicy');
      expect(policies).toHaveLength(1);
      const props = policies[0]?.[1].Properties as Record<string, any>;
      expect(props.Topics).toEqual([{ Ref: topicId }]);
      const statements = props.PolicyDocument.Statement as Record<string, any>[];
      const allows = statements.filter((st) => st.Effect === 'Allow');
      expect(allows).toEqual([
        {
          Sid: 'CloudWatchAlarmsOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topicId },
          Condition: expect.any(Object),
        },
      ]);
      const ownAlarms = allows[0]?.Condition as Record<string, any>;
      expect(Object.keys(ownAlarms).sort()).toEqual(['ArnLike', 'StringEquals']);
      expect(ownAlarms.StringEquals).toEqual({ 'aws:SourceAccount': platform.resolve(platform.account) });
      expect(Object.keys(ownAlarms.ArnLike)).toEqual(['aws:SourceArn']);
      expect(flat(ownAlarms.ArnLike['aws:SourceArn'])).toBe(arnIn(platform, 'cloudwatch', 'alarm:*'));
      // Plain HTTP is still refused to everyone.
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      // The runbook finds the topic by the platform stack's output.
      expect(t(platform).toJSON().Outputs?.AlarmTopicArn?.Value).toEqual({ Ref: topicId });
      // The topic's key lets the same alarms encrypt what they publish.
      const key = resourceOf(platform, platform.alarmTopic.masterKey as never).Properties as Record<
        string,
        any
      >;
      expect(key.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: ownAlarms,
        }),
      );
    });

    it('alarms on function errors, dead letters and relay lag, and on API 5xx and throttling', () => {
      for (const svc of services) {
        const alarms = resourcesOf(t(svc), 'AWS::CloudWatch::Alarm');
        const metrics = alarms.map(([, a]) => a.Properties?.MetricName);
        const functions = 2 + asyncFunctions(svc);
        expect(metrics.filter((m) => m === 'Errors')).toHaveLength(functions);
        expect(metrics.filter((m) => m === 'ApproximateNumberOfMessagesVisible')).toHaveLength(functions - 1);
        expect(metrics.filter((m) => m === 'IteratorAge')).toHaveLength(1);
        for (const [id, a] of alarms) expect(a.Properties?.AlarmActions, id).toHaveLength(1);
      }
      const api = resourcesOf(t(s.dangjian.api), 'AWS::CloudWatch::Alarm').map(
        ([, a]) => a.Properties?.MetricName,
      );
      expect(api.sort()).toEqual(['5xx', 'ThrottledRequests']);
    });

    it('keeps each dashboard in the stack whose functions and queues it shows', () => {
      const dashboards = (stack: Stack) =>
        resourcesOf(t(stack), 'AWS::CloudWatch::Dashboard').map(([, d]) => d.Properties ?? {});
      for (const svc of services) {
        const [own, ...more] = dashboards(svc);
        expect(more).toEqual([]);
        expect(own?.DashboardName).toBe(`dangjian-${stage}-${svc.description.name}`);
        const body = JSON.stringify(own?.DashboardBody);
        expect(body).toContain(`${svc.description.name}: dead letters`);
        expect(body).toContain(`${svc.description.name}: function errors`);
      }
      if (s.dangjian.accounts) {
        const [accountsBoard] = dashboards(s.dangjian.accounts);
        expect(accountsBoard?.DashboardName).toBe(`dangjian-${stage}-accounts`);
        for (const fn of platformFunctions)
          expect(JSON.stringify(accountsBoard?.DashboardBody)).toContain(
            `platform ${fn.name}: errors and dead letters`,
          );
      }
      const [apiBoard, ...moreApi] = dashboards(s.dangjian.api);
      expect(moreApi).toEqual([]);
      expect(apiBoard?.DashboardName).toBe(`dangjian-${stage}`);
      expect(dashboards(s.dangjian.platform)).toEqual([]);
      // No dashboard names a function or queue of another stack.
      for (const stack of s.stacks) {
        for (const board of dashboards(stack)) {
          const imports = JSON.stringify(board.DashboardBody).match(/"Fn::ImportValue":"[^"]+"/g) ?? [];
          for (const imported of imports) expect(imported).toContain(`${stage}-dangjian-platform:`);
        }
      }
    });

    if (signsInWithCognito) {
      describe('sign-in with the stage’s Cognito user pool', () => {
        it('builds the user pool for every role of the platform: strong passwords, optional MFA, admin-set scope', () => {
          const platform = t(s.dangjian.platform);
          const { passwordPolicy } = identity;
          platform.hasResourceProperties('AWS::Cognito::UserPool', {
            UserPoolName: poolName(stage),
            AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
            MfaConfiguration: 'OPTIONAL',
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
          });
          const groups = resourcesOf(platform, 'AWS::Cognito::UserPoolGroup').map(
            ([, g]) => g.Properties?.GroupName,
          );
          expect(groups.sort()).toEqual([...identity.groups].sort());
        });

        it('names accounts by a stable id with the e-mail as alias, and keeps custom:personId immutable', () => {
          const pools = resourcesOf(t(s.dangjian.platform), 'AWS::Cognito::UserPool');
          expect(pools).toHaveLength(1);
          const pool = pools[0]?.[1].Properties as Record<string, any>;
          // Username = person or partner id; e-mail = alias (AliasAttributes, not UsernameAttributes).
          expect(pool.AliasAttributes).toEqual(['email']);
          expect(pool.UsernameAttributes).toBeUndefined();
          expect(pool.UsernameConfiguration).toEqual({ CaseSensitive: false });
          const custom = (pool.Schema as Record<string, any>[]).filter(
            (a) => a.AttributeDataType === 'String',
          );
          expect(custom.map((a) => a.Name).sort()).toEqual(
            identity.customAttributes.map((a) => a.name).sort(),
          );
          for (const attribute of identity.customAttributes) {
            expect(
              custom.find((a) => a.Name === attribute.name),
              attribute.name,
            ).toEqual({
              Name: attribute.name,
              AttributeDataType: 'String',
              Mutable: attribute.mutable,
              StringAttributeConstraints: { MinLength: '1', MaxLength: String(attribute.maxLength) },
            });
          }
          // The account belongs to one person for ever: Cognito refuses to change it.
          expect(custom.find((a) => a.Name === 'personId')?.Mutable).toBe(false);
        });

        it('lets no client write a custom attribute; the web client reads them and has the token lifetimes', () => {
          const clients = resourcesOf(t(s.dangjian.platform), 'AWS::Cognito::UserPoolClient');
          expect(clients).toHaveLength(1);
          const client = clients[0]?.[1].Properties as Record<string, any>;
          expect(client.ClientName).toBe(webClientName(stage));
          const custom = identity.customAttributes.map((a) => `custom:${a.name}`);
          // A member must not move themselves to another branch or person, nor a partner to another organisation.
          expect(client.WriteAttributes).toBeDefined();
          expect((client.WriteAttributes as string[]).filter((a) => a.startsWith('custom:'))).toEqual([]);
          expect(client.ReadAttributes).toEqual(expect.arrayContaining(custom));
          const { tokenValidity } = identity;
          expect({
            id: client.IdTokenValidity,
            access: client.AccessTokenValidity,
            refresh: client.RefreshTokenValidity,
            units: client.TokenValidityUnits,
          }).toEqual({
            id: tokenValidity.idTokenMinutes,
            access: tokenValidity.accessTokenMinutes,
            refresh: tokenValidity.refreshTokenDays * 24 * 60,
            units: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
          });
        });

        it('configures the JWT authorizer on the pool, and its groups', () => {
          const platform = s.dangjian.platform;
          const pool = logicalId(platform, platform.userPool as UserPool);
          const client = logicalId(platform, platform.userPoolClient as UserPoolClient);
          const [[, authorizer] = []] = resourcesOf(t(platform), 'AWS::ApiGatewayV2::Authorizer');
          expect(authorizer?.Properties?.AuthorizerType).toBe('JWT');
          expect(authorizer?.Properties?.JwtConfiguration.Audience).toEqual([{ Ref: client }]);
          expect(JSON.stringify(authorizer?.Properties?.JwtConfiguration.Issuer)).toContain(pool);
          for (const group of ['committee', 'secretary', 'member', 'partner']) {
            t(platform).hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
          }
        });

        it('sends the pool’s mail through SES where the stage names a sender, and allows no OAuth without a hosted UI', () => {
          const platform = s.dangjian.platform;
          const pool = resourceOf(platform, platform.userPool as UserPool).Properties as Record<string, any>;
          const { mail } = config.signIn as CognitoSignIn;
          if (mail.sender === 'ses') {
            const domain = mail.from.split('@')[1] as string;
            expect(pool.EmailConfiguration.EmailSendingAccount).toBe('DEVELOPER');
            expect(pool.EmailConfiguration.From).toContain(`<${mail.from}>`);
            // The SES identity of this account, in the stack's own partition and region.
            expect(flat(pool.EmailConfiguration.SourceArn)).toBe(
              arnIn(platform, 'ses', `identity/${domain}`),
            );
          } else {
            expect(pool.EmailConfiguration).toEqual({ EmailSendingAccount: 'COGNITO_DEFAULT' });
            expect(mail.because.length).toBeGreaterThan(20);
          }
          expect((config.signIn as CognitoSignIn).hostedUi).toBeUndefined();
          const client = resourceOf(platform, platform.userPoolClient as UserPoolClient).Properties as Record<
            string,
            any
          >;
          expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
          for (const key of ['AllowedOAuthFlows', 'AllowedOAuthScopes', 'CallbackURLs', 'LogoutURLs']) {
            expect(client, key).not.toHaveProperty(key);
          }
          expect(JSON.stringify(t(platform).toJSON())).not.toContain('example.com');
          expect(resourcesOf(t(platform), 'AWS::Cognito::UserPoolDomain')).toEqual([]);
        });
      });

      describe('the platform’s functions, in the accounts stack', () => {
        it('deploys every platform function from its description, and only those, in the accounts stack', () => {
          const stack = accountsStack();
          expect(stack.deployments.map((d) => d.spec.name)).toEqual(platformFunctions.map((f) => f.name));
          expect(stack.deployments.map((d) => d.spec.name)).toEqual(['partner-accounts', 'accounts']);
          const ids = (type: string) =>
            resourcesOf(t(stack), type)
              .map(([id]) => id)
              .sort();
          expect(ids('AWS::Lambda::Function')).toEqual(
            stack.deployments.map((d) => logicalId(stack, d.fn)).sort(),
          );
          expect(ids('AWS::Events::Rule')).toEqual(
            stack.deployments.map((d) => logicalId(stack, d.rule)).sort(),
          );
          expect(ids('AWS::SQS::Queue')).toEqual(
            stack.deployments.map((d) => logicalId(stack, d.deadLetters)).sort(),
          );
          // The platform stack runs no code of its own any more.
          expect(resourcesOf(t(s.dangjian.platform), 'AWS::Lambda::Function')).toEqual([]);
          expect(resourcesOf(t(s.dangjian.platform), 'AWS::IAM::Policy')).toEqual([]);
        });

        it('gives each platform function the handler, memory and exactly the environment its entry reads', () => {
          const stack = accountsStack();
          const platform = s.dangjian.platform;
          const talent = serviceNamed('talent');
          for (const d of stack.deployments) {
            const fn = resourceOf(stack, d.fn).Properties as Record<string, any>;
            expect(fn.Handler, d.spec.name).toBe('index.handler');
            expect(fn.MemorySize, d.spec.name).toBe(config.lambda.memorySize);
            const vars = fn.Environment.Variables as Record<string, unknown>;
            const source = readFileSync(join(projectRoot, d.spec.entry), 'utf8');
            const required = [...source.matchAll(/required\('([A-Z_]+)'\)/g)].map((m) => m[1] as string);
            expect(required.length, d.spec.name).toBeGreaterThan(0);
            expect(Object.keys(vars).sort(), d.spec.name).toEqual(
              [...new Set([...BASE_ENV, ...required])].sort(),
            );
            expect(vars.STAGE).toBe(stage);
            expect(vars.POWERTOOLS_LOG_LEVEL).toBe(config.logLevel);
            expect(vars.USER_POOL_ID, d.spec.name).toEqual(
              importOf(t, platform, (platform.userPool as UserPool).userPoolId),
            );
            // talent's table by its name, not by an export of talent's stack.
            if ('TALENT_TABLE' in vars) {
              expect(vars.TALENT_TABLE).toBe(tableNameOf(stage, 'talent'));
              expect(resourceOf(talent, talent.table).Properties?.TableName).toBe(vars.TALENT_TABLE);
            }
            if ('BUS_NAME' in vars)
              expect(vars.BUS_NAME).toEqual(importOf(t, platform, platform.bus.eventBusName));
          }
          expect(Object.keys(envOf(stack, 'partner-accounts')).sort()).toEqual(
            [...BASE_ENV, 'USER_POOL_ID'].sort(),
          );
          expect(Object.keys(envOf(stack, 'accounts')).sort()).toEqual(
            [...BASE_ENV, 'BUS_NAME', 'TALENT_TABLE', 'USER_POOL_ID'].sort(),
          );
        });

        it('gives each platform rule its description’s pattern on the stage bus, retries, a dead-letter queue and alarms', () => {
          const stack = accountsStack();
          const platform = s.dangjian.platform;
          const template = t(stack);
          const topic = importOf(t, platform, platform.alarmTopic.topicArn);
          const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
          expect(alarms).toHaveLength(2 * stack.deployments.length);
          for (const d of stack.deployments) {
            const name = d.spec.name;
            const fnId = logicalId(stack, d.fn);
            const dlqId = logicalId(stack, d.deadLetters);
            const rule = resourceOf(stack, d.rule).Properties as Record<string, any>;
            expect(rule.EventPattern, name).toEqual(patternOf(d.spec));
            expect(rule.EventBusName, name).toEqual(importOf(t, platform, platform.bus.eventBusName));
            expect(rule.Targets, name).toHaveLength(1);
            const target = rule.Targets[0];
            expect(target.Arn, name).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
            expect(target.RetryPolicy, name).toEqual({
              MaximumRetryAttempts: config.events.retryAttempts,
              MaximumEventAgeInSeconds: config.events.maxEventAge.toSeconds(),
            });
            expect(target.DeadLetterConfig, name).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
            // Handler failures after Lambda's own retries land in the same queue.
            template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
              FunctionName: { Ref: fnId },
              DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
            });
            const queue = resourceOf(stack, d.deadLetters).Properties as Record<string, any>;
            expect(queue.SqsManagedSseEnabled, name).toBe(true);
            template.hasResourceProperties('AWS::SQS::QueuePolicy', {
              Queues: [{ Ref: dlqId }],
              PolicyDocument: {
                Statement: Match.arrayWith([
                  Match.objectLike({
                    Effect: 'Deny',
                    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                  }),
                ]),
              },
            });
            const depth = alarms.filter(
              (a) =>
                a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
                JSON.stringify(a.Dimensions) ===
                  JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }]),
            );
            expect(depth, `${name} dead-letter alarm`).toHaveLength(1);
            expect(depth[0]?.Threshold).toBe(1);
            const errors = alarms.filter(
              (a) =>
                a.MetricName === 'Errors' &&
                JSON.stringify(a.Dimensions) ===
                  JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fnId } }]),
            );
            expect(errors, `${name} error alarm`).toHaveLength(1);
            for (const a of [...depth, ...errors]) expect(a.AlarmActions, name).toEqual([topic]);
          }
          // The patterns themselves: community's approval, and every talent event about a person.
          expect(patternOf(partnerAccounts)).toEqual(patternFor(PartnerApproved));
          expect(resourceOf(stack, stack.deployment('accounts').rule).Properties?.EventPattern).toEqual({
            source: ['dangjian.talent'],
            'detail-type': accounts.takes.map((c) => c.name),
          });
        });

        it('lets each platform function call exactly its description’s Cognito actions, on the stage’s pool only', () => {
          const stack = accountsStack();
          const platform = s.dangjian.platform;
          const poolArn = importOf(t, platform, (platform.userPool as UserPool).userPoolArn);
          const statements = statementsOf(t(stack));
          for (const d of stack.deployments) {
            const own = statements.filter((st) => st.role === roleOf(stack, d)).map((st) => st.statement);
            const cognito = own.filter((st) => actionsOf(st).some((a) => a.startsWith('cognito-idp:')));
            expect(cognito, d.spec.name).toHaveLength(1);
            expect(actionsOf(cognito[0] as Statement).sort(), d.spec.name).toEqual(
              [...new Set(d.spec.cognitoActions)].sort(),
            );
            expect(cognito[0]?.Resource, d.spec.name).toEqual(poolArn);
            // Nothing else but its logs, its dead letters, and what the description reads and tells.
            const allowed = new Set(['logs', 'sqs', 'cognito-idp']);
            if (d.spec.readsPeople) allowed.add('dynamodb');
            if (d.spec.tells?.length) allowed.add('events');
            for (const st of own) {
              expect(st.Effect).toBe('Allow');
              for (const action of actionsOf(st))
                expect(allowed.has(action.split(':')[0] as string), `${d.spec.name}: ${action}`).toBe(true);
              if (actionsOf(st).some((a) => a.startsWith('logs:')))
                expect(st.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, d.fn.logGroup), 'Arn'] });
              if (actionsOf(st).some((a) => a.startsWith('sqs:')))
                expect(st.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, d.deadLetters), 'Arn'] });
            }
          }
          // An approved partner's account is made, never changed or disabled, by partner-accounts.
          const partner = actionsOf(
            statements.find(
              (st) =>
                st.role === roleOf(stack, stack.deployment('partner-accounts')) &&
                actionsOf(st.statement).some((a) => a.startsWith('cognito-idp:')),
            )?.statement as Statement,
          );
          expect(partner).not.toContain('cognito-idp:AdminDisableUser');
          expect(partner).not.toContain('cognito-idp:AdminUpdateUserAttributes');
          // No role anywhere else may touch Cognito, apart from reading one account to mail
          // its person (a service's mail consumer, checked with the service's grants).
          for (const other of [s.dangjian.platform, ...services, s.dangjian.api]) {
            for (const { statement } of statementsOf(t(other))) {
              const mailRead =
                services.includes(other as never) &&
                JSON.stringify(actionsOf(statement)) === '["cognito-idp:AdminGetUser"]';
              if (mailRead) continue;
              expect(
                actionsOf(statement).some((a) => a.startsWith('cognito-idp:')),
                other.stackName,
              ).toBe(false);
            }
          }
        });

        it('lets accounts GetItem only person items of talent’s table, only the attributes it reads', () => {
          const stack = accountsStack();
          const talent = serviceNamed('talent');
          const statements = statementsOf(t(stack));
          const dynamo = statements.filter((st) =>
            actionsOf(st.statement).some((a) => a.startsWith('dynamodb:')),
          );
          const readers = stack.deployments.filter((d) => d.spec.readsPeople);
          expect(readers.map((d) => d.spec.name)).toEqual(['accounts']);
          expect(dynamo.map((st) => st.role)).toEqual(readers.map((d) => roleOf(stack, d)));
          const statement = dynamo[0]?.statement as Statement & { Condition?: Record<string, any> };
          expect(actionsOf(statement)).toEqual(['dynamodb:GetItem']);
          const tableName = resourceOf(talent, talent.table).Properties?.TableName;
          expect(flat(statement.Resource)).toBe(arnIn(stack, 'dynamodb', `table/${tableName}`));
          const { partitionKey, sortKey } = talent.description.table;
          expect(Object.keys(statement.Condition ?? {}).sort()).toEqual([
            'ForAllValues:StringEquals',
            'ForAllValues:StringLike',
            'StringEqualsIfExists',
          ]);
          expect(statement.Condition?.['ForAllValues:StringLike']).toEqual({
            'dynamodb:LeadingKeys': ['PERSON#*'],
          });
          expect(talentKeys.person('p-1')).toEqual({
            [partitionKey.name]: 'PERSON#p-1',
            [sortKey.name]: 'PERSON',
          });
          expect(Object.keys(statement.Condition?.['ForAllValues:StringEquals'] ?? {})).toEqual([
            'dynamodb:Attributes',
          ]);
          const attributes = statement.Condition?.['ForAllValues:StringEquals'][
            'dynamodb:Attributes'
          ] as string[];
          expect([...attributes].sort()).toEqual(
            [partitionKey.name, sortKey.name, ...(accounts.readsPeople ?? [])].sort(),
          );
          // What the grant allows is what the function reads: talent's projection of a person.
          expect(accounts.readsPeople).toEqual(personFacts.attributes);
          expect(statement.Condition?.StringEqualsIfExists).toEqual({
            'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
          });
        });

        it('lets accounts put events on the stage bus only, and partner-accounts none', () => {
          const stack = accountsStack();
          const platform = s.dangjian.platform;
          const statements = statementsOf(t(stack));
          const events = statements.filter((st) =>
            actionsOf(st.statement).some((a) => a.startsWith('events:')),
          );
          const tellers = stack.deployments.filter((d) => d.spec.tells?.length);
          expect(tellers.map((d) => d.spec.name)).toEqual(['accounts']);
          expect(events.map((st) => st.role)).toEqual(tellers.map((d) => roleOf(stack, d)));
          for (const { statement } of events) {
            expect(actionsOf(statement)).toEqual(['events:PutEvents']);
            expect(statement.Resource).toEqual(importOf(t, platform, platform.bus.eventBusArn));
          }
        });

        it('imports into the accounts stack only the platform’s pool, bus and topic', () => {
          const imports =
            JSON.stringify(t(accountsStack()).toJSON()).match(/"Fn::ImportValue":"[^"]+"/g) ?? [];
          expect(imports.length).toBeGreaterThan(0);
          for (const imported of imports)
            expect(imported).toMatch(new RegExp(`"${stage}-dangjian-platform:`));
        });
      });
    } else {
      it('signs in with the stage’s OpenID Connect provider: no user pool, no account to make, no Cognito grant', () => {
        const signIn = config.signIn as OidcSignIn;
        expect(signIn.because.length).toBeGreaterThan(20);
        for (const stack of s.stacks) {
          const json = JSON.stringify(t(stack).toJSON());
          expect(json, stack.stackName).not.toMatch(/AWS::Cognito::|cognito-idp/);
        }
        expect(s.dangjian.accounts).toBeUndefined();
        expect(s.stacks.map((stack) => stack.stackName)).not.toContain(`${stage}-dangjian-accounts`);
        const [[, authorizer] = []] = resourcesOf(t(s.dangjian.platform), 'AWS::ApiGatewayV2::Authorizer');
        expect(authorizer?.Properties).toMatchObject({
          AuthorizerType: 'JWT',
          IdentitySource: ['$request.header.Authorization'],
          JwtConfiguration: { Issuer: signIn.issuer, Audience: [...signIn.audience] },
        });
        const outputs = Object.keys(t(s.dangjian.platform).toJSON().Outputs ?? {});
        expect(outputs.filter((o) => o.startsWith('UserPool'))).toEqual([]);
      });
    }

    it(
      'meets the Control Tower guard rules, apart from the findings accepted in infra/guard.ts',
      () => {
        const run = runGuard(s.app.synth());
        // Rules of resource types the stage does not have are left out; the rest ran.
        expect(run.bundled).toBeGreaterThan(200);
        expect(run.ran).toBeGreaterThan(20);
        const unaccepted = run.findings.filter((f) => acceptedFor(f, stage).length === 0);
        expect(unaccepted).toEqual([]);
        // An entry this stage should need and no longer does is stale: remove it.
        const used = new Set(run.findings.flatMap((f) => acceptedFor(f, stage)));
        const stale = acceptedFindings.filter((a) => (!a.stages || a.stages.includes(stage)) && !used.has(a));
        expect(stale.map((a) => `${a.control} ${a.resourceType} ${a.logicalId ?? ''}`)).toEqual([]);
        for (const a of acceptedFindings) {
          expect(a.control).toMatch(/^CT\.[A-Z0-9]+\.PR\.\d+$/);
          expect(a.reason.trim().split(/\s+/).length, a.control).toBeGreaterThanOrEqual(12);
        }
      },
      GUARD_TIMEOUT_MS,
    );

    it('passes CDK’s own check of every resource against the CloudFormation schema', () => {
      // Run by every synth; its findings are warnings there, so they are read here.
      const { directory } = s.app.synth();
      const report = JSON.parse(readFileSync(join(directory, 'validation-report.json'), 'utf8')) as {
        pluginReports: { pluginName: string; violations: { ruleName: string; description: string }[] }[];
      };
      const findings = report.pluginReports.flatMap((r) =>
        r.violations.map((v) => `${r.pluginName} ${v.ruleName}: ${v.description}`),
      );
      expect(findings).toEqual([]);
    });

    it('passes cdk-nag AwsSolutions with every finding acknowledged for a reason', () => {
      const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(s.app);
      expect(
        report.violations.map((v) => `${v.ruleName}: ${v.violatingResources[0]?.constructPath}`),
      ).toEqual([]);
      expect(report.success).toBe(true);
    });
  });
};
