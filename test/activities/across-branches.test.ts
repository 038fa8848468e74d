/**
 * What the committee gets without naming a branch: every branch's activities, paged like a
 * branch's, and participation across branches; a secretary or member still gets their own
 * branch. The tests share the runtime with every other file, so each looks at a window of
 * 2033 that no other test schedules in.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { at, branchWithMembers, nth } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;

const BEFORE = at('2033-03-01T10:00:00+08:00');
const AFTER = at('2033-03-20T10:00:00+08:00');
const q = (from: string, to: string) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

const schedule = async (organiser: Client, branchId: string, day: string, type = 'party-lesson') => {
  const res = await organiser.post(
    '/activities',
    { branchId, type, title: `${branchId.slice(-4)} ${day}`, ...hours(day) },
    BEFORE,
  );
  expect(res.status).toBe(201);
  return res.body as { activityId: string; version: number; title: string };
};
const hours = (day: string) => ({ startsAt: `${day}T09:00:00+08:00`, endsAt: `${day}T10:00:00+08:00` });

/** Every page of a listing, and how many pages it took. */
const allPages = async (client: Client, query: string) => {
  const titles: string[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const res = await client.get(`/activities?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    titles.push(...res.body.items.map((a: { title: string }) => a.title));
    cursor = res.body.nextCursor;
    pages += 1;
  } while (cursor);
  return { titles, pages };
};

describe("the committee's listing without a branch", () => {
  it("pages every branch's activities by start, kept right through moves, cancellation and completion", async () => {
    const a = await branchWithMembers(1);
    const b = await branchWithMembers(1);
    const committee = await as({ roles: ['committee'] });
    const a1 = await schedule(a.secretary, a.branchId, '2033-03-02');
    const b1 = await schedule(b.secretary, b.branchId, '2033-03-03');
    const a2 = await schedule(a.secretary, a.branchId, '2033-03-04', 'theme-day');
    const b2 = await schedule(b.secretary, b.branchId, '2033-03-05');
    const a3 = await schedule(a.secretary, a.branchId, '2033-03-06');
    // Moved before everything else: the listing follows the new start.
    const moved = await b.secretary.patch(
      `/activities/${b2.activityId}`,
      { version: b2.version, ...hours('2033-03-01') },
      BEFORE,
    );
    expect(moved.status).toBe(200);
    expect(
      (await a.secretary.post(`/activities/${a3.activityId}/cancel`, { reason: '改期' }, BEFORE)).status,
    ).toBe(200);
    expect(
      (
        await b.secretary.post(
          `/activities/${b1.activityId}/complete`,
          { minutes: '党课' },
          at('2033-03-03T11:00:00+08:00'),
        )
      ).status,
    ).toBe(200);

    const window = q('2033-03-01T00:00:00+08:00', '2033-03-08T00:00:00+08:00');
    const listed = await allPages(committee, `${window}&limit=2`);
    expect(listed.titles).toEqual([b2.title, a1.title, b1.title, a2.title, a3.title]);
    expect(listed.pages).toBeGreaterThanOrEqual(3);

    // The branch listing's filters, alike.
    expect((await allPages(committee, `${window}&status=cancelled`)).titles).toEqual([a3.title]);
    expect((await allPages(committee, `${window}&status=completed`)).titles).toEqual([b1.title]);
    expect((await allPages(committee, `${window}&type=theme-day`)).titles).toEqual([a2.title]);
    // Naming a branch still lists that branch alone.
    expect((await allPages(committee, `${window}&branchId=${b.branchId}`)).titles).toEqual([
      b2.title,
      b1.title,
    ]);

    // Without a branch, a secretary and a member still get their own branch's.
    expect((await allPages(a.secretary, window)).titles).toEqual([a1.title, a2.title, a3.title]);
    expect((await allPages(nth(b.members, 0), window)).titles).toEqual([b2.title, b1.title]);
    // A cursor of the institution's listing does not page a branch's.
    const first = await committee.get(`/activities?${window}&limit=1`);
    const crossed = await committee.get(
      `/activities?${window}&branchId=${b.branchId}&cursor=${first.body.nextCursor}`,
    );
    expect(crossed).toMatchObject({ status: 400, body: { error: { code: 'invalid-cursor' } } });
    // An account of no branch has none to list.
    expect((await (await as({ roles: ['member'] })).get(`/activities?${window}`)).status).toBe(404);
  });
});

describe('participation without a branch', () => {
  it('is every branch together for the committee, and the own branch for a secretary', async () => {
    const a = await branchWithMembers(1);
    const b = await branchWithMembers(1);
    const [keen, rare] = [nth(a.memberIds, 0), nth(b.memberIds, 0)];
    for (const [branch, personId, status] of [
      [a, keen, 'present'],
      [b, rare, 'absent'],
    ] as const) {
      const { activityId } = await schedule(branch.secretary, branch.branchId, '2033-03-10');
      const recorded = await branch.secretary.put(
        `/activities/${activityId}/attendance`,
        { entries: [{ personId, status }] },
        at('2033-03-10T10:30:00+08:00'),
      );
      expect(recorded.status).toBe(200);
      const done = await branch.secretary.post(
        `/activities/${activityId}/complete`,
        { minutes: '党课' },
        at('2033-03-10T11:00:00+08:00'),
      );
      expect(done.status).toBe(200);
    }
    const window = q('2033-03-09T00:00:00+08:00', '2033-03-11T00:00:00+08:00');
    const committee = await as({ roles: ['committee'] });

    const everywhere = await committee.get(`/activities/insights/participation?${window}`, AFTER);
    expect(everywhere.status).toBe(200);
    expect(everywhere.body.branchId).toBeUndefined();
    expect(everywhere.body).toMatchObject({ invited: 2, attended: 1, rate: 0.5 });
    expect(everywhere.body.members).toEqual([
      expect.objectContaining({ personId: rare, invited: 1, absent: 1, flagged: true }),
      expect.objectContaining({ personId: keen, invited: 1, present: 1, flagged: false }),
    ]);

    const named = await committee.get(
      `/activities/insights/participation?${window}&branchId=${b.branchId}`,
      AFTER,
    );
    expect(named.body).toMatchObject({ branchId: b.branchId, invited: 1, attended: 0 });
    const own = await a.secretary.get(`/activities/insights/participation?${window}`, AFTER);
    expect(own.body).toMatchObject({ branchId: a.branchId, invited: 1, attended: 1 });
    expect(own.body.members.map((m: { personId: string }) => m.personId)).toEqual([keen]);
    // A secretary of no branch has none to look at; nor does one naming another's.
    const adrift = await as({ roles: ['secretary', 'member'] });
    expect((await adrift.get(`/activities/insights/participation?${window}`, AFTER)).status).toBe(404);
    expect(
      (await a.secretary.get(`/activities/insights/participation?${window}&branchId=${newId()}`, AFTER))
        .status,
    ).toBe(404);
  });
});
