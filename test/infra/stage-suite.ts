/**
 * What every stage must satisfy, asserted on its synthesized templates. Each stage's test
 * file calls this once, so the stage is synthesized once and the files run in parallel.
 */
import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Stage, type StageConfig, stageConfig } from '../../infra/config.js';
import { isS3Pattern, type ServiceStack, throttleClass } from '../../infra/constructs/service-stack.js';
import { PartnerApproved } from '../../services/community/events.js';
import { patternFor } from '../../shared/events/contract.js';
import { outboxStreamFilter } from '../../shared/events/outbox.js';
import { type Resource, resourcesOf, type SynthesizedStage, synthStage } from './support.js';

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

/** A synth of every service takes seconds of CPU; on a shared, loaded machine much longer. */
const SYNTH_TIMEOUT_MS = 180_000;

const STREAM_READ = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];

/** Functions of the platform stack itself: partner-accounts. */
const PLATFORM_FUNCTIONS = 1;

export const stageSuite = (stage: Stage): void => {
  describe(`stage ${stage}`, () => {
    let s: SynthesizedStage;
    let config: StageConfig;
    let services: ServiceStack[];
    const t = (stack: Stack) => s.template(stack);

    beforeAll(() => {
      config = stageConfig(stage);
      s = synthStage(stage);
      services = s.dangjian.services;
    }, SYNTH_TIMEOUT_MS);

    it('names every stack after the stage and builds one stack per listed service', () => {
      expect(s.stacks.map((stack) => stack.stackName)).toEqual([
        `${stage}-dangjian-platform`,
        ...services.map((svc) => `${stage}-dangjian-${svc.description.name}`),
        `${stage}-dangjian-api`,
      ]);
      expect(services.map((svc) => svc.description.name)).toContain('notes');
    });

    it('deploys the platform first and the API stage last, after every route exists', () => {
      const names = (stack: Stack) => stack.dependencies.map((d) => d.stackName).sort();
      for (const svc of services) expect(names(svc)).toEqual([`${stage}-dangjian-platform`]);
      expect(names(s.dangjian.api)).toEqual(
        [`${stage}-dangjian-platform`, ...services.map((svc) => svc.stackName)].sort(),
      );
    });

    it('runs every function on nodejs22.x and arm64', () => {
      let count = 0;
      for (const stack of s.stacks) {
        for (const [id, fn] of resourcesOf(t(stack), 'AWS::Lambda::Function')) {
          count++;
          expect({ id, runtime: fn.Properties?.Runtime, arch: fn.Properties?.Architectures }).toEqual({
            id,
            runtime: 'nodejs22.x',
            arch: ['arm64'],
          });
        }
      }
      // A router and a relay per service, one consumer per subscription, and the platform's
      // partner-accounts function: nothing more.
      const expected = services.reduce((n, svc) => n + 2 + svc.description.subscriptions.length, 0);
      expect(count).toBe(expected + PLATFORM_FUNCTIONS);
    });

    it('has one API route per described route and nothing else, public routes without the authorizer', () => {
      const described = services.flatMap((svc) => svc.description.routes.map((r) => r.routeKey)).sort();
      const deployed: string[] = [];
      for (const stack of s.stacks) {
        for (const [, route] of resourcesOf(t(stack), 'AWS::ApiGatewayV2::Route')) {
          deployed.push(route.Properties?.RouteKey);
        }
      }
      expect(deployed.sort()).toEqual(described);
      for (const svc of services) {
        const routes = new Map(
          resourcesOf(t(svc), 'AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties?.RouteKey, r]),
        );
        expect([...routes.keys()].sort()).toEqual(svc.description.routes.map((r) => r.routeKey).sort());
        for (const route of svc.description.routes) {
          const props = routes.get(route.routeKey)?.Properties;
          if (route.access === 'public') expect(props?.AuthorizationType, route.routeKey).toBe('NONE');
          else {
            expect(props?.AuthorizationType, route.routeKey).toBe('JWT');
            expect(props?.AuthorizerId, route.routeKey).toBeDefined();
          }
        }
        // Every route goes to the service's own router function.
        const integrations = resourcesOf(t(svc), 'AWS::ApiGatewayV2::Integration');
        expect(integrations).toHaveLength(1);
        expect(JSON.stringify(integrations[0]?.[1].Properties?.IntegrationUri)).toContain(
          svc.getLogicalId(svc.router.node.defaultChild as never),
        );
      }
    });

    it('has one rule per subscription with its pattern, a retry policy and a dead-letter queue', () => {
      for (const svc of services) {
        const template = t(svc);
        const rules = resourcesOf(template, 'AWS::Events::Rule');
        expect(rules.map(([, r]) => r.Properties?.Description).sort()).toEqual(
          svc.description.subscriptions.map((sub) => `${svc.description.name}: ${sub.name}`).sort(),
        );
        const functions = Object.fromEntries(resourcesOf(template, 'AWS::Lambda::Function'));
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
        for (const [id, fn] of resourcesOf(t(svc), 'AWS::Lambda::Function')) {
          const vars = fn.Properties?.Environment.Variables as Record<string, unknown>;
          expect(vars.STAGE, id).toBe(stage);
          expect(vars.TABLE_NAME, id).toEqual({
            Ref: svc.getLogicalId(svc.table.node.defaultChild as never),
          });
          expect(JSON.stringify(vars.EVENT_BUS_NAME), id).toContain(`${stage}-dangjian-platform`);
          expect(vars.UPLOAD_LIMIT_BYTES, id).toBe(String(config.uploadLimitBytes));
          expect(vars.CORS_ORIGINS, id).toBe(config.corsOrigins.join(','));
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
          // Everything a statement names is in this stack, apart from the platform's bus.
          for (const id of ids) expect(ownIds.has(id), where).toBe(true);
          if (literals.length > 0) {
            // dynamodb:ListStreams has no resource-level permission; nothing else may use "*".
            expect(literals, where).toEqual(['*']);
            expect(actions, where).toEqual(['dynamodb:ListStreams']);
          }
          if (imports.length > 0) {
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
        expect(table.DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete');
      }
      if (stage === 'prod') {
        expect(config.pointInTimeRecovery && config.deletionProtection).toBe(true);
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
          expect(group.DeletionPolicy, id).toBe(stage === 'prod' ? 'Retain' : 'Delete');
        }
      }
      // One per function (the platform's too) plus the API's access logs.
      const functions = services.reduce((n, svc) => n + 2 + svc.description.subscriptions.length, 0);
      expect(count).toBe(functions + PLATFORM_FUNCTIONS + 1);
      // Every function writes to its own group.
      for (const stack of [s.dangjian.platform, ...services]) {
        for (const [id, fn] of resourcesOf(t(stack), 'AWS::Lambda::Function')) {
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
      // Issue 11: the public partner application form is on the lowest limits in every stage.
      expect(publicKeys).toContain('POST /community/partners/applications');
      expect(Object.keys(props.RouteSettings ?? {}).sort()).toEqual(publicKeys);
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
        expect(queues).toHaveLength(svc.description.subscriptions.length + 1);
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

    it('builds the user pool for the roles of DESIGN.md: strong passwords, optional MFA, admin-set scope', () => {
      const platform = t(s.dangjian.platform);
      platform.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'OPTIONAL',
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'branchId', AttributeDataType: 'String' }),
          Match.objectLike({ Name: 'orgId', AttributeDataType: 'String' }),
        ]),
      });
      const clients = resourcesOf(platform, 'AWS::Cognito::UserPoolClient');
      expect(clients).toHaveLength(1);
      const writable = clients[0]?.[1].Properties?.WriteAttributes as string[];
      // A member must not move themselves to another branch, nor a partner to another organisation.
      expect(writable.filter((a) => a.startsWith('custom:'))).toEqual([]);
    });

    it('configures CORS, the JWT authorizer on the user pool, and the alarm recipients', () => {
      const platform = t(s.dangjian.platform);
      platform.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: Match.objectLike({ AllowOrigins: [...config.corsOrigins] }),
      });
      platform.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        JwtConfiguration: Match.objectLike({ Audience: [Match.anyValue()] }),
      });
      for (const group of ['committee', 'secretary', 'member', 'partner']) {
        platform.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
      }
      platform.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: config.alarmEmail,
      });
      platform.hasResourceProperties('AWS::Events::Archive', { RetentionDays: Match.anyValue() });
    });

    it('alarms on function errors, dead letters and relay lag, and on API 5xx and throttling', () => {
      for (const svc of services) {
        const alarms = resourcesOf(t(svc), 'AWS::CloudWatch::Alarm');
        const metrics = alarms.map(([, a]) => a.Properties?.MetricName);
        const functions = 2 + svc.description.subscriptions.length;
        expect(metrics.filter((m) => m === 'Errors')).toHaveLength(functions);
        expect(metrics.filter((m) => m === 'ApproximateNumberOfMessagesVisible')).toHaveLength(functions - 1);
        expect(metrics.filter((m) => m === 'IteratorAge')).toHaveLength(1);
        for (const [id, a] of alarms) expect(a.Properties?.AlarmActions, id).toHaveLength(1);
      }
      const api = resourcesOf(t(s.dangjian.api), 'AWS::CloudWatch::Alarm').map(
        ([, a]) => a.Properties?.MetricName,
      );
      expect(api.sort()).toEqual(['5xx', 'ThrottledRequests']);
      t(s.dangjian.api).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const dashboard = JSON.stringify(resourcesOf(t(s.dangjian.api), 'AWS::CloudWatch::Dashboard'));
      for (const svc of s.dangjian.services)
        expect(dashboard).toContain(`${svc.description.name}: dead letters`);
      expect(dashboard).toContain('partner accounts: errors and dead letters');
    });

    it('creates an approved partner’s Cognito user from PartnerApproved: rule, retries, dead letters, alarms', () => {
      const platform = s.dangjian.platform;
      const template = t(platform);
      const id = (construct: { node: { defaultChild?: unknown } }) =>
        platform.getLogicalId(construct.node.defaultChild as never);
      const fnId = id(platform.partnerAccounts);
      const dlqId = id(platform.partnerAccountsDeadLetters);
      const poolId = id(platform.userPool);

      const functions = resourcesOf(template, 'AWS::Lambda::Function');
      expect(functions.map(([fid]) => fid)).toEqual([fnId]);
      const fn = functions[0]?.[1].Properties as Record<string, any>;
      expect(fn.Runtime).toBe('nodejs22.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.Handler).toBe('index.handler');
      expect(fn.MemorySize).toBe(config.lambda.memorySize);
      expect(fn.Environment.Variables.USER_POOL_ID).toEqual({ Ref: poolId });
      expect(fn.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe(config.logLevel);

      // One rule, on the platform bus, with exactly community's PartnerApproved pattern.
      const rules = resourcesOf(template, 'AWS::Events::Rule');
      expect(rules).toHaveLength(1);
      const rule = rules[0]?.[1].Properties as Record<string, any>;
      expect(rule.EventPattern).toEqual({
        source: ['dangjian.community'],
        'detail-type': ['PartnerApproved'],
      });
      expect(rule.EventPattern).toEqual(patternFor(PartnerApproved));
      expect(rule.EventBusName).toEqual({ Ref: id(platform.bus) });
      expect(rule.Targets).toHaveLength(1);
      const target = rule.Targets[0];
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(target.RetryPolicy).toEqual({
        MaximumRetryAttempts: config.events.retryAttempts,
        MaximumEventAgeInSeconds: config.events.maxEventAge.toSeconds(),
      });
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
      // Handler failures (e.g. an e-mail of another organisation) after Lambda's retries: same queue.
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
      });

      // The dead-letter queue: the platform's only queue, encrypted, TLS only, alarmed.
      const queues = resourcesOf(template, 'AWS::SQS::Queue');
      expect(queues.map(([qid]) => qid)).toEqual([dlqId]);
      expect(queues[0]?.[1].Properties?.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: dlqId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      const topic = { Ref: id(platform.alarmTopic) };
      const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
      expect(alarms.map((a) => a.MetricName).sort()).toEqual([
        'ApproximateNumberOfMessagesVisible',
        'Errors',
      ]);
      for (const a of alarms) expect(a.AlarmActions).toEqual([topic]);
      const depth = alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
      expect(depth?.Dimensions).toEqual([
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } },
      ]);
      expect(depth?.Threshold).toBe(1);
    });

    it('lets partner-accounts call only AdminCreateUser, AdminGetUser and AdminAddUserToGroup on its own pool', () => {
      const platform = s.dangjian.platform;
      const template = t(platform);
      const id = (construct: { node: { defaultChild?: unknown } }) =>
        platform.getLogicalId(construct.node.defaultChild as never);
      const role = id(platform.partnerAccounts.role as never);
      const poolArn = { 'Fn::GetAtt': [id(platform.userPool), 'Arn'] };
      const statements = statementsOf(template);
      // Only this role has a policy in the platform stack.
      expect(new Set(statements.map((st) => st.role))).toEqual(new Set([role]));
      const byService = new Map<string, Statement[]>();
      for (const { statement } of statements) {
        expect(statement.Effect).toBe('Allow');
        const services = new Set(actionsOf(statement).map((a) => a.split(':')[0]));
        expect(services.size, JSON.stringify(statement)).toBe(1);
        const service = [...services][0] as string;
        byService.set(service, [...(byService.get(service) ?? []), statement]);
      }
      expect([...byService.keys()].sort()).toEqual(['cognito-idp', 'logs', 'sqs']);
      // Cognito: exactly the three calls, on this pool's ARN only.
      const cognito = byService.get('cognito-idp') ?? [];
      expect(cognito).toHaveLength(1);
      expect(actionsOf(cognito[0] as Statement).sort()).toEqual([
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminGetUser',
      ]);
      expect(cognito[0]?.Resource).toEqual(poolArn);
      // Logs to its own group; dead letters to its own queue.
      for (const st of byService.get('logs') ?? []) {
        expect(st.Resource).toEqual({
          'Fn::GetAtt': [
            platform.getLogicalId(platform.partnerAccounts.logGroup.node.defaultChild as never),
            'Arn',
          ],
        });
      }
      for (const st of byService.get('sqs') ?? []) {
        expect(st.Resource).toEqual({ 'Fn::GetAtt': [id(platform.partnerAccountsDeadLetters), 'Arn'] });
        expect(actionsOf(st)).toContain('sqs:SendMessage');
      }
      // No service function may touch Cognito.
      for (const svc of services) {
        for (const { statement } of statementsOf(t(svc))) {
          expect(
            actionsOf(statement).some((a) => a.startsWith('cognito-idp:')),
            svc.stackName,
          ).toBe(false);
        }
      }
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
