/**
 * The S3 client, apart from the other clients so that only the services that touch S3
 * (those with a bucket: shared/storage/bucket.ts) bundle the S3 SDK: about 100 KB less in
 * every other service's bundle.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { type AwsConnection, common } from './clients.js';

export const createS3Client = (connection: AwsConnection): S3Client =>
  new S3Client({
    ...common(connection, connection.endpoints?.s3),
    // The local S3-compatible server has no virtual-host DNS.
    forcePathStyle: connection.endpoints?.s3 !== undefined,
  });
