/**
 * List prices used to turn measured work into US dollars: AWS us-east-1, on demand, as
 * published in November 2024 (after DynamoDB's on-demand reduction of 1 November 2024 and
 * Cognito's feature plans of 22 November 2024). Quoted, not fetched: check
 * https://aws.amazon.com/dynamodb/pricing/on-demand/, https://aws.amazon.com/lambda/pricing/,
 * https://aws.amazon.com/api-gateway/pricing/, https://aws.amazon.com/eventbridge/pricing/,
 * https://aws.amazon.com/cloudwatch/pricing/, https://aws.amazon.com/kms/pricing/,
 * https://aws.amazon.com/s3/pricing/, https://aws.amazon.com/cognito/pricing/ and
 * https://aws.amazon.com/ses/pricing/ before quoting the figures anywhere else. No free tier
 * is applied anywhere: free tiers belong to the account, not to the platform.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2024-11-22',
  dynamodbPerMillionReadUnits: 0.125,
  dynamodbPerMillionWriteUnits: 0.625,
  /** Table storage, standard table class, beyond the first 25 GB free (not applied). */
  dynamodbStoragePerGbMonth: 0.25,
  /** Continuous backups (point-in-time recovery), per GB of table. */
  dynamodbPitrPerGbMonth: 0.2,
  lambdaPerMillionRequests: 0.2,
  /** arm64, first 6 billion GB-seconds a month. */
  lambdaPerGbSecondArm: 0.0000133334,
  /** HTTP API, first 300 million requests a month. */
  httpApiPerMillionRequests: 1.0,
  /** Custom events put on a bus, per 64 KB chunk. */
  eventBridgePerMillionEvents: 1.0,
  /** Events written to an archive, per GB; and the archive's storage. */
  eventBridgeArchivePerGb: 0.1,
  eventBridgeArchiveStoragePerGbMonth: 0.023,
  /** Streams read by a Lambda event source mapping cost nothing. */
  dynamodbStreamsForLambda: 0,
  /** A standard-resolution metric alarm (the platform's are all 5-minute ones). */
  cloudWatchAlarmPerMonth: 0.1,
  cloudWatchDashboardPerMonth: 3.0,
  /** Logs ingested (standard class), per GB; and kept, per GB-month (compressed, as billed). */
  cloudWatchLogsIngestPerGb: 0.5,
  cloudWatchLogsStoragePerGbMonth: 0.03,
  /** A customer managed key; each of its first two yearly rotations adds as much again. */
  kmsKeyPerMonth: 1.0,
  kmsPer10kRequests: 0.03,
  s3StandardPerGbMonth: 0.023,
  s3PutPer1000: 0.005,
  s3GetPer1000: 0.0004,
  /** User pools, Essentials plan (the default for a new pool), per monthly active user. */
  cognitoEssentialsPerMau: 0.015,
  sesPer1000Emails: 0.1,
  /** EventBridge Scheduler invocations, beyond the first 14 million a month free (not applied). */
  schedulerPerMillionInvocations: 1.0,
} as const;

export type Prices = typeof PRICES;
