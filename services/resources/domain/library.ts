/**
 * The study library (学习资料库): what may be uploaded, who sees a resource, and whether
 * the object S3 reports is the file that was announced. Pure: no AWS, no clock.
 */
import { actorOf, actsForBranch, type Caller, hasRole } from '../../../shared/auth.js';
import {
  accept,
  badRequest,
  conflict,
  notFound,
  type Result,
  refuse,
  ruleViolation,
} from '../../../shared/errors.js';
import type { resourceKinds } from '../events.js';

export type ResourceKind = (typeof resourceKinds)[number];
/** uploading → available → archived; an upload that fails the check ends `rejected`. */
export type ResourceStatus = 'uploading' | 'available' | 'rejected' | 'archived';
export const resourceStatuses = ['uploading', 'available', 'rejected', 'archived'] as const;

export interface Audience {
  /** Absent: everyone in the institution. */
  branchIds?: string[];
}

export interface Resource {
  resourceId: string;
  title: string;
  kind: ResourceKind;
  contentType?: string;
  sizeBytes?: number;
  url?: string;
  tags: string[];
  audience: Audience;
  estimatedMinutes?: number;
  status: ResourceStatus;
  rejectedReason?: RejectionReason;
  /** The upload form's S3 key (`library/<id>`); ULIDs only, never a file name the uploader chose. */
  objectKey?: string;
  /**
   * The checked copy downloads are served from (`published/<id>/<copy>`), set when the upload
   * is accepted. No upload form can target it, so what was checked is what is served.
   */
  publishedKey?: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
  archivedAt?: string;
  version: number;
}

/** How a content type's first bytes look; the names of the signatures `sniff` knows. */
type Signature = 'pdf' | 'ole' | 'zip' | 'text' | 'mp4' | 'mp3' | 'png' | 'jpeg';

/** The file types the library takes, with the signature their content must carry. */
export const allowedContentTypes: Readonly<Record<string, Signature>> = {
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

/** A video must be an MP4 and an audio an MP3; documents, policies and 会议精神 take any allowed type. */
export const typesOfKind: Partial<Record<ResourceKind, readonly [string, ...string[]]>> = {
  video: ['video/mp4'],
  audio: ['audio/mpeg'],
};

export const objectKeyOf = (resourceId: string): string => `library/${resourceId}`;

/**
 * Where the checked copy of an upload lives: outside `library/`, so no upload form (whose
 * policy fixes `library/<id>`) can write it and S3's events for it reach no consumer. One
 * key per event that copied it: a replayed delivery writes and finds the same copy.
 */
export const publishedKeyOf = (resourceId: string, copyId: string): string =>
  `published/${resourceId}/${copyId.replace(/[^0-9A-Za-z-]/g, '-').slice(0, 64) || 'copy'}`;

/** `library/<ULID>` → the ULID; anything else is not one of ours. */
export const resourceIdOfKey = (key: string): string | undefined =>
  /^library\/([0-9A-HJKMNP-TV-Z]{26})$/.exec(key)?.[1];

export interface NewResourceInput {
  title: string;
  kind: ResourceKind;
  contentType?: string | undefined;
  sizeBytes?: number | undefined;
  url?: string | undefined;
  tags?: string[] | undefined;
  audience?: Audience | undefined;
  estimatedMinutes?: number | undefined;
}

/**
 * A secretary publishes for their own branch only (another branch is not found, as everywhere
 * else); the committee for anyone. A secretary who names no audience means their branch.
 */
export const audienceFor = (caller: Caller, requested: Audience | undefined): Result<Audience> => {
  if (hasRole(caller, 'committee')) {
    return accept(requested?.branchIds ? { branchIds: [...new Set(requested.branchIds)] } : {});
  }
  const own = caller.branchId;
  if (!own) return refuse(ruleViolation('secretary-without-branch', 'Your account names no branch'));
  const branchIds = requested?.branchIds ?? [own];
  if (branchIds.length === 0) {
    return refuse(ruleViolation('audience-empty', 'Name at least one branch, or none for your own'));
  }
  // Another branch is outside a secretary's scope: as far as they can tell it does not exist.
  if (branchIds.some((b) => b !== own)) return refuse(notFound('Branch'));
  return accept({ branchIds: [own] });
};

/** What a resource holds: a link's url, or the file its upload brings. */
export type ResourceContent = { url: string } | { contentType: string; sizeBytes: number };

/** Checks the announced file (before any upload URL is issued) or the link. */
export const checkNewResource = (
  input: NewResourceInput,
  uploadLimitBytes: number,
): Result<ResourceContent> => {
  if (input.kind === 'link') {
    if (!input.url) return refuse(badRequest('url-required', 'A link needs a url'));
    if (input.contentType !== undefined || input.sizeBytes !== undefined) {
      return refuse(badRequest('link-has-no-file', 'A link takes no contentType or sizeBytes'));
    }
    return accept({ url: input.url });
  }
  if (input.url !== undefined) return refuse(badRequest('url-only-for-links', 'Only a link takes a url'));
  if (input.contentType === undefined || input.sizeBytes === undefined) {
    return refuse(badRequest('file-required', 'A file resource needs contentType and sizeBytes'));
  }
  // Own keys only: `in` would also take names every object inherits (`constructor`).
  if (!Object.hasOwn(allowedContentTypes, input.contentType)) {
    return refuse(
      badRequest('unsupported-content-type', `Files of type ${input.contentType} are not accepted`, {
        allowed: Object.keys(allowedContentTypes),
      }),
    );
  }
  const forKind = typesOfKind[input.kind];
  if (forKind && !forKind.includes(input.contentType)) {
    return refuse(badRequest('content-type-not-for-kind', `A ${input.kind} must be ${forKind.join(' or ')}`));
  }
  if (input.sizeBytes > uploadLimitBytes) {
    return refuse(
      badRequest('file-too-large', `Files are limited to ${uploadLimitBytes} bytes`, {
        limitBytes: uploadLimitBytes,
      }),
    );
  }
  return accept({ contentType: input.contentType, sizeBytes: input.sizeBytes });
};

/**
 * A new resource as announced: a link is available at once, a file waits for its upload to
 * be checked. The content is checked before the audience, so a bad file is named first.
 */
export const newResource = (
  input: NewResourceInput,
  caller: Caller,
  fresh: { resourceId: string; at: string },
  uploadLimitBytes: number,
): Result<Resource> => {
  const content = checkNewResource(input, uploadLimitBytes);
  if (!content.ok) return content;
  const audience = audienceFor(caller, input.audience);
  if (!audience.ok) return audience;
  const { resourceId, at } = fresh;
  const isLink = 'url' in content.value;
  return accept({
    resourceId,
    title: input.title,
    kind: input.kind,
    ...(isLink ? content.value : { ...content.value, objectKey: objectKeyOf(resourceId) }),
    tags: [...new Set(input.tags ?? [])],
    audience: audience.value,
    ...(input.estimatedMinutes !== undefined ? { estimatedMinutes: input.estimatedMinutes } : {}),
    // A link has nothing to check: it is available at once.
    status: isLink ? 'available' : 'uploading',
    ...(isLink ? { publishedAt: at } : {}),
    createdBy: actorOf(caller),
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
};

export const inAudience = (caller: Caller, audience: Audience): boolean =>
  audience.branchIds === undefined ||
  (caller.branchId !== undefined && audience.branchIds.includes(caller.branchId));

/** The committee, or a secretary whose branch is the resource's whole audience. */
export const managesResource = (caller: Caller, resource: Pick<Resource, 'audience'>): boolean => {
  if (hasRole(caller, 'committee')) return true;
  const branches = resource.audience.branchIds;
  return branches !== undefined && branches.length > 0 && branches.every((b) => actsForBranch(caller, b));
};

/** Who may see a resource at all; everyone else is told it does not exist. */
export const canSee = (caller: Caller, resource: Pick<Resource, 'audience' | 'status'>): boolean =>
  managesResource(caller, resource) ||
  (resource.status === 'available' && inAudience(caller, resource.audience));

/** Study and downloads need the file to be there and the caller in the audience. */
export const canUse = (caller: Caller, resource: Pick<Resource, 'audience' | 'status'>): boolean =>
  resource.status === 'available' &&
  (inAudience(caller, resource.audience) || managesResource(caller, resource));

/** The resource, if the caller may study it, download it or assign it; a rule refuses any other. */
export const usableBy = <R extends Pick<Resource, 'audience' | 'status'>>(
  caller: Caller,
  resource: R,
): Result<R> =>
  canUse(caller, resource)
    ? accept(resource)
    : refuse(ruleViolation('resource-not-available', `The resource is ${resource.status}, not available`));

/** Where a resource's file is, and what it was announced as; a link has none. */
export interface ResourceFile {
  objectKey: string;
  contentType: string;
  sizeBytes: number;
}

export const fileOf = (r: Resource): ResourceFile | undefined =>
  r.objectKey && r.contentType && r.sizeBytes !== undefined
    ? { objectKey: r.objectKey, contentType: r.contentType, sizeBytes: r.sizeBytes }
    : undefined;

/** What a download serves: the checked copy, with the name and type it is served as. */
export interface DownloadableFile {
  objectKey: string;
  contentType: string;
  /** `attachment`, with the title as file name: a download, never a page of ours. */
  contentDisposition: string;
}

/** What a download serves: the checked copy of a resource the caller may use, never the upload. */
export const downloadableFile = (caller: Caller, resource: Resource): Result<DownloadableFile> => {
  const usable = usableBy(caller, resource);
  if (!usable.ok) return usable;
  const file = fileOf(resource);
  if (!file) return refuse(ruleViolation('resource-is-a-link', 'A link has no file; open its url'));
  if (!resource.publishedKey) {
    return refuse(
      ruleViolation('resource-not-available', 'The file was published before checked copies were kept'),
    );
  }
  return accept({
    objectKey: resource.publishedKey,
    contentType: file.contentType,
    contentDisposition: contentDisposition(downloadName(resource.title, file.contentType)),
  });
};

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

/**
 * Which part of a list a caller may see. The committee sees everything; a secretary any
 * status of their own branch's resources and the available ones meant for everyone; a
 * member only available resources of their audience.
 */
export type ListScope =
  | { kind: 'all' }
  | { kind: 'audience'; branchId: string | undefined; includeEveryone: boolean }
  | { kind: 'nothing' };

export const listScope = (caller: Caller, status: ResourceStatus): ListScope => {
  if (hasRole(caller, 'committee')) return { kind: 'all' };
  if (status === 'available') return { kind: 'audience', branchId: caller.branchId, includeEveryone: true };
  if (hasRole(caller, 'secretary') && caller.branchId) {
    return { kind: 'audience', branchId: caller.branchId, includeEveryone: false };
  }
  return { kind: 'nothing' };
};

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
  if (!Object.hasOwn(allowedContentTypes, contentType)) return false;
  const signature = allowedContentTypes[contentType] as Signature;
  return matches[signature](head, complete);
};

/**
 * The check S3's POST policy makes on AWS, made again on what was actually stored (the
 * local server ignores policies, and a policy says nothing about the content itself).
 */
export const judgeUpload = (
  declared: { contentType: string; sizeBytes: number },
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

export interface ResourcePatch {
  title?: string | undefined;
  tags?: string[] | undefined;
  audience?: Audience | undefined;
  estimatedMinutes?: number | null | undefined;
}

export const applyPatch = (
  resource: Resource,
  patch: ResourcePatch,
  audience: Audience | undefined,
  at: string,
): Result<Resource> => {
  if (resource.status === 'archived' || resource.status === 'rejected') {
    return refuse(conflict(`resource-${resource.status}`, `A ${resource.status} resource cannot be changed`));
  }
  const next: Resource = { ...resource, updatedAt: at, version: resource.version + 1 };
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.tags !== undefined) next.tags = [...new Set(patch.tags)];
  if (audience !== undefined) next.audience = audience;
  if (patch.estimatedMinutes === null) delete next.estimatedMinutes;
  else if (patch.estimatedMinutes !== undefined) next.estimatedMinutes = patch.estimatedMinutes;
  return accept(next);
};

export const archive = (resource: Resource, at: string): Result<Resource> => {
  if (resource.status === 'archived') {
    return refuse(conflict('resource-archived', 'The resource is already archived'));
  }
  return accept({
    ...resource,
    status: 'archived',
    archivedAt: at,
    updatedAt: at,
    version: resource.version + 1,
  });
};

/**
 * What an object S3 reports under `library/` is to a resource:
 * - `unusable`: no resource, a link, or a key that is not its upload key, or one already
 *   rejected: nothing of ours may stay there;
 * - `decided`: the resource is no longer waiting for its file (available, archived). A
 *   later post with a still valid form is a stray: removed, and neither the published copy
 *   nor the status is touched;
 * - `check`: the upload the resource waits for.
 */
export type ObjectCreatedDecision =
  | { kind: 'unusable' }
  | { kind: 'decided'; resource: Resource }
  | { kind: 'check'; resource: Resource; file: ResourceFile };

export const objectCreatedFor = (resource: Resource | undefined, key: string): ObjectCreatedDecision => {
  const file = resource && fileOf(resource);
  if (!resource || !file || file.objectKey !== key || resource.status === 'rejected') {
    return { kind: 'unusable' };
  }
  if (resource.status !== 'uploading') return { kind: 'decided', resource };
  return { kind: 'check', resource, file };
};

/** The checked upload, copied to `publishedKey`, makes the resource available to its audience. */
export const publishUpload = (resource: Resource, at: string, publishedKey: string): Resource => ({
  ...resource,
  publishedKey,
  status: 'available',
  publishedAt: at,
  updatedAt: at,
  version: resource.version + 1,
});

/** The stored object failed the check: the resource leaves the library, whatever it was. */
export const rejectUpload = (resource: Resource, reason: RejectionReason, at: string): Resource => ({
  ...resource,
  status: 'rejected',
  rejectedReason: reason,
  updatedAt: at,
  version: resource.version + 1,
});
