/**
 * The study library (学习资料库): resources announced, listed, read, changed, archived and
 * downloaded, and the check of every object S3 reports as stored.
 */
import * as z from 'zod';
import type { Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap } from '../../../shared/errors.js';
import type { ConsumedEvent } from '../../../shared/events/consumer.js';
import { pageQuery } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { allMembers, branchManagers, branchPeople } from '../../../shared/outcomes.js';
import { idParam, nonEmpty } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { versionConflict } from '../../../shared/store/version.js';
import {
  applyPatch,
  archive,
  audienceFor,
  canSee,
  downloadableFile,
  fileOf,
  judgeUpload,
  listScope,
  managesResource,
  newResource,
  publishUpload,
  type Resource,
  rejectUpload,
  resourceIdOfKey,
} from '../domain/library.js';
import { ResourcePublished } from '../events.js';
import { deleteObject, downloadUrl, inspectObject, isOurBucket, uploadForm } from '../storage.js';
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
const tag = z
  .string()
  .trim()
  .min(1)
  .max(30)
  .regex(/^[^#]+$/, 'A tag may not contain #');
const tags = z.array(tag).max(10);
const audience = z.strictObject({ branchIds: z.array(idParam).min(1).max(50).optional() });
const estimatedMinutes = z.number().int().min(1).max(10_000);

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
    summary: 'Add a resource to the study library (学习资料); a file gets a presigned upload form',
    outcomes: branchManagers,
    responses: { 201: CreatedResource },
    request: {
      body: z.strictObject({
        title: nonEmpty(200),
        kind: ResourceKind,
        contentType: z.string().trim().toLowerCase().max(200).optional(),
        sizeBytes: z.number().int().min(1).optional(),
        tags: tags.optional(),
        audience: audience.optional(),
        estimatedMinutes: estimatedMinutes.optional(),
        url: z
          .url({ protocol: /^https?$/ })
          .max(2000)
          .optional(),
      }),
    },
    handler: async ({ body, caller, now }, ctx) => {
      const resource = unwrap(
        newResource(body, caller, { resourceId: newId(), at: now.toISOString() }, ctx.env.uploadLimitBytes),
      );
      const file = fileOf(resource);
      // The form is signed before anything is written, so a signing failure leaves no resource behind.
      const upload = file ? await uploadForm(ctx, file, now) : undefined;
      const tx = saveResource(transaction(ctx), resource);
      if (resource.status === 'available') publish(tx, resource, now);
      await tx.commit();
      const view: z.output<typeof CreatedResource> = {
        ...resourceView(resource),
        ...(upload ? { upload } : {}),
      };
      return created(view, `/resources/${resource.resourceId}`);
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
        q: z.string().trim().min(1).max(100).optional(),
        status: ResourceStatus.default('available'),
        ...pageQuery,
      }),
    },
    handler: async ({ query, caller }, ctx) => {
      const page = await listResources(ctx, { ...query, scope: listScope(caller, query.status) });
      // The index filter is coarse (a branch in the audience); the list shows exactly what GET would.
      return ok({
        items: page.items.filter((r) => canSee(caller, r)).map(resourceView),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      } satisfies z.output<typeof ResourcePage>);
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
    responses: { 200: LibraryResource },
    request: {
      params: resourceParams,
      body: z.strictObject({
        version: z.number().int().min(1),
        title: nonEmpty(200).optional(),
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
      return saveChange(ctx, unwrap(applyPatch(resource, body, newAudience, now.toISOString())), resource);
    },
  }),
  route('POST /resources/{resourceId}/archive', {
    access: ['committee', 'secretary'],
    summary: 'Archive a resource (归档): it leaves the library',
    outcomes: branchManagers,
    responses: { 200: LibraryResource },
    request: { params: resourceParams },
    handler: async ({ params, caller, now }, ctx) => {
      const resource = await managedResource(ctx, caller, params.resourceId);
      return saveChange(ctx, unwrap(archive(resource, now.toISOString())), resource);
    },
  }),
  route('GET /resources/{resourceId}/download', {
    access: ['committee', 'secretary', 'member'],
    summary: "A short-lived download link for a resource's file",
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

interface ObjectCreatedDetail {
  bucket?: { name?: unknown };
  object?: { key?: unknown };
}

/**
 * S3 reported an object in the library. The stored object itself (not the form's promises)
 * must be within the limit, of the declared size, and carry the declared type. A refused
 * object is deleted before the resource is marked, so it is never downloadable, even if
 * this delivery fails and is retried. The upload form stays valid for a while, so an object
 * may also arrive again for a resource already decided: it is checked again, and a bad
 * replacement takes the resource out of the library.
 */
export const onObjectCreated = async (
  event: ConsumedEvent<unknown>,
  tx: Transaction,
  ctx: ServiceContext,
): Promise<void> => {
  const detail = (event.data ?? {}) as ObjectCreatedDetail;
  if (!isOurBucket(ctx, detail.bucket?.name)) return;
  const key = typeof detail.object?.key === 'string' ? detail.object.key : '';
  const resourceId = resourceIdOfKey(key);
  const resource = resourceId ? await getResource(ctx, resourceId) : undefined;
  const file = resource && fileOf(resource);
  if (!resource || !file || file.objectKey !== key || resource.status === 'rejected') {
    // Nothing of ours may be served from here: no resource, or one already refused.
    ctx.log.warn('object without a usable resource removed', { key });
    await deleteObject(ctx, key);
    return;
  }
  const at = new Date(event.occurredAt);
  const stored = await inspectObject(ctx, key);
  if (!stored && resource.status !== 'uploading') return; // gone again; a later event tells more
  const verdict = stored
    ? judgeUpload(file, stored, ctx.env.uploadLimitBytes)
    : ({ accepted: false, reason: 'missing' } as const);
  if (verdict.accepted) {
    if (resource.status !== 'uploading') return; // the same checked file, or an equally good one
    const next = publishUpload(resource, at.toISOString());
    saveResource(tx, next, resource);
    publish(tx, next, at);
    return;
  }
  ctx.log.info('upload rejected', { resourceId, reason: verdict.reason, was: resource.status });
  if (stored) await deleteObject(ctx, key);
  saveResource(tx, rejectUpload(resource, verdict.reason, at.toISOString()), resource);
};
