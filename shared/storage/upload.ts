/**
 * Checked uploads, the pure part: which file types a bucket takes, what a declared file must
 * be, whether the object S3 actually stored is the file that was declared (size, stored type,
 * signature of its first bytes), and how a download is named. No AWS, no clock: the S3 side
 * is in bucket.ts. Resources' library and notices' attachments both judge their uploads here.
 */
import { accept, badRequest, type Result, refuse } from '../errors.js';

/** How a content type's first bytes look; the names of the signatures `contentMatches` knows. */
type Signature = 'pdf' | 'ole' | 'zip' | 'text' | 'mp4' | 'mp3' | 'png' | 'jpeg';

/** Every file type an upload may declare, with the signature its content must carry. */
export const uploadContentTypes: Readonly<Record<string, Signature>> = {
  'application/pdf': 'pdf',
  'application/msword': 'ole',
  'application/vnd.ms-powerpoint': 'ole',
  'application/vnd.ms-excel': 'ole',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'zip',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'zip',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'zip',
  'text/plain': 'text',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
};

/** A file as its uploader declared it, before any upload form is issued. */
export interface DeclaredFile {
  contentType: string;
  sizeBytes: number;
}

/** The declared type, if it is one of `allowed` (own keys only: `in` would take `constructor`). */
export const checkFileType = (contentType: string, allowed: readonly string[]): Result<string> =>
  allowed.includes(contentType) && Object.hasOwn(uploadContentTypes, contentType)
    ? accept(contentType)
    : refuse(
        badRequest('unsupported-content-type', `Files of type ${contentType} are not accepted`, {
          allowed: [...allowed],
        }),
      );

/** The declared size, if it is within the stage's upload limit. */
export const checkFileSize = (sizeBytes: number, uploadLimitBytes: number): Result<number> =>
  sizeBytes > uploadLimitBytes
    ? refuse(
        badRequest('file-too-large', `Files are limited to ${uploadLimitBytes} bytes`, {
          limitBytes: uploadLimitBytes,
        }),
      )
    : accept(sizeBytes);

/** `missing`: the object was gone by the time it was checked. */
export const rejectionReasons = ['empty', 'too-large', 'size-mismatch', 'type-mismatch', 'missing'] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

export interface StoredObject {
  sizeBytes: number;
  /** The first bytes of the object (a ranged read). */
  head: Uint8Array;
  /** True when `head` is the whole object. */
  complete: boolean;
  /** The Content-Type S3 stored and will serve; absent if none was sent. */
  contentType?: string | undefined;
  /** Which object this is (S3's ETag): a copy is made only of the object that was checked. */
  etag?: string | undefined;
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + prefix.length && prefix.every((b, i) => bytes[offset + i] === b);

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/**
 * UTF-8 without NUL. A ranged read may cut the last character in two, so an incomplete
 * sequence at the very end of a partial read is allowed; anywhere else it is not text.
 */
const looksLikeText = (bytes: Uint8Array, complete: boolean): boolean => {
  if (bytes.includes(0)) return false;
  let end = bytes.length;
  if (!complete) {
    // Back off over a trailing partial sequence (at most 3 continuation bytes and its lead).
    let i = end - 1;
    let continuation = 0;
    while (i >= 0 && continuation < 3 && ((bytes[i] as number) & 0xc0) === 0x80) {
      i--;
      continuation++;
    }
    if (i >= 0) {
      const lead = bytes[i] as number;
      const needed = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
      if (needed > continuation) end = i;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
};

const matches: Record<Signature, (bytes: Uint8Array, complete: boolean) => boolean> = {
  pdf: (b) => startsWith(b, ascii('%PDF-')),
  png: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  jpeg: (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  // docx, pptx and xlsx are ZIP containers.
  zip: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]),
  // doc, ppt and xls are OLE compound files.
  ole: (b) => startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  mp4: (b) => startsWith(b, ascii('ftyp'), 4),
  // An ID3 tag, or straight into an MPEG audio frame (11 sync bits).
  mp3: (b) =>
    startsWith(b, ascii('ID3')) || (b.length >= 2 && b[0] === 0xff && ((b[1] as number) & 0xe0) === 0xe0),
  text: looksLikeText,
};

/** Whether the content carries the signature of the declared type. */
export const contentMatches = (contentType: string, head: Uint8Array, complete: boolean): boolean => {
  if (!Object.hasOwn(uploadContentTypes, contentType)) return false;
  const signature = uploadContentTypes[contentType] as Signature;
  return matches[signature](head, complete);
};

/**
 * The check S3's POST policy makes on AWS, made again on what was actually stored (the
 * local server ignores policies, and a policy says nothing about the content itself).
 */
export const judgeUpload = (
  declared: DeclaredFile,
  stored: StoredObject,
  uploadLimitBytes: number,
): { accepted: true } | { accepted: false; reason: RejectionReason } => {
  if (stored.sizeBytes === 0) return { accepted: false, reason: 'empty' };
  if (stored.sizeBytes > uploadLimitBytes) return { accepted: false, reason: 'too-large' };
  if (stored.sizeBytes !== declared.sizeBytes) return { accepted: false, reason: 'size-mismatch' };
  // The stored type is what S3 serves on download: a PDF stored as text/html would be a page.
  const storedType = stored.contentType?.split(';')[0]?.trim().toLowerCase();
  if (
    storedType !== declared.contentType ||
    !contentMatches(declared.contentType, stored.head, stored.complete)
  ) {
    return { accepted: false, reason: 'type-mismatch' };
  }
  return { accepted: true };
};

/** How many leading bytes `judgeUpload` needs to see. */
export const SNIFF_BYTES = 4096;

/**
 * Where the checked copy of an upload lives: under `published/`, outside every prefix an
 * upload form targets, so no form can write it and S3's events for it reach no consumer.
 * `owner` is the path of what it belongs to (ids only); one key per event that copied it,
 * so a replayed delivery writes and finds the same copy.
 */
export const checkedCopyKeyOf = (owner: string, copyId: string): string =>
  `${checkedCopiesOf(owner)}${copyId.replace(/[^0-9A-Za-z-]/g, '-').slice(0, 64) || 'copy'}`;

/** The prefix of every checked copy of `owner`'s uploads: what goes when the owner goes. */
export const checkedCopiesOf = (owner: string): string => `published/${owner}/`;

/**
 * What the owner of an upload makes of an object S3 reported:
 * - `remove`: nothing of ours may stay there (no owner, not its key, already refused, or a
 *   stray posted after the owner was decided with a form still valid);
 * - `check`: the upload the owner waits for, as it was declared, and the disposition its
 *   checked copy is stored with.
 */
export type UploadDecision =
  | { kind: 'remove' }
  | { kind: 'check'; declared: DeclaredFile; contentDisposition: string };

/** What the check found: the owner records it (`accepted` with the copy's key, or `rejected`). */
export type UploadVerdict =
  | { kind: 'removed' }
  | { kind: 'rejected'; reason: RejectionReason }
  | { kind: 'accepted'; copyKey: string };

/** What a download serves: the checked copy, with the name and type it is served as. */
export interface DownloadableFile {
  objectKey: string;
  contentType: string;
  /** `attachment`, with a file name: a download, never a page of ours. */
  contentDisposition: string;
}

const extensions: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'application/msword': 'doc',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/plain': 'txt',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'image/png': 'png',
  'image/jpeg': 'jpg',
};

/**
 * The file name a download is saved as: the title (one line, no controls or bidi overrides,
 * by the request schema) without path separators or quotes, and the checked type's extension.
 */
export const downloadName = (title: string, contentType: string): string => {
  const base = title.replace(/[\\/"\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, '_').trim() || 'download';
  const extension = Object.hasOwn(extensions, contentType) ? extensions[contentType] : undefined;
  return extension ? `${base}.${extension}` : base;
};

/** A file's own name as a download name: its extension, if it is the checked type's, is not doubled. */
export const fileDownloadName = (fileName: string, contentType: string): string => {
  const extension = Object.hasOwn(extensions, contentType) ? `.${extensions[contentType]}` : undefined;
  const stem =
    extension && fileName.toLowerCase().endsWith(extension) ? fileName.slice(0, -extension.length) : fileName;
  return downloadName(stem, contentType);
};

/** RFC 5987 `ext-value` characters need no escape; encodeURIComponent leaves `'()*` that must be. */
const rfc5987 = (value: string): string =>
  encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `attachment`, an ASCII `filename` for old clients and the real (UTF-8, RFC 5987/6266)
 * `filename*`: 党章学习.pdf travels as `filename*=UTF-8''%E5%85%9A…`.
 */
export const contentDisposition = (fileName: string): string => {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(fileName)}`;
};
