/**
 * Cadence compliance and participation on a known calendar. "Today" is 2026-05-20 (+08:00):
 * January to April have ended, May and the second quarter are open.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { at, branchWithMembers } from './support.js';

const TODAY = at('2026-05-20T10:00:00+08:00');

type Client = Awaited<ReturnType<typeof as>>;

const hold = async (
  organiser: Client,
  branchId: string,
  type: string,
  day: string,
  extra: Record<string, unknown> = {},
) => {
  const res = await organiser.post(
    '/activities',
    {
      branchId,
      type,
      title: `${type} ${day}`,
      startsAt: `${day}T09:00:00+08:00`,
      endsAt: `${day}T10:00:00+08:00`,
      ...extra,
    },
    // Scheduled the day before, completed right after: on time (late entry is its own test).
    at(`${day}T00:00:00+08:00`),
  );
  expect(res.status).toBe(201);
  const done = await organiser.post(
    `/activities/${res.body.activityId}/complete`,
    { minutes: '记录' },
    at(`${day}T10:30:00+08:00`),
  );
  expect(done.status).toBe(200);
  return res.body as { activityId: string; checkInCode: string };
};

const periodsOf = (body: any, branchId: string, type: string, partyGroupId?: string) =>
  body.branches
    .find((b: { branchId: string }) => b.branchId === branchId)
    .types.find((t: any) => t.type === type && t.partyGroupId === partyGroupId)
    .periods.map((p: any) => [p.label, p.held, p.status]);

describe('cadence compliance', () => {
  it('marks held periods met, a missed month missed, and the current quarter open', async () => {
    const { branchId, partyGroupId, secretary } = await branchWithMembers(2, { grouped: 1 });
    for (const day of ['2026-01-15', '2026-02-10', '2026-04-08'])
      await hold(secretary, branchId, 'theme-day', day);
    await hold(secretary, branchId, 'branch-general-meeting', '2026-03-31');
    await hold(secretary, branchId, 'party-group-meeting', '2026-05-06', { partyGroupId });
    // Scheduled but not held, and cancelled: neither counts.
    await secretary.post(
      '/activities',
      {
        branchId,
        type: 'theme-day',
        title: '未开',
        startsAt: '2026-03-20T09:00:00+08:00',
        endsAt: '2026-03-20T10:00:00+08:00',
      },
      at('2026-03-01T10:00:00+08:00'),
    );

    const res = await secretary.get(`/activities/insights/compliance?branchId=${branchId}&year=2026`, TODAY);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ year: 2026, asOf: '2026-05-20' });
    expect(periodsOf(res.body, branchId, 'theme-day')).toEqual([
      ['2026-01', 1, 'met'],
      ['2026-02', 1, 'met'],
      ['2026-03', 0, 'missed'],
      ['2026-04', 1, 'met'],
      ['2026-05', 0, 'open'],
    ]);
    expect(periodsOf(res.body, branchId, 'branch-general-meeting')).toEqual([
      ['2026-Q1', 1, 'met'],
      ['2026-Q2', 0, 'open'],
    ]);
    expect(periodsOf(res.body, branchId, 'party-group-meeting', partyGroupId)).toEqual([
      ['2026-01', 0, 'missed'],
      ['2026-02', 0, 'missed'],
      ['2026-03', 0, 'missed'],
      ['2026-04', 0, 'missed'],
      ['2026-05', 1, 'met'],
    ]);
    expect(periodsOf(res.body, branchId, 'organizational-life-meeting')).toEqual([['2026', 0, 'open']]);
    // met/missed/open: theme-day 3/1/1, general meeting 1/0/1, committee 0/4/1, party group
    // 1/4/0, party lesson (quarterly) 0/1/1, life meeting 0/0/1, evaluation 0/0/1.
    expect(res.body.branches[0].summary).toEqual({ periods: 21, met: 5, missed: 10, open: 6, metLate: 0 });
  });

  it('follows the cadence setting the committee changes, with optimistic versions', async () => {
    // Settings are per institution (shared by every test): restore them at the end.
    const committee = await as({ roles: ['committee'] });
    const read = await committee.get('/activities/settings/cadence');
    expect(read.status).toBe(200);
    const { branchId, secretary } = await branchWithMembers(1);
    await hold(secretary, branchId, 'party-lesson', '2026-02-01');
    const changed = await committee.put('/activities/settings/cadence', {
      version: read.body.version,
      rules: { ...read.body.rules, 'party-lesson': { period: 'half-year', times: 2 } },
    });
    expect(changed.status).toBe(200);
    try {
      // Saving what stands is no new version.
      const unchanged = await committee.put('/activities/settings/cadence', {
        version: changed.body.version,
        rules: changed.body.rules,
      });
      expect(unchanged.status).toBe(200);
      expect(unchanged.body.version).toBe(changed.body.version);
      const stale = await committee.put('/activities/settings/cadence', {
        version: read.body.version,
        rules: read.body.rules,
      });
      expect(stale.status).toBe(409);
      const res = await secretary.get(
        `/activities/insights/compliance?branchId=${branchId}&year=2026`,
        TODAY,
      );
      expect(periodsOf(res.body, branchId, 'party-lesson')).toEqual([['2026-H1', 1, 'open']]);
      expect(
        (await secretary.put('/activities/settings/cadence', { version: 0, rules: read.body.rules })).status,
      ).toBe(403);
    } finally {
      await committee.put('/activities/settings/cadence', {
        version: changed.body.version,
        rules: read.body.rules,
      });
    }
  });

  it('lists every known branch for the committee without a branchId', async () => {
    const one = await branchWithMembers(1);
    const committee = await as({ roles: ['committee'] });
    const res = await committee.get('/activities/insights/compliance?year=2026', TODAY);
    expect(res.body.branches.map((b: { branchId: string }) => b.branchId)).toContain(one.branchId);
    const own = await one.secretary.get('/activities/insights/compliance?year=2026', TODAY);
    expect(own.body.branches.map((b: { branchId: string }) => b.branchId)).toEqual([one.branchId]);
  });
});

describe('participation', () => {
  it('counts per member and per branch, and flags members below 60%', async () => {
    const { branchId, memberIds, secretary, members } = await branchWithMembers(2);
    const [keen, rare] = memberIds as [string, string];
    const sessions: { activityId: string; checkInCode: string }[] = [];
    for (const day of ['2026-03-02', '2026-03-09', '2026-03-16']) {
      const res = await secretary.post(
        '/activities',
        {
          branchId,
          type: 'party-lesson',
          title: day,
          startsAt: `${day}T09:00:00+08:00`,
          endsAt: `${day}T10:00:00+08:00`,
        },
        at('2026-03-01T10:00:00+08:00'),
      );
      sessions.push(res.body);
    }
    const [s1, s2, s3] = sessions as [(typeof sessions)[0], (typeof sessions)[0], (typeof sessions)[0]];
    const keenClient = members[0] as Client;
    await keenClient.post(
      `/activities/${s1.activityId}/check-in`,
      { code: s1.checkInCode },
      at('2026-03-02T09:00:00+08:00'),
    );
    await keenClient.post(
      `/activities/${s2.activityId}/check-in`,
      { code: s2.checkInCode },
      at('2026-03-09T09:30:00+08:00'),
    );
    await secretary.put(
      `/activities/${s3.activityId}/attendance`,
      {
        entries: [
          { personId: keen, status: 'excused' },
          { personId: rare, status: 'present' },
        ],
      },
      at('2026-03-16T10:30:00+08:00'),
    );
    for (const [i, s] of sessions.entries())
      await secretary.post(
        `/activities/${s.activityId}/complete`,
        { minutes: '党课' },
        at(`${['2026-03-02', '2026-03-09', '2026-03-16'][i]}T10:30:00+08:00`),
      );

    const res = await secretary.get(
      `/activities/insights/participation?branchId=${branchId}&from=${encodeURIComponent('2026-01-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-05-20T00:00:00+08:00')}`,
      TODAY,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ branchId, invited: 6, attended: 3, rate: 0.5, threshold: 0.6 });
    const byId = Object.fromEntries(res.body.members.map((m: any) => [m.personId, m]));
    expect(byId[keen]).toMatchObject({
      invited: 3,
      present: 1,
      late: 1,
      excused: 1,
      absent: 0,
      rate: 0.6667,
      flagged: false,
    });
    expect(byId[rare]).toMatchObject({
      invited: 3,
      present: 1,
      late: 0,
      excused: 0,
      absent: 2,
      rate: 0.3333,
      flagged: true,
    });

    // A window before the lessons sees none of them.
    const before = await secretary.get(
      `/activities/insights/participation?branchId=${branchId}&from=${encodeURIComponent('2026-01-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-03-01T00:00:00+08:00')}`,
      TODAY,
    );
    expect(before.body).toMatchObject({ invited: 0, rate: null, members: [] });
    expect(
      (await secretary.get(`/activities/insights/participation?branchId=${newId()}`, TODAY)).status,
    ).toBe(404);
  });
});
