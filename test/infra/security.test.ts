/**
 * The infrastructure's security checks, on prod (the stage that holds real personal data),
 * synthesized once: private TLS-only buckets, encrypted tables, log groups kept as long as
 * PIPL asks, access logs without request data, the public form on the lowest throttle, and
 * every cdk-nag acknowledgement with its reason. The per-stage suites (stage-*.test.ts)
 * check the same throttling and a clean cdk-nag run for every stage.
 */
import { Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stageConfig, stages } from '../../infra/config.js';
import { throttleClass } from '../../infra/throttle.js';
import { services } from '../../services/index.js';
import { resourcesOf, type SynthesizedStage, synthStage } from './support.js';

const APPLY = 'POST /community/partners/applications';
/** PIPL and the institution's rules: personal-information processing logs kept at least 180 days. */
const PROD_MIN_LOG_DAYS = 180;
const SYNTH_TIMEOUT_MS = 180_000;

let s: SynthesizedStage;
const all = (type: string) => s.stacks.flatMap((stack) => resourcesOf(s.template(stack), type));

beforeAll(() => {
  s = synthStage('prod');
}, SYNTH_TIMEOUT_MS);

describe('prod infrastructure security', () => {
  it('keeps every bucket private, encrypted and reachable over TLS only', () => {
    // resources' and notices' buckets and their access-log buckets; logical ids repeat across
    // service stacks, so each bucket's policy is looked for in its own stack.
    const buckets = s.stacks.flatMap((stack) =>
      resourcesOf(s.template(stack), 'AWS::S3::Bucket').map(
        ([id, bucket]) => [id, bucket, resourcesOf(s.template(stack), 'AWS::S3::BucketPolicy')] as const,
      ),
    );
    expect(buckets.length).toBeGreaterThanOrEqual(4);
    for (const [id, bucket, policies] of buckets) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(
        bucket.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]
          ?.ServerSideEncryptionByDefault?.SSEAlgorithm,
        id,
      ).toMatch(/^(AES256|aws:kms)$/);
      const own = policies.filter(
        ([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: id }),
      );
      expect(own, id).toHaveLength(1);
      const statements = own[0]?.[1].Properties?.PolicyDocument.Statement as Record<string, any>[];
      expect(
        statements.some(
          (st) =>
            st.Effect === 'Deny' &&
            st.Principal?.AWS === '*' &&
            st.Condition?.Bool?.['aws:SecureTransport'] === 'false' &&
            [st.Action].flat().includes('s3:*'),
        ),
        `${id} refuses plain HTTP`,
      ).toBe(true);
      // Nothing in a bucket policy grants anything to everyone.
      expect(
        statements.filter((st) => st.Effect === 'Allow' && st.Principal === '*'),
        id,
      ).toEqual([]);
    }
  });

  it('declares server-side encryption on every table (AWS-managed KMS key)', () => {
    const tables = all('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(s.dangjian.services.length);
    for (const [id, table] of tables) {
      expect(table.Properties?.SSESpecification, id).toEqual({ SSEEnabled: true });
    }
  });

  it('keeps every log group at least 180 days, and the access log free of request data', () => {
    const groups = all('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(s.dangjian.services.length);
    for (const [id, group] of groups) {
      expect(group.Properties?.RetentionInDays, id).toBeGreaterThanOrEqual(PROD_MIN_LOG_DAYS);
    }
    expect(stageConfig('prod').logRetention).toBeGreaterThanOrEqual(RetentionDays.SIX_MONTHS);
    // Route keys, not paths or query strings: ids and search terms stay out of the access log.
    const [, stage] = resourcesOf(s.template(s.dangjian.api), 'AWS::ApiGatewayV2::Stage')[0] ?? [];
    const format = stage?.Properties?.AccessLogSettings?.Format as string;
    expect(format).toContain('$context.routeKey');
    expect(format).not.toMatch(
      /\$context\.path|\$request\.|\$input\.|querystring|\$context\.authorizer\.claims/i,
    );
  });

  it('throttles the public partner application as the stage’s lowest class, in every stage', () => {
    const route = services.flatMap((svc) => svc.routes).find((r) => r.routeKey === APPLY);
    expect(route?.throttle).toBe('public');
    expect(route && throttleClass(route)).toBe('public');
    for (const stage of stages) {
      const { throttle } = stageConfig(stage);
      expect(throttle.public.rateLimit, stage).toBeLessThan(throttle.default.rateLimit);
      expect(throttle.public.burstLimit, stage).toBeLessThan(throttle.default.burstLimit);
    }
    const [, stage] = resourcesOf(s.template(s.dangjian.api), 'AWS::ApiGatewayV2::Stage')[0] ?? [];
    const { throttle } = stageConfig('prod');
    expect(stage?.Properties?.RouteSettings?.[APPLY]).toEqual({
      ThrottlingRateLimit: throttle.public.rateLimit,
      ThrottlingBurstLimit: throttle.public.burstLimit,
    });
    expect(stage?.Properties?.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: throttle.default.rateLimit,
      ThrottlingBurstLimit: throttle.default.burstLimit,
    });
  });

  it('acknowledges cdk-nag findings only by AwsSolutions rule, each with a reason that says why', () => {
    const acknowledged: { path: string; id: string; reason: string }[] = [];
    for (const construct of s.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          // CDK records an acknowledged rule under its annotation id.
          acknowledged.push({ path: construct.node.path, id: id.replace(/^Annotation::/, ''), reason });
        }
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledged) {
      expect(id, path).toMatch(/^AwsSolutions-[A-Z0-9]+(\[.+\])?$/);
      // A reason is a sentence about this project, not "n/a" or the rule's own name.
      expect(reason.trim().split(/\s+/).length, `${path} ${id}: "${reason}"`).toBeGreaterThanOrEqual(8);
      expect(reason, `${path} ${id}`).not.toContain(id);
    }
    // Nothing in prod is waved through for being a test stage.
    expect(acknowledged.filter((a) => /throwaway|test data/i.test(a.reason))).toEqual([]);
  });
});
