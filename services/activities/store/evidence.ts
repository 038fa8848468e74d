/**
 * An activity's evidence (佐证材料). Access patterns (pk / sk):
 *   ACTIVITY#<activityId> / EVIDENCE#<attachmentId>  one file      GetItem; Query (begins_with,
 *                                          the activity's, at most 30); conditional Put
 *                                          (created, checked), conditional Delete
 *   ACTIVITY#<activityId> / EVIDENCE-PLACES  how many files it holds: the cap's own item, so
 *                                          two adds at once cannot both take the last place  Update
 *   EVIDENCE#<branchId> / EVIDENCE         the branch's evidence tally: one counter attribute
 *                                          `A#<activityId>` per activity, its accepted files
 *                                          GetItem (compliance), BatchGetItem (a campaign)
 *
 * The counts live apart from the activity item, which its routes rewrite whole on the version
 * read: a counter there would be lost to a put decided before it moved. The tally is one item
 * per branch, as the party-group tally is, so compliance reads one item, not one per meeting.
 */
import type { ServiceContext } from '../../../shared/context.js';
import { type DomainError, notFound } from '../../../shared/errors.js';
import { getInBatches } from '../../../shared/store/batch.js';
import { getItem, queryAll } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import { expectVersion } from '../../../shared/store/version.js';
import type { Evidence, EvidenceTally } from '../domain/evidence.js';

const evidenceKey = (activityId: string, attachmentId: string) => ({
  pk: `ACTIVITY#${activityId}`,
  sk: `EVIDENCE#${attachmentId}`,
});
const placesKey = (activityId: string) => ({ pk: `ACTIVITY#${activityId}`, sk: 'EVIDENCE-PLACES' });
const tallyKey = (branchId: string) => ({ pk: `EVIDENCE#${branchId}`, sk: 'EVIDENCE' });
const counter = (activityId: string) => `A#${activityId}`;

const FIELDS = [
  'activityId',
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

const toEvidence = (item: Record<string, unknown>): Evidence => {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) out[f] = item[f];
  out.kind = item.evidenceKind;
  return out as unknown as Evidence;
};

// `kind` names what an item is, as on every item of the table; the file's own kind is `evidenceKind`.
const itemOf = ({ kind, ...f }: Evidence) => ({
  ...evidenceKey(f.activityId, f.attachmentId),
  ...f,
  kind: 'evidence',
  evidenceKind: kind,
});

export const getEvidence = async (
  ctx: ServiceContext,
  activityId: string,
  attachmentId: string,
): Promise<Evidence | undefined> => {
  const item = await getItem(ctx, evidenceKey(activityId, attachmentId));
  return item ? toEvidence(item) : undefined;
};

/** The activity's files, oldest first (ULIDs sort by creation). */
export const listEvidence = async (ctx: ServiceContext, activityId: string): Promise<Evidence[]> =>
  (
    await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': `ACTIVITY#${activityId}`, ':sk': 'EVIDENCE#' },
    })
  ).map(toEvidence);

const tallyOf = (item: Record<string, unknown> | undefined): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(item ?? {})) {
    if (name.startsWith('A#') && typeof value === 'number') out[name.slice(2)] = value;
  }
  return out;
};

/** How many accepted files each of the branch's activities has: one GetItem. */
export const evidenceTally = async (ctx: ServiceContext, branchId: string): Promise<EvidenceTally> =>
  tallyOf(await getItem(ctx, tallyKey(branchId)));

/** The tallies of several branches at once, by branch. */
export const evidenceTallies = async (
  ctx: ServiceContext,
  branchIds: readonly string[],
): Promise<Map<string, EvidenceTally>> => {
  const items = await getInBatches(ctx, [...new Set(branchIds)].map(tallyKey));
  return new Map(items.map((item) => [(item.pk as string).slice('EVIDENCE#'.length), tallyOf(item)]));
};

const moveTally = (t: Transaction, branchId: string, activityId: string, by: 1 | -1) =>
  t.update(tallyKey(branchId), {
    expression: 'ADD #count :by',
    names: { '#count': counter(activityId) },
    values: { ':by': by },
  });

/** Adds a new file, taking one of the activity's `max` places. */
export const addEvidence = (
  t: Transaction,
  f: Evidence,
  refusals: { max: number; onFull: () => DomainError },
): Transaction => {
  t.update(
    placesKey(f.activityId),
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
 * Removes a file as it was read (its version), giving back its place and, if it was accepted,
 * its count in the branch's tally. A verdict written since makes this fail, and the caller
 * reads it again: the tally never counts a file that is gone, nor misses one that stays.
 */
export const removeEvidence = (t: Transaction, f: Evidence, branchId: string): Transaction => {
  t.update(placesKey(f.activityId), {
    expression: 'ADD #count :minusOne',
    names: { '#count': 'count' },
    values: { ':minusOne': -1 },
  });
  if (f.status === 'available') moveTally(t, branchId, f.activityId, -1);
  return t.delete(evidenceKey(f.activityId, f.attachmentId), expectVersion(f.version, 'The attachment'));
};

/** The check's verdict, on the file as it was read; an accepted one counts in the branch's tally. */
export const saveEvidenceVerdict = (
  t: Transaction,
  next: Evidence,
  readVersion: number,
  /** The activity's branch, whose tally counts an accepted file. */
  branchId?: string,
): Transaction => {
  t.put(itemOf(next), expectVersion(readVersion, 'The attachment'));
  if (next.status === 'available' && branchId) moveTally(t, branchId, next.activityId, 1);
  return t;
};
