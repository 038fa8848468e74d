/**
 * Which subscriptions listen to S3, and the rule that keeps each to its own service's bucket:
 * S3 sends every bucket's "Object Created" to one bus (the account's default bus on AWS, the
 * one local bus locally), so a service with a bucket must never hear another's objects. The
 * CDK stack and the local runtime narrow the same way. Kept free of aws-cdk-lib so the local
 * runtime can load it.
 */
import type { SubscriptionSpec } from '../shared/service.js';

const AWS_S3_SOURCE = 'aws.s3';

export const sourcesOf = (pattern: Record<string, unknown>): string[] => {
  const source = pattern.source;
  return Array.isArray(source) ? source.filter((s): s is string => typeof s === 'string') : [];
};

/** Which bus a subscription's rule belongs on: S3 sends "Object Created" to the default bus. */
export const isS3Pattern = (service: string, sub: SubscriptionSpec): boolean => {
  const sources = sourcesOf(sub.pattern);
  if (!sources.includes(AWS_S3_SOURCE)) return false;
  if (sources.length > 1) {
    throw new Error(
      `${service} subscription ${sub.name}: aws.s3 events arrive on the default bus, dangjian events on the platform bus; split the pattern`,
    );
  }
  return true;
};

/** An S3 subscription's pattern, narrowed to the service's own bucket (refused without one). */
export const ownBucketPattern = (
  service: string,
  sub: SubscriptionSpec,
  bucketName: unknown,
): Record<string, unknown> => {
  if (bucketName === undefined) {
    throw new Error(`${service} subscription ${sub.name} listens to S3 but ${service} has no bucket`);
  }
  const detail = (sub.pattern.detail ?? {}) as Record<string, unknown>;
  const bucketDetail = (detail.bucket ?? {}) as Record<string, unknown>;
  return { ...sub.pattern, detail: { ...detail, bucket: { ...bucketDetail, name: [bucketName] } } };
};
