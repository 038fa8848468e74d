/**
 * The study library (学习资料库): resources announced, listed, read, changed, archived and
 * downloaded, and the check of every object S3 reports as stored.
 */

import * as z from 'zod';
import type { Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap } from '../../../shared/errors.js';
import type { ConsumedEvent } from '../../../shared/events/consumer.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { pageQuery, pageView } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { allMembers, branchManagers, branchPeople } from '../../../shared/outcomes.js';
import { idParam, singleLine, versionField } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { checkUpload, downloadUrl, ownObjectKey, uploadForm } from '../../../shared/storage/bucket.js';
import { contentDisposition, downloadName } from '../../../shared/storage/upload.js';
import { declaredSizeBytes, declaredType } from '../../../shared/storage/views.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { versionConflict } from '../../../shared/store/version.js';
import { toLocalIso } from '../../../shared/time.js';
import {
  allowedContentTypes,
  applyPatch,
  archive,
  audienceFor,
  canSee,
  downloadableFile,
  fileOf,
  listScope,
  managesResource,
  newResource,
  objectCreatedFor,
  publishedKeyOf,
  publishUpload,
  type Resource,
  rejectUpload,
  resourceIdOfKey,
  typesOfKind,
} from '../domain/library.js';
import { ResourcePublished } from '../events.js';
import { getResource, listResources, saveResource, transaction } from '../store.js';
import {
  CreatedResource,
  DownloadLink,
  LibraryResource,
  ResourceKind,
  ResourcePage,
  ResourceStatus,
  resourceView,
} from '../views.js';
import { resourceParams } from './schemas.js';

// '#' separates key parts in the table, so a tag may not contain one.
const tag = singleLine(30)
  .regex(/^[^#]+$/, 'A tag may not contain #')
  .meta({ example: '党史学习教育' });
const tags = z.array(tag).max(10);
const audience = z.strictObject({ branchIds: z.array(idParam).min(1).max(50).optional() });
const estimatedMinutes = z.number().int().min(1).max(10_000).meta({ example: 45 });

/** A file's type, from the list the library takes (domain/library.ts). */
const contentTypeOf = (types: readonly [string, ...string[]]) => declaredType(z.enum(types));
const fileTypes = allowedContentTypes as [string, ...string[]];
const sizeBytes = declaredSizeBytes;
const newResourceFields = {
  title: singleLine(200).meta({ example: '习近平新时代中国特色社会主义思想学习纲要' }),
  tags: tags.optional(),
  audience: audience.optional(),
  estimatedMinutes: estimatedMinutes.optional(),
};
/** A file to upload of a kind that takes these types. */
const fileResource = <K extends z.ZodType>(kind: K, types: readonly [string, ...string[]]) =>
  z.strictObject({ kind, ...newResourceFields, contentType: contentTypeOf(types), sizeBytes });

/**
 * The kind decides what a new resource holds: a link its http(s) `url` and no file, any other
 * kind a file (`contentType` and `sizeBytes`) and no url; a video is an MP4, an audio an MP3.
 */
const createBody = z.discriminatedUnion('kind', [
  fileResource(z.enum(['document', 'policy', 'meeting-spirit']), fileTypes),
  fileResource(z.literal('video'), typesOfKind.video as [string, ...string[]]),
  fileResource(z.literal('audio'), typesOfKind.audio as [string, ...string[]]),
  z.strictObject({
    kind: z.literal('link'),
    ...newResourceFields,
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .meta({ description: 'An http or https address', example: 'https://www.12371.cn/special/xxzd/' }),
  }),
]);

const publish = (tx: Transaction, r: Resource, at: Date) =>
  tx.publish(
    ResourcePublished,
    { resourceId: r.resourceId, title: r.title, kind: r.kind, tags: r.tags, audience: r.audience },
    { key: r.resourceId, occurredAt: at },
  );

/** The resource if the caller may see it; otherwise, as far as they can tell, there is none. */
export const visibleResource = async (
  ctx: ServiceContext,
  caller: Caller,
  resourceId: string,
): Promise<Resource> => {
  const resource = await getResource(ctx, resourceId);
  if (!resource || !canSee(caller, resource)) throw notFound('Resource');
  return resource;
};

/** The resource if the caller manages it; to anyone else it does not exist. */
const managedResource = async (ctx: ServiceContext, caller: Caller, resourceId: string) => {
  const resource = await visibleResource(ctx, caller, resourceId);
  if (!managesResource(caller, resource)) throw notFound('Resource');
  return resource;
};

/** Writes a change decided on `previous`, refused if someone changed the resource meanwhile. */
const saveChange = async (ctx: ServiceContext, next: Resource, previous: Resource) => {
  await saveResource(transaction(ctx), next, previous).commit();
  return ok(resourceView(next));
};

export const libraryRoutes = [
  route('POST /resources', {
    access: ['committee', 'secretary'],
    summary:
      'Add a resource to the study library (学习资料); a file gets a presigned upload form. A repeat with the same Idempotency-Key answers 201 with the resource as it stands now, and a fresh form while it waits for its file',
    // The body's schema has one shape per kind and an enum of content types, so the domain's
    // own checks of kind and type cannot be reached from here: only the per-stage size limit can.
    refusals: ['resource-exists', 'file-too-large'],
    outcomes: branchManagers,
    responses: { 201: CreatedResource },
    idempotent: true,
    request: {
      body: createBody,
    },
    handler: async (request, ctx) => {
      const { body, caller, now } = request;
      const resource = unwrap(
        newResource(body, caller, { resourceId: newId(), at: toLocalIso(now) }, ctx.env.uploadLimitBytes),
      );
      /** The resource with a form to upload its file while it waits for one. */
      const answer = async (stored: Resource) => {
        const file = stored.status === 'uploading' ? fileOf(stored) : undefined;
        const upload = file ? await uploadForm(ctx, file, now) : undefined;
        const view: z.output<typeof CreatedResource> = {
          ...resourceView(stored),
          ...(upload ? { upload } : {}),
        };
        return created(view, `/resources/${stored.resourceId}`);
      };
      return createOnce(ctx, request, {
        scope: accountScope('resource', caller),
        entityId: resource.resourceId,
        replay: async (resourceId) => answer(await visibleResource(ctx, caller, resourceId)),
        create: async ({ claim, commit }) => {
          // The form is signed before anything is written, so a signing failure leaves no resource behind.
          const answered = await answer(resource);
          const tx = saveResource(claim(transaction(ctx)), resource);
          if (resource.status === 'available') publish(tx, resource, now);
          await commit(tx);
          return answered;
        },
      });
    },
  }),
  route('GET /resources', {
    access: ['committee', 'secretary', 'member'],
    summary: 'List the study library as the caller may see it',
    outcomes: allMembers,
    responses: { 200: ResourcePage },
    request: {
      query: z.strictObject({
        kind: ResourceKind.optional(),
        tag: tag.optional(),
        q: singleLine(100).optional(),
        status: ResourceStatus.default('available'),
        ...pageQuery,
      }),
    },
    handler: async ({ query, caller }, ctx) => {
      const page = await listResources(ctx, { ...query, scope: listScope(caller, query.status) });
      // The index filter is coarse (a branch in the audience); the list shows exactly what GET would.
      return ok(
        pageView(
          { ...page, items: page.items.filter((r) => canSee(caller, r)) },
          resourceView,
        ) satisfies z.output<typeof ResourcePage>,
      );
    },
  }),
  route('GET /resources/{resourceId}', {
    access: ['committee', 'secretary', 'member'],
    summary: 'Read a resource',
    outcomes: branchPeople,
    responses: { 200: LibraryResource },
    request: { params: resourceParams },
    handler: async ({ params, caller }, ctx) =>
      ok(resourceView(await visibleResource(ctx, caller, params.resourceId))),
  }),
  route('PATCH /resources/{resourceId}', {
    access: ['committee', 'secretary'],
    summary: "Change a resource's title, tags, audience or estimated minutes",
    outcomes: branchManagers,
    refusals: ['version-conflict', 'resource-rejected', 'audience-empty', 'secretary-without-branch'],
    responses: { 200: LibraryResource },
    request: {
      params: resourceParams,
      body: z.strictObject({
        version: versionField,
        title: singleLine(200).optional(),
        tags: tags.optional(),
        audience: audience.optional(),
        estimatedMinutes: estimatedMinutes.nullable().optional(),
      }),
    },
    handler: async ({ params, body, caller, now }, ctx) => {
      const resource = await managedResource(ctx, caller, params.resourceId);
      if (body.version !== resource.version) {
        throw versionConflict('The resource', { version: resource.version });
      }
      const newAudience =
        body.audience === undefined ? undefined : unwrap(audienceFor(caller, body.audience));
      return saveChange(ctx, unwrap(applyPatch(resource, body, newAudience, toLocalIso(now))), resource);
    },
  }),
  route('POST /resources/{resourceId}/archive', {
    access: ['committee', 'secretary'],
    summary: 'Archive a resource (归档): it leaves the library',
    refusals: ['resource-archived'],
    outcomes: branchManagers,
    responses: { 200: LibraryResource },
    request: { params: resourceParams },
    handler: async ({ params, caller, now }, ctx) => {
      const resource = await managedResource(ctx, caller, params.resourceId);
      return saveChange(ctx, unwrap(archive(resource, toLocalIso(now))), resource);
    },
  }),
  route('GET /resources/{resourceId}/download', {
    access: ['committee', 'secretary', 'member'],
    summary: "A short-lived download link for a resource's file",
    refusals: ['resource-not-available', 'resource-is-a-link'],
    outcomes: branchPeople,
    responses: { 200: DownloadLink },
    request: { params: resourceParams },
    handler: async ({ params, caller, now }, ctx) => {
      const resource = await visibleResource(ctx, caller, params.resourceId);
      const file = unwrap(downloadableFile(caller, resource));
      return ok((await downloadUrl(ctx, file, now)) satisfies z.output<typeof DownloadLink>);
    },
  }),
];

/**
 * S3 reported an object in the library. Only a resource waiting for its file takes one: the
 * shared check (shared/storage/bucket.ts, `checkUpload`) judges the stored object, copies an
 * accepted one to `published/<resourceId>/<event>` (what downloads serve) and deletes the
 * upload; the resource then records its copy and becomes available, or is rejected with the
 * reason. The form stays valid for a while, so an object may also arrive for a resource
 * already decided: it is a stray, deleted without touching the published copy or the status.
 * Replays and deliveries side by side converge (see `checkUpload`).
 */
export const onObjectCreated = async (
  event: ConsumedEvent<unknown>,
  tx: Transaction,
  ctx: ServiceContext,
): Promise<void> => {
  const key = ownObjectKey(ctx, event);
  if (key === undefined) return;
  const resourceId = resourceIdOfKey(key);
  const resource = resourceId ? await getResource(ctx, resourceId) : undefined;
  const decision = objectCreatedFor(resource, key);
  if (decision.kind === 'unusable') {
    // Nothing of ours may be served from here: no resource, or one already refused.
    ctx.log.warn('object without a usable resource removed', { key });
  } else if (decision.kind === 'decided') {
    ctx.log.warn('upload to a decided resource removed', { resourceId, status: decision.resource.status });
  }
  const verdict = await checkUpload(ctx, {
    key,
    copyKey: resourceId ? publishedKeyOf(resourceId, event.eventId) : undefined,
    publishedKey: resource?.publishedKey,
    decision:
      decision.kind === 'check'
        ? {
            kind: 'check',
            declared: decision.file,
            contentDisposition: contentDisposition(
              downloadName(decision.resource.title, decision.file.contentType),
            ),
          }
        : { kind: 'remove' },
  });
  if (decision.kind !== 'check' || verdict.kind === 'removed') return;
  const waiting = decision.resource;
  const at = new Date(event.occurredAt);
  if (verdict.kind === 'rejected') {
    ctx.log.info('upload rejected', { resourceId, reason: verdict.reason });
    saveResource(tx, rejectUpload(waiting, verdict.reason, toLocalIso(at)), waiting);
    return;
  }
  const next = publishUpload(waiting, toLocalIso(at), verdict.copyKey);
  saveResource(tx, next, waiting);
  publish(tx, next, at);
};
