/** Helpers for the resources tests: real uploads through the presigned POST, S3 look-ups. */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { postToPresignedForm } from '../../infra/local/presigned-post.js';
import { runtime } from '../support/api.js';

export const s3 = () =>
  new S3Client({
    region: 'eu-west-1',
    endpoint: runtime().s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

export const bucket = () => runtime().bucketNames.resources as string;

/** What a browser does with the form (the same helper the demo seeder uses). */
export const uploadWith = postToPresignedForm;

export const objectExists = async (key: string): Promise<boolean> => {
  try {
    await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
};

export const pdfBytes = (text = 'study material') => new TextEncoder().encode(`%PDF-1.7\n${text}\n%%EOF\n`);
export const pngBytes = () =>
  new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3,
  ]);

export const expectStatus = (res: { status: number; body: unknown }, status: number) => {
  if (res.status !== status) expect(res.body).toEqual({ expectedStatus: status });
  expect(res.status).toBe(status);
};

/** A PDF resource announced by `who` for `bytes`: its id and upload form (201 expected). */
export const announcePdf = async (
  who: { post: (path: string, body: unknown) => Promise<{ status: number; body: any }> },
  title: string,
  bytes: Uint8Array,
): Promise<{ resourceId: string; upload: { url: string; fields: Record<string, string> } }> => {
  const created = await who.post('/resources', {
    title,
    kind: 'document',
    contentType: 'application/pdf',
    sizeBytes: bytes.byteLength,
  });
  expectStatus(created, 201);
  return created.body;
};
