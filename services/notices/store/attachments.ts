/**
 * An announcement's attachments. Access patterns (pk / sk):
 *   NOTICE#<announcementId> / ATTACHMENT#<attachmentId>  one attached file    GetItem; Query
 *                                          (begins_with, the announcement's, at most 10);
 *                                          conditional Put (created, checked), Delete
 *   NOTICE#<announcementId> / ATTACHMENTS  how many it holds: the cap's own item, so two
 *                                          adds at once cannot both take the last place  Update
 *
 * The count lives apart from the announcement item, which its routes rewrite whole.
 */
import type { ServiceContext } from '../../../shared/context.js';
import { type DomainError, notFound } from '../../../shared/errors.js';
import { getItem, queryAll } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { expectVersion } from '../../../shared/store/version.js';
import type { Attachment } from '../domain/attachments.js';

const attachmentKey = (announcementId: string, attachmentId: string) => ({
  pk: `NOTICE#${announcementId}`,
  sk: `ATTACHMENT#${attachmentId}`,
});
const countKey = (announcementId: string) => ({ pk: `NOTICE#${announcementId}`, sk: 'ATTACHMENTS' });
// The announcement item itself (store.ts), for the condition that it still takes changes.
const announcementKey = (announcementId: string) => ({ pk: `NOTICE#${announcementId}`, sk: 'NOTICE' });

const FIELDS = [
  'announcementId',
  'attachmentId',
  'name',
  'contentType',
  'sizeBytes',
  'status',
  'rejectedReason',
  'objectKey',
  'publishedKey',
  'createdBy',
  'createdAt',
  'updatedAt',
  'version',
] as const;

const toAttachment = (item: Record<string, unknown>): Attachment => {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as Attachment;
};

const itemOf = (f: Attachment) => ({
  ...attachmentKey(f.announcementId, f.attachmentId),
  kind: 'attachment',
  ...f,
});

export const getAttachment = async (
  ctx: ServiceContext,
  announcementId: string,
  attachmentId: string,
): Promise<Attachment | undefined> => {
  const item = await getItem(ctx, attachmentKey(announcementId, attachmentId));
  return item ? toAttachment(item) : undefined;
};

/** The announcement's attachments, oldest first (ULIDs sort by creation). */
export const listAttachments = async (ctx: ServiceContext, announcementId: string): Promise<Attachment[]> =>
  (
    await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': `NOTICE#${announcementId}`, ':sk': 'ATTACHMENT#' },
    })
  ).map(toAttachment);

/** Conditions every change of an announcement's attachments carries: it is not withdrawn meanwhile. */
const stillOpen = (t: Transaction, announcementId: string, onWithdrawn: () => DomainError) =>
  t.check(announcementKey(announcementId), {
    condition: '#status <> :withdrawn',
    names: { '#status': 'status' },
    values: { ':withdrawn': 'withdrawn' },
    onConditionFailed: onWithdrawn,
  });

/** Adds a new attachment, taking one of the announcement's `max` places. */
export const addAttachment = (
  t: Transaction,
  f: Attachment,
  refusals: { max: number; onFull: () => DomainError; onWithdrawn: () => DomainError },
): Transaction => {
  stillOpen(t, f.announcementId, refusals.onWithdrawn);
  t.update(
    countKey(f.announcementId),
    { expression: 'ADD #count :one', names: { '#count': 'count' }, values: { ':one': 1 } },
    {
      condition: 'attribute_not_exists(#count) OR #count < :max',
      values: { ':max': refusals.max },
      onConditionFailed: refusals.onFull,
    },
  );
  // A fresh ULID: the item cannot exist already.
  return t.create(itemOf(f), () => notFound('Attachment'));
};

/**
 * Removes an attachment, giving back its place. Whatever its check made of it meanwhile: a
 * verdict written after this finds no item to replace (its version condition fails).
 */
export const removeAttachment = (
  t: Transaction,
  f: Attachment,
  refusals: { onWithdrawn: () => DomainError },
): Transaction => {
  stillOpen(t, f.announcementId, refusals.onWithdrawn);
  t.update(countKey(f.announcementId), {
    expression: 'ADD #count :minusOne',
    names: { '#count': 'count' },
    values: { ':minusOne': -1 },
  });
  return t.delete(attachmentKey(f.announcementId, f.attachmentId), {
    condition: 'attribute_exists(#pk)',
    names: { '#pk': 'pk' },
    onConditionFailed: () => notFound('Attachment'),
  });
};

/** The check's verdict, on the attachment as it was read. */
export const saveAttachment = (t: Transaction, next: Attachment, readVersion: number): Transaction =>
  t.put(itemOf(next), expectVersion(readVersion, 'The attachment'));
