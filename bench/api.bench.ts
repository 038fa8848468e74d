/**
 * The platform as users and the bill feel it, with the real handlers behind the local
 * gateway, on a seeded institution (4 branches, 400 people, a year of activities with
 * attendance, 50 resources, 2 joint events):
 *   2. latency and throughput per route class at 1, 8 and 32 connections (autocannon, in
 *      its own process so it does not share the gateway's event loop);
 *   3. event delay from a write's response to the consumer's effect in another service;
 *   4. contention: 500 registrations for 100 places, 50 bookings of one room at once;
 *   5. cost per request on AWS: consumed capacity, events and Lambda time per route, priced.
 * Everything runs on this machine (DynamoDB Local on Java included): the figures compare
 * changes to our code, they are not what AWS would answer.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SeedSummary, seedInstitution } from '../infra/local/seed/institution.js';
import { newId } from '../shared/ids.js';
import {
  monthlyBill,
  monthlyRequests,
  REFERENCE_INSTITUTION,
  type RouteFigures,
  type StageFacts,
} from './support/bill.js';
import { type CostedRequest, MEMORY_MB, measureCost, type RouteCost } from './support/cost.js';
import type { LoadRequest, LoadResult, LoadSpec } from './support/load.js';
import { onDelivery, type Platform, pool, type Reply, startPlatform } from './support/platform.js';
import { PRICES } from './support/prices.js';
import { ascending, percentile, printTable, RESULTS_FILE, round, saveResults } from './support/report.js';
import { stageFacts } from './support/stage-facts.js';

/** The instant every request is made at (the runtime's test clock), so runs are comparable. */
const NOW = '2026-11-26T10:00:00+08:00';
const SCALE = { people: 400, activityMonths: 12, resources: 50, jointEvents: 2, partners: 3 };
const CONNECTIONS = [1, 8, 32] as const;
/** Seconds per read measurement; writes run a fixed number of requests (each needs fresh data). */
const READ_SECONDS = 3;
const WRITES_PER_LEVEL = 150;
const EVENT_DELAY_SAMPLES = 500;
/** Sequential requests per route for the cost table (each followed by a settle). */
const COST_SAMPLES = 5;
const EVENT_DELAY_LANES = 8;
const CONTENDERS = 500;
const PLACES = 100;
const ROOM_CONTENDERS = 50;
/** Rounds of retries the contenders make after a 503 or a concurrent-update 409. */
const MAX_RETRY_ROUNDS = 5;

const registrationWindow = {
  registrationOpensAt: '2026-11-01T09:00:00+08:00',
  registrationClosesAt: '2027-03-10T18:00:00+08:00',
  startsAt: '2027-03-12T09:00:00+08:00',
  endsAt: '2027-03-12T11:40:00+08:00',
};

const person = (branchId: string, i: number, politicalStatus = 'masses') => ({
  name: `基准${i}`,
  gender: i % 2 ? 'male' : 'female',
  birthDate: `19${70 + (i % 30)}-05-0${1 + (i % 9)}`,
  department: '基准检验室',
  branchId,
  politicalStatus,
  statusSince: politicalStatus === 'full' ? '2015-07-01' : '2020-01-01',
  // Full members arrive with their history, on the committee's authority.
  ...(politicalStatus === 'full'
    ? { history: { evidence: { kind: 'party-file', reference: `基准档案${i}`, issuedOn: '2015-07-01' } } }
    : {}),
});

interface Fixtures {
  seed: BenchSeed;
  committee: string;
  benchBranchId: string;
  /** People in 'masses', one transition each. */
  transitionIds: string[];
  openEventId: string;
  members: string[];
  personIds: string[];
  branchIds: string[];
}

/** A request the bench can send sequentially (cost) or hand to autocannon (latency). */
interface RouteClass extends CostedRequest {
  name: string;
  /** Reads can repeat forever; writes consume fixtures, so they run a fixed count. */
  write: boolean;
}

const routeClasses = (f: Fixtures): RouteClass[] => {
  const c = f.committee;
  let transition = 0;
  let member = 0;
  return [
    {
      name: 'read by key',
      route: 'GET /talent/people/{personId}',
      status: 200,
      write: false,
      request: (i) => ({
        method: 'GET',
        path: `/talent/people/${f.personIds[i % f.personIds.length]}`,
        options: { token: c, now: NOW },
      }),
    },
    {
      name: 'paged list',
      route: 'GET /talent/people?branchId',
      status: 200,
      write: false,
      request: (i) => ({
        method: 'GET',
        path: `/talent/people?branchId=${f.branchIds[i % f.branchIds.length]}`,
        options: { token: c, now: NOW },
      }),
    },
    {
      name: 'write with an event',
      route: 'POST /talent/people',
      status: 201,
      write: true,
      request: (i) => ({
        method: 'POST',
        path: '/talent/people',
        options: { token: c, now: NOW, body: person(f.benchBranchId, 10_000 + i) },
      }),
    },
    {
      name: 'transition with its rules',
      route: 'POST /talent/people/{personId}/transitions',
      status: 201,
      write: true,
      request: () => ({
        method: 'POST',
        path: `/talent/people/${f.transitionIds[transition++ % f.transitionIds.length]}/transitions`,
        options: { token: c, now: NOW, body: { to: 'applicant', effectiveOn: NOW.slice(0, 10) } },
      }),
    },
    {
      name: 'insight: age structure',
      route: 'GET /talent/insights/age-structure',
      status: 200,
      write: false,
      request: () => ({
        method: 'GET',
        path: '/talent/insights/age-structure',
        options: { token: c, now: NOW },
      }),
    },
    {
      name: 'insight: compliance',
      route: 'GET /activities/insights/compliance',
      status: 200,
      write: false,
      request: () => ({
        method: 'GET',
        path: '/activities/insights/compliance',
        options: { token: c, now: NOW },
      }),
    },
    {
      name: 'joint-event registration',
      route: 'POST /community/events/{eventId}/registrations',
      status: 201,
      write: true,
      request: () => ({
        method: 'POST',
        path: `/community/events/${f.openEventId}/registrations`,
        options: { token: f.members[member++ % f.members.length], now: NOW, body: {} },
      }),
    },
  ];
};

/** More routes for the cost table only: what a day of use touches besides the classes above. */
const moreRoutes = (f: Fixtures): RouteClass[] => {
  const c = f.committee;
  const branch = f.seed.branches[0] as SeedSummary['branches'][number];
  const someone = f.seed.people[0]?.personId as string;
  const get = (route: string, path: string, token = c): RouteClass => ({
    name: '',
    route,
    status: 200,
    write: false,
    request: () => ({ method: 'GET', path, options: { token, now: NOW } }),
  });
  let scheduled = 0;
  return [
    get(
      'GET /talent/insights/age-structure?branchId',
      `/talent/insights/age-structure?branchId=${branch.branchId}`,
    ),
    get('GET /talent/insights/pipeline', '/talent/insights/pipeline'),
    get(
      'GET /activities/insights/compliance?branchId',
      `/activities/insights/compliance?branchId=${branch.branchId}`,
    ),
    get(
      'GET /activities/insights/participation?branchId',
      `/activities/insights/participation?branchId=${branch.branchId}`,
    ),
    get('GET /talent/people/{personId}/timeline', `/talent/people/${someone}/timeline`),
    get('GET /talent/branches', '/talent/branches'),
    get('GET /activities?branchId', `/activities?branchId=${branch.branchId}`),
    get('GET /activities/{activityId}', `/activities/${f.seed.activityIds[0]}`),
    get('GET /community/events', '/community/events'),
    get('GET /resources', '/resources'),
    {
      name: '',
      route: 'POST /activities',
      status: 201,
      write: true,
      // Its consumers' work (notices' inbox entries) grows with the invitees: the bill scales by them.
      onReply(this: RouteClass, reply: Reply) {
        this.invitees = (reply.body.inviteeIds as string[]).length;
      },
      request: () => {
        const day = String(1 + (scheduled++ % 28)).padStart(2, '0');
        return {
          method: 'POST',
          path: '/activities',
          options: {
            token: c,
            now: NOW,
            body: {
              branchId: branch.branchId,
              type: 'branch-committee-meeting',
              title: '基准 党小组会',
              startsAt: `2027-01-${day}T09:00:00+08:00`,
              endsAt: `2027-01-${day}T10:00:00+08:00`,
            },
          },
        };
      },
    },
  ].map((r) => ({ ...r, name: r.name || 'more' }));
};

/**
 * The writes a month of the reference institution makes that the classes above do not cover
 * (support/bill.ts): a meeting's check-ins and completion, study, assessments, a joint
 * event's life. Each sample works on its own fixture, made beforehand by `billFixtures`.
 */
const billRoutes = (f: Fixtures, b: BillFixtures): RouteClass[] => {
  const c = f.committee;
  const write = (
    route: string,
    status: number,
    request: RouteClass['request'],
    extra: Partial<RouteClass> = {},
  ): RouteClass => ({
    name: 'bill',
    route,
    status,
    write: true,
    request,
    ...extra,
  });
  const attempts: { attemptId: string; questions: { questionId: string; kind: string }[] }[] = [];
  const answerOf = (kind: string): unknown => (kind === 'true-false' ? true : kind === 'multiple' ? [0] : 0);
  return [
    write('POST /activities/{activityId}/check-in', 201, (i) => ({
      method: 'POST',
      path: `/activities/${b.checkIn.activityId}/check-in`,
      options: { token: b.memberTokens[i] as string, now: NOW, body: { code: b.checkIn.code } },
    })),
    write(
      'POST /activities/{activityId}/complete',
      200,
      (i) => ({
        method: 'POST',
        path: `/activities/${b.toComplete[i]}/complete`,
        // An hour after it ended: no late-entry reason is needed yet.
        options: { token: c, now: b.afterMeetings, body: { minutes: '基准 会议记录', resolutions: [] } },
      }),
      { invitees: b.meetingInvitees },
    ),
    write('POST /resources/{resourceId}/progress', 200, (i) => ({
      method: 'POST',
      path: `/resources/${b.resourceId}/progress`,
      options: { token: b.memberTokens[i] as string, now: NOW, body: { minutes: 15, completed: true } },
    })),
    write(
      'POST /resources/assessments/{assessmentId}/attempts',
      201,
      (i) => ({
        method: 'POST',
        path: `/resources/assessments/${b.assessmentId}/attempts`,
        options: { token: b.memberTokens[i] as string, now: NOW },
      }),
      {
        onReply: (reply, i) => {
          attempts[i] = reply.body;
        },
      },
    ),
    write('POST /resources/assessments/{assessmentId}/attempts/{attemptId}/submit', 200, (i) => {
      const attempt = attempts[i] as (typeof attempts)[number];
      return {
        method: 'POST',
        path: `/resources/assessments/${b.assessmentId}/attempts/${attempt.attemptId}/submit`,
        options: {
          token: b.memberTokens[i] as string,
          now: NOW,
          body: {
            answers: Object.fromEntries(attempt.questions.map((q) => [q.questionId, answerOf(q.kind)])),
          },
        },
      };
    }),
    write('POST /community/events', 201, (i) => ({
      method: 'POST',
      path: '/community/events',
      options: { token: c, now: NOW, body: jointEvent(`基准 共建活动 ${i}`) },
    })),
    write('POST /community/events/{eventId}/publish', 200, (i) => ({
      method: 'POST',
      path: `/community/events/${b.drafts[i]}/publish`,
      options: { token: c, now: NOW },
    })),
    write(
      'POST /notices/announcements/{announcementId}/publish',
      200,
      (i) => ({
        method: 'POST',
        path: `/notices/announcements/${b.announcements[i]}/publish`,
        options: { token: c, now: NOW },
      }),
      { invitees: b.recipients },
    ),
    write('POST /notices/me/{noticeId}/read', 200, (i) => ({
      method: 'POST',
      path: `/notices/me/${b.announcements[0]}/read`,
      options: { token: b.memberTokens[i] as string, now: NOW },
    })),
    write('GET /notices/me', 200, (i) => ({
      method: 'GET',
      path: '/notices/me',
      options: { token: b.memberTokens[i] as string, now: NOW },
    })),
    write('GET /notices/me/unread-count', 200, (i) => ({
      method: 'GET',
      path: '/notices/me/unread-count',
      options: { token: b.memberTokens[i] as string, now: NOW },
    })),
    write(
      'POST /community/events/{eventId}/complete',
      200,
      (i) => ({
        method: 'POST',
        path: `/community/events/${b.toCompleteEvents[i]}/complete`,
        options: { token: c, now: b.afterEvents },
      }),
      { invitees: b.eventParticipants },
    ),
  ];
};

const jointEvent = (title: string) => ({
  title,
  kind: 'health-service',
  description: '基准测试',
  location: '社区服务中心',
  capacity: 200,
  ...registrationWindow,
});

interface BillFixtures {
  memberTokens: string[];
  checkIn: { activityId: string; code: string };
  toComplete: string[];
  meetingInvitees: number;
  afterMeetings: string;
  resourceId: string;
  assessmentId: string;
  drafts: string[];
  toCompleteEvents: string[];
  eventParticipants: number;
  afterEvents: string;
  /** Drafts of the committee's announcements to the branch, and its party members (their recipients). */
  announcements: string[];
  recipients: number;
}

/** Members' tokens (one per sample) and a fixture for every sample of `billRoutes`. */
const billFixtures = async (p: Platform, f: Fixtures): Promise<BillFixtures> => {
  const c = f.committee;
  const branchId = f.seed.branches[0]?.branchId as string;
  const members = f.seed.people
    .filter((x) => x.branchId === branchId && ['full', 'probationary'].includes(x.politicalStatus))
    .map((x) => x.personId);
  if (members.length < COST_SAMPLES)
    throw new Error(`The bill's fixtures need ${COST_SAMPLES} members of a branch`);
  const memberTokens = await Promise.all(
    members.slice(-COST_SAMPLES).map((personId) => p.token({ roles: ['member'], personId, branchId })),
  );
  const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();
  const meeting = async (title: string, startsInMinutes: number) =>
    (
      await p.expect(201, 'POST', '/activities', {
        token: c,
        now: NOW,
        // No invitees named: the branch's members, as a 主题党日 invites them.
        body: {
          branchId,
          type: 'theme-day',
          title,
          location: '党员活动室',
          startsAt: at(startsInMinutes),
          endsAt: at(startsInMinutes + 60),
        },
      })
    ).body as { activityId: string; inviteeIds: string[] };
  // Check-in opens half an hour before the start.
  const checkIn = await meeting('基准 签到', 10);
  const code = (await p.expect(200, 'GET', `/activities/${checkIn.activityId}`, { token: c, now: NOW })).body
    .checkInCode as string;
  const toComplete: { activityId: string; inviteeIds: string[] }[] = [];
  for (let i = 0; i < COST_SAMPLES; i++) toComplete.push(await meeting(`基准 完成 ${i}`, 24 * 60 + i * 90));
  const afterMeetings = at(24 * 60 + COST_SAMPLES * 90 + 60);

  const drafts: string[] = [];
  const toCompleteEvents: string[] = [];
  const participants = 10;
  for (let i = 0; i < COST_SAMPLES; i++) {
    drafts.push(
      (
        await p.expect(201, 'POST', '/community/events', {
          token: c,
          now: NOW,
          body: jointEvent(`基准 草稿 ${i}`),
        })
      ).body.jointEventId,
    );
    const held = (
      await p.expect(201, 'POST', '/community/events', {
        token: c,
        now: NOW,
        body: jointEvent(`基准 已办 ${i}`),
      })
    ).body.jointEventId as string;
    await p.expect(200, 'POST', `/community/events/${held}/publish`, { token: c, now: NOW });
    for (let k = 0; k < participants; k++) {
      await p.expect(201, 'POST', `/community/events/${held}/registrations`, {
        token: f.members[(i * participants + k) % f.members.length] as string,
        now: NOW,
        body: {},
      });
    }
    toCompleteEvents.push(held);
  }
  const announcements: string[] = [];
  for (let i = 0; i < COST_SAMPLES; i++) {
    const drafted = await p.expect(201, 'POST', '/notices/announcements', {
      token: c,
      now: NOW,
      body: {
        title: `基准 通知 ${i}`,
        text: '基准测试',
        audience: { kind: 'branches', branchIds: [branchId] },
      },
    });
    announcements.push(drafted.body.announcementId as string);
  }
  await p.runtime.settle();
  return {
    announcements,
    recipients: members.length,
    memberTokens,
    checkIn: { activityId: checkIn.activityId, code },
    toComplete: toComplete.map((a) => a.activityId),
    meetingInvitees: toComplete[0]?.inviteeIds.length ?? 0,
    afterMeetings,
    resourceId: f.seed.resourceIds[1] ?? (f.seed.resourceIds[0] as string),
    assessmentId: f.seed.assessmentIds[0] as string,
    drafts,
    toCompleteEvents,
    eventParticipants: participants,
    afterEvents: new Date(Date.parse(registrationWindow.endsAt) + 3_600_000).toISOString(),
  };
};

/** The stages priced in US dollars; prod-cn is billed in CNY from AWS China's own price list. */
const BILLED_STAGES = ['dev', 'staging', 'prod'] as const;

/** The total each stage's bill came to in bench/results.json, to show what moved it. */
const recordedBills = (): Map<string, number> => {
  try {
    const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as {
      api?: { monthlyBill?: { stages?: { stage: string; totalUsd: number }[] } };
    };
    return new Map((results.api?.monthlyBill?.stages ?? []).map((b) => [b.stage, b.totalUsd]));
  } catch {
    return new Map();
  }
};

/** 5b: the reference institution's month on each stage, from the routes just measured. */
const printBills = (costs: readonly RouteCost[]) => {
  const figures: RouteFigures[] = costs.map((c) => ({
    route: c.route,
    latencyMs: c.latencyMs,
    readUnits: c.sync.readUnits + c.downstream.readUnits,
    writeUnits: c.sync.writeUnits + c.downstream.writeUnits,
    events: c.events,
    deliveries: c.deliveries,
    consumerMs: c.consumerMs,
    ...(c.invitees !== undefined ? { invitees: c.invitees } : {}),
  }));
  const before = recordedBills();
  const facts = new Map(BILLED_STAGES.map((stage) => [stage, stageFacts(stage)]));
  const stages = BILLED_STAGES.map((stage) =>
    monthlyBill(facts.get(stage) as StageFacts, figures, REFERENCE_INSTITUTION, PRICES),
  );
  const usd = (n: number) => (n < 0.005 ? '<0.01' : n.toFixed(2));
  const m = REFERENCE_INSTITUTION;
  printTable(
    `5b. A month of the reference institution per stage, USD (${PRICES.region} list prices as of ${PRICES.asOf}, no free tier; ${m.people} people in ${m.branches} branches, ${m.memberShare * 100}% party members: a year's 三会一课 with check-ins, study, assessments, ${m.jointEventsPerMonth} joint events a month; prod-cn not priced: AWS China bills in CNY)`,
    ['item', ...BILLED_STAGES],
    [
      [
        'the stage: Lambda MB, log level, logs and archive kept (days), PITR',
        ...BILLED_STAGES.map((stage) => {
          const s = facts.get(stage) as StageFacts;
          return `${s.memoryMb}, ${s.logLevel}, ${s.logRetentionDays}/${s.archiveRetentionDays}, ${s.pointInTimeRecovery ? 'on' : 'off'}`;
        }),
      ],
      ...(stages[0]?.lines ?? []).map((line, i) => [
        line.item,
        ...stages.map((b) => usd(b.lines[i]?.usd ?? 0)),
      ]),
      ['the measured routes', ...stages.map((b) => usd(b.routesUsd))],
      ['everything else', ...stages.map((b) => usd(b.otherUsd))],
      ['a month', ...stages.map((b) => usd(b.totalUsd))],
      [
        'a month as bench/results.json had it',
        ...stages.map((b) => {
          const was = before.get(b.stage);
          return was === undefined
            ? 'nothing recorded'
            : `${usd(was)} (now ×${(b.totalUsd / was).toFixed(2)})`;
        }),
      ],
    ],
  );
  const month = monthlyRequests(REFERENCE_INSTITUTION);
  printTable(
    `5c. The month's requests (${Math.round(month.reduce((n, r) => n + r.perMonth, 0)).toLocaleString('en-US')} in all; every figure an assumption of bench/support/bill.ts)`,
    ['route', 'a month', 'why'],
    month.map((r) => [r.route, round(r.perMonth, 1), r.why]),
  );
  return {
    institution: REFERENCE_INSTITUTION,
    requests: month,
    stages: stages.map((b) => ({
      stage: b.stage,
      facts: facts.get(b.stage as (typeof BILLED_STAGES)[number]),
      totalUsd: round(b.totalUsd, 2),
      routesUsd: round(b.routesUsd, 2),
      otherUsd: round(b.otherUsd, 2),
      lines: b.lines.map((l) => ({ ...l, quantity: round(l.quantity, 3), usd: round(l.usd, 4) })),
    })),
    notPriced: { 'prod-cn': 'AWS China (cn-northwest-1) bills in CNY from its own price list' },
  };
};

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

const fixtures = async (p: Platform, seed: BenchSeed): Promise<Fixtures> => {
  const committee = await p.token({ roles: ['committee'], sub: seed.committeeId });
  const branch = await p.expect(201, 'POST', '/talent/branches', {
    token: committee,
    now: NOW,
    body: { name: '基准测试支部', partyGroups: [{ name: '第一党小组' }] },
  });
  const benchBranchId = branch.body.branchId as string;
  const transitions = 3 * WRITES_PER_LEVEL + 20;
  const transitionIds: string[] = [];
  await pool(transitions, 16, async (i) => {
    const r = await p.expect(201, 'POST', '/talent/people', {
      token: committee,
      now: NOW,
      body: person(benchBranchId, i),
    });
    transitionIds.push(r.body.personId as string);
  });
  const event = await p.expect(201, 'POST', '/community/events', {
    token: committee,
    now: NOW,
    body: {
      title: '基准 联合主题党日（负载）',
      kind: 'health-service',
      description: '基准测试',
      location: '社区服务中心',
      capacity: 5_000,
      ...registrationWindow,
    },
  });
  const openEventId = event.body.jointEventId as string;
  await p.expect(200, 'POST', `/community/events/${openEventId}/publish`, { token: committee, now: NOW });
  // Registrations are a person's own: the people registered above, once community knows them.
  await p.runtime.settle();
  const members = await Promise.all(
    transitionIds.map((personId) => p.token({ roles: ['member'], personId, branchId: benchBranchId })),
  );
  return {
    seed,
    committee,
    benchBranchId,
    transitionIds,
    openEventId,
    members,
    personIds: seed.people.map((x) => x.personId),
    branchIds: seed.branches.map((b) => b.branchId),
  };
};

// ---------------------------------------------------------------------------------------
// 2. Latency per route class
// ---------------------------------------------------------------------------------------

const LOAD_SCRIPT = join(import.meta.dirname, 'support', 'load.ts');

const load = (spec: LoadSpec): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out) as LoadResult);
    });
    child.stdin.end(JSON.stringify(spec));
  });

const latencyOf = async (p: Platform, r: RouteClass, connections: number) => {
  const count = r.write ? WRITES_PER_LEVEL : 2_000;
  const requests: LoadRequest[] = Array.from({ length: count }, (_, i) => {
    const { method, path, options } = r.request(i);
    return {
      method,
      path,
      headers: p.headers(options),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    };
  });
  const result = await load({
    url: p.url,
    connections,
    ...(r.write ? { amount: WRITES_PER_LEVEL } : { duration: READ_SECONDS }),
    requests,
  });
  // Let the events of a write load drain before the next measurement starts.
  await p.runtime.settle();
  return result;
};

// ---------------------------------------------------------------------------------------
// 3. Event delay: activity completed → attendance on the member's timeline (talent)
// ---------------------------------------------------------------------------------------

const eventDelay = async (p: Platform, f: Fixtures) => {
  const lanes: { branchId: string; secretary: string }[] = [];
  for (let lane = 0; lane < EVENT_DELAY_LANES; lane++) {
    const branch = await p.expect(201, 'POST', '/talent/branches', {
      token: f.committee,
      now: NOW,
      body: { name: `基准时延支部${lane}` },
    });
    const branchId = branch.body.branchId as string;
    await p.expect(201, 'POST', '/talent/people', {
      token: f.committee,
      now: NOW,
      body: person(branchId, 20_000 + lane, 'full'),
    });
    lanes.push({ branchId, secretary: await p.token({ roles: ['secretary', 'member'], branchId }) });
  }
  await p.runtime.settle();

  const waiting = new Map<string, (at: number) => void>();
  const stop = onDelivery((d) => {
    if (d.target !== 'talent.attendance-recorded') return;
    const id = d.event.detail.data?.activityId as string | undefined;
    if (id) waiting.get(id)?.(d.at);
  });
  const delays: number[] = [];
  try {
    await pool(EVENT_DELAY_SAMPLES, EVENT_DELAY_LANES, async (i) => {
      const lane = lanes[i % EVENT_DELAY_LANES] as { branchId: string; secretary: string };
      const start = new Date(Date.parse('2026-12-01T09:00:00+08:00') + i * 3 * 3_600_000);
      const end = new Date(start.getTime() + 3_600_000);
      const scheduled = await p.expect(201, 'POST', '/activities', {
        token: lane.secretary,
        now: NOW,
        body: {
          branchId: lane.branchId,
          type: 'branch-committee-meeting',
          title: `基准 支委会 ${i}`,
          startsAt: start.toISOString(),
          endsAt: end.toISOString(),
        },
      });
      const activityId = scheduled.body.activityId as string;
      const effect = new Promise<number>((resolve) => waiting.set(activityId, resolve));
      await p.expect(200, 'POST', `/activities/${activityId}/complete`, {
        token: lane.secretary,
        now: new Date(end.getTime() + 1_800_000).toISOString(),
        body: { minutes: '学习了党章。' },
      });
      const answered = performance.now();
      const at = await effect;
      waiting.delete(activityId);
      delays.push(at - answered);
    });
  } finally {
    stop();
  }
  const sorted = ascending(delays);
  return {
    write: 'POST /activities/{activityId}/complete',
    effect: 'talent.attendance-recorded delivered (the attendance and its points on the timeline)',
    samples: delays.length,
    lanes: EVENT_DELAY_LANES,
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
};

// ---------------------------------------------------------------------------------------
// 4. Contention
// ---------------------------------------------------------------------------------------

const contention = async (p: Platform, f: Fixtures) => {
  const event = await p.expect(201, 'POST', '/community/events', {
    token: f.committee,
    now: NOW,
    body: {
      title: '基准 联合主题党日（争抢）',
      kind: 'health-service',
      description: '基准测试',
      location: '社区服务中心',
      capacity: PLACES,
      ...registrationWindow,
    },
  });
  const eventId = event.body.jointEventId as string;
  await p.expect(200, 'POST', `/community/events/${eventId}/publish`, { token: f.committee, now: NOW });
  // Each contender is a person of the register (a registration is a person's own).
  const contenderIds: string[] = [];
  await pool(CONTENDERS, 16, async (i) => {
    const r = await p.expect(201, 'POST', '/talent/people', {
      token: f.committee,
      now: NOW,
      body: person(f.benchBranchId, 10_000 + i),
    });
    contenderIds.push(r.body.personId as string);
  });
  await p.runtime.settle();
  const members = await Promise.all(
    contenderIds.map((personId) => p.token({ roles: ['member'], personId, branchId: f.benchBranchId })),
  );

  const started = performance.now();
  const register = (token: string) =>
    p.call('POST', `/community/events/${eventId}/registrations`, { token, now: NOW, body: {} });
  const answers = await Promise.all(members.map(register));
  const firstRound: Record<string, number> = {};
  for (const a of answers) firstRound[a.status] = (firstRound[a.status] ?? 0) + 1;
  // A 503 or a 409 concurrent-update says "try again": each member does, until all have an answer.
  let rounds = 1;
  const retryable = (s: number, body: { error?: { code?: string } }) =>
    s === 503 || (s === 409 && body?.error?.code === 'concurrent-update');
  while (answers.some((a) => retryable(a.status, a.body)) && rounds < MAX_RETRY_ROUNDS) {
    rounds++;
    await Promise.all(
      answers.map(async (a, i) => {
        if (retryable(a.status, a.body)) answers[i] = await register(members[i] as string);
      }),
    );
  }
  const answeredMs = performance.now() - started;
  await p.runtime.settle();
  const settledMs = performance.now() - started;

  const statuses: Record<string, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const confirmedAnswers = answers.filter((a) => a.body?.confirmed === 1).length;
  const waitlistedAnswers = answers.filter((a) => a.body?.waitlisted === 1).length;
  // What the event itself says afterwards, page by page.
  const listed: { participants: { status: string }[] }[] = [];
  let cursor: string | undefined;
  do {
    const page = await p.expect(
      200,
      'GET',
      `/community/events/${eventId}/registrations?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      { token: f.committee, now: NOW },
    );
    listed.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  const listedConfirmed = listed.filter((r) => r.participants[0]?.status === 'confirmed').length;
  const registrations = {
    contenders: CONTENDERS,
    places: PLACES,
    answeredMs: round(answeredMs),
    settledMs: round(settledMs),
    firstRound,
    rounds,
    statuses,
    confirmedAnswers,
    waitlistedAnswers,
    listed: listed.length,
    listedConfirmed,
    ok:
      confirmedAnswers === PLACES &&
      listedConfirmed === PLACES &&
      confirmedAnswers + waitlistedAnswers === CONTENDERS &&
      listed.length === CONTENDERS,
  };

  const room = await p.expect(201, 'POST', '/activities/rooms', {
    token: f.committee,
    now: NOW,
    body: { name: '基准 活动室', capacity: 50 },
  });
  const roomId = room.body.roomId as string;
  const branchId = f.seed.branches[0]?.branchId as string;
  const roomStarted = performance.now();
  const bookings = await Promise.all(
    Array.from({ length: ROOM_CONTENDERS }, (_, i) =>
      p.call('POST', '/activities', {
        token: f.committee,
        now: NOW,
        body: {
          branchId,
          type: 'branch-committee-meeting',
          title: `基准 抢会议室 ${i}`,
          roomId,
          inviteeIds: [],
          startsAt: `2027-02-02T09:${String(i % 60).padStart(2, '0')}:00+08:00`,
          endsAt: '2027-02-02T11:00:00+08:00',
        },
      }),
    ),
  );
  const roomMs = performance.now() - roomStarted;
  const roomStatuses: Record<string, number> = {};
  for (const b of bookings) roomStatuses[b.status] = (roomStatuses[b.status] ?? 0) + 1;
  const held = await p.expect(
    200,
    'GET',
    `/activities/rooms/${roomId}/bookings?from=${encodeURIComponent('2027-02-02T00:00:00+08:00')}&to=${encodeURIComponent('2027-02-03T00:00:00+08:00')}`,
    { token: f.committee, now: NOW },
  );
  const room1 = {
    contenders: ROOM_CONTENDERS,
    answeredMs: round(roomMs),
    statuses: roomStatuses,
    bookings: (held.body.items as unknown[]).length,
    ok:
      roomStatuses['201'] === 1 &&
      roomStatuses['409'] === ROOM_CONTENDERS - 1 &&
      held.body.items.length === 1,
  };
  return { registrations, room: room1 };
};

// ---------------------------------------------------------------------------------------

/**
 * The seed reruns without creating anything twice, so an answer lost to an overloaded
 * machine (a 503 when DynamoDB Local is slow to answer) is retried by running it again.
 */
const seedWithRetries = async (p: Platform): Promise<SeedSummary> => {
  // A 503 says "try again shortly" (README, conventions): on a busy machine DynamoDB Local answers
  // late and the SDK's 5 s timeout turns that into 503s, which the seed, like any client,
  // may retry after a pause. Only for the seed's own requests, and only while it runs.
  const plainFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    for (let attempt = 1; ; attempt++) {
      const res = await plainFetch(input, init);
      if (res.status !== 503 || attempt === 5) return res;
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  };
  try {
    return await seedOnce(p);
  } finally {
    globalThis.fetch = plainFetch;
  }
};

const seedOnce = async (p: Platform): Promise<SeedSummary> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await seedInstitution({
        url: p.url,
        dataDir: p.dataDir,
        scale: SCALE,
        now: new Date(NOW),
        concurrency: 8,
      });
    } catch (error) {
      if (attempt >= 3) throw error;
      console.warn(`Seeding failed (${(error as Error).message}); running it again`);
    }
  }
};

/**
 * `BENCH_QUICK=1`: a branch of twenty instead of the institution, to try the measurements
 * out in a minute; its figures are not the ones to compare.
 */
/** What the benchmark reads of a seed: the quick one makes no retired members' branch and moves nobody. */
type BenchSeed = Omit<SeedSummary, 'retiredBranch' | 'lifecycle'>;

const quickSeed = async (p: Platform): Promise<BenchSeed> => {
  const committeeId = newId();
  const committee = await p.token({ roles: ['committee'], sub: committeeId });
  const b = await p.expect(201, 'POST', '/talent/branches', {
    token: committee,
    now: NOW,
    body: { name: '快速支部' },
  });
  const branchId = b.body.branchId as string;
  const people: SeedSummary['people'] = [];
  await pool(20, 8, async (i) => {
    const r = await p.expect(201, 'POST', '/talent/people', {
      token: committee,
      now: NOW,
      body: person(branchId, 30_000 + i, 'full'),
    });
    people.push({ personId: r.body.personId as string, branchId, politicalStatus: 'full' });
  });
  await p.runtime.settle();
  const a = await p.expect(201, 'POST', '/activities', {
    token: committee,
    now: NOW,
    body: {
      branchId,
      type: 'branch-committee-meeting',
      title: '快速 支委会',
      startsAt: '2026-12-01T09:00:00+08:00',
      endsAt: '2026-12-01T10:00:00+08:00',
    },
  });
  return {
    branches: [{ branchId, name: '快速支部', secretaryId: people[0]?.personId as string }],
    people,
    activityIds: [a.body.activityId as string],
    roomIds: [],
    resourceIds: [],
    assessmentIds: [],
    partnerIds: [],
    jointEventIds: [],
    announcementIds: [],
    committeeId,
    created: {} as SeedSummary['created'],
  };
};

export const run = async () => {
  const p = await startPlatform();
  try {
    const seedStarted = performance.now();
    const seed = process.env.BENCH_QUICK ? await quickSeed(p) : await seedWithRetries(p);
    await p.runtime.settle();
    const seedSeconds = round((performance.now() - seedStarted) / 1000);
    console.log(
      `Seeded ${seed.branches.length} branches, ${seed.people.length} people, ${seed.activityIds.length} activities, ` +
        `${seed.resourceIds.length} resources, ${seed.jointEventIds.length} joint events in ${seedSeconds} s`,
    );
    const f = await fixtures(p, seed);
    const classes = routeClasses(f);
    // The quick seed has no library or assessment: no bill then.
    const forBill = process.env.BENCH_QUICK ? undefined : await billFixtures(p, f);

    // 5 first, on a quiet platform, one request at a time.
    const costs: RouteCost[] = [];
    for (const r of [...classes, ...moreRoutes(f), ...(forBill ? billRoutes(f, forBill) : [])])
      costs.push(await measureCost(p, r, COST_SAMPLES));
    const scans = [...p.meter.scans];

    const latency: { class: string; route: string; connections: number; result: LoadResult }[] = [];
    for (const r of classes)
      for (const connections of CONNECTIONS)
        latency.push({
          class: r.name,
          route: r.route,
          connections,
          result: await latencyOf(p, r, connections),
        });

    const delay = await eventDelay(p, f);
    const contended = await contention(p, f);
    scans.push(...p.meter.scans.slice(scans.length));

    printTable(
      `2. Latency per route class through the local gateway (autocannon; reads ${READ_SECONDS} s, writes ${WRITES_PER_LEVEL} requests per level)`,
      ['class', 'route', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'statuses'],
      latency.map((l) => [
        l.class,
        l.route,
        l.connections,
        round(l.result.rps),
        l.result.p50,
        l.result.p99,
        l.result.requests,
        Object.entries(l.result.statuses)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ') + (l.result.errors ? ` errors×${l.result.errors}` : ''),
      ]),
    );
    printTable(
      `3. Event delay: HTTP response of a write → the consumer's effect in another service (${delay.samples} events, ${delay.lanes} at a time)`,
      ['write', 'effect', 'p50 ms', 'p99 ms', 'max ms'],
      [[delay.write, delay.effect, delay.p50, delay.p99, delay.max]],
    );
    const reg = contended.registrations;
    printTable(
      '4. Contention',
      ['case', 'answered ms', 'settled ms', 'statuses', 'outcome', 'check'],
      [
        [
          `${reg.contenders} registrations, ${reg.places} places`,
          reg.answeredMs,
          reg.settledMs,
          Object.entries(reg.statuses)
            .map(([s, n]) => `${s}×${n}`)
            .join(' '),
          `${reg.confirmedAnswers} confirmed, ${reg.waitlistedAnswers} waiting; listed ${reg.listed} (${reg.listedConfirmed} confirmed)`,
          reg.ok ? 'ok' : 'FAILED',
        ],
        [
          `${contended.room.contenders} bookings of one room`,
          contended.room.answeredMs,
          undefined,
          Object.entries(contended.room.statuses)
            .map(([s, n]) => `${s}×${n}`)
            .join(' '),
          `${contended.room.bookings} booking held`,
          contended.room.ok ? 'ok' : 'FAILED',
        ],
      ],
    );
    printTable(
      `5. Cost per request on AWS (${PRICES.region} on-demand list prices as of ${PRICES.asOf}; Lambda arm64 ${MEMORY_MB} MB, billed as the local latency; per request: RRU/WRU of the route, then of its consumers)`,
      [
        'route',
        'ms',
        'RRU',
        'WRU',
        'items read',
        'events',
        'consumers',
        '+RRU',
        '+WRU',
        'USD/M req',
        'of which DynamoDB',
      ],
      costs.map((c) => [
        c.route,
        c.latencyMs,
        round(c.sync.readUnits, 1),
        round(c.sync.writeUnits, 1),
        round(c.sync.itemsRead, 1),
        round(c.events, 1),
        round(c.deliveries, 1),
        round(c.downstream.readUnits, 1),
        round(c.downstream.writeUnits, 1),
        c.usdPerMillion.total,
        c.usdPerMillion.dynamodb,
      ]),
    );
    const bills = forBill ? printBills(costs) : undefined;
    saveResults('api', {
      now: NOW,
      scale: SCALE,
      seeded: {
        seconds: seedSeconds,
        branches: seed.branches.length,
        people: seed.people.length,
        activities: seed.activityIds.length,
        resources: seed.resourceIds.length,
        jointEvents: seed.jointEventIds.length,
      },
      latency,
      eventDelay: delay,
      contention: contended,
      cost: { prices: PRICES, memoryMb: MEMORY_MB, routes: costs },
      ...(bills ? { monthlyBill: bills } : {}),
      scans,
    });
    if (scans.length > 0) {
      console.error(`\nSCAN ON A REQUEST PATH: ${JSON.stringify(scans)}`);
      process.exitCode = 1;
    }
    if (!reg.ok || !contended.room.ok) process.exitCode = 1;
  } finally {
    await p.stop();
  }
};
