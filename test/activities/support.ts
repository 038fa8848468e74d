/** Helpers for the activities tests: a branch with a roster (via talent's events on the bus). */
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { services } from '../../services/index.js';
import { PersonRegistered, type PersonSnapshot } from '../../services/talent/events.js';
import { rosterSubscriptionName } from '../../services/talent/roster.js';
import { newId } from '../../shared/ids.js';
import { as, type Identity, publish, runtime, tableClient } from '../support/api.js';
import { DELIVERY_BUDGET_MS, until } from '../support/wait.js';

type Client = Awaited<ReturnType<typeof as>>;

export const snapshot = (over: Partial<PersonSnapshot> & { personId: string }): PersonSnapshot => ({
  version: 1,
  name: '党员',
  gender: 'female',
  birthDate: '1990-05-01',
  department: '化学室',
  politicalStatus: 'full',
  statusSince: '2015-07-01',
  ...over,
});

/** The services that keep a copy of talent's roster (their own table each). */
const rosterKeepers = services
  .filter((s) => s.subscriptions.some((x) => x.name === rosterSubscriptionName(PersonRegistered.name)))
  .map((s) => s.name);

/** The people a service's roster copy does not hold (at their version) yet. */
const missingFrom = async (service: string, people: PersonSnapshot[]): Promise<PersonSnapshot[]> => {
  const table = runtime().tableNames[service] as string;
  const held = new Map<string, number>();
  for (let i = 0; i < people.length; i += 100) {
    const out = await tableClient().send(
      new BatchGetCommand({
        RequestItems: {
          [table]: {
            Keys: people.slice(i, i + 100).map((p) => ({ pk: `PERSON#${p.personId}`, sk: 'ROSTER' })),
            ConsistentRead: true,
          },
        },
      }),
    );
    // Keys left unprocessed count as not held yet: the next round reads them again.
    for (const item of out.Responses?.[table] ?? []) held.set(item.pk as string, item.version as number);
  }
  return people.filter((p) => !((held.get(`PERSON#${p.personId}`) ?? 0) >= p.version));
};

/**
 * Registers people in a branch on the real bus and waits until every roster copy holds them
 * at that version: the condition itself, not the whole platform going quiet, which other test
 * files keep busy on a loaded machine.
 */
export const seedRoster = async (people: (Partial<PersonSnapshot> & { personId: string })[]) => {
  const snapshots = people.map((p) => snapshot(p));
  for (const person of snapshots) await publish(PersonRegistered, { person });
  // A runtime of fewer services (some tests start their own) has fewer copies to wait for.
  const keepers = rosterKeepers.filter((s) => runtime().tableNames[s] !== undefined);
  // Only the copies not seen yet are read again, a batch per service: the reads share
  // DynamoDB Local with the very deliveries they wait for.
  const missing = new Map(keepers.map((service) => [service, snapshots]));
  const stillMissing = async () => {
    for (const [service, waiting] of missing) {
      const left = await missingFrom(service, waiting);
      if (left.length > 0) missing.set(service, left);
      else missing.delete(service);
    }
    return missing.size > 0;
  };
  const branches = [...new Set(snapshots.map((p) => (p.branchId ? `branch ${p.branchId}` : 'no branch')))];
  await until(
    () =>
      `${snapshots.length} people (${branches.join(', ')}) to reach the roster copies of ${keepers.join(', ')}; ` +
      `missing from ${[...missing].map(([service, left]) => `${service} (${left.length})`).join(', ')}`,
    DELIVERY_BUDGET_MS,
    async () => !(await stillMissing()),
  );
};

/**
 * Signs in as new people of the register, one per identity (in its branch, if it names
 * one): registered on the real bus, so every service's roster copy holds them, as it must
 * for anything a caller does for themselves (a check-in, a study report, an attempt, a
 * registration). The identities' own `personId`s are ignored.
 */
export const asPeople = async <const I extends readonly Identity[]>(
  ...identities: I
): Promise<{ -readonly [K in keyof I]: Client }> => {
  const people = identities.map((identity) => ({ ...identity, personId: newId() }));
  await seedRoster(people.map(({ personId, branchId }) => ({ personId, ...(branchId ? { branchId } : {}) })));
  const clients = await Promise.all(people.map((identity) => as(identity)));
  return clients as { -readonly [K in keyof I]: Client };
};

/** One new person of the register, signed in (see `asPeople`). */
export const asPerson = async (identity: Identity): Promise<Client> => (await asPeople(identity))[0];

/** `n` new members of the register (in the identity's branch, if any), signed in (see `asPeople`). */
export const asMembers = (n: number, identity: Omit<Identity, 'roles'> = {}): Promise<Client[]> =>
  asPeople(...Array.from({ length: n }, (): Identity => ({ roles: ['member'], ...identity })));

/** A fresh branch with a secretary and `n` full members (the first `grouped` in party group g1). */
export const branchWithMembers = async (n: number, options: { grouped?: number } = {}) => {
  const branchId = newId();
  const partyGroupId = newId();
  const memberIds = Array.from({ length: n }, () => newId());
  await seedRoster(
    memberIds.map((personId, i) => ({
      personId,
      branchId,
      ...(i < (options.grouped ?? 0) ? { partyGroupId } : {}),
    })),
  );
  const secretary = await as({ roles: ['secretary', 'member'], branchId });
  const members = await Promise.all(
    memberIds.map((personId) => as({ roles: ['member'], branchId, personId })),
  );
  return { branchId, partyGroupId, memberIds, secretary, members };
};

export const at = (iso: string) => ({ now: iso });

export const meeting = (branchId: string, over: Record<string, unknown> = {}) => ({
  branchId,
  type: 'branch-committee-meeting',
  title: '支委会',
  startsAt: '2026-11-26T09:00:00+08:00',
  endsAt: '2026-11-26T11:00:00+08:00',
  ...over,
});

/** A fresh branch of `n` members and its meeting of 2026-11-26 09:00–11:00, scheduled on 11-20; its code. */
export const meetingOfBranch = async (n = 1) => {
  const branch = await branchWithMembers(n);
  const { body } = await branch.secretary.post(
    '/activities',
    meeting(branch.branchId),
    at('2026-11-20T10:00:00+08:00'),
  );
  return { ...branch, activityId: body.activityId as string, code: body.checkInCode as string };
};

/** The events an activity put in its outbox, parsed. */
export const outboxOf = async (activityId: string) => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await tableClient().send(
      new QueryCommand({
        TableName: runtime().tableNames.activities as string,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `OUTBOX#${activityId}` },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.map((i) => ({
    detailType: i.detailType as string,
    data: (JSON.parse(i.detail as string) as { data: Record<string, any> }).data,
  }));
};

/** Everyone the AttendanceRecorded events among `events` name, one entry per naming. */
export const attendanceIn = (events: readonly { detailType: string; data: Record<string, any> }[]) =>
  events
    .filter((e) => e.detailType === 'AttendanceRecorded')
    .flatMap((e) => e.data.attendees as { personId: string; status: string }[]);

/** The i-th element, which the test knows is there. */
export const nth = <T>(xs: readonly T[], i: number): T => {
  const x = xs[i];
  if (x === undefined) throw new Error(`No element ${i}`);
  return x;
};
