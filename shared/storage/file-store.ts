/**
 * The store commands of checked files (checked-file.ts), the same for every owner that keeps
 * them in its own table (the single-table layout, shared/store/table.ts). Access patterns
 * (pk / sk), each owner naming its own partition, prefix and places item:
 *   <partition> / <prefix><attachmentId>   one file     GetItem; Query (begins_with, the
 *                                          owner's, at most `max`); conditional Put (created,
 *                                          checked), conditional Delete
 *   <partition> / <places>                 how many files the owner holds (`count`): the cap's
 *                                          own item, so two adds at once cannot both take the
 *                                          last place  Update
 *
 * The owner keeps its keys, what else a write moves (tallies, counts) and the conditions its
 * own rules add (an announcement not withdrawn).
 */
import type { ServiceContext } from '../context.js';
import type { DomainError } from '../errors.js';
import { getItem, queryAll } from '../store/query.js';
import type { Condition, Transaction } from '../store/transaction.js';
import { expectVersion } from '../store/version.js';
import type { CheckedFile } from './checked-file.js';

type Item = Record<string, unknown>;

/** What every checked file holds, as its item holds it. */
const checkedFileFields = [
  'name',
  'contentType',
  'sizeBytes',
  'status',
  'rejectedReason',
  'objectKey',
  'publishedKey',
  'updatedAt',
  'version',
] as const satisfies readonly (keyof CheckedFile)[];

export interface FileItems<F extends CheckedFile & { attachmentId: string }> {
  /** The partition of an owner's files (`NOTICE#<announcementId>`). */
  partition: (ownerId: string) => string;
  /** The owner's id on a file (its announcement, activity, person). */
  ownerOf: (f: F) => string;
  /** The sort key's prefix of one file (`ATTACHMENT#`), before its attachment id. */
  prefix: string;
  /** The sort key of the owner's places item (`ATTACHMENTS`). */
  places: string;
  /** What the item is across the table (its `kind`). */
  itemKind: string;
  /** A file's own `kind`, if it has one, is stored under this name, `kind` naming the item's. */
  fileKindAs?: string;
  /** The owner's own attributes of a file (its ids, who added it, when), beside a checked file's. */
  ownFields: readonly Exclude<keyof F, keyof CheckedFile>[];
  /** What a version conflict names ("The attachment"). */
  what: string;
  /** The refusal should a fresh id exist already. */
  onExists: () => DomainError;
  /** Whether lists read their own writes (a register read right after an upload). */
  consistentList?: boolean;
}

export const checkedFileItems = <F extends CheckedFile & { attachmentId: string }>(spec: FileItems<F>) => {
  const key = (ownerId: string, attachmentId: string) => ({
    pk: spec.partition(ownerId),
    sk: `${spec.prefix}${attachmentId}`,
  });
  const placesKey = (ownerId: string) => ({ pk: spec.partition(ownerId), sk: spec.places });

  const ofItem = (item: Item): F => {
    const out: Item = {};
    for (const f of [...spec.ownFields, ...checkedFileFields] as string[]) {
      const value = f === 'kind' && spec.fileKindAs ? item[spec.fileKindAs] : item[f];
      if (value !== undefined) out[f] = value;
    }
    return out as unknown as F;
  };

  const itemOf = (f: F): Item => {
    const { kind, ...rest } = f as unknown as Item;
    return {
      ...key(spec.ownerOf(f), f.attachmentId),
      ...(spec.fileKindAs ? rest : (f as unknown as Item)),
      kind: spec.itemKind,
      ...(spec.fileKindAs && kind !== undefined ? { [spec.fileKindAs]: kind } : {}),
    };
  };

  return {
    key,
    placesKey,
    /** An item of the owner's partition as a file. */
    ofItem,

    get: async (ctx: ServiceContext, ownerId: string, attachmentId: string): Promise<F | undefined> => {
      const item = await getItem(ctx, key(ownerId, attachmentId));
      return item ? ofItem(item) : undefined;
    },

    /** The owner's files, oldest first (ULIDs sort by creation). */
    list: async (ctx: ServiceContext, ownerId: string): Promise<F[]> =>
      (
        await queryAll(ctx, {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: { ':pk': spec.partition(ownerId), ':sk': spec.prefix },
          ...(spec.consistentList ? { ConsistentRead: true } : {}),
        })
      ).map(ofItem),

    /** Adds a new file, taking one of the owner's `max` places. */
    add: (t: Transaction, f: F, refusals: { max: number; onFull: () => DomainError }): Transaction => {
      t.update(
        placesKey(spec.ownerOf(f)),
        { expression: 'ADD #count :one', names: { '#count': 'count' }, values: { ':one': 1 } },
        {
          condition: 'attribute_not_exists(#count) OR #count < :max',
          values: { ':max': refusals.max },
          onConditionFailed: refusals.onFull,
        },
      );
      // A fresh ULID: the item cannot exist already.
      return t.create(itemOf(f), spec.onExists);
    },

    /** Gives back one of the owner's places (a file removed). */
    releasePlace: (t: Transaction, ownerId: string): Transaction =>
      t.update(placesKey(ownerId), {
        expression: 'ADD #count :minusOne',
        names: { '#count': 'count' },
        values: { ':minusOne': -1 },
      }),

    /** Deletes the file's item; by default on condition it is as it was read (its version). */
    remove: (t: Transaction, f: F, c: Condition = expectVersion(f.version, spec.what)): Transaction =>
      t.delete(key(spec.ownerOf(f), f.attachmentId), c),

    /** The check's verdict, on the file as it was read. */
    save: (t: Transaction, next: F, readVersion: number): Transaction =>
      t.put(itemOf(next), expectVersion(readVersion, spec.what)),
  };
};
