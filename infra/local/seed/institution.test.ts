/**
 * The seed against the shared test runtime: what it promises the demo shows is there when
 * asked through the API, and a second run creates nothing. The test runtime holds other
 * files' data too, so every check is about the ids this run returned. A separate institution
 * name keeps its branches apart from any other seeding in the same runtime.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { as, runtime } from '../../../test/support/api.js';
import { DELIVERY_BUDGET_MS, until } from '../../../test/support/wait.js';
import { SEED_PHASES, type SeedScale, type SeedSummary, seedInstitution } from './institution.js';
import type { SeedProgress } from './progress.js';

const scale: SeedScale = { people: 80, activityMonths: 5, resources: 2, jointEvents: 1, partners: 2 };
// Mid-year, so the months the biologics branch missed (2, 3 and 5 back) fall in this year.
const now = new Date('2026-07-15T10:00:00+08:00');
/** What the seed reported of each phase: its planned total, the items it advanced, what it created. */
interface Reported {
  total: number;
  done: number;
  created?: number | undefined;
  /** Its place among the seed's start and end reports. */
  startedAt?: number;
  endedAt?: number;
}
const recorder = () => {
  const phases = new Map<string, Reported>();
  let reports = 0;
  const progress: SeedProgress = {
    plan: (planned) => {
      for (const p of planned) phases.set(p.name, { total: p.total, done: 0 });
    },
    start: (name) => {
      const phase = phases.get(name);
      if (phase) phase.startedAt = reports++;
    },
    advance: (name, count = 1) => {
      const phase = phases.get(name);
      if (phase) phase.done += count;
    },
    end: (name, created) => {
      const phase = phases.get(name);
      if (phase) Object.assign(phase, { created, endedAt: reports++ });
    },
  };
  return { progress, phases };
};
const firstRun = recorder();
const secondRun = recorder();

const options = () => ({
  url: runtime().url,
  dataDir: runtime().dataDir,
  scale,
  now,
  institution: '测试药检院',
  concurrency: 12,
  // The seed's own default: the upload's checks run as consumers, slow on a loaded machine.
  uploadWaitMs: 60_000,
});

let first: SeedSummary;
let second: SeedSummary;
beforeAll(async () => {
  first = await seedInstitution({ ...options(), progress: firstRun.progress });
  second = await seedInstitution({ ...options(), progress: secondRun.progress });
}, 180_000);

const committee = () => as({ roles: ['committee'] });
const branchNamed = (summary: SeedSummary, name: string) => {
  const branch = summary.branches.find((b) => b.name.endsWith(name));
  if (!branch) throw new Error(`no branch ${name}`);
  return branch.branchId;
};

describe('seedInstitution', () => {
  it('registers people at every stage of the pipeline, with steps due and overdue', async () => {
    const c = await committee();
    const stages = new Set<string>();
    let overdue = 0;
    for (const { branchId } of first.branches) {
      const res = await c.get(`/talent/insights/pipeline?branchId=${branchId}`, { now });
      expect(res.status).toBe(200);
      for (const [stage, count] of Object.entries(res.body.counts as Record<string, number>)) {
        if (count > 0) stages.add(stage);
      }
      overdue += (res.body.due as { overdue: boolean }[]).filter((d) => d.overdue).length;
    }
    expect([...stages].sort()).toEqual([
      'activist',
      'applicant',
      'candidate',
      'full',
      'masses',
      'probationary',
    ]);
    expect(overdue).toBeGreaterThan(0);
    expect(first.people).toHaveLength(80);
  });

  it('leaves one branch with an age gap among its members, and the others without', async () => {
    const c = await committee();
    const gap = await c.get(`/talent/insights/age-structure?branchId=${branchNamed(first, '中药检验支部')}`, {
      now,
    });
    expect(gap.status).toBe(200);
    expect(gap.body.gaps).toEqual(['35-39', '40-44']);
    const full = await c.get(
      `/talent/insights/age-structure?branchId=${branchNamed(first, '化学药品检验支部')}`,
      {
        now,
      },
    );
    expect(full.body.gaps).toEqual([]);
  });

  it('holds a year of meetings in which one branch missed months the others met', async () => {
    const c = await committee();
    const themeDays = async (name: string) => {
      const res = await c.get(
        `/activities/insights/compliance?branchId=${branchNamed(first, name)}&year=2026`,
        {
          now,
        },
      );
      expect(res.status).toBe(200);
      const type = (
        res.body.branches[0].types as { type: string; periods: { label: string; status: string }[] }[]
      ).find((t) => t.type === 'theme-day');
      return new Map(type?.periods.map((p) => [p.label, p.status]));
    };
    const missed = await themeDays('生物制品检验支部');
    const kept = await themeDays('化学药品检验支部');
    const missedOnlyThere = [...missed].filter(
      ([label, status]) => status === 'missed' && kept.get(label) === 'met',
    );
    expect(missedOnlyThere.map(([label]) => label)).toEqual(['2026-02', '2026-04', '2026-05']);

    const held = await c.get(`/activities/${first.activityIds[0]}/attendance`);
    expect(held.body.activityStatus).toBe('completed');
    expect(held.body.items.length).toBeGreaterThan(0);
  });

  it('puts real files in the library that become available and download as uploaded', async () => {
    const c = await committee();
    expect(first.resourceIds).toHaveLength(2);
    for (const resourceId of first.resourceIds) {
      expect((await c.get(`/resources/${resourceId}`)).body.status).toBe('available');
    }
    const link = await c.get(`/resources/${first.resourceIds[0]}/download`);
    const bytes = new Uint8Array(await (await fetch(link.body.url)).arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 8))).toBe('%PDF-1.4');
    const results = await c.get(`/resources/assessments/${first.assessmentIds[0]}/results`);
    expect(results.body.graded).toBeGreaterThan(0);
  });

  it('fills a joint event of approved partners beyond its capacity: a waitlist', async () => {
    const c = await committee();
    for (const partnerId of first.partnerIds) {
      expect((await c.get(`/community/partners/${partnerId}`)).body.status).toBe('approved');
    }
    const waitlist = await c.get(`/community/events/${first.jointEventIds[0]}/waitlist`);
    expect(waitlist.status).toBe(200);
    expect(waitlist.body.items.length).toBeGreaterThan(0);
  });

  it("leaves the committee's announcement read by two in three members, and every member an inbox with their activities", async () => {
    const c = await committee();
    const [institutionWide, ...toBranches] = first.announcementIds;
    expect(toBranches).toHaveLength(first.branches.length);
    const members = first.people.filter(
      (p) => p.politicalStatus === 'full' || p.politicalStatus === 'probationary',
    );
    const readers = members.filter((_, i) => i % 3 !== 0);
    const receipts = await c.get(`/notices/announcements/${institutionWide}/reads`);
    expect(receipts.status).toBe(200);
    expect(receipts.body.readCount).toBe(readers.length);
    // Everyone of the register who is a party member got it: the seeded members and the committee's.
    expect(receipts.body.recipients).toBeGreaterThanOrEqual(members.length);
    const unread = members[0] as (typeof members)[number];
    const reader = await as({ roles: ['member'], personId: unread.personId, branchId: unread.branchId });
    const kindsOf = (items: { kind: string }[]) => new Set(items.map((e) => e.kind));
    // The next theme day's invitation is posted from its event, a moment after the seed has
    // scheduled it: it may still be on the bus when the seed ends.
    await until("the next theme day's invitation in a member's inbox", DELIVERY_BUDGET_MS, async () =>
      kindsOf((await reader.get('/notices/me?limit=100')).body.items ?? []).has('activity-scheduled'),
    );
    const inbox = await reader.get('/notices/me?limit=100');
    expect(inbox.status).toBe(200);
    expect([...kindsOf(inbox.body.items)]).toEqual(
      expect.arrayContaining(['announcement', 'activity-scheduled']),
    );
    const wide = inbox.body.items.find((e: { noticeId: string }) => e.noticeId === institutionWide);
    expect(wide).toMatchObject({ mandatory: true });
    expect(wide.readAt).toBeUndefined();
  });

  it('reports every phase, each after those it waits for and advanced to exactly its planned total, on both runs', () => {
    for (const run of [firstRun, secondRun]) {
      expect([...run.phases.keys()]).toEqual(SEED_PHASES.map(({ name }) => name));
      for (const { name, after } of SEED_PHASES) {
        const phase = run.phases.get(name) as Reported;
        expect({ name, done: phase.done, ended: phase.endedAt !== undefined }).toEqual({
          name,
          done: phase.total,
          ended: true,
        });
        for (const before of after) {
          expect((run.phases.get(before) as Reported).endedAt).toBeLessThan(phase.startedAt as number);
        }
      }
    }
    // The library is stocked while people are still being registered.
    const { phases } = firstRun;
    expect(phases.get('resources')?.startedAt).toBeLessThan(phases.get('people')?.endedAt as number);
    expect(firstRun.phases.get('activities')?.total).toBe(first.activityIds.length);
    expect(firstRun.phases.get('activities')?.created).toBe(first.created.activities);
    expect(firstRun.phases.get('people')?.created).toBe(first.created.people);
    expect(first.created.people).toBeGreaterThan(0);
    // Naming people to roles counts nothing; every other phase found all it needed.
    expect(secondRun.phases.get('committee and secretaries')?.created).toBeUndefined();
    expect(
      [...secondRun.phases]
        .filter(([name]) => name !== 'committee and secretaries')
        .map(([name, p]) => [name, p.created]),
    ).toEqual(
      SEED_PHASES.filter(({ name }) => name !== 'committee and secretaries').map(({ name }) => [name, 0]),
    );
  });

  it('creates nothing on a second run and finds the same things', async () => {
    expect(Object.values(second.created).every((n) => n === 0)).toBe(true);
    expect(second.created).toMatchObject({ people: 0, activities: 0, attendance: 0, registrations: 0 });
    const { created: _a, ...sameFirst } = first;
    const { created: _b, ...sameSecond } = second;
    expect(sameSecond).toEqual(sameFirst);
    const c = await committee();
    for (const { branchId } of first.branches) {
      const people = await c.get(`/talent/insights/pipeline?branchId=${branchId}`, { now });
      const total = Object.values(people.body.counts as Record<string, number>).reduce((s, n) => s + n, 0);
      // Twenty each; those who left count nowhere, the member transferred in counts where they arrived.
      expect(total).toBe(branchId === first.lifecycle.transferredIn.branchId ? 21 : 20);
    }
    const registrations = await c.get(`/community/events/${first.jointEventIds[0]}/registrations?limit=100`);
    expect(registrations.body.items).toHaveLength(first.created.registrations);
  });

  it('sets a year of dues for every member, paid up to last month but for a few in arrears', async () => {
    const c = await committee();
    const members = first.people.filter((p) => ['probationary', 'full'].includes(p.politicalStatus));
    expect(first.created.duesBases).toBe(members.length);
    expect(first.created.duesPayments).toBeGreaterThan(members.length * 3);
    const late: string[][] = [];
    for (const { branchId } of first.branches) {
      const arrears = await c.get(`/talent/dues/arrears?branchId=${branchId}`, { now });
      expect(arrears.status).toBe(200);
      for (const m of arrears.body.members as {
        personId: string;
        unpaidMonths: string[];
        dueUnknown: boolean;
      }[]) {
        expect(m.dueUnknown).toBe(false);
        // The member transferred in paid the sending organisation up to their letter: nothing owed here yet.
        expect(m.personId).not.toBe(first.lifecycle.transferredIn.personId);
        // The current month (July) is owed but not late; the late ones are the last months.
        late.push(m.unpaidMonths.filter((month) => month < '2026-07'));
      }
    }
    const inArrears = late.filter((months) => months.length > 0);
    expect(inArrears.length).toBeGreaterThan(0);
    expect(inArrears.length).toBeLessThan(members.length / 2);
    for (const months of inArrears) {
      expect(months.length).toBeLessThanOrEqual(3);
      expect(months.at(-1)).toBe('2026-06');
    }
    // Paid a quarter at a time (按季度交纳): one day and one channel per quarter, the 15th of
    // its last month paid.
    const quarterly: string[][] = [];
    for (const { personId } of members.slice(0, 8)) {
      const dues = await c.get(`/talent/dues/${personId}?year=2026`, { now });
      const paid = (
        dues.body.months as { month: string; paid?: { paidOn: string; channel: string } }[]
      ).filter((m) => m.paid);
      for (const [from, to] of [
        ['2026-01', '2026-03'],
        ['2026-04', '2026-06'],
      ]) {
        const months = paid.filter((m) => m.month >= (from as string) && m.month <= (to as string));
        if (months.length === 0) continue;
        expect(new Set(months.map((m) => `${m.paid?.paidOn} ${m.paid?.channel}`)).size).toBe(1);
        expect(months[0]?.paid?.paidOn).toBe(`${months.at(-1)?.month}-15`);
        quarterly.push(months.map((m) => m.month));
      }
    }
    expect(quarterly.some((months) => months.length === 3)).toBe(true);
  });

  it('transfers members out and one in, and retires older members into the retired members’ branch', async () => {
    const c = await committee();
    const retired = await c.get(`/talent/branches/${first.retiredBranch.branchId}`);
    expect(retired.body).toMatchObject({ name: '测试药检院·离退休党支部', retiredMembers: true });
    expect(first.lifecycle.transferredOut).toHaveLength(2);
    expect(first.lifecycle.retired).toHaveLength(2);
    expect(first.created).toMatchObject({ branches: 5, transfersOut: 2, transfersIn: 1, retirements: 2 });
    for (const personId of first.lifecycle.transferredOut) {
      const person = (await c.get(`/talent/people/${personId}`)).body;
      expect(person.departure).toMatchObject({ reason: 'transferred-out' });
      expect(person.departure.transfer.letterNumber).toMatch(/^京药检党转字〔2026〕\d+号$/);
      expect(person.departure.transfer.receivingOrganisation).toBeTruthy();
    }
    const inRetiredBranch = await c.get(`/talent/people?branchId=${first.retiredBranch.branchId}`);
    expect(inRetiredBranch.body.items.map((p: { personId: string }) => p.personId).sort()).toEqual(
      [...first.lifecycle.retired].sort(),
    );
    for (const personId of first.lifecycle.retired) {
      const person = (await c.get(`/talent/people/${personId}`)).body;
      expect(person.retirement).toMatchObject({ retiredBranchId: first.retiredBranch.branchId });
      expect(person.departure).toBeUndefined();
    }
    const arrival = (await c.get(`/talent/people/${first.lifecycle.transferredIn.personId}`)).body;
    expect(arrival).toMatchObject({
      branchId: first.lifecycle.transferredIn.branchId,
      politicalStatus: 'full',
      arrivedWith: { evidence: { kind: 'transfer-letter' }, transferredFrom: expect.any(String) },
    });
    // The rerun found each done and moved nobody again.
    expect(second.lifecycle).toEqual(first.lifecycle);
    expect(second.created).toMatchObject({ branches: 0, transfersOut: 0, transfersIn: 0, retirements: 0 });
  });
});
