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
import {
  table as activitiesTable,
  knownBranchItem,
  rebuildPartyGroupTallies,
} from '../../services/activities/store.js';
import type { Person } from '../../services/talent/domain/person.js';
import { snapshotOf } from '../../services/talent/domain/person.js';
import { rosterItems } from '../../services/talent/roster.js';
import { personItem, rebuildAgeTallies } from '../../services/talent/store.js';
import type { ServiceContext } from '../../shared/context.js';
import { putRequests, writeInBatches } from '../../shared/store/batch.js';

/** Batches in flight at once: enough to keep DynamoDB Local busy. */
const PARALLEL = 8;

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
  await writeInBatches(contexts.talent, putRequests(talentItems), { parallel: PARALLEL });
  await writeInBatches(contexts.activities, putRequests(activitiesItems), { parallel: PARALLEL });
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
