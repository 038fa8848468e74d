/**
 * Evidence on a person's pipeline file (佐证材料) and their quarterly thought reports.
 * Access patterns (pk / sk), all in the person's own partition, so the timeline's one Query
 * of it sees them too:
 *   PERSON#<personId> / EVIDENCE#<attachmentId>  one file         GetItem; Query (begins_with,
 *                                          the person's, at most MAX_EVIDENCE_FILES);
 *                                          conditional Put (created, checked), Delete
 *   PERSON#<personId> / EVIDENCE           how many files the person's file holds (`count`: the
 *                                          cap's own item, so two adds at once cannot both take
 *                                          the last place) and how many checked files evidence
 *                                          each step (`step:<step>`)   Update; BatchGet (insight)
 *   PERSON#<personId> / THOUGHT-REPORT#<yyyy-Qn>  how many checked thought reports cover the
 *                                          quarter (`count`)           Update; BatchGet of the
 *                                          people a list asks about (never everyone)
 *
 * The counts move in the transaction that writes the file's verdict or removes it.
 * A file's item and its places go through the shared commands (shared/storage/file-store.ts).
 */
import type { ServiceContext } from '../../../shared/context.js';
import { type DomainError, notFound } from '../../../shared/errors.js';
import { checkedFileItems } from '../../../shared/storage/file-store.js';
import { getInBatches } from '../../../shared/store/batch.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import type { EvidencedSteps, EvidenceFile } from '../domain/evidence.js';

const partition = (personId: string) => `PERSON#${personId}`;
const quarterKey = (personId: string, quarter: string) => ({
  pk: partition(personId),
  sk: `THOUGHT-REPORT#${quarter}`,
});
const STEP_PREFIX = 'step:';

// `kind` is the item's type across the table; the file's own kind is kept as `evidenceKind`.
const files = checkedFileItems<EvidenceFile>({
  partition,
  ownerOf: (f) => f.personId,
  prefix: 'EVIDENCE#',
  places: 'EVIDENCE',
  itemKind: 'evidence',
  fileKindAs: 'evidenceKind',
  ownFields: ['personId', 'attachmentId', 'kind', 'step', 'quarter', 'uploadedBy', 'createdAt'],
  what: 'The evidence file',
  onExists: () => notFound('Evidence'),
  consistentList: true,
});
const countKey = files.placesKey;

/** Whether an item of the person's partition is one evidence file (the timeline reads them). */
export const isEvidenceItem = (item: Record<string, unknown>): boolean =>
  typeof item.sk === 'string' && item.sk.startsWith('EVIDENCE#');

/** An evidence item of the person's partition as a file. */
export const evidenceOfItem = files.ofItem;

const personOfKey = (item: Record<string, unknown>) => (item.pk as string).slice('PERSON#'.length);

export const getEvidence = files.get;

/** The person's evidence files, oldest first (ULIDs sort by creation). */
export const listEvidence = files.list;

/** Adds a new file, taking one of the person's `max` places. */
export const addEvidence = (
  t: Transaction,
  f: EvidenceFile,
  refusals: { max: number; onFull: () => DomainError },
): Transaction => files.add(t, f, refusals);

/** What a checked file counts for: its step's evidence, and a thought report its quarter. */
const moveCounts = (t: Transaction, f: EvidenceFile, delta: 1 | -1, alsoFiles: boolean) => {
  const adds: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':d': delta };
  if (alsoFiles) {
    adds.push('#count :d');
    names['#count'] = 'count';
  }
  if (f.status === 'available' && f.step) {
    adds.push('#step :d');
    names['#step'] = `${STEP_PREFIX}${f.step}`;
  }
  if (adds.length > 0)
    t.update(countKey(f.personId), { expression: `ADD ${adds.join(', ')}`, names, values });
  if (f.status === 'available' && f.kind === 'thought-report' && f.quarter) {
    t.update(quarterKey(f.personId, f.quarter), {
      expression: 'SET #kind = :kind ADD #count :d',
      names: { '#kind': 'kind', '#count': 'count' },
      values: { ':kind': 'thought-report-quarter', ':d': delta },
    });
  }
};

/**
 * The check's verdict, on the file as it was read; an accepted file counts for its step and
 * (a thought report) its quarter in the same write.
 */
export const saveEvidenceVerdict = (t: Transaction, next: EvidenceFile, readVersion: number): Transaction => {
  files.save(t, next, readVersion);
  moveCounts(t, next, 1, false);
  return t;
};

/**
 * Removes a file, giving back its place and what it counted for. A verdict written after this
 * finds no item to replace (its version condition fails).
 */
export const removeEvidence = (t: Transaction, f: EvidenceFile): Transaction => {
  moveCounts(t, f, -1, true);
  return files.remove(t, f);
};

/** How many checked files evidence each step, per person asked about (one BatchGet). */
export const evidencedStepsOf = async (
  ctx: ServiceContext,
  personIds: readonly string[],
): Promise<Map<string, EvidencedSteps>> => {
  const items = await getInBatches(ctx, [...new Set(personIds)].map(countKey), { consistentRead: true });
  return new Map(
    items.map((item) => {
      const steps: Record<string, number> = {};
      for (const [name, value] of Object.entries(item)) {
        if (name.startsWith(STEP_PREFIX) && typeof value === 'number') {
          steps[name.slice(STEP_PREFIX.length)] = value;
        }
      }
      return [personOfKey(item), steps as EvidencedSteps];
    }),
  );
};

/** Which of the people asked about have a checked thought report for the quarter (one BatchGet). */
export const thoughtReportsFor = async (
  ctx: ServiceContext,
  personIds: readonly string[],
  quarter: string,
): Promise<Set<string>> => {
  const items = await getInBatches(
    ctx,
    [...new Set(personIds)].map((id) => quarterKey(id, quarter)),
    { consistentRead: true },
  );
  return new Set(items.filter((i) => typeof i.count === 'number' && i.count > 0).map(personOfKey));
};
