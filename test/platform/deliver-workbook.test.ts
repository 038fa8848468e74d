/**
 * How an export reaches its caller (shared/spreadsheets/deliver.ts), on the runtime's own S3
 * server: a workbook that fits in a Lambda answer is the answer; a larger one is stored under
 * `exports/` in the service's bucket and answered with 303 to a presigned GET of exactly it.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createServiceContext } from '../../shared/context.js';
import { DIRECT_EXPORT_BYTES, deliverWorkbook, EXPORTS_PREFIX } from '../../shared/spreadsheets/deliver.js';
import { XLSX_TYPE } from '../../shared/spreadsheets/workbook.js';
import { runtime } from '../support/api.js';

const contextWithBucket = () => {
  const info = runtime();
  return createServiceContext({
    service: 'talent',
    stage: 'test',
    tableName: info.tableNames.talent as string,
    bucketName: info.bucketNames.talent as string,
    busName: 'unused',
    uploadLimitBytes: 1,
    logLevel: 'SILENT',
    aws: {
      region: 'eu-west-1',
      endpoints: { dynamodb: info.dynamodbEndpoint, s3: info.s3Endpoint },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    },
  });
};

const now = new Date('2026-11-26T10:00:00+08:00');

describe('delivering a workbook', () => {
  it('answers one that fits directly, named for saving', async () => {
    const bytes = new Uint8Array(randomBytes(1024));
    const res = await deliverWorkbook(contextWithBucket(), { bytes, filename: '名册.xlsx', now });
    expect(res.status).toBe(200);
    expect(res.binary?.contentType).toBe(XLSX_TYPE);
    expect(Buffer.from(res.binary?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(res.headers?.['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent('名册.xlsx')}`,
    );
  });

  it('stores one past the limit under exports/ and answers 303 to a presigned GET of those bytes', async () => {
    const bytes = new Uint8Array(randomBytes(DIRECT_EXPORT_BYTES + 1));
    const res = await deliverWorkbook(contextWithBucket(), { bytes, filename: '三会一课台账.xlsx', now });
    expect(res.status).toBe(303);
    expect(res.binary).toBeUndefined();
    const location = res.headers?.location ?? '';
    expect(new URL(location).pathname).toContain(`/${EXPORTS_PREFIX}`);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe(XLSX_TYPE);
    expect(download.headers.get('content-disposition')).toContain(encodeURIComponent('三会一课台账.xlsx'));
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });
});
