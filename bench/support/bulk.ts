/**
 * People loaded straight into the tables, for the scale step the API cannot fill in the
 * bench's time: entering 36,000 people through `POST /talent/people` runs at about 100 a
 * second here (each one a transaction, an event and two consumers), so 40,000 would take
 * most of the 15 minutes alone.
 *
 * Nothing here decides what an item looks like: talent's person items come from its store
 * (`personItem`), activities' roster copies from the shared roster (`rosterItems`) and its
 * branch list (`knownBranchItem`), and the counts the insights read are made by the same
 * backfills a table deployed before them runs (`rebuildAgeTallies`,
 * `rebuildPartyGroupTallies`). resources' roster copy is not loaded: no measured route reads
 * it. No event is published for these people.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  table as activitiesTable,
  knownBranchItem,
  rebuildPartyGroupTallies,
} from '../../services/activities/store.js';
import type { Person } from '../../services/talent/domain/person.js';
import { snapshotOf } from '../../services/talent/domain/person.js';
import { personItem, rebuildAgeTallies } from '../../services/talent/store.js';
import type { ServiceContext } from '../../shared/context.js';
import { rosterItems } from '../../shared/roster.js';

/** DynamoDB's limit per BatchWriteItem. */
const BATCH = 25;
const PARALLEL = 8;

const writeAll = async (ctx: ServiceContext, items: readonly Record<string, unknown>[]) => {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let b = next++; b < batches.length; b = next++) {
        let pending = (batches[b] ?? []).map((Item) => ({ PutRequest: { Item } }));
        // What DynamoDB leaves unprocessed is sent again until it is written.
        while (pending.length > 0) {
          const out = await ctx.db.send(
            new BatchWriteCommand({ RequestItems: { [ctx.env.tableName]: pending } }),
          );
          pending = (out.UnprocessedItems?.[ctx.env.tableName] ?? []) as typeof pending;
        }
      }
    }),
  );
};

export interface BulkLoad {
  people: number;
  items: number;
  seconds: number;
  tallies: { talentItems: number; activitiesBranches: number; seconds: number };
}

export const loadPeople = async (
  contexts: { talent: ServiceContext; activities: ServiceContext },
  people: readonly Person[],
): Promise<BulkLoad> => {
  const started = performance.now();
  const talentItems = people.map(personItem);
  const branches = new Set(people.flatMap((p) => (p.branchId ? [p.branchId] : [])));
  const activitiesItems = [
    ...people.flatMap((p) => rosterItems(activitiesTable, snapshotOf(p))),
    ...[...branches].map(knownBranchItem),
  ];
  await writeAll(contexts.talent, talentItems);
  await writeAll(contexts.activities, activitiesItems);
  const written = performance.now();
  const rebuilt = await rebuildAgeTallies(contexts.talent);
  const activitiesBranches = await rebuildPartyGroupTallies(contexts.activities);
  const done = performance.now();
  return {
    people: people.length,
    items: talentItems.length + activitiesItems.length,
    seconds: Math.round((done - started) / 100) / 10,
    tallies: {
      talentItems: rebuilt.items,
      activitiesBranches,
      seconds: Math.round((done - written) / 100) / 10,
    },
  };
};
