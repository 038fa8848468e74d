/**
 * Paging cursors: a list's position (a LastEvaluatedKey, or the last entry shown) sealed with
 * AES-256-GCM under the stage's cursor key. The caller sees only `v1.` and random-looking
 * base64url: no attribute name or id of the table. The additional authenticated data names
 * the stage, the service and the list, so a cursor opens only on the list that issued it.
 * Whatever fails to open (forged, truncated, edited, another list's, another stage's) is the
 * one 400 below, so the answer says nothing about why.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { badRequest } from '../errors.js';

export type Position = Record<string, string | number>;

export interface Cursors {
  /** The cursor that resumes `list` after `position`. */
  seal(list: string, position: Position): Promise<string>;
  /** The position a cursor issued by `list` resumes after; anything else is 400 `invalid-cursor`. */
  open(list: string, cursor: string): Promise<Position>;
}

/** Where the cursors belong: the stage and the service that issue them. */
export interface CursorScope {
  stage: string;
  service: string;
}

const VERSION = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const invalidCursor = () => badRequest('invalid-cursor', 'The cursor is not one this API issued');

const positionSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/** The AES key from the stage's secret, which is text (Secrets Manager generates text). */
export const cursorKeyOf = (secret: string): Buffer => {
  if (secret.length < 32) throw new Error('The cursor secret is shorter than 32 characters');
  return Buffer.from(hkdfSync('sha256', secret, '', 'dangjian paging cursor v1', 32));
};

const aadOf = (scope: CursorScope, list: string) =>
  Buffer.from(JSON.stringify([VERSION, scope.stage, scope.service, list]), 'utf8');

export const sealCursor = (key: Buffer, scope: CursorScope, list: string, position: Position): string => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadOf(scope, list));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()]);
  return VERSION + Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
};

export const openCursor = (key: Buffer, scope: CursorScope, list: string, cursor: string): Position => {
  try {
    if (!cursor.startsWith(VERSION)) throw invalidCursor();
    const bytes = Buffer.from(cursor.slice(VERSION.length), 'base64url');
    // Buffer drops what is not base64url: only a cursor that encodes back to itself is ours.
    if (bytes.toString('base64url') !== cursor.slice(VERSION.length)) throw invalidCursor();
    if (bytes.length <= IV_BYTES + TAG_BYTES) throw invalidCursor();
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aadOf(scope, list));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    const parsed = positionSchema.safeParse(JSON.parse(plain.toString('utf8')));
    if (parsed.success && Object.keys(parsed.data).length > 0) return parsed.data;
  } catch {
    // fall through to the one 400
  }
  throw invalidCursor();
};

/**
 * Cursors whose key is read at the first cursor sealed or opened, then kept for the life of
 * the container. A failed read is not kept: the next request tries again.
 */
export const lazyCursors = (scope: CursorScope, readSecret: () => Promise<string>): Cursors => {
  let key: Promise<Buffer> | undefined;
  const keyNow = () => {
    if (!key) {
      const reading = readSecret().then(cursorKeyOf);
      reading.catch(() => {
        if (key === reading) key = undefined;
      });
      key = reading;
    }
    return key;
  };
  return {
    seal: async (list, position) => sealCursor(await keyNow(), scope, list, position),
    open: async (list, cursor) => openCursor(await keyNow(), scope, list, cursor),
  };
};
