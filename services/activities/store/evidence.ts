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
 * A file's item and its places go through the shared commands (shared/storage/file-store.ts).
 */
import type { ServiceContext } from '../../../shared/context.js';
import { type DomainError, notFound } from '../../../shared/errors.js';
import { checkedFileItems } from '../../../shared/storage/file-store.js';
import { getInBatches } from '../../../shared/store/batch.js';
import { getItem } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import type { Evidence, EvidenceTally } from '../domain/evidence.js';

const tallyKey = (branchId: string) => ({ pk: `EVIDENCE#${branchId}`, sk: 'EVIDENCE' });
const counter = (activityId: string) => `A#${activityId}`;

// `kind` names what an item is, as on every item of the table; the file's own kind is `evidenceKind`.
const files = checkedFileItems<Evidence>({
  partition: (activityId) => `ACTIVITY#${activityId}`,
  ownerOf: (f) => f.activityId,
  prefix: 'EVIDENCE#',
  places: 'EVIDENCE-PLACES',
  itemKind: 'evidence',
  fileKindAs: 'evidenceKind',
  ownFields: ['activityId', 'attachmentId', 'kind', 'createdBy', 'createdAt'],
  what: 'The attachment',
  onExists: () => notFound('Attachment'),
});

export const getEvidence = files.get;

/** The activity's files, oldest first (ULIDs sort by creation). */
export const listEvidence = files.list;

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
): Transaction => files.add(t, f, refusals);

/**
 * Removes a file as it was read (its version), giving back its place and, if it was accepted,
 * its count in the branch's tally. A verdict written since makes this fail, and the caller
 * reads it again: the tally never counts a file that is gone, nor misses one that stays.
 */
export const removeEvidence = (t: Transaction, f: Evidence, branchId: string): Transaction => {
  files.releasePlace(t, f.activityId);
  if (f.status === 'available') moveTally(t, branchId, f.activityId, -1);
  return files.remove(t, f);
};

/** The check's verdict, on the file as it was read; an accepted one counts in the branch's tally. */
export const saveEvidenceVerdict = (
  t: Transaction,
  next: Evidence,
  readVersion: number,
  /** The activity's branch, whose tally counts an accepted file. */
  branchId?: string,
): Transaction => {
  files.save(t, next, readVersion);
  if (next.status === 'available' && branchId) moveTally(t, branchId, next.activityId, 1);
  return t;
};
