/**
 * Demo data for a running platform, entered the way people would: through the HTTP API, as
 * the committee, the branch secretaries, members and partner organisations. A drug-testing
 * institute (药品检验研究院) with four branches and a retired members' branch, its people at
 * every stage of the pipeline, a year of meetings with attendance, rooms, a study library with
 * real files, an assessment with attempts, partners at a joint event with a waitlist, a year of
 * dues, and members transferred out, transferred in and retired.
 *
 * Rerunning creates nothing new: everything has a natural key the API can be asked about
 * (people their derived id, so registering again is a 409; branches, rooms, partners,
 * resources, assessments and events their name or title, looked up through list routes
 * first).
 */
import { addDays, localDate } from '../../../shared/time.js';
import { BOOTSTRAP_COMMITTEE } from '../cognito.js';
import { postToPresignedForm } from '../presigned-post.js';
import { signIn } from '../sign-in.js';
import {
  type Answer,
  createOnce,
  createSeedClient,
  eachLimited,
  type Identity,
  type SeedClient,
  UnexpectedAnswer,
} from './client.js';
import { pdfFile, pngFile, textFile } from './files.js';
import {
  type ActivityPlan,
  activityPlans,
  branchPlans,
  chance,
  committeePlans,
  DEFAULT_INSTITUTION,
  isMember,
  type LifecyclePlan,
  lifecyclePlans,
  type PersonPlan,
  peoplePlans,
  retiredBranchPlan,
  stableId,
} from './plan.js';
import type { SeedProgress } from './progress.js';

export interface SeedScale {
  people: number;
  activityMonths: number;
  resources: number;
  jointEvents: number;
  partners: number;
}

export const demoScale: SeedScale = {
  people: 80,
  activityMonths: 12,
  resources: 4,
  jointEvents: 1,
  partners: 2,
};

export interface SeedOptions {
  url: string;
  dataDir: string;
  scale: SeedScale;
  /**
   * The time the data is planned around (default: the real clock). It reaches the platform
   * only as the test clock header, which `npm start` ignores: give it only to a test runtime.
   */
  now?: Date;
  /** Requests in flight at most, over every phase running (default 8). */
  concurrency?: number;
  log?: (line: string) => void;
  /** Another institution beside the demo one (the benchmark's): its own names and ids. */
  institution?: string;
  /** How long an upload may take to be checked and become available (default 60 s). */
  uploadWaitMs?: number;
  /**
   * How long another service may take to learn of people just registered (its copy of the
   * register is fed by events) before the seed gives up (default 60 s).
   */
  catchUpMs?: number;
  /** Told each phase and its items as they are done: what `npm run seed` shows. */
  progress?: SeedProgress;
}

/**
 * The seed's phases, each after the phases it needs; the others run side by side (within the
 * client's bound on requests in flight). Listed so that none comes before those it waits for.
 * Activities wait for people because an activity names its invitees; the rest of what comes
 * after people acts as members (attempts, registrations) or names them to roles.
 */
export const SEED_PHASES = [
  { name: 'branches', after: [] },
  { name: 'rooms', after: [] },
  { name: 'resources', after: [] },
  { name: 'partners', after: [] },
  { name: 'people', after: ['branches'] },
  { name: 'committee and secretaries', after: ['people'] },
  { name: 'activities', after: ['people', 'rooms'] },
  { name: 'assessment', after: ['people', 'resources'] },
  { name: 'joint events', after: ['people', 'partners'] },
  { name: 'dues', after: ['people'] },
  // Its people are its own, so it races none of the phases above; a transfer out is the
  // branch secretary's, so secretaries are named first.
  { name: 'transfers and retirements', after: ['committee and secretaries'] },
  // Last: recipients are fixed when an announcement is delivered, from notices' copy of the
  // register, which has long caught up with the people once the activities are in.
  { name: 'announcements', after: ['committee and secretaries', 'activities'] },
] as const satisfies readonly { name: string; after: readonly string[] }[];
export type SeedPhase = (typeof SEED_PHASES)[number]['name'];

const silent: SeedProgress = { plan() {}, start() {}, advance() {}, end() {} };

export interface SeedSummary {
  /** The four working branches, in plan order. */
  branches: { branchId: string; name: string; secretaryId: string }[];
  /** The retired members' branch (离退休党支部). */
  retiredBranch: { branchId: string; name: string };
  /** Who left and who arrived (组织关系): their person ids. */
  lifecycle: {
    transferredOut: string[];
    retired: string[];
    transferredIn: { personId: string; branchId: string };
  };
  people: { personId: string; branchId: string; politicalStatus: string }[];
  activityIds: string[];
  roomIds: string[];
  resourceIds: string[];
  assessmentIds: string[];
  partnerIds: string[];
  jointEventIds: string[];
  /** The committee's announcement to everyone first, then each branch's, in branch order. */
  announcementIds: string[];
  /** The committee member whose id the seed's committee token carries. */
  committeeId: string;
  /** What this run created, by kind; all zero on a rerun. */
  created: Record<CreatedKind, number>;
}

type CreatedKind =
  | 'branches'
  | 'people'
  | 'activities'
  | 'attendance'
  | 'rooms'
  | 'resources'
  | 'assessments'
  | 'attempts'
  | 'partners'
  | 'jointEvents'
  | 'registrations'
  | 'announcements'
  | 'duesBases'
  | 'duesPayments'
  | 'transfersOut'
  | 'transfersIn'
  | 'retirements';

/**
 * What a phase's "new" counts: its own items, so it reads against the phase's total (an
 * activity's attendance entries are not more activities). Naming people to roles creates
 * nothing and cannot tell a first run from a rerun: it counts nothing.
 */
const PHASE_CREATES: Record<SeedPhase, readonly CreatedKind[] | undefined> = {
  branches: ['branches'],
  people: ['people'],
  'committee and secretaries': undefined,
  rooms: ['rooms'],
  activities: ['activities'],
  resources: ['resources'],
  assessment: ['assessments', 'attempts'],
  partners: ['partners'],
  'joint events': ['jointEvents'],
  announcements: ['announcements'],
  dues: ['duesBases', 'duesPayments'],
  'transfers and retirements': ['transfersOut', 'transfersIn', 'retirements'],
};

interface Branch {
  branchId: string;
  name: string;
  secretaryId?: string;
  partyGroups: { id: string; name: string; leaderId?: string }[];
  retiredMembers?: boolean;
  version: number;
}

const RESOURCE_SHELF: readonly {
  title: string;
  kind: 'document' | 'policy' | 'meeting-spirit';
  contentType: string;
  tags: string[];
  minutes: number;
  bytes: () => Uint8Array;
}[] = [
  {
    title: '《中国共产党章程》学习辅导',
    kind: 'document',
    contentType: 'application/pdf',
    tags: ['党章', '必学'],
    minutes: 45,
    bytes: () => pdfFile(['Constitution of the Communist Party of China', 'Study guide for branch members']),
  },
  {
    title: '党的二十届三中全会精神解读',
    kind: 'meeting-spirit',
    contentType: 'application/pdf',
    tags: ['会议精神'],
    minutes: 60,
    bytes: () => pdfFile(['Third Plenary Session of the 20th Central Committee', 'Key points for study']),
  },
  {
    title: '《中国共产党纪律处分条例》要点',
    kind: 'policy',
    contentType: 'text/plain',
    tags: ['纪律', '廉政'],
    minutes: 30,
    bytes: () =>
      textFile(
        '《中国共产党纪律处分条例》学习要点\n一、总则\n二、对违反政治纪律行为的处分\n三、对违反廉洁纪律行为的处分\n',
      ),
  },
  {
    title: '“药检为民”党员先锋岗风采',
    kind: 'document',
    contentType: 'image/png',
    tags: ['先锋岗', '宣传'],
    minutes: 5,
    bytes: () => pngFile(),
  },
];

const PARTNER_SHELF: readonly {
  orgName: string;
  orgType: 'community' | 'school' | 'enterprise' | 'institution';
}[] = [
  { orgName: '东城区和平里街道社区党委', orgType: 'community' },
  { orgName: '北方医药职业技术学院', orgType: 'school' },
  { orgName: '华康医药集团有限公司党委', orgType: 'enterprise' },
  { orgName: '市疾病预防控制中心', orgType: 'institution' },
];

const ROOMS = {
  'activity-room': { name: '党员活动室（科研楼201）', capacity: 40 },
  hall: { name: '多功能报告厅', capacity: 150 },
  library: { name: '党建书屋', capacity: 20 },
} as const;

/** Why the demo's past activities are entered now (活动补录). */
const LATE_ENTRY = '演示数据：历史活动补录';

const committeeQuestions = [
  {
    kind: 'single',
    prompt: '党的最高领导机关是？',
    options: ['党的全国代表大会和它所产生的中央委员会', '中央政治局', '中央书记处'],
    answer: 0,
  },
  { kind: 'true-false', prompt: '预备党员的预备期为一年。', answer: true },
  {
    kind: 'multiple',
    prompt: '“三会一课”中的“三会”包括？',
    options: ['支部党员大会', '支部委员会', '党小组会', '职工代表大会'],
    answer: [0, 1, 2],
  },
  {
    kind: 'single',
    prompt: '发展党员须有几名正式党员作入党介绍人？',
    options: ['一名', '两名', '三名'],
    answer: 1,
  },
  { kind: 'true-false', prompt: '入党积极分子经过半年培养即可列为发展对象。', answer: false },
] as const;

/** The answer of a service whose copy of the register does not yet know a person named in a write. */
const unknownPerson = (answer: Answer): boolean => {
  const error = (answer.body as { error?: { code?: string; details?: Record<string, unknown> } })?.error;
  // Named people (or their party group) not in the branch's copy: 404 with the ids.
  if (answer.status === 404 && error?.code === 'not-found') {
    return error.details?.personIds !== undefined || error.details?.partyGroupId !== undefined;
  }
  // The caller themselves not in it: 403 no-person.
  return answer.status === 403 && error?.code === 'no-person';
};

/**
 * Runs each phase once the phases it waits for are done, the others side by side. After a
 * failure no further phase starts; those running finish, and the first failure is thrown.
 */
const runPhases = async (work: Record<SeedPhase, () => Promise<void>>): Promise<void> => {
  const done = new Map<string, Promise<void>>();
  let failed = false;
  for (const { name, after } of SEED_PHASES) {
    const ready = Promise.all(after.map((before: SeedPhase) => done.get(before)));
    const phase = ready.then(async () => {
      if (!failed) await work[name]();
    });
    phase.catch(() => {
      failed = true;
    });
    done.set(name, phase);
  }
  const outcomes = await Promise.allSettled(done.values());
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
};

export const seedInstitution = async (options: SeedOptions): Promise<SeedSummary> => {
  const log = options.log ?? (() => undefined);
  const institution = options.institution ?? DEFAULT_INSTITUTION;
  const now = options.now ?? new Date();
  const today = localDate(now);
  const limit = options.concurrency ?? 8;
  const api: SeedClient = await createSeedClient({
    url: options.url,
    dataDir: options.dataDir,
    maxInFlight: limit,
    ...(options.catchUpMs !== undefined ? { catchUpMs: options.catchUpMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const created: Record<CreatedKind, number> = {
    branches: 0,
    people: 0,
    activities: 0,
    attendance: 0,
    rooms: 0,
    resources: 0,
    assessments: 0,
    attempts: 0,
    partners: 0,
    jointEvents: 0,
    registrations: 0,
    announcements: 0,
    duesBases: 0,
    duesPayments: 0,
    transfersOut: 0,
    transfersIn: 0,
    retirements: 0,
  };

  const committeePeople = committeePlans(institution, today);
  const committee: Identity = { roles: ['committee'], sub: (committeePeople[0] as PersonPlan).personId };
  const plans = branchPlans(institution);
  const people = peoplePlans(institution, plans, options.scale.people, today);
  const meetings = activityPlans(plans, options.scale.activityMonths, today);
  const takers = people.filter(isMember).filter((_, i) => i % 3 === 0);
  // Two in three members have read the committee's announcement, so its receipts show both.
  const readers = people.filter(isMember).filter((_, i) => i % 3 !== 0);
  const dues = duesPlans(people, today);
  const retiredPlan = retiredBranchPlan(institution);
  const lifecycle = lifecyclePlans(institution, plans, today);

  // Every phase's size is known before the first request, so the estimate covers the whole run.
  const progress = options.progress ?? silent;
  const totals: Record<SeedPhase, number> = {
    // The working branches and the retired members' branch.
    branches: plans.length + 1,
    people: committeePeople.length + people.length,
    'committee and secretaries': committeePeople.length + plans.length,
    rooms: Object.keys(ROOMS).length,
    activities: meetings.length,
    resources: options.scale.resources,
    assessment: options.scale.resources > 0 ? 1 + takers.length : 0,
    partners: options.scale.partners,
    'joint events': options.scale.jointEvents,
    // One to the whole institution and one per branch, then the readers of the first.
    announcements: 1 + plans.length + readers.length,
    // A base and the months paid for each member (the months up to last month, the unpaid left out).
    dues: dues.length + dues.reduce((n, d) => n + d.paid.length, 0),
    'transfers and retirements': lifecycle.transfersOut.length + lifecycle.retirements.length + 1,
  };
  progress.plan(SEED_PHASES.map(({ name, after }) => ({ name, total: totals[name], after })));
  /** A phase reported as it runs: started, advanced per item, ended with what it created. */
  const phase = (name: SeedPhase, work: (advance: (count?: number) => void) => Promise<void>) => async () => {
    // Each phase creates its own kinds, so phases side by side do not count each other's.
    const counted = PHASE_CREATES[name];
    const createdSoFar = () => (counted ?? []).reduce((sum, kind) => sum + created[kind], 0);
    const before = createdSoFar();
    progress.start(name);
    await work((count) => progress.advance(name, count));
    progress.end(name, counted ? createdSoFar() - before : undefined);
  };

  // What the phases find or make, for the phases after them.
  const branches: Branch[] = [];
  let retiredBranch: Branch | undefined;
  let arrival: { personId: string; branchId: string } | undefined;
  const roomIds: Record<keyof typeof ROOMS, string> = { 'activity-room': '', hall: '', library: '' };
  let activityIds: string[] = [];
  let resourceIds: string[] = [];
  const assessmentIds: string[] = [];
  let partnerIds: string[] = [];
  let jointEventIds: string[] = [];
  const announcementIds: string[] = [];
  const groupIdOf = (b: number, group: 0 | 1 | undefined) =>
    group === undefined
      ? undefined
      : branches[b]?.partyGroups.find((g) => g.name === plans[b]?.partyGroups[group])?.id;
  const groupId = (p: PersonPlan) => groupIdOf(p.branch, p.partyGroup);
  const secretaryOf = (b: number): Identity => {
    const branch = branches[b] as Branch;
    return { roles: ['secretary', 'member'], sub: branch.secretaryId as string, branchId: branch.branchId };
  };
  const memberOf = (p: PersonPlan): Identity => ({
    roles: ['member'],
    sub: p.personId,
    branchId: (branches[p.branch] as Branch).branchId,
  });

  await runPhases({
    // Branches (党支部) with their party groups, found by name.
    branches: phase('branches', async (advance) => {
      const existing = await api.all<Branch>('/talent/branches', committee);
      for (const plan of plans) {
        let branch = existing.find((b) => b.name === plan.name);
        if (!branch) {
          branch = (
            await createOnce<Branch>(
              api,
              '/talent/branches',
              {
                as: committee,
                body: { name: plan.name, partyGroups: plan.partyGroups.map((name) => ({ name })) },
              },
              async () =>
                (await api.all<Branch>('/talent/branches', committee)).find((b) => b.name === plan.name),
            )
          ).body;
          created.branches++;
        }
        branches.push(branch);
        advance();
      }
      retiredBranch = await seedRetiredBranch(api, {
        existing,
        retiredPlan,
        committee,
        created,
      });
      advance();
      log(`branches: ${[...branches, retiredBranch].map((b) => b.name).join(', ')}`);
    }),

    // People, the committee first; a rerun meets the API's 409 for each and moves on.
    people: phase('people', async (advance) => {
      // Nobody registers themselves: the committee member whose token the seed carries is
      // registered by the other one.
      const registrar: Identity = { roles: ['committee'], sub: (committeePeople[1] as PersonPlan).personId };
      await eachLimited([...committeePeople, ...people], limit, async (p) => {
        const branch = branches[p.branch];
        const answer = await api.call('POST', '/talent/people', {
          as: p.personId === committee.sub ? registrar : committee,
          expect: [201, 409],
          // Registering again after a lost answer is the 409 below.
          retryUnavailable: true,
          body: {
            personId: p.personId,
            name: p.name,
            gender: p.gender,
            birthDate: p.birthDate,
            department: p.department,
            ...(branch ? { branchId: branch.branchId } : {}),
            politicalStatus: p.politicalStatus,
            statusSince: p.statusSince,
            // Past the start of the pipeline, people arrive with their history, on the committee's
            // authority, with the evidence of their stage (the party file, 党员档案).
            ...(p.politicalStatus === 'masses' || p.politicalStatus === 'applicant'
              ? {}
              : {
                  history: {
                    evidence: { kind: 'party-file', reference: `档案 ${p.key}`, issuedOn: p.statusSince },
                  },
                }),
            workStartDate: p.workStartDate,
            position: p.position,
            title: p.title,
            education: p.education,
            ...(groupId(p) ? { partyGroupId: groupId(p) } : {}),
            // A reserved domain: every person gets a sign-in account, and no mail leaves.
            email: `${p.personId.toLowerCase()}@example.cn`,
          },
        });
        if (answer.status === 201) created.people++;
        else if (answer.body?.error?.code !== 'person-exists') {
          throw new Error(`registering ${p.name}: ${JSON.stringify(answer.body)}`);
        }
        advance();
      });
      log(`people: ${people.length + committeePeople.length} (${created.people} new)`);
    }),

    // The committee's members (党委委员), named by the first committee account, which the pool
    // is made with (nobody names themselves): a real sign-in, not a minted token. Then each
    // branch's secretary (支部书记) and party-group leaders, once.
    'committee and secretaries': phase('committee and secretaries', async (advance) => {
      const bootstrap = await signIn(api.identity, options.dataDir, BOOTSTRAP_COMMITTEE.username);
      await eachLimited(committeePeople, limit, async (p) => {
        await api.call('PUT', `/talent/committee/members/${p.personId}`, { token: bootstrap });
        advance();
      });
      const secretaries = new Map<number, PersonPlan>();
      for (const p of people) if (p.secretary) secretaries.set(p.branch, p);
      await eachLimited([...branches.entries()], limit, async ([b, branch]) => {
        const secretary = secretaries.get(b);
        if (!secretary || branch.secretaryId) {
          advance();
          return;
        }
        const leaders = branch.partyGroups.map(
          (g) =>
            people.find((p) => p.branch === b && !p.secretary && isMember(p) && groupId(p) === g.id)
              ?.personId,
        );
        branches[b] = (
          await api.call<Branch>('PATCH', `/talent/branches/${branch.branchId}`, {
            as: committee,
            body: {
              version: branch.version,
              secretaryId: secretary.personId,
              partyGroups: branch.partyGroups.map((g, i) => ({
                id: g.id,
                name: g.name,
                ...(leaders[i] ? { leaderId: leaders[i] } : {}),
              })),
            },
          })
        ).body;
        advance();
      });
    }),

    // Party dues (党费) of this year: each member's base, and their months paid but a few.
    dues: phase('dues', async (advance) => {
      await seedDues(api, { dues, branches, committee, today, limit, created, advance });
      log(`dues: ${dues.length} members (${created.duesBases} bases, ${created.duesPayments} payments new)`);
    }),

    // Membership over a whole life (组织关系): members transferred out by their secretaries, a
    // member transferred in and older members retired into the retired members' branch, by the
    // committee; with their dues bases.
    'transfers and retirements': phase('transfers and retirements', async (advance) => {
      arrival = await seedLifecycle(api, {
        plan: lifecycle,
        branches,
        retiredBranch: retiredBranch as Branch,
        secretaryOf,
        committee,
        today,
        limit,
        created,
        advance,
      });
      log(
        `transfers and retirements: ${lifecycle.transfersOut.length} out, 1 in, ${lifecycle.retirements.length} retired (${created.transfersOut + created.transfersIn + created.retirements} new)`,
      );
    }),

    // Rooms (党员活动室), found by name.
    rooms: phase('rooms', async (advance) => {
      type Room = { roomId: string; name: string; capacity: number };
      const rooms = await api.all<Room>('/activities/rooms', committee);
      await eachLimited(
        Object.entries(ROOMS) as [keyof typeof ROOMS, (typeof ROOMS)[keyof typeof ROOMS]][],
        limit,
        async ([key, room]) => {
          let found = rooms.find((r) => r.name === room.name);
          if (!found) {
            found = (
              await createOnce<Room>(api, '/activities/rooms', { as: committee, body: room }, async () =>
                (await api.all<Room>('/activities/rooms', committee)).find((r) => r.name === room.name),
              )
            ).body;
            created.rooms++;
          }
          roomIds[key] = found.roomId;
          advance();
        },
      );
    }),

    // A year of meetings, each held (completed) with its attendance.
    activities: phase('activities', async (advance) => {
      activityIds = await seedActivities(api, {
        plans: meetings,
        branches,
        people,
        groupId,
        groupIdOf,
        roomIds,
        secretaryOf,
        committee,
        today,
        limit,
        created,
        advance,
      });
      log(`activities: ${activityIds.length} (${created.activities} new)`);
    }),

    // The study library: real files through the presigned POST, checked by the platform.
    resources: phase('resources', async (advance) => {
      resourceIds = await seedResources(api, {
        count: options.scale.resources,
        committee,
        waitMs: options.uploadWaitMs ?? 60_000,
        limit,
        created,
        advance,
      });
      log(`resources: ${resourceIds.length} (${created.resources} new)`);
    }),

    // An assessment (考核) on the first resource, taken by a few members of each branch.
    assessment: phase('assessment', async (advance) => {
      if (resourceIds.length === 0) return;
      // Found by its title on its resource; the resources, and so it, are the same for every institution.
      const title = '党章党规知识测试';
      const resourceId = resourceIds[0] as string;
      const find = async () =>
        (
          await api.all<{ assessmentId: string; title: string }>(
            `/resources/assessments?resourceId=${resourceId}`,
            committee,
          )
        ).find((a) => a.title === title);
      let assessmentId = (await find())?.assessmentId;
      if (!assessmentId) {
        assessmentId = (
          await createOnce<{ assessmentId: string }>(
            api,
            '/resources/assessments',
            {
              as: committee,
              body: {
                title,
                resourceId,
                passMark: 60,
                timeLimitMinutes: 20,
                maxAttempts: 2,
                questions: committeeQuestions,
              },
            },
            find,
          )
        ).body.assessmentId;
        created.assessments++;
      }
      assessmentIds.push(assessmentId);
      advance();
      const graded = new Set(
        (
          await api.call<{ people: { personId: string }[] }>(
            'GET',
            `/resources/assessments/${assessmentId}/results`,
            { as: committee },
          )
        ).body.people.map((p) => p.personId),
      );
      advance(takers.filter((p) => graded.has(p.personId)).length);
      await eachLimited(
        takers.filter((p) => !graded.has(p.personId)),
        limit,
        async (p) => {
          const attempt = (
            await api.call<{ attemptId: string; questions: { questionId: string }[] }>(
              'POST',
              `/resources/assessments/${assessmentId}/attempts`,
              // Just registered: the library may not know them yet.
              { as: memberOf(p), notYet: unknownPerson },
            )
          ).body;
          // Most know their 党章; a few slip on the multiple choice or the last statement.
          const answers: Record<string, unknown> = {};
          committeeQuestions.forEach((q, i) => {
            const slips = chance(`${p.personId}:q${i}`) < 0.2;
            answers[`q${i + 1}`] = slips
              ? q.kind === 'true-false'
                ? !q.answer
                : q.kind === 'multiple'
                  ? [0]
                  : (q.answer + 1) % q.options.length
              : q.answer;
          });
          await api.call(
            'POST',
            `/resources/assessments/${assessmentId}/attempts/${attempt.attemptId}/submit`,
            { as: memberOf(p), body: { answers } },
          );
          created.attempts++;
          advance();
        },
      );
    }),

    // Partners (共建单位): applied for on the public form, approved by the committee.
    partners: phase('partners', async (advance) => {
      partnerIds = await seedPartners(api, {
        count: options.scale.partners,
        committee,
        limit,
        created,
        advance,
      });
      log(`partners: ${partnerIds.length} approved (${created.partners} new)`);
    }),

    // Joint events: published, registered for by partners and members beyond capacity.
    'joint events': phase('joint events', async (advance) => {
      jointEventIds = await seedJointEvents(api, {
        count: options.scale.jointEvents,
        committee,
        partnerIds,
        registrants: people
          .filter(isMember)
          .filter((_, i) => i % 4 === 1)
          .slice(0, 8)
          .map(memberOf),
        now,
        created,
        advance,
      });
      log(`joint events: ${jointEventIds.length} (${created.jointEvents} new)`);
    }),

    // Announcements (通知公告): the committee's to everyone, marked 必读, read by two in three
    // members; each secretary's to their branch, unread, for the tour's receipts and reminders.
    announcements: phase('announcements', async (advance) => {
      const institutionWide = await publishAnnouncement(api, committee, created, {
        title: `关于开展${today.slice(0, 4)}年度民主评议党员工作的通知`,
        text: '各党支部：\n请于本月底前完成民主评议党员工作，并将评议结果报党委办公室。',
        audience: { kind: 'institution' },
        mandatory: true,
      });
      announcementIds.push(institutionWide);
      advance();
      const toBranches: string[] = [];
      await eachLimited([...branches.keys()], limit, async (b) => {
        toBranches[b] = await publishAnnouncement(api, secretaryOf(b), created, {
          title: `${(branches[b] as Branch).name}关于召开组织生活会的通知`,
          text: '各位党员：\n支部定于下周四下午召开组织生活会，请提前准备个人发言提纲。',
          audience: { kind: 'branches', branchIds: [(branches[b] as Branch).branchId] },
        });
        advance();
      });
      announcementIds.push(...toBranches);
      await eachLimited(readers, limit, async (p) => {
        // The entry is written a moment after the publish: 404 until then.
        await api.call('POST', `/notices/me/${institutionWide}/read`, {
          as: memberOf(p),
          notYet: (answer) => answer.status === 404,
          // Marking read again keeps the first time: safe to send again after a 503.
          retryUnavailable: true,
        });
        advance();
      });
      log(`announcements: ${1 + branches.length} (${created.announcements} new)`);
    }),
  });

  return {
    branches: branches.map((b) => ({
      branchId: b.branchId,
      name: b.name,
      secretaryId: b.secretaryId as string,
    })),
    people: people.map((p) => ({
      personId: p.personId,
      branchId: (branches[p.branch] as Branch).branchId,
      politicalStatus: p.politicalStatus,
    })),
    retiredBranch: { branchId: (retiredBranch as Branch).branchId, name: (retiredBranch as Branch).name },
    lifecycle: {
      transferredOut: lifecycle.transfersOut.map((t) => t.person.personId),
      retired: lifecycle.retirements.map((r) => r.person.personId),
      transferredIn: arrival as { personId: string; branchId: string },
    },
    activityIds,
    roomIds: Object.values(roomIds),
    resourceIds,
    assessmentIds,
    partnerIds,
    jointEventIds,
    announcementIds,
    committeeId: committee.sub,
    created,
  };
};

interface AnnouncementView {
  announcementId: string;
  title: string;
  status: 'draft' | 'published' | 'withdrawn';
}

/**
 * An announcement found by its title in its author's list, or drafted; then published if it
 * is still a draft. A rerun finds it published and does nothing. Branches are heard of by
 * notices from talent's events: until then addressing one is 404, which is not a refusal here.
 */
const publishAnnouncement = async (
  api: SeedClient,
  author: Identity,
  created: Record<CreatedKind, number>,
  body: { title: string; text: string; audience: unknown; mandatory?: boolean },
): Promise<string> => {
  const mine = await api.all<AnnouncementView>('/notices/announcements', author);
  let announcement = mine.find((a) => a.title === body.title);
  if (!announcement) {
    announcement = (
      await api.call<AnnouncementView>('POST', '/notices/announcements', {
        as: author,
        body,
        notYet: (answer) => answer.status === 404,
      })
    ).body;
    created.announcements++;
  }
  if (announcement.status === 'draft') {
    const published = await api.call(
      'POST',
      `/notices/announcements/${announcement.announcementId}/publish`,
      {
        as: author,
        // A 503 may come after the publish committed: sent again, it finds it published (409).
        retryUnavailable: true,
        expect: [200, 409],
      },
    );
    if (published.status === 409 && published.body?.error?.code !== 'announcement-status-conflict') {
      throw new Error(`publishing ${body.title}: ${JSON.stringify(published.body)}`);
    }
  }
  return announcement.announcementId;
};

interface ActivityView {
  activityId: string;
  title: string;
  status: 'scheduled' | 'completed' | 'cancelled';
}

const ATTENDANCE_BATCH = 99;

const seedActivities = async (
  api: SeedClient,
  ctx: {
    plans: ActivityPlan[];
    branches: Branch[];
    people: PersonPlan[];
    groupId: (p: PersonPlan) => string | undefined;
    groupIdOf: (b: number, group: 0 | 1 | undefined) => string | undefined;
    roomIds: Record<keyof typeof ROOMS, string>;
    secretaryOf: (b: number) => Identity;
    committee: Identity;
    today: string;
    limit: number;
    created: Record<CreatedKind, number>;
    advance: () => void;
  },
): Promise<string[]> => {
  if (ctx.plans.length === 0) return [];
  const from = ctx.plans.map((p) => p.startsAt).sort()[0] as string;
  const to = [
    new Date(`${addDays(ctx.today, 1)}T00:00:00+08:00`).toISOString(),
    ...ctx.plans.map((p) => p.endsAt),
  ]
    .sort()
    .at(-1) as string;
  const known = new Map<string, ActivityView>();
  for (const branch of ctx.branches) {
    const listed = await api.all<ActivityView>(
      `/activities?branchId=${branch.branchId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      ctx.committee,
    );
    for (const a of listed) if (a.status !== 'cancelled') known.set(`${branch.branchId}:${a.title}`, a);
  }
  const ids: string[] = [];
  await eachLimited(ctx.plans, ctx.limit, async (plan, index) => {
    const branch = ctx.branches[plan.branch] as Branch;
    // The demo's history is entered after the fact, as a migration would: by the committee,
    // with the reason every late entry needs, so compliance shows it as recorded late. What
    // lies ahead the secretary schedules, as any meeting.
    const recorder = plan.upcoming ? ctx.secretaryOf(plan.branch) : ctx.committee;
    const partyGroupId = ctx.groupIdOf(plan.branch, plan.partyGroup);
    const invitees = ctx.people.filter(
      (p) =>
        p.branch === plan.branch &&
        isMember(p) &&
        (partyGroupId === undefined || ctx.groupId(p) === partyGroupId),
    );
    let activity = known.get(`${branch.branchId}:${plan.title}`);
    if (!activity) {
      const room = plan.wantsRoom ? ROOMS[plan.wantsRoom] : undefined;
      const roomId =
        room && invitees.length <= room.capacity
          ? ctx.roomIds[plan.wantsRoom as keyof typeof ROOMS]
          : undefined;
      activity = (
        await createOnce<ActivityView>(
          api,
          '/activities',
          {
            as: recorder,
            // People registered a moment ago: the activities service may not know them yet.
            notYet: unknownPerson,
            body: {
              ...(plan.upcoming ? {} : { lateEntryReason: LATE_ENTRY }),
              branchId: branch.branchId,
              type: plan.type,
              ...(partyGroupId ? { partyGroupId } : {}),
              title: plan.title,
              agenda: plan.agenda,
              startsAt: plan.startsAt,
              endsAt: plan.endsAt,
              ...(roomId ? { roomId } : { location: '院本部会议室' }),
              inviteeIds: invitees.map((p) => p.personId),
            },
          },
          async () =>
            (
              await api.all<ActivityView>(
                `/activities?branchId=${branch.branchId}&from=${encodeURIComponent(plan.startsAt)}&to=${encodeURIComponent(plan.endsAt)}`,
                ctx.committee,
              )
            ).find((a) => a.title === plan.title && a.status !== 'cancelled'),
        )
      ).body;
      ctx.created.activities++;
    }
    ids[index] = activity.activityId;
    if (activity.status === 'completed' || plan.upcoming) {
      ctx.advance();
      return;
    }
    // Attendance as the secretary took it: most came, a few late, some excused, one often absent.
    const entries = invitees.map((p) => {
      const roll = chance(`${activity.activityId}:${p.personId}`);
      const status =
        p.oftenAbsent && roll < 0.6
          ? 'absent'
          : roll < 0.82
            ? 'present'
            : roll < 0.9
              ? 'late'
              : roll < 0.96
                ? 'excused'
                : 'absent';
      return { personId: p.personId, status, ...(status === 'excused' ? { note: '外出执行抽检任务' } : {}) };
    });
    for (let i = 0; i < entries.length; i += ATTENDANCE_BATCH) {
      const recorded = await api.call('PUT', `/activities/${activity.activityId}/attendance`, {
        as: recorder,
        body: { entries: entries.slice(i, i + ATTENDANCE_BATCH), lateEntryReason: LATE_ENTRY },
        expect: [200, 409],
      });
      // A run stopped in the middle of completing it: attendance is closed, completion goes on.
      if (recorded.status === 409) {
        if (recorded.body?.error?.code === 'activity-completing') break;
        throw new Error(`attendance of ${plan.title}: ${JSON.stringify(recorded.body)}`);
      }
      ctx.created.attendance += Math.min(ATTENDANCE_BATCH, entries.length - i);
    }
    const completed = await api.call('POST', `/activities/${activity.activityId}/complete`, {
      as: recorder,
      // Completed already: a completion whose answer was lost (a 503) and was sent again.
      expect: [200, 409],
      retryUnavailable: true,
      body: {
        lateEntryReason: LATE_ENTRY,
        minutes: `${plan.title}：应到${invitees.length}人。${plan.agenda}。会议按议程进行，形成会议记录。`,
        resolutions: plan.type === 'branch-general-meeting' ? ['通过本季度党建工作总结'] : [],
      },
    });
    if (completed.status === 409 && completed.body?.error?.code !== 'activity-completed') {
      throw new Error(`completing ${plan.title}: ${JSON.stringify(completed.body)}`);
    }
    ctx.advance();
  });
  return ids;
};

interface ResourceView {
  resourceId: string;
  title: string;
  status: 'uploading' | 'available' | 'rejected' | 'archived';
}

const seedResources = async (
  api: SeedClient,
  ctx: {
    count: number;
    committee: Identity;
    waitMs: number;
    limit: number;
    created: Record<CreatedKind, number>;
    advance: () => void;
  },
): Promise<string[]> => {
  if (ctx.count === 0) return [];
  // One walk through each list rather than a search per title.
  const found: ResourceView[] = [];
  for (const status of ['available', 'uploading'] as const) {
    found.push(...(await api.all<ResourceView>(`/resources?status=${status}`, ctx.committee)));
  }
  const ids: string[] = [];
  // Each upload waits for its check on its own: they are checked side by side.
  await eachLimited(
    Array.from({ length: ctx.count }, (_, i) => i),
    ctx.limit,
    async (i) => {
      const shelf = RESOURCE_SHELF[i % RESOURCE_SHELF.length] as (typeof RESOURCE_SHELF)[number];
      const title =
        i < RESOURCE_SHELF.length
          ? shelf.title
          : `${shelf.title}（${Math.floor(i / RESOURCE_SHELF.length) + 1}）`;
      const mine = found.filter((r) => r.title === title);
      const available = mine.find((r) => r.status === 'available');
      if (available) {
        ids[i] = available.resourceId;
        ctx.advance();
        return;
      }
      // An upload a crashed run left half done cannot be finished (the form is gone): it goes.
      for (const stale of mine) {
        await api.call('POST', `/resources/${stale.resourceId}/archive`, { as: ctx.committee });
      }
      const bytes = shelf.bytes();
      const resource = (
        await api.call<ResourceView & { upload: { url: string; fields: Record<string, string> } }>(
          'POST',
          '/resources',
          {
            as: ctx.committee,
            body: {
              title,
              kind: shelf.kind,
              contentType: shelf.contentType,
              sizeBytes: bytes.length,
              tags: shelf.tags,
              estimatedMinutes: shelf.minutes,
            },
          },
        )
      ).body;
      await uploadFile(resource.upload, bytes, shelf.contentType);
      await waitUntilAvailable(api, resource.resourceId, ctx.committee, ctx.waitMs);
      ctx.created.resources++;
      ids[i] = resource.resourceId;
      ctx.advance();
    },
  );
  return ids;
};

/** What a browser's form does with a presigned POST: the policy's fields, then the file. */
export const uploadFile = async (
  upload: { url: string; fields: Record<string, string> },
  bytes: Uint8Array,
  contentType: string,
): Promise<void> => {
  const res = await postToPresignedForm(upload, bytes, contentType);
  if (!res.ok) throw new Error(`upload to ${upload.url} answered ${res.status}: ${await res.text()}`);
};

/**
 * The platform checks an upload after S3 reports it (an event on the bus), so availability
 * comes a moment later: asked again until then, within a bound.
 */
export const waitUntilAvailable = async (
  api: SeedClient,
  resourceId: string,
  as: Identity,
  waitMs: number,
): Promise<void> => {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const resource = (
      await api.call<ResourceView & { rejectedReason?: string }>('GET', `/resources/${resourceId}`, { as })
    ).body;
    if (resource.status === 'available') return;
    if (resource.status !== 'uploading') {
      throw new Error(`resource ${resourceId} is ${resource.status}: ${resource.rejectedReason ?? ''}`);
    }
    if (Date.now() > deadline) throw new Error(`resource ${resourceId} still uploading after ${waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
};

interface PartnerView {
  partnerId: string;
  orgName: string;
  status: string;
}

const seedPartners = async (
  api: SeedClient,
  ctx: {
    count: number;
    committee: Identity;
    limit: number;
    created: Record<CreatedKind, number>;
    advance: () => void;
  },
): Promise<string[]> => {
  const listed: PartnerView[] = [];
  for (const status of ['approved', 'pending'] as const) {
    listed.push(...(await api.all<PartnerView>(`/community/partners?status=${status}`, ctx.committee)));
  }
  const ids: string[] = [];
  await eachLimited(
    Array.from({ length: ctx.count }, (_, i) => i),
    ctx.limit,
    async (i) => {
      const shelf = PARTNER_SHELF[i % PARTNER_SHELF.length] as (typeof PARTNER_SHELF)[number];
      const orgName = i < PARTNER_SHELF.length ? shelf.orgName : `${shelf.orgName}（${i + 1}）`;
      let partner = listed.find((p) => p.orgName === orgName);
      if (!partner) {
        const applied = await createOnce<{ partnerId: string }>(
          api,
          '/community/partners/applications',
          {
            expect: [202],
            body: {
              consent: true,
              orgName,
              orgType: shelf.orgType,
              contactName: ['赵敏', '钱立', '孙倩', '李航'][i % 4],
              contactPhone: `1391000${String(1000 + i).slice(-4)}`,
              contactEmail: `partner${i + 1}@example.cn`,
              intro: `${orgName}与研究院开展药品安全科普、志愿服务等党建共建活动。`,
            },
          },
          async () =>
            (await api.all<PartnerView>('/community/partners?status=pending', ctx.committee)).find(
              (p) => p.orgName === orgName,
            ),
        );
        partner = { partnerId: applied.body.partnerId, orgName, status: 'pending' };
        ctx.created.partners++;
      }
      if (partner.status === 'pending') {
        await api.call('POST', `/community/partners/${partner.partnerId}/approve`, { as: ctx.committee });
      }
      ids[i] = partner.partnerId;
      ctx.advance();
    },
  );
  return ids;
};

interface EventView {
  jointEventId: string;
  title: string;
  status: string;
}

interface RegistrationView {
  registrant: { kind: 'partner'; partnerId: string } | { kind: 'member'; personId: string };
  status: string;
}

const seedJointEvents = async (
  api: SeedClient,
  ctx: {
    count: number;
    committee: Identity;
    partnerIds: string[];
    registrants: Identity[];
    now: Date;
    created: Record<CreatedKind, number>;
    advance: () => void;
  },
): Promise<string[]> => {
  const listed = [
    ...(await api.all<EventView>('/community/events', ctx.committee)),
    ...(await api.all<EventView>('/community/events/drafts', ctx.committee)),
  ];
  const day = 86_400_000;
  const ids: string[] = [];
  for (let i = 0; i < ctx.count; i++) {
    const title = `“药品安全进社区”科普志愿服务${i === 0 ? '' : `（第${i + 1}场）`}`;
    let event = listed.find((e) => e.title === title);
    if (!event) {
      const starts = new Date(
        `${localDate(new Date(ctx.now.getTime() + (30 + 7 * i) * day))}T09:00:00+08:00`,
      );
      event = (
        await createOnce<EventView>(
          api,
          '/community/events',
          {
            as: ctx.committee,
            body: {
              title,
              kind: 'science-outreach',
              description: '研究院党员与共建单位一起走进社区，讲解安全用药知识、开展药品真伪识别咨询。',
              startsAt: starts.toISOString(),
              endsAt: new Date(starts.getTime() + 3 * 3_600_000).toISOString(),
              location: '和平里街道社区服务中心',
              // Small on purpose: the demo shows the waitlist.
              capacity: 12,
              partnerQuota: 4,
              registrationOpensAt: new Date(ctx.now.getTime() - day).toISOString(),
              registrationClosesAt: new Date(starts.getTime() - 2 * day).toISOString(),
              hostPartnerIds: ctx.partnerIds.slice(0, 1),
            },
          },
          async () =>
            (
              await api.all<EventView>('/community/events/drafts', ctx.committee)
            ).find((e) => e.title === title),
        )
      ).body;
      ctx.created.jointEvents++;
    }
    if (event.status === 'draft') {
      await api.call('POST', `/community/events/${event.jointEventId}/publish`, { as: ctx.committee });
    }
    const eventId = event.jointEventId;
    const registered = await api.all<RegistrationView>(
      `/community/events/${eventId}/registrations`,
      ctx.committee,
    );
    const has = (r: RegistrationView['registrant']) =>
      registered.some(
        (x) =>
          x.status !== 'cancelled' &&
          (r.kind === 'partner'
            ? x.registrant.kind === 'partner' && x.registrant.partnerId === r.partnerId
            : x.registrant.kind === 'member' && x.registrant.personId === r.personId),
      );
    for (const [p, partnerId] of ctx.partnerIds.entries()) {
      if (has({ kind: 'partner', partnerId })) continue;
      // More than the partner quota of 4: the last ones wait.
      const participants = Array.from({ length: 5 - (p % 2) }, (_, k) => ({
        name: `${['周', '吴', '郑', '冯', '陈'][k]}${['志愿者', '老师', '同学'][p % 3]}${k + 1}`,
        phone: `1380000${String(p * 100 + k).padStart(4, '0')}`,
      }));
      const account: Identity = {
        roles: ['partner'],
        sub: stableId(`partner-account:${partnerId}`),
        orgId: partnerId,
      };
      await createOnce(
        api,
        `/community/events/${eventId}/registrations`,
        { as: account, body: { participants, consent: true } },
        async () => (await api.all(`/community/events/${eventId}/registrations`, account))[0],
      );
      ctx.created.registrations++;
    }
    for (const member of ctx.registrants) {
      if (has({ kind: 'member', personId: member.sub })) continue;
      const answer = await api.call('POST', `/community/events/${eventId}/registrations`, {
        as: member,
        body: {},
        // Registered already (the 409) is what a repeat after a lost answer meets.
        expect: [201, 409],
        retryUnavailable: true,
        notYet: unknownPerson,
      });
      if (answer.status === 201) ctx.created.registrations++;
    }
    ids.push(eventId);
    ctx.advance();
  }
  return ids;
};

// ---------------------------------------------------------------- dues (党费)

interface DuesPlan {
  person: PersonPlan;
  category: 'employed' | 'retired';
  /** The monthly base in yuan, whole hundreds. */
  base: number;
  /** The months of this year up to last month they have paid: all but the last 1–3 for one in four. */
  paid: string[];
}

/**
 * Each member's dues this year: nine in ten employed with a base between 3,000 and 12,000
 * yuan, the others retired (2,500 to 7,000); the months owed up to last month paid, on time,
 * but for one member in four, whose last one to three months are unpaid (the arrears the
 * tour shows). The current month is never paid: it is not late yet.
 */
const duesPlans = (people: readonly PersonPlan[], today: string): DuesPlan[] => {
  const year = today.slice(0, 4);
  const lastMonth = Number(today.slice(5, 7)) - 1;
  return people.filter(isMember).map((person) => {
    const retired = chance(`${person.key}:dues-category`) < 0.1;
    const spread = chance(`${person.key}:dues-base`);
    const base = retired ? 2_500 + Math.round(spread * 45) * 100 : 3_000 + Math.round(spread * 90) * 100;
    const from = person.statusSince.slice(0, 4) === year ? Number(person.statusSince.slice(5, 7)) : 1;
    const owed = Array.from(
      { length: Math.max(0, lastMonth - from + 1) },
      (_, i) => `${year}-${String(from + i).padStart(2, '0')}`,
    );
    const late = chance(`${person.key}:dues-late`);
    const unpaid = late < 0.25 ? 1 + Math.floor(late * 12) : 0;
    return {
      person,
      category: retired ? 'retired' : 'employed',
      base,
      paid: owed.slice(0, owed.length - unpaid),
    };
  });
};

/**
 * Sets each member's base and records their payments, as the committee, the way members pay:
 * a quarter's months in one transfer (按季度交纳), one request per quarter. What is there is
 * read first (a branch's statement: a member's category once their base is set, each month
 * paid), so a rerun sends nothing for the months paid; a quarter's request carries an
 * Idempotency-Key of its person and months, so one resent after a lost answer is answered as
 * the first. Its 409 `dues-month-paid` (one of its months paid meanwhile, the batch then
 * writing none) sends that quarter's months one by one, each 409 meaning the month is there.
 */
const seedDues = async (
  api: SeedClient,
  ctx: {
    dues: readonly DuesPlan[];
    branches: readonly Branch[];
    committee: Identity;
    today: string;
    limit: number;
    created: Record<CreatedKind, number>;
    advance: (count?: number) => void;
  },
): Promise<void> => {
  type Statement = {
    members: {
      personId: string;
      category?: string;
      months: { month: string; due?: string; paid?: unknown }[];
    }[];
  };
  const year = Number(ctx.today.slice(0, 4));
  const onFile = new Map<string, Statement['members'][number]>();
  await eachLimited([...ctx.branches], ctx.limit, async (branch) => {
    const statement = await api.call<Statement>('GET', `/talent/dues/statement?branchId=${branch.branchId}`, {
      as: ctx.committee,
    });
    for (const m of statement.body.members) onFile.set(m.personId, m);
  });
  await eachLimited([...ctx.dues], ctx.limit, async (plan) => {
    const { personId } = plan.person;
    const known = onFile.get(personId);
    let due = known?.months.find((m) => m.due !== undefined)?.due;
    if (!known?.category) {
      const set = await api.call<{ monthlyDue: string }>('PUT', `/talent/dues/${personId}/${year}`, {
        as: ctx.committee,
        body: { category: plan.category, base: String(plan.base), version: 0 },
      });
      due = set.body.monthlyDue;
      ctx.created.duesBases++;
    }
    ctx.advance();
    const paid = new Set(known?.months.filter((m) => m.paid !== undefined).map((m) => m.month));
    // The months talent says they owe (the membership's, as talent reckons it from their record).
    const owed = known ? new Set(known.months.map((m) => m.month)) : undefined;
    const toPay = plan.paid.filter((month) => !paid.has(month) && (owed === undefined || owed.has(month)));
    ctx.advance(plan.paid.length - toPay.length);
    const quarters = new Map<number, string[]>();
    for (const month of toPay) {
      const quarter = Math.floor((Number(month.slice(5, 7)) - 1) / 3);
      quarters.set(quarter, [...(quarters.get(quarter) ?? []), month]);
    }
    await eachLimited([...quarters.values()], ctx.limit, async (months) => {
      const first = months[0] as string;
      const last = months.at(-1) as string;
      // Paid mid-month of the quarter's last month paid, never after today; most by WeChat,
      // some off the payroll.
      const paidOn = `${last}-15` < ctx.today ? `${last}-15` : ctx.today;
      const channel = chance(`${personId}:${first}-${last}:channel`) < 0.7 ? 'wechat' : 'payroll';
      const path = `/talent/dues/${personId}/payments/batch`;
      const answer = await api.call('POST', path, {
        as: ctx.committee,
        headers: { 'Idempotency-Key': `seed-dues-${personId}-${first}-${last}` },
        body: { paidOn, channel, months: months.map((month) => ({ month, amount: due })) },
        expect: [201, 409],
        retryUnavailable: true,
      });
      if (answer.status === 201) ctx.created.duesPayments += months.length;
      else if (answer.body?.error?.code === 'dues-month-paid') {
        await eachLimited(months, ctx.limit, async (month) => {
          const one = await api.call('POST', `/talent/dues/${personId}/payments`, {
            as: ctx.committee,
            headers: { 'Idempotency-Key': `seed-dues-${personId}-${month}` },
            body: { month, amount: due, paidOn, channel },
            expect: [201, 409],
            retryUnavailable: true,
          });
          if (one.status === 201) ctx.created.duesPayments++;
          else if (one.body?.error?.code !== 'dues-month-paid') {
            throw new UnexpectedAnswer('POST', `/talent/dues/${personId}/payments`, one.status, one.body);
          }
        });
      } else throw new UnexpectedAnswer('POST', path, answer.status, answer.body);
      ctx.advance(months.length);
    });
  });
};

// ---------------------------------------------------------------- 组织关系

/**
 * The retired members' branch (离退休党支部), found by name and marked `retiredMembers`; one
 * found unmarked (made before branches carried the mark) is marked by a correction.
 */
const seedRetiredBranch = async (
  api: SeedClient,
  ctx: {
    existing: readonly Branch[];
    retiredPlan: { name: string; partyGroups: readonly string[] };
    committee: Identity;
    created: Record<CreatedKind, number>;
  },
): Promise<Branch> => {
  const { name, partyGroups } = ctx.retiredPlan;
  let branch = ctx.existing.find((b) => b.name === name);
  if (!branch) {
    branch = (
      await createOnce<Branch>(
        api,
        '/talent/branches',
        {
          as: ctx.committee,
          body: { name, retiredMembers: true, partyGroups: partyGroups.map((g) => ({ name: g })) },
        },
        async () => (await api.all<Branch>('/talent/branches', ctx.committee)).find((b) => b.name === name),
      )
    ).body;
    ctx.created.branches++;
  }
  if (!branch.retiredMembers) {
    branch = (
      await api.call<Branch>('PATCH', `/talent/branches/${branch.branchId}`, {
        as: ctx.committee,
        body: { version: branch.version, retiredMembers: true },
      })
    ).body;
  }
  return branch;
};

interface PersonView {
  personId: string;
  name: string;
  version: number;
  branchId?: string;
  departure?: unknown;
  retirement?: unknown;
}

/**
 * Transfers out (by the branch's secretary), retirements and a transfer in (by the committee),
 * each found done first: a leaver by their derived id (their departure or retirement on
 * record), the arrival by name in their branch. Each leaver is registered first, with their
 * history, as the people phase registers everyone. Bases are set with version 0: once set,
 * the API's 409 says so.
 */
const seedLifecycle = async (
  api: SeedClient,
  ctx: {
    plan: LifecyclePlan;
    branches: readonly Branch[];
    retiredBranch: Branch;
    secretaryOf: (b: number) => Identity;
    committee: Identity;
    today: string;
    limit: number;
    created: Record<CreatedKind, number>;
    advance: () => void;
  },
): Promise<{ personId: string; branchId: string }> => {
  const { plan, committee } = ctx;
  const year = ctx.today.slice(0, 4);
  const setBase = async (personId: string, category: 'employed' | 'retired', base: number) => {
    const answer = await api.call('PUT', `/talent/dues/${personId}/${year}`, {
      as: committee,
      body: { category, base: String(base), version: 0 },
      expect: [200, 409],
    });
    if (answer.status === 409 && answer.body?.error?.code !== 'version-conflict') {
      throw new UnexpectedAnswer('PUT', `/talent/dues/${personId}/${year}`, answer.status, answer.body);
    }
  };
  /** A leaver as the register has them, registered first when it does not. */
  const leaver = async (p: PersonPlan): Promise<PersonView> => {
    const found = await api.call<PersonView>('GET', `/talent/people/${p.personId}`, {
      as: committee,
      expect: [200, 404],
    });
    if (found.status === 200) return found.body;
    const registered = await api.call<PersonView>('POST', '/talent/people', {
      as: committee,
      expect: [201],
      body: {
        personId: p.personId,
        name: p.name,
        gender: p.gender,
        birthDate: p.birthDate,
        department: p.department,
        branchId: (ctx.branches[p.branch] as Branch).branchId,
        politicalStatus: p.politicalStatus,
        statusSince: p.statusSince,
        history: { evidence: { kind: 'party-file', reference: `档案 ${p.key}`, issuedOn: p.statusSince } },
        workStartDate: p.workStartDate,
        position: p.position,
        title: p.title,
        education: p.education,
      },
    });
    return registered.body;
  };

  await eachLimited(plan.transfersOut, ctx.limit, async (t) => {
    const person = await leaver(t.person);
    if (!person.departure) {
      await api.call('POST', `/talent/people/${person.personId}/transfer-out`, {
        as: ctx.secretaryOf(t.person.branch),
        body: {
          version: person.version,
          letterNumber: t.letterNumber,
          receivingOrganisation: t.receivingOrganisation,
          on: t.on,
        },
      });
      ctx.created.transfersOut++;
    }
    ctx.advance();
  });

  await eachLimited(plan.retirements, ctx.limit, async (r) => {
    const person = await leaver(r.person);
    if (!person.retirement) {
      // Named: an institution may have more than one retired members' branch.
      await api.call('POST', `/talent/people/${person.personId}/end-membership`, {
        as: committee,
        body: {
          version: person.version,
          kind: 'retired',
          on: r.on,
          reason: r.reason,
          authority: r.authority,
          retiredBranchId: ctx.retiredBranch.branchId,
        },
      });
      ctx.created.retirements++;
    }
    await setBase(person.personId, 'retired', 4_800);
    ctx.advance();
  });

  const a = plan.arrival;
  const branchId = (ctx.branches[a.branch] as Branch).branchId;
  const find = async () =>
    (
      await api.all<PersonView>(
        `/talent/people?branchId=${branchId}&q=${encodeURIComponent(a.name)}`,
        committee,
      )
    ).find((p) => p.name === a.name);
  let arrived = await find();
  if (!arrived) {
    arrived = (
      await createOnce<PersonView>(
        api,
        '/talent/people/transfer-in',
        {
          as: committee,
          body: {
            name: a.name,
            gender: a.gender,
            birthDate: a.birthDate,
            department: a.department,
            branchId,
            politicalStatus: 'full',
            statusSince: a.statusSince,
            workStartDate: a.workStartDate,
            position: a.position,
            title: a.title,
            education: a.education,
            transfer: a.transfer,
          },
        },
        find,
      )
    ).body;
    ctx.created.transfersIn++;
  }
  await setBase(arrived.personId, 'employed', 8_600);
  ctx.advance();
  return { personId: arrived.personId, branchId };
};
