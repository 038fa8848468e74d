/** The roster projection on a real table (DynamoDB Local), fed events in awkward orders. */
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../shared/context.js';
import { createSubscriptionHandler } from '../../shared/events/consumer.js';
import type { BusEvent } from '../../shared/events/contract.js';
import { newId } from '../../shared/ids.js';
import { defineService } from '../../shared/service.js';
import { putRequests, writeInBatches } from '../../shared/store/batch.js';
import { notesService } from '../../test/notes/service.js';
import { runtime } from '../../test/support/api.js';
import { contextOn } from '../../test/support/start.js';
import type { PersonSnapshot } from './events.js';
import {
  branchMembers,
  branchRoster,
  branchSecretaries,
  rosterItems,
  rosterPeople,
  rosterPerson,
  rosterSubscriptionName,
  rosterSubscriptions,
} from './roster.js';

/** The consumer's own writes: one trace item per applied change, named "held → incoming". */
const service = defineService({
  ...notesService,
  subscriptions: rosterSubscriptions(notesService.table, {
    alsoWrite: (held, incoming, tx) => {
      tx.put({ pk: `TRACE#${incoming.personId}`, sk: `${held?.version ?? 0}->${incoming.version}` });
    },
  }),
});
const context = () => contextOn(runtime(), 'notes');

const snapshot = (over: Partial<PersonSnapshot>): PersonSnapshot => ({
  personId: 'p',
  version: 1,
  name: '张三',
  gender: 'male',
  birthDate: '1990-05-01',
  department: '化学室',
  politicalStatus: 'full',
  statusSince: '2015-07-01',
  ...over,
});

const deliver = async (
  detailType: string,
  data: Record<string, unknown>,
  ctx: ServiceContext = context(),
) => {
  const name = rosterSubscriptionName(detailType);
  const event: BusEvent = {
    version: '0',
    id: newId(),
    'detail-type': detailType,
    source: 'dangjian.talent',
    account: '0',
    time: '2026-11-26T00:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: { eventId: newId(), occurredAt: '2026-11-26T08:00:00+08:00', version: 1, data },
  };
  await createSubscriptionHandler(service, name, ctx)(event);
};

const reader = () => ({
  db: context().db,
  tableName: runtime().tableNames.notes as string,
  table: service.table,
});

describe('the roster projection', () => {
  it('follows a person into a branch and across to another', async () => {
    const personId = newId();
    const [a, b] = [newId(), newId()];
    await deliver('PersonRegistered', { person: snapshot({ personId, branchId: a, partyGroupId: 'g1' }) });
    expect((await branchMembers(reader(), a)).map((p) => p.personId)).toEqual([personId]);
    expect(await branchMembers(reader(), a, 'g2')).toEqual([]);

    const moved = snapshot({ personId, version: 2, branchId: b });
    await deliver('MemberLeftBranch', { person: moved, branchId: a });
    await deliver('MemberJoinedBranch', { person: moved, branchId: b });
    expect(await branchRoster(reader(), a)).toEqual([]);
    expect((await branchRoster(reader(), b)).map((p) => p.personId)).toEqual([personId]);
    expect((await rosterPerson(reader(), personId))?.branchId).toBe(b);
  });

  it('reads many people at once, past one BatchGet of 100, and leaves out whom it does not hold', async () => {
    const ids = Array.from({ length: 120 }, () => newId());
    // Loaded as a bulk load writes them (the same items the subscriptions write), not as 120 events at once.
    const items = ids.flatMap((personId, i) =>
      rosterItems(service.table, snapshot({ personId, name: `人${i}` })),
    );
    await writeInBatches(context(), putRequests(items));
    const unknown = newId();
    const people = await rosterPeople(reader(), [...ids, ids[0] as string, unknown]);
    expect(people.size).toBe(120);
    expect(people.get(ids[119] as string)?.name).toBe('人119');
    expect(people.has(unknown)).toBe(false);
  });

  it('ignores a snapshot older than the one it holds, whatever order events come in', async () => {
    const personId = newId();
    const [a, b] = [newId(), newId()];
    await deliver('MemberJoinedBranch', {
      person: snapshot({ personId, version: 3, branchId: b }),
      branchId: b,
    });
    await deliver('PersonRegistered', { person: snapshot({ personId, version: 1, branchId: a }) });
    expect(await branchRoster(reader(), a)).toEqual([]);
    expect((await rosterPerson(reader(), personId))?.version).toBe(3);
  });

  it('counts only probationary and full members as members', async () => {
    const branchId = newId();
    const activist = newId();
    const member = newId();
    await deliver('PersonRegistered', {
      person: snapshot({ personId: activist, branchId, politicalStatus: 'activist' }),
    });
    await deliver('PersonRegistered', {
      person: snapshot({ personId: member, branchId, politicalStatus: 'probationary' }),
    });
    expect((await branchMembers(reader(), branchId)).map((p) => p.personId)).toEqual([member]);
    await deliver('StageChanged', {
      person: snapshot({ personId: activist, branchId, politicalStatus: 'candidate', version: 2 }),
      from: 'activist',
      to: 'candidate',
      effectiveOn: '2026-11-26',
    });
    expect(
      (await branchRoster(reader(), branchId)).find((p) => p.personId === activist)?.politicalStatus,
    ).toBe('candidate');
  });
});

describe("a branch's secretary in the copy", () => {
  it('follows the role from one person to the next, and drops one who left', async () => {
    const branchId = newId();
    const [first, second] = [newId(), newId()];
    await deliver('PersonRegistered', { person: snapshot({ personId: first, branchId }) });
    await deliver('PersonRegistered', { person: snapshot({ personId: second, branchId }) });
    expect(await branchSecretaries(reader(), branchId)).toEqual([]);
    const named = (personId: string, version: number, secretaryOf?: string, departedOn?: string) =>
      deliver('PersonUpdated', {
        person: snapshot({
          personId,
          branchId,
          version,
          ...(secretaryOf ? { secretaryOf } : {}),
          ...(departedOn ? { departedOn } : {}),
        }),
        changed: ['roles'],
      });
    await named(first, 2, branchId);
    expect((await branchSecretaries(reader(), branchId)).map((p) => p.personId)).toEqual([first]);
    await named(first, 3);
    await named(second, 2, branchId);
    expect((await branchSecretaries(reader(), branchId)).map((p) => p.personId)).toEqual([second]);
    await named(second, 3, branchId, '2026-11-30');
    expect(await branchSecretaries(reader(), branchId)).toEqual([]);
  });
});

describe('what a consumer derives from "held → incoming"', () => {
  const traces = async (personId: string) =>
    (
      (
        await context().db.send(
          new QueryCommand({
            TableName: runtime().tableNames.notes as string,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `TRACE#${personId}` },
          }),
        )
      ).Items ?? []
    ).map((i) => i.sk);

  it('is written once per applied change, never for a repeated or older snapshot', async () => {
    const personId = newId();
    const branchId = newId();
    await deliver('PersonRegistered', { person: snapshot({ personId, branchId }) });
    await deliver('PersonUpdated', {
      person: snapshot({ personId, branchId, version: 2 }),
      changed: ['name'],
    });
    await deliver('PersonUpdated', {
      person: snapshot({ personId, branchId, version: 2 }),
      changed: ['name'],
    });
    await deliver('PersonRegistered', { person: snapshot({ personId, branchId }) });
    expect(await traces(personId)).toEqual(['0->1', '1->2']);
  });

  it('refuses to commit when another snapshot landed between its read and its write', async () => {
    const personId = newId();
    const [a, b, c] = [newId(), newId(), newId()];
    await deliver('PersonRegistered', { person: snapshot({ personId, branchId: a }) });
    const v2 = { person: snapshot({ personId, version: 2, branchId: b }), branchId: b };
    const v3 = { person: snapshot({ personId, version: 3, branchId: c }), branchId: c };
    // v3 reads v1 as held; just before it commits, v2 is applied by another delivery.
    const base = context();
    let raced = false;
    const racing: ServiceContext = {
      ...base,
      db: {
        send: async (command: unknown) => {
          if (command instanceof TransactWriteCommand && !raced) {
            raced = true;
            await deliver('MemberJoinedBranch', v2);
          }
          return base.db.send(command as never);
        },
      } as unknown as ServiceContext['db'],
    };
    await expect(deliver('MemberJoinedBranch', v3, racing)).rejects.toMatchObject({
      code: 'roster-moved-on',
    });
    // The bus delivers again; now it reads v2 as held.
    await deliver('MemberJoinedBranch', v3);
    expect(await traces(personId)).toEqual(['0->1', '1->2', '2->3']);
    expect(await branchRoster(reader(), b)).toEqual([]);
    expect((await branchRoster(reader(), c)).map((p) => p.personId)).toEqual([personId]);
  });
});
