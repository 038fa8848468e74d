/** Helpers for the activities tests: a branch with a roster (via talent's events on the bus). */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { PersonRegistered, type PersonSnapshot } from '../../services/talent/events.js';
import { newId } from '../../shared/ids.js';
import { as, publish, runtime, settle, tableClient } from '../support/api.js';

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

/** Registers people in a branch on the real bus and waits until the roster holds them. */
export const seedRoster = async (people: (Partial<PersonSnapshot> & { personId: string })[]) => {
  for (const p of people) await publish(PersonRegistered, { person: snapshot(p) });
  await settle();
};

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
  const members = await Promise.all(memberIds.map((sub) => as({ roles: ['member'], branchId, sub })));
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

/** The i-th element, which the test knows is there. */
export const nth = <T>(xs: readonly T[], i: number): T => {
  const x = xs[i];
  if (x === undefined) throw new Error(`No element ${i}`);
  return x;
};
