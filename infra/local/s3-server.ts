/**
 * The local S3: s3rver in-process, plus the EventBridge "Object Created" events S3 sends on
 * AWS when a bucket has EventBridge notifications turned on.
 *
 * What s3rver does not do, and the services must therefore not rely on locally:
 * - POST policy conditions (content-length-range, Content-Type, starts-with, expiry) are
 *   ignored: any presigned POST form uploads anything. The service checks the object
 *   itself when the event arrives, which it must do on AWS too.
 * - Signature V4 is not verified (header or query); any access key is accepted.
 * - Versioning, object tags in events, object lock, SSE: absent.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

export type S3ObjectCreatedReason = 'PutObject' | 'PostObject' | 'CopyObject' | 'CompleteMultipartUpload';

/** The EventBridge event S3 emits for a new object (detail-type "Object Created"). */
export interface S3ObjectCreatedEvent {
  version: '0';
  id: string;
  'detail-type': 'Object Created';
  source: 'aws.s3';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    version: '0';
    'event-version': string;
    bucket: { name: string };
    /** `key` is the object key as stored, not URL-encoded (unlike S3 → SQS/SNS/Lambda notifications). */
    object: { key: string; size: number; etag: string; sequencer: string };
    'request-id': string;
    requester: string;
    'source-ip-address': string;
    reason: S3ObjectCreatedReason;
  };
}

export interface S3ServerOptions {
  /** Default: any free port. */
  port?: number;
  dataDir: string;
  /** Created if missing; existing buckets and their objects are kept. */
  buckets: string[];
  /** Default us-east-1. */
  region?: string;
  /** Called after the object is stored. Errors are logged, never fail the upload. */
  onObjectCreated?: (event: S3ObjectCreatedEvent) => void | Promise<void>;
  log?: (line: string) => void;
}

export interface S3Server {
  endpoint: string;
  port: number;
  close(): Promise<void>;
  /** Resolves once every object-created notification emitted so far has been handed on. */
  idle(): Promise<void>;
}

export const LOCAL_ACCOUNT_ID = '000000000000';

// s3rver 3.7.1 has no type definitions; this is the part of it used here.
interface S3rverRecord {
  eventName: string;
  requestParameters: { sourceIPAddress?: string };
  responseElements: { 'x-amz-request-id'?: string };
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
}
interface KoaContext {
  method: string;
  query: Record<string, unknown>;
  get(header: string): string;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<unknown>) => Promise<unknown>;
interface S3rverInstance {
  middleware: KoaMiddleware[];
  store: { getMetadata(bucket: string, key: string): Promise<{ etag: string; 'content-length': number }> };
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: { Records: S3rverRecord[] }) => void): void;
  on(event: 'error', listener: (err: Error & { status?: number }) => void): void;
}
interface S3rverConstructor {
  new (options: Record<string, unknown>): S3rverInstance;
}
interface AwsAccountModule {
  registry: Map<string, unknown>;
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverConstructor;
const awsAccounts = require('s3rver/lib/models/account') as AwsAccountModule;

// s3rver knows a single access key, S3RVER, and refuses any other with InvalidAccessKeyId
// even when signatures are not checked. The services' local clients use throwaway keys of
// their own, so each key seen is registered on the fly.
const accessKeyOf = (ctx: KoaContext): string | undefined => {
  const credential =
    /Credential=([^/,\s]+)/.exec(ctx.get('authorization'))?.[1] ??
    (typeof ctx.query['X-Amz-Credential'] === 'string'
      ? ctx.query['X-Amz-Credential'].split('/')[0]
      : undefined) ??
    /^AWS ([^:]+):/.exec(ctx.get('authorization'))?.[1] ??
    (typeof ctx.query.AWSAccessKeyId === 'string' ? ctx.query.AWSAccessKeyId : undefined);
  return credential === undefined || credential.length === 0 ? undefined : credential;
};

// s3rver reports both bucket POST and CompleteMultipartUpload as ObjectCreated:Post; only
// the request tells them apart.
const requestContext = new AsyncLocalStorage<{ multipartComplete: boolean }>();

const nowSeconds = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export const startS3Server = async (opts: S3ServerOptions): Promise<S3Server> => {
  const directory = resolve(opts.dataDir);
  await mkdir(directory, { recursive: true });
  const region = opts.region ?? 'us-east-1';

  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    directory,
    silent: true,
    // The data dir is the developer's local S3; it must survive restarts.
    resetOnClose: false,
    // V4 signatures are not checked at all; this covers V2 ones made with a throwaway secret.
    allowMismatchedSignatures: true,
    // Path-style only (forcePathStyle): otherwise any Host that is not an IP or "localhost",
    // e.g. a container name, is taken for a bucket name.
    vhostBuckets: false,
    configureBuckets: opts.buckets.map((name) => ({ name })),
  });

  server.middleware.unshift(async (ctx, next) => {
    const accessKey = accessKeyOf(ctx);
    if (accessKey !== undefined && !awsAccounts.registry.has(accessKey)) {
      awsAccounts.DUMMY_ACCOUNT.createKeyPair(accessKey, accessKey);
    }
    return requestContext.run({ multipartComplete: ctx.method === 'POST' && 'uploadId' in ctx.query }, next);
  });

  server.on('error', (err) => {
    // 4xx are answers (NoSuchKey...), not faults; Koa would print them all on stderr.
    if ((err.status ?? 500) >= 500) opts.log?.(`s3 server error: ${err.stack ?? err.message}`);
  });

  // S3's sequencer only has to grow per key; one counter per server is simpler and also
  // keeps growing across restarts because it starts from the clock.
  let lastSequencer = 0n;
  const nextSequencer = (): string => {
    const fromClock = BigInt(Date.now()) << 16n;
    lastSequencer = fromClock > lastSequencer ? fromClock : lastSequencer + 1n;
    return lastSequencer.toString(16).toUpperCase().padStart(16, '0');
  };

  const toEvent = async (
    record: S3rverRecord,
    multipartComplete: boolean,
  ): Promise<S3ObjectCreatedEvent | undefined> => {
    let reason: S3ObjectCreatedReason;
    switch (record.eventName) {
      case 'ObjectCreated:Put':
        reason = 'PutObject';
        break;
      case 'ObjectCreated:Post':
        reason = multipartComplete ? 'CompleteMultipartUpload' : 'PostObject';
        break;
      case 'ObjectCreated:Copy':
        reason = 'CopyObject';
        break;
      default:
        return undefined;
    }
    const bucket = record.s3.bucket.name;
    // s3rver's record carries the key as stored (not URL-encoded) and no ETag for copies.
    const { key } = record.s3.object;
    let { size, eTag } = record.s3.object;
    if (eTag === undefined || size === undefined) {
      const metadata = await server.store.getMetadata(bucket, key);
      eTag = JSON.parse(metadata.etag) as string;
      size = Number(metadata['content-length']);
    }
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: LOCAL_ACCOUNT_ID,
      time: nowSeconds(),
      region,
      resources: [`arn:aws:s3:::${bucket}`],
      detail: {
        version: '0',
        'event-version': '1.1',
        bucket: { name: bucket },
        object: { key, size, etag: eTag, sequencer: nextSequencer() },
        'request-id':
          record.responseElements['x-amz-request-id'] ?? randomUUID().replace(/-/g, '').slice(0, 16),
        requester: LOCAL_ACCOUNT_ID,
        'source-ip-address': (record.requestParameters.sourceIPAddress ?? '127.0.0.1').replace(
          /^::ffff:/,
          '',
        ),
        reason,
      },
    };
  };

  const pending = new Set<Promise<void>>();
  const onObjectCreated = opts.onObjectCreated;
  if (onObjectCreated) {
    server.on('event', (notification) => {
      const multipartComplete = requestContext.getStore()?.multipartComplete ?? false;
      for (const record of notification.Records) {
        // s3rver emits while the request is still being answered; on AWS the event is
        // asynchronous, and a failing consumer must not turn into a failed upload.
        // Counted from the moment s3rver emits (before the upload is answered), so that
        // `idle()` can never miss an event that is still on its way to the bus.
        let done: () => void = () => undefined;
        const notification = new Promise<void>((resolve) => {
          done = resolve;
        });
        pending.add(notification);
        setImmediate(() => {
          toEvent(record, multipartComplete)
            .then((event) => (event ? onObjectCreated(event) : undefined))
            .catch((err: unknown) =>
              opts.log?.(
                `s3 ObjectCreated handler failed for ${record.s3.bucket.name}/${record.s3.object.key}: ${
                  err instanceof Error ? (err.stack ?? err.message) : String(err)
                }`,
              ),
            )
            .finally(() => {
              pending.delete(notification);
              done();
            });
        });
      }
    });
  }

  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () => server.close(),
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
};
