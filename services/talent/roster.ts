/**
 * What talent offers the services that follow its register (it lives with talent's event
 * contracts, which it reads; shared/ depends on no service). A consuming service's own copy
 * of talent's register: who is in which branch (and party
 * group) with which political status. activities needs it for default invitees and
 * participation; resources for audiences and assignment completion lists; all three
 * consumers (community too) to know that a caller acting for themselves is a person of the
 * register (`rosterSelf`). They use this one module; each keeps the copy in its own table.
 *
 * Access patterns (in the consumer's table, `pk`/`sk` named by its description):
 *   PERSON#<personId> / ROSTER        the person's latest snapshot      GetItem
 *   ROSTER#<branchId> / PERSON#<id>   one item per person of a branch   Query by branch
 *
 * Events may arrive late, twice or out of order: a snapshot is applied only when its
 * version is newer than the one held, so the projection converges on talent's state. The
 * write is conditioned on the snapshot read being still the one held, so what a consumer
 * derives from "held → incoming" (the branch entry moved, its own counters) is exact too.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Caller, selfOf } from '../../shared/auth.js';
import { conflict, noPerson } from '../../shared/errors.js';
import { patternFor } from '../../shared/events/contract.js';
import type { SubscriptionSpec, TableSpec } from '../../shared/service.js';
import { subscription } from '../../shared/service.js';
import { getInBatches } from '../../shared/store/batch.js';
import { getItem, queryAll } from '../../shared/store/query.js';
import type { Transaction } from '../../shared/store/transaction.js';
import { expectVersion } from '../../shared/store/version.js';
import {
  MemberJoinedBranch,
  MemberLeftBranch,
  memberStatuses,
  PersonRegistered,
  type PersonSnapshot,
  PersonUpdated,
  StageChanged,
} from './events.js';

export type RosterEntry = PersonSnapshot;

const personKey = (table: TableSpec, personId: string) => ({
  [table.partitionKey.name]: `PERSON#${personId}`,
  [table.sortKey.name]: 'ROSTER',
});
const branchKey = (table: TableSpec, branchId: string, personId: string) => ({
  [table.partitionKey.name]: `ROSTER#${branchId}`,
  [table.sortKey.name]: `PERSON#${personId}`,
});

const strip = (item: Record<string, unknown> | undefined): RosterEntry | undefined => {
  if (!item) return undefined;
  const {
    personId,
    version,
    name,
    gender,
    birthDate,
    department,
    branchId,
    partyGroupId,
    politicalStatus,
    statusSince,
    secretaryOf,
    departedOn,
  } = item as RosterEntry;
  return {
    personId,
    version,
    name,
    gender,
    birthDate,
    department,
    ...(branchId ? { branchId } : {}),
    ...(partyGroupId ? { partyGroupId } : {}),
    politicalStatus,
    statusSince,
    ...(secretaryOf ? { secretaryOf } : {}),
    ...(departedOn ? { departedOn } : {}),
  };
};

/**
 * The items a snapshot is kept as: the person's copy and, in a branch, its roster entry. The
 * subscriptions write them; a bulk load (the benchmark's 40,000 people) writes the same.
 */
export const rosterItems = (table: TableSpec, snapshot: RosterEntry): Record<string, unknown>[] => [
  { ...personKey(table, snapshot.personId), kind: 'roster-person', ...snapshot },
  ...(snapshot.branchId
    ? [{ ...branchKey(table, snapshot.branchId, snapshot.personId), kind: 'roster-entry', ...snapshot }]
    : []),
];

/** `roster-person-registered`, `roster-member-joined-branch`, ... */
export const rosterSubscriptionName = (eventName: string): string =>
  `roster-${eventName.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase())}`;

export interface RosterOptions {
  /**
   * Writes of the consumer's own that follow the roster (counters, say), added to the same
   * transaction as the snapshot, which commits only if `held` is still the snapshot stored:
   * a repeated, stale or raced event writes nothing. Not called for a snapshot not applied.
   */
  alsoWrite?: (held: RosterEntry | undefined, incoming: RosterEntry, tx: Transaction) => void;
}

/** The five subscriptions that keep the roster; add them to a service's description. */
export const rosterSubscriptions = (table: TableSpec, options: RosterOptions = {}): SubscriptionSpec[] =>
  [PersonRegistered, PersonUpdated, MemberJoinedBranch, MemberLeftBranch, StageChanged].map((contract) =>
    subscription<{ person: PersonSnapshot }>({
      name: rosterSubscriptionName(contract.name),
      pattern: patternFor(contract),
      contract: contract as never,
      handler: async (event, tx, context) => {
        const incoming = event.data.person;
        const held = strip(await getItem(context, personKey(table, incoming.personId)));
        if (held && held.version >= incoming.version) return; // an older or repeated snapshot
        const [personCopy, branchEntry] = rosterItems(table, incoming);
        // Another snapshot landed meanwhile: the delivery fails, and its retry re-reads.
        const movedOn = () => conflict('roster-moved-on', 'Another snapshot was applied meanwhile');
        tx.put(
          personCopy as Record<string, unknown>,
          held
            ? expectVersion(held.version, 'The roster entry', { onConditionFailed: movedOn })
            : {
                condition: 'attribute_not_exists(#pk)',
                names: { '#pk': table.partitionKey.name },
                onConditionFailed: movedOn,
              },
        );
        if (held?.branchId && held.branchId !== incoming.branchId) {
          tx.delete(branchKey(table, held.branchId, incoming.personId));
        }
        if (branchEntry) tx.put(branchEntry);
        options.alsoWrite?.(held, incoming, tx);
      },
    }),
  );

export interface RosterReader {
  db: DynamoDBDocumentClient;
  tableName: string;
  table: TableSpec;
}

const ownTable = (reader: RosterReader) => ({ db: reader.db, env: { tableName: reader.tableName } });

/** Everyone the service knows in a branch (every status); callers filter for members. */
export const branchRoster = async (
  reader: RosterReader,
  branchId: string,
  options: { consistent?: boolean } = {},
): Promise<RosterEntry[]> => {
  const items = await queryAll(ownTable(reader), {
    ...(options.consistent ? { ConsistentRead: true } : {}),
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': reader.table.partitionKey.name },
    ExpressionAttributeValues: { ':pk': `ROSTER#${branchId}` },
  });
  return items.map(strip).filter((entry): entry is RosterEntry => entry !== undefined);
};

/** Party members (probationary and full) of a branch, optionally of one party group. */
export const branchMembers = async (
  reader: RosterReader,
  branchId: string,
  partyGroupId?: string,
): Promise<RosterEntry[]> =>
  (await branchRoster(reader, branchId)).filter(
    (p) =>
      memberStatuses.includes(p.politicalStatus) &&
      (partyGroupId === undefined || p.partyGroupId === partyGroupId),
  );

/**
 * The branch's secretary (支部书记) as the copy holds them: none while the branch has no
 * secretary, and none for a copy written before snapshots carried the role (the next change
 * of the person brings it). A list, because while two snapshots cross (one named, one
 * replaced) the copy may briefly hold both.
 */
export const branchSecretaries = async (reader: RosterReader, branchId: string): Promise<RosterEntry[]> =>
  (await branchRoster(reader, branchId)).filter(
    (p) => p.secretaryOf === branchId && p.departedOn === undefined,
  );

export const rosterPerson = async (
  reader: RosterReader,
  personId: string,
): Promise<RosterEntry | undefined> =>
  strip(await getItem(ownTable(reader), personKey(reader.table, personId)));

/**
 * Many people at once, by id (100 to a BatchGet): the names on an export's rows. People the
 * copy does not hold are simply absent from the map.
 */
export const rosterPeople = async (
  reader: RosterReader,
  personIds: Iterable<string>,
): Promise<Map<string, RosterEntry>> => {
  const ids = [...new Set(personIds)];
  const items = await getInBatches(
    ownTable(reader),
    ids.map((personId) => personKey(reader.table, personId)),
  );
  const entries = items.map(strip).filter((entry): entry is RosterEntry => entry !== undefined);
  return new Map(entries.map((entry) => [entry.personId, entry]));
};

/**
 * The caller's own person, as the copy holds them, for a route that acts for the caller
 * themselves (a check-in, a study report, an attempt, a registration): 403 `no-person` when
 * the account is linked to no person or to an id the register does not hold, before anything
 * is written for it. The copy follows talent's events, so a person registered a moment ago
 * is known once their PersonRegistered has arrived.
 */
export const rosterSelf = async (reader: RosterReader, caller: Caller): Promise<RosterEntry> => {
  const entry = await rosterPerson(reader, selfOf(caller));
  // Someone who left the register is no one here either, though the copy keeps them.
  if (!entry || entry.departedOn !== undefined) throw noPerson();
  return entry;
};
