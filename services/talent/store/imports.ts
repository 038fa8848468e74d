/**
 * Imports of people (批量导入) and the natural keys of the register. Access patterns (no Scan):
 *   IMPORT#<id> / IMPORT                  the import: state, totals, who may see it   GetItem
 *   IMPORT#<id> / ISSUE#<row:6>#<n:3>     the dry run's issues, in row order           Query (page)
 *   IMPORT#<id> / ROWS#<chunk:4>          the valid rows to register, 25 a chunk       GetItem
 *   IMPORT#<id> / DONE#<chunk:4>          what a chunk created and skipped             Query (at the end)
 *   PERSONKEY#<natural key> / PERSONKEY   who holds a natural key (name + birth date)  BatchGet, GetItem
 *     Written in the transaction of every registration; an import's registration writes it
 *     only if absent, so a rerun or a retried chunk never registers a row twice.
 * The dry run's issues and rows are written with BatchWrite (idempotent puts of the same
 * keys on a redelivery) before the import's state moves, in the consumer's transaction.
 */
import type { Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { conflict } from '../../../shared/errors.js';
import type { Page } from '../../../shared/http/paging.js';
import { getInBatches, type WriteRequest, writeInBatches } from '../../../shared/store/batch.js';
import { getItem, queryAll, queryPage } from '../../../shared/store/query.js';
import type { Transaction } from '../../../shared/store/transaction.js';
import type { FileRefusal, ImportedPerson, ImportTotals, RowIssue } from '../domain/imports.js';
import { strip } from '../store.js';

/** Rows registered per chunk: one consumer run, a few seconds of transactions within the Lambda's 10 s. */
export const CHUNK_ROWS = 25;

export const importStates = ['uploading', 'checked', 'refused', 'importing', 'imported'] as const;
export type ImportState = (typeof importStates)[number];

export interface ImportRecord {
  importId: string;
  version: number;
  state: ImportState;
  fileName: string;
  type: 'xlsx' | 'csv';
  sizeBytes: number;
  objectKey: string;
  /** The committee's import (any branch, history allowed) or a secretary's. */
  byCommittee: boolean;
  /** A secretary's import: their branch, the only one its rows enter and whose secretary sees it. */
  ownBranchId?: string;
  /** The branch a blank 所在支部 means in the committee's import. */
  defaultBranchId?: string;
  createdBy: string;
  /** The request time of the import's creation: the day its rules are judged on. */
  asOf: string;
  refusal?: { code: FileRefusal; detail?: string };
  totals?: ImportTotals;
  chunks?: number;
  /** Who confirmed, under which request: the registrations' audit entries name them. */
  confirmedBy?: { caller: Caller; requestId: string; at: string };
  result?: { created: number; skipped: number };
  createdAt: string;
  updatedAt: string;
}

const pk = (importId: string) => `IMPORT#${importId}`;
const importKey = (importId: string) => ({ pk: pk(importId), sk: 'IMPORT' });
const rowsKey = (importId: string, chunk: number) => ({
  pk: pk(importId),
  sk: `ROWS#${String(chunk).padStart(4, '0')}`,
});
const doneKey = (importId: string, chunk: number) => ({
  pk: pk(importId),
  sk: `DONE#${String(chunk).padStart(4, '0')}`,
});
const naturalKey = (key: string) => ({ pk: `PERSONKEY#${key}`, sk: 'PERSONKEY' });

export const getImport = async (ctx: ServiceContext, importId: string): Promise<ImportRecord | undefined> => {
  const item = await getItem(ctx, importKey(importId));
  return item ? strip<ImportRecord>(item) : undefined;
};

export const createImport = (tx: Transaction, record: ImportRecord): Transaction =>
  tx.create({ ...importKey(record.importId), kind: 'import', ...record }, () =>
    conflict('conflict', 'This import exists already'),
  );

/** The import's next state, only from the state it was read in (a redelivery or a second confirm moves nothing). */
export const moveImport = (tx: Transaction, current: ImportRecord, next: ImportRecord): Transaction =>
  tx.put(
    { ...importKey(next.importId), kind: 'import', ...next },
    {
      condition: '#state = :state AND #version = :version',
      names: { '#state': 'state', '#version': 'version' },
      values: { ':state': current.state, ':version': current.version },
      onConditionFailed: () => conflict('import-moved-on', `the import is no longer ${current.state}`),
    },
  );

/** The dry run's report and rows, written before the import is `checked`. */
export const saveDryRun = async (
  ctx: ServiceContext,
  importId: string,
  issues: readonly RowIssue[],
  people: readonly ImportedPerson[],
): Promise<number> => {
  const requests: WriteRequest[] = [];
  const perRow = new Map<number, number>();
  for (const i of issues) {
    const n = perRow.get(i.row) ?? 0;
    perRow.set(i.row, n + 1);
    requests.push({
      PutRequest: {
        Item: {
          pk: pk(importId),
          sk: `ISSUE#${String(i.row).padStart(6, '0')}#${String(n).padStart(3, '0')}`,
          kind: 'import-issue',
          ...i,
        },
      },
    });
  }
  let chunks = 0;
  for (let start = 0; start < people.length; start += CHUNK_ROWS) {
    requests.push({
      PutRequest: {
        Item: {
          ...rowsKey(importId, chunks),
          kind: 'import-rows',
          people: people.slice(start, start + CHUNK_ROWS),
        },
      },
    });
    chunks += 1;
  }
  await writeInBatches(ctx, requests, { parallel: 8 });
  return chunks;
};

/** One page of the dry run's issues, in row order. */
export const issuesPage = (
  ctx: ServiceContext,
  importId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<RowIssue>> =>
  queryPage(
    ctx,
    {
      TableName: ctx.env.tableName,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': pk(importId), ':s': 'ISSUE#' },
      ConsistentRead: true,
    },
    {
      list: 'import-issues',
      partition: { name: 'pk', value: pk(importId) },
      limit: page.limit,
      cursor: page.cursor,
    },
    (item) => strip<RowIssue & { pk?: string }>(item) as RowIssue,
  );

export const chunkRows = async (
  ctx: ServiceContext,
  importId: string,
  chunk: number,
): Promise<ImportedPerson[]> => {
  const item = await getItem(ctx, rowsKey(importId, chunk));
  return (item?.people as ImportedPerson[] | undefined) ?? [];
};

/** A chunk's result, in the consumer's transaction of that chunk (so once). */
export const chunkDone = (
  tx: Transaction,
  importId: string,
  chunk: number,
  result: { created: number; skipped: number },
): Transaction => tx.put({ ...doneKey(importId, chunk), kind: 'import-chunk', ...result });

/** Every chunk's result so far (at most 200 items for 5,000 rows). */
export const chunkResults = async (ctx: ServiceContext, importId: string) => {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':p': pk(importId), ':s': 'DONE#' },
    ConsistentRead: true,
  });
  return items.map((i) => ({ created: Number(i.created), skipped: Number(i.skipped) }));
};

// ---------------------------------------------------------------- natural keys

/**
 * Records who holds a natural key, in a registration's transaction. `hold`: only if no one
 * does (an import's row), refused with `natural-key-held` otherwise.
 */
export const putNaturalKey = (
  tx: Transaction,
  key: string,
  personId: string,
  { hold, importId }: { hold: boolean; importId?: string },
): void => {
  const item = {
    ...naturalKey(key),
    kind: 'person-key',
    naturalKey: key,
    personId,
    ...(importId ? { importId } : {}),
  };
  if (hold) tx.create(item, () => conflict('natural-key-held', `${key} is on the register already`));
  else tx.put(item);
};

/** Those of the keys someone holds already. */
export const heldNaturalKeys = async (ctx: ServiceContext, keys: readonly string[]): Promise<Set<string>> => {
  const found = await getInBatches(ctx, [...new Set(keys)].map(naturalKey), { consistentRead: true });
  return new Set(found.map((i) => String(i.naturalKey)));
};

/** Who holds a key, and through which import. */
export const naturalKeyHolder = async (
  ctx: ServiceContext,
  key: string,
): Promise<{ personId: string; importId?: string } | undefined> => {
  const item = await getItem(ctx, naturalKey(key));
  return item
    ? { personId: String(item.personId), ...(item.importId ? { importId: String(item.importId) } : {}) }
    : undefined;
};
