/**
 * On-demand list prices used to turn measured work into US dollars. AWS us-east-1, as
 * published since the DynamoDB on-demand reduction of 1 November 2024; the bench does not
 * fetch them. Check https://aws.amazon.com/dynamodb/pricing/on-demand/,
 * https://aws.amazon.com/lambda/pricing/, https://aws.amazon.com/api-gateway/pricing/ and
 * https://aws.amazon.com/eventbridge/pricing/ before quoting the figures anywhere else.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2024-11-01',
  dynamodbPerMillionReadUnits: 0.125,
  dynamodbPerMillionWriteUnits: 0.625,
  lambdaPerMillionRequests: 0.2,
  /** arm64, first 6 billion GB-seconds a month. */
  lambdaPerGbSecondArm: 0.0000133334,
  /** HTTP API, first 300 million requests a month. */
  httpApiPerMillionRequests: 1.0,
  /** Custom events put on a bus, per 64 KB chunk. */
  eventBridgePerMillionEvents: 1.0,
  /** Streams read by a Lambda event source mapping cost nothing. */
  dynamodbStreamsForLambda: 0,
} as const;
