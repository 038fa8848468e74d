/**
 * The AWS Control Tower proactive controls (the cfn-guard rules bundled with
 * `@cdklabs/cdk-validator-cfnguard`) that the templates do not meet, each accepted here with
 * the reason, in one place as cdk-nag's acknowledgements go through infra/nag.ts. The stage
 * suites run every control on every stage's synthesized templates: a finding not listed
 * here fails them, and so does an entry that no longer matches anything (test/infra/guard.ts).
 *
 * Kept free of the validator itself (a test dependency) so the list can be read alone.
 */
import type { Stage } from './config.js';

export interface AcceptedFinding {
  /** The control's id, as Control Tower names it: `CT.LAMBDA.PR.3`. */
  control: string;
  resourceType: string;
  /** Only resources whose logical id matches; every resource of the type when absent. */
  logicalId?: RegExp;
  /** Only in these stages; in every stage when absent. */
  stages?: readonly Stage[];
  reason: string;
}

const testStages: readonly Stage[] = ['dev', 'staging'];

export const acceptedFindings: readonly AcceptedFinding[] = [
  {
    control: 'CT.LAMBDA.PR.3',
    resourceType: 'AWS::Lambda::Function',
    reason:
      'No function reaches anything inside a network: DynamoDB, S3, EventBridge, SQS and Cognito are called over TLS with IAM. A VPC would add NAT gateways or endpoints per service, cost and cold-start time without keeping out any caller IAM lets in.',
  },
  {
    control: 'CT.LAMBDA.PR.2',
    resourceType: 'AWS::Lambda::Permission',
    logicalId: /^RouterApiInvoke/,
    reason:
      'The router’s invoke permission is for API Gateway and only for this stage’s API: its SourceArn is the API’s execute-api ARN, built from the API id the platform stack exports, which the rule cannot read as a local reference.',
  },
  {
    control: 'CT.APIGATEWAY.PR.5',
    resourceType: 'AWS::ApiGatewayV2::Route',
    reason:
      'The routes without an authorization type are the ones a description declares public (the partner application, the published joint events, the notes service’s ping): they need no caller, are throttled as the stage’s "public" class, and cdk-nag’s APIG4 is acknowledged for the same routes.',
  },
  {
    control: 'CT.CLOUDWATCH.PR.3',
    resourceType: 'AWS::Logs::LogGroup',
    reason:
      'Log groups are encrypted at rest by CloudWatch Logs. No contact detail reaches a log (the test suite reads every line the services log), so a customer-managed key per group would add a key policy to maintain without protecting personal data that is there.',
  },
  {
    control: 'CT.CLOUDWATCH.PR.2',
    resourceType: 'AWS::Logs::LogGroup',
    stages: testStages,
    reason:
      'dev and staging hold test data and keep logs a week and a month (stage config); the stages with personal data keep them a year.',
  },
  {
    control: 'CT.DYNAMODB.PR.1',
    resourceType: 'AWS::DynamoDB::Table',
    stages: ['dev'],
    reason:
      'Point-in-time recovery is off in dev by the stage config: its tables hold throwaway test data (cdk-nag’s DDB3 is acknowledged alike); staging and the production stages keep it on.',
  },
  {
    control: 'CT.SQS.PR.1',
    resourceType: 'AWS::SQS::Queue',
    reason:
      'Every queue is itself a dead-letter queue (of a consumer, a platform function or a relay): its messages are inspected and redriven by hand, and its depth raises an alarm.',
  },
  {
    control: 'CT.S3.PR.10',
    resourceType: 'AWS::S3::Bucket',
    reason:
      'Buckets are encrypted with S3-managed keys. Browsers upload with presigned POSTs and download with presigned GETs: with a KMS key every signer would also need the key, and every object read and write would cost a KMS call, for data that is private and TLS-only either way.',
  },
  {
    control: 'CT.S3.PR.9',
    resourceType: 'AWS::S3::Bucket',
    reason:
      'Object Lock would forbid deleting what the service must delete: a rejected upload, a withdrawn study file, and access logs past their expiry. The production stages keep old versions of study files for 90 days instead.',
  },
  {
    control: 'CT.S3.PR.11',
    resourceType: 'AWS::S3::Bucket',
    logicalId: /^AccessLogs/,
    reason:
      'The access-log bucket receives only S3’s log deliveries, never rewritten, and expires them by lifecycle; versions would only keep expired logs.',
  },
  {
    control: 'CT.S3.PR.11',
    resourceType: 'AWS::S3::Bucket',
    logicalId: /^Bucket/,
    stages: testStages,
    reason: 'Study uploads in dev and staging are test data: versioning is on in the production stages only.',
  },
  {
    control: 'CT.S3.PR.2',
    resourceType: 'AWS::S3::Bucket',
    logicalId: /^AccessLogs/,
    reason:
      'This bucket is the destination of its service bucket’s server access logs; logging it would log itself (cdk-nag’s S1 is acknowledged alike).',
  },
  {
    control: 'CT.S3.PR.4',
    resourceType: 'AWS::S3::Bucket',
    logicalId: /^AccessLogs/,
    reason:
      'Nothing acts on a new access log; the service bucket it logs, whose uploads are checked, sends its events to EventBridge.',
  },
];

/** One finding of a guard run, with what the template says about the resource. */
export interface GuardFinding {
  control: string;
  rule: string;
  stack: string;
  logicalId: string;
  resourceType: string;
}

/** The entries that accept a finding in a stage. */
export const acceptedFor = (finding: GuardFinding, stage: Stage): AcceptedFinding[] =>
  acceptedFindings.filter(
    (a) =>
      a.control === finding.control &&
      a.resourceType === finding.resourceType &&
      (!a.logicalId || a.logicalId.test(finding.logicalId)) &&
      (!a.stages || a.stages.includes(stage)),
  );
