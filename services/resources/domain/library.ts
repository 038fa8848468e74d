/**
 * The study library (学习资料库): what may be uploaded, who sees a resource, and what the
 * check of its upload (shared/storage/upload.ts) changes. Pure: no AWS, no clock.
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
import {
  checkedCopyKeyOf,
  checkFileSize,
  checkFileType,
  contentDisposition,
  type DownloadableFile,
  downloadName,
  type RejectionReason,
  uploadContentTypes,
} from '../../../shared/storage/upload.js';
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

/** The file types the library takes (every type a checked upload knows). */
export const allowedContentTypes: readonly string[] = Object.keys(uploadContentTypes);

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
  checkedCopyKeyOf(resourceId, copyId);

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
  const type = checkFileType(input.contentType, allowedContentTypes);
  if (!type.ok) return type;
  const forKind = typesOfKind[input.kind];
  if (forKind && !forKind.includes(input.contentType)) {
    return refuse(badRequest('content-type-not-for-kind', `A ${input.kind} must be ${forKind.join(' or ')}`));
  }
  const size = checkFileSize(input.sizeBytes, uploadLimitBytes);
  if (!size.ok) return size;
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
