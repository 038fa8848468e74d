/**
 * An announcement's attachments. Access patterns (pk / sk):
 *   NOTICE#<announcementId> / ATTACHMENT#<attachmentId>  one attached file    GetItem; Query
 *                                          (begins_with, the announcement's, at most 10);
 *                                          conditional Put (created, checked), Delete
 *   NOTICE#<announcementId> / ATTACHMENTS  how many it holds: the cap's own item, so two
 *                                          adds at once cannot both take the last place  Update
 *
 * The count lives apart from the announcement item, which its routes rewrite whole.
 * A file's item and its places go through the shared commands (shared/storage/file-store.ts).
 */
import { type DomainError, notFound } from '../../../shared/errors.js';
import { checkedFileItems } from '../../../shared/storage/file-store.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import type { Attachment } from '../domain/attachments.js';

// The announcement item itself (store.ts), for the condition that it still takes changes.
const announcementKey = (announcementId: string) => ({ pk: `NOTICE#${announcementId}`, sk: 'NOTICE' });

const files = checkedFileItems<Attachment>({
  partition: (announcementId) => `NOTICE#${announcementId}`,
  ownerOf: (f) => f.announcementId,
  prefix: 'ATTACHMENT#',
  places: 'ATTACHMENTS',
  itemKind: 'attachment',
  ownFields: ['announcementId', 'attachmentId', 'createdBy', 'createdAt'],
  what: 'The attachment',
  onExists: () => notFound('Attachment'),
});

export const getAttachment = files.get;

/** The announcement's attachments, oldest first (ULIDs sort by creation). */
export const listAttachments = files.list;

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
  return files.add(t, f, refusals);
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
  files.releasePlace(t, f.announcementId);
  return files.remove(t, f, {
    condition: 'attribute_exists(#pk)',
    names: { '#pk': 'pk' },
    onConditionFailed: () => notFound('Attachment'),
  });
};

/** The check's verdict, on the attachment as it was read. */
export const saveAttachment = files.save;
