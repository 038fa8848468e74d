import type { IndexSpec, TableSpec } from '../service.js';
import type { OwnTable } from './query.js';
import { Transaction } from './transaction.js';

/**
 * The layout of every service's table: generic `pk`/`sk` keys (so one table holds every
 * entity and its access patterns), global indexes `gsi1`…`gsiN` on `gsiNpk`/`gsiNsk`, and
 * DynamoDB TTL on `expiresAt`. Each store documents what its keys and indexes hold.
 */
export const singleTable = (indexCount: number): TableSpec => ({
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: Array.from(
    { length: indexCount },
    (_, i): IndexSpec => ({
      name: `gsi${i + 1}`,
      partitionKey: { name: `gsi${i + 1}pk`, type: 'S' },
      sortKey: { name: `gsi${i + 1}sk`, type: 'S' },
    }),
  ),
  timeToLiveAttribute: 'expiresAt',
});

/** A unit of work on the service's own table. */
export const transactionOn = (ctx: OwnTable, table: TableSpec): Transaction =>
  new Transaction({ db: ctx.db, tableName: ctx.env.tableName, table });
