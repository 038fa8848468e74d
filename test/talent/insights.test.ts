/**
 * Insights on known rosters (age structure, pipeline funnel and due steps), records with their
 * rating enums, and talent pools — through the gateway.
 */
import { describe, expect, it } from 'vitest';
import { ActivityCompleted } from '../../services/activities/events.js';
import { newId } from '../../shared/ids.js';
import { as, publish, settle } from '../support/api.js';
import { type Client, committee, newBranch, register } from './support.js';

const NOW = '2026-11-26T10:00:00+08:00';

describe('age structure', () => {
  const roster = async (admin: Client, branchId: string) => {
    const people: [string, string][] = [
      ['full', '2000-01-01'], // 26
      ['full', '1996-11-26'], // 30 today
      ['probationary', '1991-11-27'], // 34, 35 tomorrow
      ['full', '1980-06-01'], // 46
      ['full', '1965-01-01'], // 61
      ['activist', '1988-01-01'], // 38
      ['candidate', '1970-01-01'], // 56
      ['masses', '1999-01-01'], // not counted
    ];
    for (const [politicalStatus, birthDate] of people) {
      await register(admin, { branchId, politicalStatus, birthDate, statusSince: '2020-01-01' });
    }
  };

  it('counts members and the pipeline by band at the request date, with share under 35, average, gaps, warning', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    await roster(admin, branchId);
    const res = await admin.get(`/talent/insights/age-structure?branchId=${branchId}`, { now: NOW });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      branchId,
      asOf: '2026-11-26',
      members: {
        count: 5,
        bands: { '<30': 1, '30-34': 2, '35-39': 0, '40-44': 0, '45-49': 1, '50-54': 0, '55+': 1 },
        shareUnder35: 0.6,
        averageAge: 39.4,
      },
      pipeline: {
        count: 2,
        bands: { '<30': 0, '30-34': 0, '35-39': 1, '40-44': 0, '45-49': 0, '50-54': 0, '55+': 1 },
        shareUnder35: 0,
        averageAge: 47,
      },
      gaps: ['35-39', '40-44', '50-54'],
      warnings: [
        { code: 'no-young-pipeline', message: 'no one under 35 in the pipeline (applicant to candidate)' },
      ],
    });

    // A day later the 34-year-old is 35; a young applicant lifts the warning.
    await register(admin, {
      branchId,
      politicalStatus: 'applicant',
      birthDate: '2000-01-01',
      statusSince: '2026-01-01',
    });
    const later = await admin.get(`/talent/insights/age-structure?branchId=${branchId}`, {
      now: '2026-11-27T10:00:00+08:00',
    });
    expect(later.body.members.bands).toMatchObject({ '30-34': 1, '35-39': 1 });
    expect(later.body.gaps).toEqual(['40-44', '50-54']);
    expect(later.body.warnings).toEqual([]);
  });

  it("is the branch's for its secretary, everyone's for the committee only", async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const other = await newBranch(admin);
    await register(admin, { branchId, politicalStatus: 'full' });
    const secretary = await as({ roles: ['secretary'], branchId });
    const own = await secretary.get('/talent/insights/age-structure', { now: NOW });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ branchId, members: { count: 1 } });
    expect((await secretary.get(`/talent/insights/age-structure?branchId=${other.branchId}`)).status).toBe(
      404,
    );
    expect((await secretary.get(`/talent/insights/pipeline?branchId=${other.branchId}`)).status).toBe(404);
    expect(
      (await (await as({ roles: ['member'], branchId })).get('/talent/insights/age-structure')).status,
    ).toBe(403);
    const all = await admin.get('/talent/insights/age-structure', { now: NOW });
    expect(all.status).toBe(200);
    expect(all.body.branchId).toBeUndefined();
    expect(all.body.members.count).toBeGreaterThanOrEqual(1);
  });
});

describe('pipeline insights', () => {
  it('counts per stage and lists the steps due, with their date and rule', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    await register(admin, { branchId, politicalStatus: 'full', name: '正式党员' });
    const person = async (name: string, politicalStatus: string, statusSince: string) =>
      (await register(admin, { branchId, name, politicalStatus, statusSince }, NOW)).personId;
    const fact = async (personId: string, body: Record<string, unknown>) => {
      const res = await admin.post(`/talent/people/${personId}/pipeline-events`, body, { now: NOW });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    };

    const untalked = await person('甲', 'applicant', '2026-10-01');
    await person('乙', 'applicant', '2026-11-01');
    const talked = await person('丙', 'applicant', '2026-10-01');
    await fact(talked, { kind: 'application-talk', on: '2026-10-15' });
    const activist = await person('丁', 'activist', '2025-11-26');
    const noContact = await person('戊', 'activist', '2026-06-01');
    await fact(noContact, { kind: 'activist-review', on: '2026-11-01' });
    const reviewed = await person('己', 'candidate', '2025-01-01');
    await fact(reviewed, { kind: 'political-review', on: '2025-12-20' });
    const voted = await person('庚', 'candidate', '2026-01-01');
    const meetingId = newId();
    await publish(ActivityCompleted, {
      activityId: meetingId,
      branchId,
      type: 'branch-general-meeting',
      title: '支部党员大会',
      startsAt: '2026-08-01T09:00:00+08:00',
      endsAt: '2026-08-01T11:00:00+08:00',
      heldOn: '2026-08-01',
      resolutions: [],
      attendance: { invited: 5, present: 5, late: 0, excused: 0, absent: 0 },
    });
    await settle();
    await fact(voted, { kind: 'branch-resolution', on: '2026-08-01', activityId: meetingId });
    const ended = await person('辛', 'probationary', '2025-11-01');
    await fact(ended, { kind: 'quarterly-discussion', on: '2026-10-01' });
    const undiscussed = await person('壬', 'probationary', '2026-06-01');

    const res = await admin.get(`/talent/insights/pipeline?branchId=${branchId}`, { now: NOW });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({
      masses: 0,
      applicant: 3,
      activist: 2,
      candidate: 2,
      probationary: 2,
      full: 1,
    });
    expect(res.body.due.map((d: any) => [d.personId, d.rule, d.dueOn, d.overdue])).toEqual([
      [activist, 'activist-without-contact-person', '2025-11-26', false],
      [activist, 'activist-half-yearly-review', '2026-05-26', true],
      [noContact, 'activist-without-contact-person', '2026-06-01', false],
      [undiscussed, 'quarterly-discussion-due', '2026-09-01', true],
      [ended, 'probation-ended-without-decision', '2026-11-01', false],
      [untalked, 'application-talk-overdue', '2026-11-02', true],
      [voted, 'approval-overdue', '2026-11-02', true],
      [reviewed, 'political-review-expires', '2026-11-20', false],
      [activist, 'activist-eligible-for-candidate', '2026-11-26', false],
    ]);
  });

  it('records pipeline facts only for the stage they belong to', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const p = (await register(admin, { branchId, politicalStatus: 'activist', statusSince: '2026-01-01' }))
      .personId;
    const res = await admin.post(
      `/talent/people/${p}/pipeline-events`,
      { kind: 'application-talk', on: '2026-02-01' },
      { now: NOW },
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('pipeline-event-not-applicable');
  });
});

describe('records', () => {
  it('takes the rating enum of its kind and shows on the timeline', async () => {
    const admin = await committee();
    const { branchId } = await newBranch(admin);
    const other = await newBranch(admin);
    const p = (await register(admin, { branchId })).personId;
    const secretary = await as({ roles: ['secretary'], branchId });
    const post = (client: Client, body: Record<string, unknown>) =>
      client.post(`/talent/people/${p}/records`, body, { now: NOW });
    const perf = await post(secretary, {
      kind: 'performance',
      date: '2026-01-15',
      title: '2025年度考核',
      rating: 'competent',
    });
    expect(perf.status).toBe(201);
    expect(perf.body).toMatchObject({ kind: 'performance', rating: 'competent' });
    const evaluation = await post(admin, {
      kind: 'evaluation',
      date: '2026-02-01',
      title: '民主评议',
      rating: 'qualified',
    });
    expect(evaluation.status).toBe(201);
    expect(
      (await post(admin, { kind: 'performance', date: '2026-01-15', title: 'x', rating: 'qualified' }))
        .status,
    ).toBe(400);
    expect(
      (await post(admin, { kind: 'evaluation', date: '2026-01-15', title: 'x', rating: 'competent' })).status,
    ).toBe(400);
    expect(
      (await post(admin, { kind: 'reward', date: '2026-01-15', title: 'x', rating: 'excellent' })).status,
    ).toBe(400);
    expect((await post(admin, { kind: 'performance', date: '2026-01-15', title: 'x' })).status).toBe(400);
    expect(
      (
        await post(admin, {
          kind: 'training',
          date: '2026-03-01',
          title: '入党积极分子培训班',
          details: '3天',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await post(await as({ roles: ['secretary'], branchId: other.branchId }), {
          kind: 'reward',
          date: '2026-01-15',
          title: 'x',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await post(await as({ roles: ['member'], branchId, personId: p }), {
          kind: 'reward',
          date: '2026-01-15',
          title: 'x',
        })
      ).status,
    ).toBe(403);

    const timeline = await admin.get(`/talent/people/${p}/timeline`);
    expect(timeline.body.items.map((e: any) => [e.type, e.kind, e.on, e.rating ?? null])).toEqual([
      ['record', 'training', '2026-03-01', null],
      ['record', 'evaluation', '2026-02-01', 'qualified'],
      ['record', 'performance', '2026-01-15', 'competent'],
    ]);
    const me = await (await as({ roles: ['member'], branchId, personId: p })).get('/talent/me');
    expect(me.body.records).toHaveLength(3);
  });
});

describe('talent pools', () => {
  it('the committee and own secretary add and remove; a secretary sees their branch part of a pool', async () => {
    const admin = await committee();
    const a = await newBranch(admin);
    const b = await newBranch(admin);
    const inA = (await register(admin, { branchId: a.branchId })).personId;
    const inB = (await register(admin, { branchId: b.branchId })).personId;
    const secretaryA = await as({ roles: ['secretary'], branchId: a.branchId });
    expect((await secretaryA.put(`/talent/pools/reserve-cadre/members/${inA}`)).status).toBe(200);
    expect((await secretaryA.put(`/talent/pools/reserve-cadre/members/${inB}`)).status).toBe(404);
    expect((await admin.put(`/talent/pools/reserve-cadre/members/${inB}`)).status).toBe(200);
    expect((await admin.put(`/talent/pools/no-such-pool/members/${inB}`)).status).toBe(400);

    const ids = (res: any) => res.body.items.map((p: any) => p.personId);
    const all = await admin.get('/talent/pools/reserve-cadre?limit=100');
    expect(ids(all)).toEqual(expect.arrayContaining([inA, inB]));
    const mine = await secretaryA.get('/talent/pools/reserve-cadre?limit=100');
    expect(ids(mine)).toContain(inA);
    expect(ids(mine)).not.toContain(inB);
    // Someone outside every branch is in no secretary's part, not even one whose token lacks a branch.
    const branchless = (await register(admin, {})).personId;
    expect((await admin.put(`/talent/pools/reserve-cadre/members/${branchless}`)).status).toBe(200);
    const noBranch = await as({ roles: ['secretary'] });
    expect(ids(await noBranch.get('/talent/pools/reserve-cadre?limit=100'))).not.toContain(branchless);
    expect(
      (await (await as({ roles: ['partner'], orgId: 'O' })).get('/talent/pools/reserve-cadre')).status,
    ).toBe(403);

    expect((await secretaryA.delete(`/talent/pools/reserve-cadre/members/${inA}`)).status).toBe(204);
    expect(ids(await admin.get('/talent/pools/reserve-cadre?limit=100'))).not.toContain(inA);
    const me = await (await as({ roles: ['member'], branchId: b.branchId, personId: inB })).get('/talent/me');
    expect(me.body.pools).toEqual(['reserve-cadre']);
  });
});
