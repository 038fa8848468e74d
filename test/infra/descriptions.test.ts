/**
 * The construct against descriptions made for the purpose: a pattern EventBridge would
 * refuse, S3 subscriptions, a bucket. Built on the notes service so nothing here depends on
 * what the real services declare today.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/config.js';
import { buildDangjian } from '../../infra/dangjian.js';
import { accounts } from '../../infra/functions/accounts.js';
import { partnerAccounts } from '../../infra/functions/partner-accounts.js';
import { acknowledge } from '../../infra/nag.js';
import type { ServiceDescription, SubscriptionSpec } from '../../shared/service.js';
import { notesService } from '../notes/service.js';
import { functionsOf, newApp, notesEntry, resourcesOf } from './support.js';

/** Synthesizing takes seconds of CPU; on a shared, loaded machine much longer. */
const SYNTH_TIMEOUT_MS = 120_000;

const countNotes = notesService.subscriptions[0] as SubscriptionSpec;

const describedAs = (description: ServiceDescription) => ({ ...notesEntry, description });

/** Without talent, `accounts` (which reads talent's people) cannot be built: partner-accounts only. */
const build = (...descriptions: ServiceDescription[]) =>
  buildDangjian(newApp(), {
    stage: 'dev',
    services: descriptions.map(describedAs),
    platformFunctions: [partnerAccounts],
  });

const withSubscriptions = (
  name: string,
  subscriptions: SubscriptionSpec[],
  extra: Partial<ServiceDescription> = {},
) =>
  // Spread on purpose: defineService would refuse these before the construct ever saw them.
  ({ ...notesService, name, subscriptions, ...extra }) as ServiceDescription;

describe('service descriptions at synth', () => {
  it('stops synth on a pattern EventBridge would refuse, naming the subscription', () => {
    const bad = withSubscriptions('notes', [
      { ...countNotes, name: 'broken', pattern: { source: 'not-an-array' } },
    ]);
    expect(() => build(bad)).toThrow(/notes subscription broken: .*source/);
    const empty = withSubscriptions('notes', [{ ...countNotes, name: 'empty', pattern: { source: [] } }]);
    expect(() => build(empty)).toThrow(/notes subscription empty/);
    const operator = withSubscriptions('notes', [
      { ...countNotes, name: 'operator', pattern: { detail: { n: [{ numeric: ['>', 'x'] }] } } },
    ]);
    expect(() => build(operator)).toThrow(/notes subscription operator/);
  });

  it('refuses an S3 subscription without a bucket, and a pattern mixing S3 with dangjian sources', () => {
    const s3 = {
      ...countNotes,
      name: 'file-created',
      pattern: { source: ['aws.s3'], 'detail-type': ['Object Created'] },
    };
    expect(() => build(withSubscriptions('notes', [s3]))).toThrow(
      /file-created listens to S3 but notes has no bucket/,
    );
    const mixed = { ...s3, name: 'mixed', pattern: { source: ['aws.s3', 'dangjian.talent'] } };
    expect(() =>
      build(withSubscriptions('notes', [mixed], { bucket: { name: 'files', objectEvents: true } })),
    ).toThrow(/mixed: aws.s3 events arrive on the default bus/);
  });

  it('refuses a service listed twice or named like a platform stack', () => {
    expect(() => build(notesService, notesService)).toThrow(/listed twice/);
    expect(() => build({ ...notesService, name: 'api' })).toThrow(/taken by a platform stack/);
    expect(() => build({ ...notesService, name: 'accounts' })).toThrow(/taken by a platform stack/);
  });

  it('stops synth when a platform function reads people and no talent service is listed', () => {
    expect(() =>
      buildDangjian(newApp(), { stage: 'dev', services: [notesEntry], platformFunctions: [accounts] }),
    ).toThrow(/accounts reads talent's people, but no talent service is listed/);
  });

  it(
    'builds a described bucket private, TLS-only, with EventBridge notifications and CORS for presigned POST',
    () => {
      const s3: SubscriptionSpec = {
        ...countNotes,
        name: 'file-created',
        pattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: { object: { key: [{ prefix: 'up/' }] } },
        },
      };
      const library = withSubscriptions('library', [countNotes, s3], {
        bucket: { name: 'files', objectEvents: true },
      });
      const { services } = build(notesService, library);
      const stack = services[1] as (typeof services)[number];
      const template = Template.fromStack(stack);
      const bucketId = stack.getLogicalId(stack.bucket?.node.defaultChild as never);
      const bucket = template.toJSON().Resources[bucketId];
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toBeDefined();
      expect(bucket.Properties.NotificationConfiguration).toEqual({
        EventBridgeConfiguration: { EventBridgeEnabled: true },
      });
      expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toBeDefined();
      expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
        expect.objectContaining({
          AllowedMethods: expect.arrayContaining(['POST']),
          AllowedOrigins: [...stageConfig('dev').corsOrigins],
        }),
      ]);
      // No custom-resource Lambda sets the notifications: the bucket property does.
      expect(resourcesOf(template, 'Custom::S3BucketNotifications')).toEqual([]);
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });

      // S3 sends to the default bus; the rule keeps only this service's bucket.
      template.hasResourceProperties('AWS::Events::Rule', {
        Description: 'library: file-created',
        EventBusName: 'default',
        EventPattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: { object: { key: [{ prefix: 'up/' }] }, bucket: { name: [{ Ref: bucketId }] } },
        },
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        Description: 'library: count-notes',
        EventBusName: { 'Fn::ImportValue': Match.stringLikeRegexp('dev-dangjian-platform') },
      });
      for (const [, fn] of functionsOf(template)) {
        expect(fn.Properties?.Environment.Variables.BUCKET_NAME).toEqual({ Ref: bucketId });
      }
      // The notes stack (no bucket) has no S3 statement at all; the library's go to its bucket only.
      const notesPolicies = JSON.stringify(
        Template.fromStack(services[0] as Stack).findResources('AWS::IAM::Policy'),
      );
      expect(notesPolicies).not.toContain('s3:');
      const s3Statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).filter(
          (st) => [st.Action].flat().some((a) => a.startsWith('s3:')),
        ),
      );
      expect(s3Statements.length).toBeGreaterThan(0);
      for (const st of s3Statements) {
        expect(JSON.stringify(st.Resource)).toContain(bucketId);
        expect(JSON.stringify(st.Resource)).not.toContain('"*"');
      }
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'runs cdk-nag on every synth: an unacknowledged finding stops it',
    () => {
      const app = newApp();
      const { services } = buildDangjian(app, {
        stage: 'dev',
        services: [notesEntry],
        platformFunctions: [partnerAccounts],
      });
      new Queue(services[0] as Stack, 'Unencrypted', { enforceSSL: false });
      expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
    },
    SYNTH_TIMEOUT_MS,
  );

  it('acknowledges only AwsSolutions rules, and only with a reason', () => {
    const stack = new Stack();
    expect(() => acknowledge(stack, 'AwsSolutions-S1', 'too short')).toThrow(/reason/);
    expect(() => acknowledge(stack, 'Whatever', 'a reason long enough to pass')).toThrow(/AwsSolutions/);
    expect(() =>
      acknowledge(stack, 'AwsSolutions-IAM5[Resource::*]', 'a reason long enough to pass'),
    ).not.toThrow();
  });
});
