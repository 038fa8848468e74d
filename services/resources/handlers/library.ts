import type { z } from 'zod';
import { actorOf, type Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict, notFound, ruleViolation } from '../../../shared/errors.js';
import type { ConsumedEvent } from '../../../shared/events/consumer.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import {
  type Audience,
  applyPatch,
  archive,
  audienceFor,
  canSee,
  canUse,
  checkNewResource,
  judgeUpload,
  listScope,
  managesResource,
  type NewResourceInput,
  objectKeyOf,
  type Resource,
  type ResourcePatch,
  type ResourceStatus,
  resourceIdOfKey,
} from '../domain/library.js';
import { ResourcePublished } from '../events.js';
import { deleteObject, downloadUrl, inspectObject, isOurBucket, uploadForm } from '../storage.js';
import { getResource, listResources, type ResourceListQuery, saveResource, transaction } from '../store.js';
import { type CreatedResource, type DownloadLink, type ResourcePage, resourceView } from '../views.js';

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

export const createResource = async (
  input: NewResourceInput,
  caller: Caller,
  now: Date,
  ctx: ServiceContext,
) => {
  checkNewResource(input, ctx.env.uploadLimitBytes);
  const audience = audienceFor(caller, input.audience);
  const resourceId = newId();
  const at = now.toISOString();
  const isLink = input.kind === 'link';
  const resource: Resource = {
    resourceId,
    title: input.title,
    kind: input.kind,
    ...(isLink
      ? { url: input.url as string }
      : {
          contentType: input.contentType as string,
          sizeBytes: input.sizeBytes as number,
          objectKey: objectKeyOf(resourceId),
        }),
    tags: [...new Set(input.tags ?? [])],
    audience,
    ...(input.estimatedMinutes !== undefined ? { estimatedMinutes: input.estimatedMinutes } : {}),
    // A link has nothing to check: it is available at once.
    status: isLink ? 'available' : 'uploading',
    ...(isLink ? { publishedAt: at } : {}),
    createdBy: actorOf(caller),
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  // The form is signed before anything is written, so a signing failure leaves no resource behind.
  const upload = isLink
    ? undefined
    : await uploadForm(ctx, resource.objectKey as string, resource.contentType as string, now);
  const tx = saveResource(transaction(ctx), resource);
  if (isLink) publish(tx, resource, now);
  await tx.commit();
  const body: z.output<typeof CreatedResource> = { ...resourceView(resource), ...(upload ? { upload } : {}) };
  return created(body, `/resources/${resourceId}`);
};

export const listLibrary = async (
  query: Omit<ResourceListQuery, 'scope'>,
  caller: Caller,
  ctx: ServiceContext,
) => {
  const page = await listResources(ctx, { ...query, scope: listScope(caller, query.status) });
  // The index filter is coarse (a branch in the audience); the list shows exactly what GET would.
  return ok({
    items: page.items.filter((r) => canSee(caller, r)).map(resourceView),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  } satisfies z.output<typeof ResourcePage>);
};

export const patchResource = async (
  resourceId: string,
  patch: ResourcePatch & { version: number },
  caller: Caller,
  now: Date,
  ctx: ServiceContext,
) => {
  const resource = await visibleResource(ctx, caller, resourceId);
  if (!managesResource(caller, resource)) throw notFound('Resource');
  if (patch.version !== resource.version) {
    throw conflict('version-conflict', 'The resource changed since you read it', {
      version: resource.version,
    });
  }
  const audience: Audience | undefined =
    patch.audience === undefined ? undefined : audienceFor(caller, patch.audience);
  const next = applyPatch(resource, patch, audience, now.toISOString());
  await saveResource(transaction(ctx), next, resource).commit();
  return ok(resourceView(next));
};

export const archiveResource = async (resourceId: string, caller: Caller, now: Date, ctx: ServiceContext) => {
  const resource = await visibleResource(ctx, caller, resourceId);
  if (!managesResource(caller, resource)) throw notFound('Resource');
  const next = archive(resource, now.toISOString());
  await saveResource(transaction(ctx), next, resource).commit();
  return ok(resourceView(next));
};

export const downloadResource = async (
  resourceId: string,
  caller: Caller,
  now: Date,
  ctx: ServiceContext,
) => {
  const resource = await visibleResource(ctx, caller, resourceId);
  if (!canUse(caller, resource)) {
    throw conflict('resource-not-available', `The resource is ${resource.status}, not available`);
  }
  if (!resource.objectKey || !resource.contentType) {
    throw ruleViolation('resource-is-a-link', 'A link has no file; open its url');
  }
  const link: z.output<typeof DownloadLink> = await downloadUrl(
    ctx,
    { objectKey: resource.objectKey, contentType: resource.contentType },
    now,
  );
  return ok(link);
};

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
  if (!resource || resource.objectKey !== key || resource.status === 'rejected') {
    // Nothing of ours may be served from here: no resource, or one already refused.
    ctx.log.warn('object without a usable resource removed', { key });
    await deleteObject(ctx, key);
    return;
  }
  const at = new Date(event.occurredAt);
  const stored = await inspectObject(ctx, key);
  if (!stored && resource.status !== 'uploading') return; // gone again; a later event tells more
  const verdict = stored
    ? judgeUpload(
        { contentType: resource.contentType as string, sizeBytes: resource.sizeBytes as number },
        stored,
        ctx.env.uploadLimitBytes,
      )
    : ({ accepted: false, reason: 'missing' } as const);
  const base = { ...resource, updatedAt: at.toISOString(), version: resource.version + 1 };
  if (verdict.accepted) {
    if (resource.status !== 'uploading') return; // the same checked file, or an equally good one
    const next: Resource = { ...base, status: 'available' as ResourceStatus, publishedAt: at.toISOString() };
    saveResource(tx, next, resource);
    publish(tx, next, at);
    return;
  }
  ctx.log.info('upload rejected', { resourceId, reason: verdict.reason, was: resource.status });
  if (stored) await deleteObject(ctx, key);
  saveResource(tx, { ...base, status: 'rejected', rejectedReason: verdict.reason }, resource);
};
