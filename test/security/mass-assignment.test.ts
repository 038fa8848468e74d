/**
 * Mass assignment across every service: no request body may set what the server owns
 * (ids, statuses, versions as values, counters, stamps, the caller's organisation, a
 * person's political status outside a transition). Each service has its own detailed
 * test; this one holds the platform to the rule route by route, so a new route or a
 * loosened schema fails here. Refused means 400 naming the field, before any handler runs
 * (hostile-input proves refusals write nothing); the few places where such a name is a
 * legitimate input are listed, with why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { services } from '../../services/index.js';
import type { Persona, RouteSpec } from '../../shared/service.js';
import { type Response, request } from '../support/api.js';
import { coreOf, objectKeys } from './hostile/arbitrary.js';
import { fixtures as activities } from './matrix/activities.js';
import { fixtures as community } from './matrix/community.js';
import { fixtures as notices } from './matrix/notices.js';
import { fixtures as resources } from './matrix/resources.js';
import { fixtures as talent } from './matrix/talent.js';
import { buildWorld, type Call, type Fixtures, type World } from './matrix/world.js';

const fixtures: Fixtures = { ...talent, ...activities, ...resources, ...community, ...notices };
const routes = services.flatMap((s) => s.routes);
const writes = routes.filter((r) => r.request.body && r.method !== 'GET');

/** Names of things the server owns: no body may carry them (unless listed below). */
const serverOwned = [
  // ids of the object itself or of whoever acts
  'id',
  'activityId',
  'roomId',
  'bookingId',
  'jointEventId',
  'eventId',
  'registrationId',
  'partnerId',
  'orgId',
  'resourceId',
  'assignmentId',
  'assessmentId',
  'attemptId',
  'recordId',
  'personId',
  'branchId',
  'auditId',
  'sub',
  'actor',
  'createdBy',
  'updatedBy',
  'registrant',
  'owner',
  // lifecycle
  'status',
  'state',
  'approvedAt',
  'suspendedAt',
  'publishedAt',
  'cancelledAt',
  'completedAt',
  'politicalStatus',
  'statusSince',
  // optimistic concurrency and stamps
  'version',
  'createdAt',
  'updatedAt',
  'deletedAt',
  // counters
  'confirmed',
  'waitlisted',
  'remainingPlaces',
  'partnerConfirmed',
  'bookingsVersion',
  'attendees',
  'minutesStudied',
  'totalMinutes',
  'studiedMinutes',
  'attemptsUsed',
  'attempts',
  'score',
  'passed',
  'points',
  'checkInCode',
  'checkedInAt',
  // storage keys and privilege
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'role',
  'roles',
  'isAdmin',
  'groups',
] as const;

/**
 * Where one of those names is a real input, and why. Anything else in a body schema is a
 * finding. (`version` on a PATCH or PUT is the concurrency precondition, never a value:
 * proved below.)
 */
const legitimate: Record<string, readonly string[]> = {
  // Scheduling for a branch (the committee chooses it, a secretary's own is checked, 404
  // otherwise), in a room it books (会议室预订).
  'POST /activities': ['branchId', 'roomId'],
  // A campaign (统一部署) schedules the same for each branch it names, each in its own room.
  'POST /activities/campaigns': ['branchId', 'roomId'],
  // 0 while the defaults apply.
  'PUT /activities/settings/cadence': ['version'],
  'PATCH /activities/{activityId}': ['version', 'roomId'],
  // Attendance names the people and their attendance status (出勤状态), not a lifecycle.
  'PUT /activities/{activityId}/attendance': ['personId', 'status'],
  // `partyGroups` is the full new list: an `id` names a group the branch has (an unknown id
  // is a 422, proved below); a group without one is new and gets the service's id.
  'PATCH /talent/branches/{branchId}': ['version', 'id'],
  // Registration (入库): the documented optional personId (migration from the old roster),
  // the branch, and the political status the person has when first recorded.
  'POST /talent/people': ['personId', 'branchId', 'politicalStatus', 'statusSince'],
  'PATCH /talent/people/{personId}': ['version', 'branchId'],
  // An import's branch: what a blank 所在支部 means (the committee's choice; a secretary's
  // own, another branch is 404).
  'POST /talent/imports': ['branchId'],
  // A year's dues base, given the version read (0 while none is set).
  'PUT /talent/dues/{personId}/{year}': ['version'],
  // A pipeline event may point at the meeting it happened in.
  'POST /talent/people/{personId}/pipeline-events': ['activityId'],
  'PATCH /talent/people/{personId}/records/{recordId}': ['version'],
  'POST /talent/people/{personId}/departure': ['version'],
  'POST /talent/people/{personId}/transfer-out': ['version'],
  'POST /talent/people/{personId}/end-membership': ['version'],
  // A transfer in (组织关系转入): the branch it joins, the stage and its date the letter proves.
  'POST /talent/people/transfer-in': ['branchId', 'politicalStatus', 'statusSince'],
  'PATCH /resources/{resourceId}': ['version'],
  // What is assigned or assessed, and to whom.
  'POST /resources/assignments': ['resourceId', 'personIds', 'branchIds'],
  'POST /resources/assessments': ['resourceId'],
  'PATCH /community/events/{eventId}': ['version'],
  // Check-in names the registration being checked in.
  'POST /community/events/{eventId}/check-in': ['registrationId'],
};

// zod's internal definitions, typed loosely: they differ per schema type.
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Record<string, any> } })._zod.def;

/** Every key a body schema names, at any depth (`participants.name`). */
const keysDeep = (schema: z.ZodType, prefix = ''): string[] =>
  objectKeys(schema).flatMap(({ key }) => {
    const def = defOf(coreOf(schema));
    const shapes: (z.ZodType | undefined)[] =
      def.type === 'union'
        ? def.options.map((o: z.ZodType) => defOf(coreOf(o)).shape?.[key])
        : [def.shape?.[key]];
    const nested = shapes
      .filter((s): s is z.ZodType => s !== undefined)
      .flatMap((s) => {
        const inner = coreOf(s);
        const innerDef = defOf(inner);
        const element = innerDef.type === 'array' ? coreOf(innerDef.element) : inner;
        return keysDeep(element, `${prefix}${key}.`);
      });
    return [`${prefix}${key}`, ...nested];
  });

const order: Persona[] = ['committee', 'ownSecretary', 'member', 'ownPartner', 'anonymous'];
const personaFor = (route: RouteSpec): Persona =>
  order.find((p) => route.outcomes?.[p] === 'allowed') ?? 'committee';

let world: World;
beforeAll(async () => {
  world = await buildWorld();
}, 60_000);

const call = (route: RouteSpec, made: Call, body: unknown, persona = personaFor(route)): Promise<Response> =>
  request(route.method, `${made.path}${made.query ? `?${made.query}` : ''}`, body, {
    token: world.tokens[persona] ?? null,
    ...(made.now ? { now: made.now } : {}),
    ...(made.headers ? { headers: made.headers } : {}),
  });

const fieldsOf = (res: Response) =>
  ((res.body?.error?.details?.fields ?? []) as { field: string }[]).map((f) => f.field);

const fixtureOf = (route: RouteSpec) => {
  const fixture = fixtures[route.routeKey];
  if (!fixture) throw new Error(`no access-matrix fixture for ${route.routeKey}`);
  return fixture;
};

describe('no body schema names what the server owns', () => {
  it('outside the listed, explained exceptions', () => {
    const found = writes.flatMap((route) =>
      keysDeep(route.request.body as z.ZodType)
        .filter((key) => (serverOwned as readonly string[]).includes(key.split('.').at(-1) as string))
        .filter((key) => !(legitimate[route.routeKey] ?? []).includes(key.split('.').at(-1) as string))
        .map((key) => `${route.routeKey}: ${key}`),
    );
    expect(found).toEqual([]);
  });

  it('and the exceptions are still needed (an unused one is a stale hole)', () => {
    const stale = Object.entries(legitimate).flatMap(([routeKey, names]) => {
      const route = writes.find((r) => r.routeKey === routeKey);
      if (!route) return [`${routeKey}: no such route with a body`];
      const keys = keysDeep(route.request.body as z.ZodType).map((k) => k.split('.').at(-1));
      return names.filter((n) => !keys.includes(n)).map((n) => `${routeKey}: ${n}`);
    });
    expect(stale).toEqual([]);
  });
});

describe('a known-good request with a server-owned field added is refused, naming the field', () => {
  it.each(writes.map((r) => [r.routeKey, r] as const))('%s', async (_key, route) => {
    const made = await fixtureOf(route)(world, personaFor(route));
    const allowed = legitimate[route.routeKey] ?? [];
    const good = (made.body ?? {}) as Record<string, unknown>;
    const names = serverOwned.filter((name) => !allowed.includes(name) && !(name in good));
    const problems: string[] = [];
    // All at once: one request, every name must be reported.
    const res = await call(route, made, {
      ...good,
      ...Object.fromEntries(names.map((n) => [n, valueFor(n)])),
    });
    if (res.status !== 400) problems.push(`all at once: ${res.status} ${res.text.slice(0, 200)}`);
    const missing = names.filter((n) => !fieldsOf(res).includes(`body.${n}`));
    if (missing.length) problems.push(`not named as unknown: ${missing.join(', ')}`);
    expect(problems).toEqual([]);
  });
});

/** A plausible value for a name, so a refusal is for the name, not the value's type. */
const valueFor = (name: string): unknown => {
  if (/Id$|^id$|^sub$|^actor$|^createdBy$|^updatedBy$|^owner$/.test(name))
    return '01JZZZZZZZZZZZZZZZZZZZZZZZ';
  if (/At$|Since$/.test(name)) return '2026-01-01T00:00:00+08:00';
  if (name === 'status' || name === 'state') return 'approved';
  if (name === 'politicalStatus') return 'full';
  if (name === 'passed' || name === 'isAdmin') return true;
  if (name === 'roles' || name === 'groups') return ['committee'];
  if (name === 'role') return 'committee';
  if (name === 'registrant') return { kind: 'partner', partnerId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' };
  if (['pk', 'sk', 'gsi1pk', 'gsi1sk', 'checkInCode'].includes(name)) return 'X#1';
  return 7;
};

describe('a version in a body is a precondition, never a value', () => {
  const versioned = writes.filter((r) => (legitimate[r.routeKey] ?? []).includes('version'));

  it.each(versioned.map((r) => [r.routeKey, r] as const))('%s', async (_key, route) => {
    const made = await fixtureOf(route)(world, personaFor(route));
    const good = made.body as { version: number } & Record<string, unknown>;
    expect(typeof good.version, 'the fixture sends the current version').toBe('number');
    for (const wrong of [-1, 1.5, '1', null, 2 ** 53]) {
      const res = await call(route, made, { ...good, version: wrong });
      expect(res.status, `version ${JSON.stringify(wrong)}`).toBe(400);
      expect(fieldsOf(res)).toContain('body.version');
    }
    // A version from the future (a caller trying to set it) is a conflict, and changes nothing...
    const ahead = await call(route, made, { ...good, version: good.version + 1000 });
    expect(ahead.status, ahead.text).toBe(409);
    // ...so the current version still works, and the next one is the server's, not the caller's.
    const res = await call(route, made, good);
    expect(res.status, res.text).toBeLessThan(300);
    // A save that changes nothing may keep the version (cadence settings do); otherwise
    // the next version is the server's, and the one just used is stale.
    if (typeof res.body?.version === 'number' && res.body.version !== good.version) {
      expect(res.body.version).toBe(good.version + 1);
      const stale = await call(route, made, good);
      expect(stale.status, 'the same version again is stale now').toBe(409);
    }
  });
});

describe('talent: registration ids and political status', () => {
  const register = (personId?: string) => ({
    ...(personId ? { personId } : {}),
    name: '李四',
    gender: 'male',
    birthDate: '1991-03-02',
    department: '中药检验所',
    politicalStatus: 'masses',
    statusSince: '2020-01-01',
    branchId: world.branchA.branchId,
    partyGroupId: world.branchA.partyGroupId,
  });

  it('a personId already in use is a conflict, and the person on record is untouched', async () => {
    const admin = world.clients.committee;
    const before = await admin.get(`/talent/people/${world.people.member}`);
    const res = await admin.post('/talent/people', register(world.people.member));
    expect(res.status, res.text).toBe(409);
    const after = await admin.get(`/talent/people/${world.people.member}`);
    expect(after.body).toEqual(before.body);
  });

  it('PATCH cannot change politicalStatus or statusSince; only a transition does', async () => {
    const admin = world.clients.committee;
    const created = await admin.post('/talent/people', register());
    expect(created.status, created.text).toBe(201);
    const path = `/talent/people/${created.body.personId}`;
    for (const change of [{ politicalStatus: 'full' }, { statusSince: '2001-07-01' }]) {
      const res = await admin.patch(path, { version: created.body.version, ...change });
      expect(res.status, res.text).toBe(400);
      expect(fieldsOf(res)).toContain(`body.${Object.keys(change)[0]}`);
    }
    const after = await admin.get(path);
    expect(after.body).toMatchObject({ politicalStatus: 'masses', version: created.body.version });
  });
});

describe('talent: party group ids', () => {
  it('a PATCH cannot bring in a party group id of its own making', async () => {
    const admin = world.clients.committee;
    const created = await admin.post('/talent/branches', {
      name: `赋值测试支部 ${Date.now()}`,
      partyGroups: [{ name: '一组' }],
    });
    expect(created.status, created.text).toBe(201);
    const path = `/talent/branches/${created.body.branchId}`;
    const invented = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    const res = await admin.patch(path, {
      version: created.body.version,
      partyGroups: [{ id: invented, name: '二组' }],
    });
    expect(res.status, res.text).toBe(422);
    const after = await admin.get(path);
    expect(after.body.partyGroups.map((g: { id: string }) => g.id)).toEqual(
      created.body.partyGroups.map((g: { id: string }) => g.id),
    );
  });
});

describe("community: a partner cannot register under another partner's organisation", () => {
  it('refuses orgId in the body, and files the registration under the token’s organisation', async () => {
    const route = routes.find(
      (r) => r.routeKey === 'POST /community/events/{eventId}/registrations',
    ) as RouteSpec;
    const made = await fixtureOf(route)(world, 'ownPartner');
    const good = made.body as Record<string, unknown>;
    for (const extra of [{ orgId: world.orgB }, { partnerId: world.orgB }]) {
      const res = await call(route, made, { ...good, ...extra }, 'ownPartner');
      expect(res.status, res.text).toBe(400);
      expect(fieldsOf(res)).toContain(`body.${Object.keys(extra)[0]}`);
    }
    const res = await call(route, made, good, 'ownPartner');
    expect(res.status, res.text).toBe(201);
    // B's account does not see A's registration: it was filed under A, from A's token.
    const list = `${made.path}${made.query ? `?${made.query}` : ''}`;
    const mine = await request('GET', list, undefined, { token: world.tokens.ownPartner as string });
    const theirs = await request('GET', list, undefined, { token: world.tokens.otherPartner as string });
    const ids = (r: Response) =>
      ((r.body?.items ?? []) as { registrationId: string }[]).map((i) => i.registrationId);
    expect(ids(mine)).toContain(res.body.registrationId);
    expect(ids(theirs)).not.toContain(res.body.registrationId);
  });
});
