/**
 * The party-group tally (党小组 member counts per branch) that compliance reads instead of
 * the whole roster: it follows talent through the API and the bus, stays exact under
 * repeated, late and concurrent events, and can be rebuilt from the roster copy.
 */
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../infra/local/dead-letters.js';
import { activitiesService } from '../../services/activities/service.js';
import { rebuildPartyGroupTallies } from '../../services/activities/store.js';
import {
  MemberJoinedBranch,
  PersonRegistered,
  PersonUpdated,
  StageChanged,
} from '../../services/talent/events.js';
import type { ServiceContext } from '../../shared/context.js';
import { newId } from '../../shared/ids.js';
import { publish, runtime, settle, tableClient } from '../support/api.js';
import { contextOn } from '../support/start.js';
import { type Client, committee, newBranch, register, TODAY } from '../talent/support.js';
import { snapshot } from './support.js';

const tallyKey = (branchId: string) => ({ pk: `GROUPS#${branchId}`, sk: 'GROUPS' });

/** The stored tally of a branch, as partyGroupId → members (zeros included: exact, not filtered). */
const tally = async (branchId: string) => {
  const out = await tableClient().send(
    new GetCommand({ TableName: runtime().tableNames.activities as string, Key: tallyKey(branchId) }),
  );
  return Object.fromEntries(
    Object.entries(out.Item ?? {}).flatMap(([name, n]) =>
      name.startsWith('GROUP#') ? [[name.slice('GROUP#'.length), n]] : [],
    ),
  );
};

/** The party groups compliance judges party-group meetings for (the route the tally serves). */
const judgedGroups = async (admin: Client, branchId: string) => {
  const res = await admin.get(`/activities/insights/compliance?branchId=${branchId}&year=2026`, {
    now: TODAY,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.branches[0].types as { type: string; partyGroupId?: string }[])
    .filter((t) => t.type === 'party-group-meeting')
    .map((t) => t.partyGroupId);
};

const groupsOf = async (admin: Client, names: string[]) => {
  const branch = await newBranch(
    admin,
    names.map((name) => ({ name })),
  );
  return { branchId: branch.branchId, groups: branch.partyGroups.map((g) => g.id) };
};

const patch = async (admin: Client, person: { personId: string; version: number }, body: object) => {
  const res = await admin.patch(
    `/talent/people/${person.personId}`,
    { version: person.version, ...body },
    { now: TODAY },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { personId: string; version: number };
};

describe('the party-group tally through talent', () => {
  it('counts members (预备 and 正式) per group on registration, and follows a change of group', async () => {
    const admin = await committee();
    const { branchId, groups } = await groupsOf(admin, ['第一党小组', '第二党小组']);
    const [g1, g2] = groups as [string, string];
    const full = await register(admin, { branchId, partyGroupId: g1, politicalStatus: 'full' });
    const probationary = await register(admin, {
      branchId,
      partyGroupId: g1,
      politicalStatus: 'probationary',
      statusSince: '2026-03-01',
    });
    await register(admin, { branchId, partyGroupId: g2, politicalStatus: 'activist' });
    await register(admin, { branchId, politicalStatus: 'full' });
    await settle();
    expect(await tally(branchId)).toEqual({ [g1]: 2 });
    expect(await judgedGroups(admin, branchId)).toEqual([g1]);

    await patch(admin, full, { partyGroupId: g2 });
    await settle();
    expect(await tally(branchId)).toEqual({ [g1]: 1, [g2]: 1 });
    expect(await judgedGroups(admin, branchId)).toEqual([g1, g2].sort());

    await patch(admin, probationary, { partyGroupId: null });
    await settle();
    expect(await tally(branchId)).toEqual({ [g1]: 0, [g2]: 1 });
    expect(await judgedGroups(admin, branchId)).toEqual([g2]);
  });

  it('moves the count with a member moved to another branch', async () => {
    const admin = await committee();
    const from = await groupsOf(admin, ['甲组']);
    const to = await groupsOf(admin, ['乙组']);
    const person = await register(admin, {
      branchId: from.branchId,
      partyGroupId: from.groups[0],
      politicalStatus: 'full',
    });
    await settle();
    expect(await tally(from.branchId)).toEqual({ [from.groups[0] as string]: 1 });

    await patch(admin, person, { branchId: to.branchId, partyGroupId: to.groups[0] });
    await settle();
    expect(await tally(from.branchId)).toEqual({ [from.groups[0] as string]: 0 });
    expect(await tally(to.branchId)).toEqual({ [to.groups[0] as string]: 1 });
    expect(await judgedGroups(admin, from.branchId)).toEqual([]);
    expect(await judgedGroups(admin, to.branchId)).toEqual(to.groups);
  });

  it('drops a probationary member whose membership is cancelled (out of membership)', async () => {
    const admin = await committee();
    const { branchId, groups } = await groupsOf(admin, ['丙组']);
    const g = groups[0] as string;
    const person = await register(admin, {
      branchId,
      partyGroupId: g,
      politicalStatus: 'probationary',
      statusSince: '2026-03-01',
    });
    await settle();
    expect(await tally(branchId)).toEqual({ [g]: 1 });
    const cancelled = await admin.post(
      `/talent/people/${person.personId}/transitions`,
      { to: 'masses', effectiveOn: '2026-11-01', evidence: { reason: '预备期内不履行党员义务' } },
      { now: TODAY },
    );
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(201);
    await settle();
    expect(await tally(branchId)).toEqual({ [g]: 0 });
    expect(await judgedGroups(admin, branchId)).toEqual([]);
  });

  it('stays exact when many people of one branch are registered at once', async () => {
    const admin = await committee();
    const { branchId, groups } = await groupsOf(admin, ['一组', '二组', '三组']);
    const statuses = ['full', 'probationary', 'candidate'] as const;
    const people = Array.from({ length: 24 }, (_, i) => ({
      partyGroupId: groups[i % 3] as string,
      politicalStatus: statuses[Math.floor(i / 3) % 3] as string,
    }));
    await Promise.all(
      people.map((p) =>
        register(admin, {
          branchId,
          ...p,
          ...(p.politicalStatus === 'probationary' ? { statusSince: '2026-03-01' } : {}),
        }),
      ),
    );
    await settle();
    const expected: Record<string, number> = {};
    for (const p of people.filter((x) => x.politicalStatus !== 'candidate')) {
      expected[p.partyGroupId] = (expected[p.partyGroupId] ?? 0) + 1;
    }
    expect(await tally(branchId)).toEqual(expected);
    // A delivery that lost every race would be a dead letter and a member short.
    const letters = (await (await fetch(`${runtime().busEndpoint}/dead-letters`)).json()) as {
      items: DeadLetter[];
    };
    expect(letters.items.filter((l) => JSON.stringify(l.event).includes(branchId))).toEqual([]);
  });
});

describe('compliance reads', () => {
  it("one tally per branch, and its evidence tally, besides the year's activities, not the branch's people", async () => {
    const branchId = newId();
    const groups = [newId(), newId(), newId()];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        publish(PersonRegistered, {
          person: snapshot({ personId: newId(), branchId, partyGroupId: groups[i % 3] as string }),
        }),
      ),
    );
    await settle();
    const base = contextOn(runtime(), 'activities');
    const reads: string[] = [];
    const counting: ServiceContext = {
      ...base,
      db: {
        send: (command: { constructor: { name: string }; input: Record<string, any> }) => {
          const { Key, ExpressionAttributeValues } = command.input;
          reads.push(`${command.constructor.name} ${Key?.pk ?? ExpressionAttributeValues?.[':b'] ?? '?'}`);
          return base.db.send(command as never);
        },
      } as unknown as ServiceContext['db'],
    };
    const compliance = activitiesService.routes.find((r) => r.path === '/activities/insights/compliance');
    const res = await compliance?.handler(
      {
        body: undefined,
        query: { branchId, year: 2026 },
        params: {},
        caller: { sub: newId(), roles: ['committee'], role: 'committee' },
        requestId: newId(),
        now: new Date(TODAY),
        headers: {},
      } as never,
      counting,
    );
    // The branch's evidence tally (佐证材料) is one more item, never a read per meeting.
    expect(reads.sort()).toEqual([
      `GetCommand EVIDENCE#${branchId}`,
      `GetCommand GROUPS#${branchId}`,
      'GetCommand SETTINGS',
      `QueryCommand BRANCH#${branchId}`,
    ]);
    const types = (res as { body: { branches: { types: { type: string; partyGroupId?: string }[] }[] } }).body
      .branches[0]?.types;
    expect(types?.filter((t) => t.type === 'party-group-meeting').map((t) => t.partyGroupId)).toEqual(
      [...groups].sort(),
    );
  });
});

describe('the party-group tally under awkward deliveries', () => {
  const person = (over: Parameters<typeof snapshot>[0]) => ({ person: snapshot(over) });

  it('follows a stage change into membership, once however often it is delivered', async () => {
    const [personId, branchId, g] = [newId(), newId(), newId()];
    await publish(
      PersonRegistered,
      person({ personId, branchId, partyGroupId: g, politicalStatus: 'candidate' }),
    );
    await settle();
    expect(await tally(branchId)).toEqual({});

    const admitted = {
      ...person({ personId, branchId, partyGroupId: g, politicalStatus: 'probationary', version: 2 }),
      from: 'candidate' as const,
      to: 'probationary' as const,
      effectiveOn: '2026-11-01',
    };
    const envelope = await publish(StageChanged, admitted);
    await publish(StageChanged, admitted, { envelope }); // the very same event again
    await publish(StageChanged, admitted); // the same change, another delivery id
    await settle();
    expect(await tally(branchId)).toEqual({ [g]: 1 });
  });

  it('ignores snapshots older than the one applied, whatever order they arrive in', async () => {
    const personId = newId();
    const [first, second] = [newId(), newId()];
    const [g1, g2, g3] = [newId(), newId(), newId()];
    // Talent's history: registered in `first`/g1 (v1), moved to g2 (v2), then to `second`/g3 (v3).
    const v1 = person({ personId, branchId: first, partyGroupId: g1 });
    const v2 = person({ personId, branchId: first, partyGroupId: g2, version: 2 });
    const v3 = person({ personId, branchId: second, partyGroupId: g3, version: 3 });

    await publish(MemberJoinedBranch, { ...v3, branchId: second });
    await settle();
    await publish(PersonRegistered, v1);
    await publish(PersonUpdated, { ...v2, changed: ['partyGroupId'] });
    await settle();
    expect(await tally(first)).toEqual({});
    expect(await tally(second)).toEqual({ [g3]: 1 });

    // In order, with v2 late and delivered twice.
    const other = newId();
    await publish(PersonRegistered, {
      person: snapshot({ personId: other, branchId: first, partyGroupId: g1 }),
    });
    await settle();
    const later = person({ personId: other, branchId: first, partyGroupId: g2, version: 3 });
    await publish(PersonUpdated, { ...later, changed: ['partyGroupId'] });
    await settle();
    const late = person({ personId: other, branchId: first, politicalStatus: 'masses', version: 2 });
    await publish(PersonUpdated, { ...late, changed: ['politicalStatus'] });
    await publish(PersonUpdated, { ...late, changed: ['politicalStatus'] });
    await settle();
    expect(await tally(first)).toEqual({ [g1]: 0, [g2]: 1 });
  });
});

describe('rebuilding the tallies (backfill)', () => {
  it('recounts every known branch from its roster copy, and again to the same result', async () => {
    const [lost, wrong] = [newId(), newId()];
    const [g1, g2] = [newId(), newId()];
    for (const [branchId, partyGroupId] of [
      [lost, g1],
      [lost, g1],
      [lost, g2],
      [wrong, g1],
    ] as const) {
      await publish(PersonRegistered, { person: snapshot({ personId: newId(), branchId, partyGroupId }) });
    }
    await settle();
    const table = runtime().tableNames.activities as string;
    // A table from before the tallies (none at all), and a tally gone astray.
    await tableClient().send(new DeleteCommand({ TableName: table, Key: tallyKey(lost) }));
    await tableClient().send(
      new UpdateCommand({
        TableName: table,
        Key: tallyKey(wrong),
        UpdateExpression: 'SET #g1 = :n, #g9 = :n',
        ExpressionAttributeNames: { '#g1': `GROUP#${g1}`, '#g9': 'GROUP#nobody' },
        ExpressionAttributeValues: { ':n': 7 },
      }),
    );
    expect(await tally(lost)).toEqual({});

    const ctx = contextOn(runtime(), 'activities');
    expect(await rebuildPartyGroupTallies(ctx)).toBeGreaterThanOrEqual(2);
    expect(await tally(lost)).toEqual({ [g1]: 2, [g2]: 1 });
    expect(await tally(wrong)).toEqual({ [g1]: 1 });

    await rebuildPartyGroupTallies(ctx);
    expect(await tally(lost)).toEqual({ [g1]: 2, [g2]: 1 });

    // Events after the rebuild count on from it.
    await publish(PersonRegistered, {
      person: snapshot({ personId: newId(), branchId: lost, partyGroupId: g2 }),
    });
    await settle();
    expect(await tally(lost)).toEqual({ [g1]: 2, [g2]: 2 });
  });

  it('starts a branch over when a roster event lands between its reads and its write', async () => {
    const [branchId, g] = [newId(), newId()];
    await publish(PersonRegistered, { person: snapshot({ personId: newId(), branchId, partyGroupId: g }) });
    await settle();
    const base = contextOn(runtime(), 'activities');
    let raced = false;
    const racing: ServiceContext = {
      ...base,
      db: {
        send: async (command: unknown) => {
          const written =
            command instanceof TransactWriteCommand && command.input.TransactItems?.[0]?.Put?.Item;
          if (written && written.pk === `GROUPS#${branchId}` && !raced) {
            // The rebuild has counted one member; a second registers before it writes.
            raced = true;
            await publish(PersonRegistered, {
              person: snapshot({ personId: newId(), branchId, partyGroupId: g }),
            });
            await settle();
          }
          return base.db.send(command as never);
        },
      } as unknown as ServiceContext['db'],
    };
    await rebuildPartyGroupTallies(racing);
    expect(raced).toBe(true);
    expect(await tally(branchId)).toEqual({ [g]: 2 });
  });
});
