/**
 * Scope by relationship: an activity belongs to one branch, so the people and the party group
 * a request names must be of that branch as the roster copy knows it, for the committee too.
 * Anything else is 404 `not-found`, the same for another branch's person and for nobody, and
 * nothing is written or published.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { at, attendanceIn, branchWithMembers, meeting, outboxOf, seedRoster } from './support.js';

const NOW = at('2026-11-20T10:00:00+08:00');
const DURING = at('2026-11-26T09:30:00+08:00');

const notFound = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(404);
  expect(res.body.error.code).toBe('not-found');
};

describe('invitees and the party group are of the activity’s branch', () => {
  it("refuses another branch's member or party group as invitee or group, for the secretary and the committee", async () => {
    const own = await branchWithMembers(2, { grouped: 1 });
    const other = await branchWithMembers(1, { grouped: 1 });
    const committee = await as({ roles: ['committee'] });
    for (const caller of [own.secretary, committee]) {
      notFound(
        await caller.post(
          '/activities',
          meeting(own.branchId, { inviteeIds: [...own.memberIds, ...other.memberIds] }),
          NOW,
        ),
      );
      // Another branch's member and an id nobody holds answer alike.
      const nobody = await caller.post('/activities', meeting(own.branchId, { inviteeIds: [newId()] }), NOW);
      notFound(nobody);
      notFound(
        await caller.post(
          '/activities',
          meeting(own.branchId, { type: 'party-group-meeting', partyGroupId: other.partyGroupId }),
          NOW,
        ),
      );
      notFound(
        await caller.post(
          '/activities',
          meeting(own.branchId, { type: 'party-group-meeting', partyGroupId: newId() }),
          NOW,
        ),
      );
    }
    expect((await own.secretary.get(`/activities?branchId=${own.branchId}`)).body.items).toEqual([]);
    // The branch's own people and group are fine.
    const fine = await own.secretary.post(
      '/activities',
      meeting(own.branchId, {
        type: 'party-group-meeting',
        partyGroupId: own.partyGroupId,
        inviteeIds: own.memberIds,
      }),
      NOW,
    );
    expect(fine.status).toBe(201);
  });

  it("refuses another branch's member in a change of invitees, and in the attendance record", async () => {
    const own = await branchWithMembers(1);
    const other = await branchWithMembers(1);
    const { body } = await own.secretary.post('/activities', meeting(own.branchId), NOW);
    const changed = await own.secretary.patch(
      `/activities/${body.activityId}`,
      { version: 1, inviteeIds: [...own.memberIds, ...other.memberIds] },
      NOW,
    );
    notFound(changed);
    const recorded = await own.secretary.put(
      `/activities/${body.activityId}/attendance`,
      { entries: [{ personId: other.memberIds[0], status: 'absent' }] },
      DURING,
    );
    notFound(recorded);
    const read = await own.secretary.get(`/activities/${body.activityId}`);
    expect(read.body).toMatchObject({ version: 1, inviteeIds: own.memberIds });
    // Completion publishes attendance for the branch's invitees only.
    await own.secretary.post(
      `/activities/${body.activityId}/complete`,
      { minutes: '会议记录' },
      at('2026-11-26T11:30:00+08:00'),
    );
    const recordedFor = attendanceIn(await outboxOf(body.activityId)).map((e) => e.personId);
    expect(recordedFor).toEqual(own.memberIds);
  });

  it('takes a party group whose members have all left it: the tally remembers it', async () => {
    const own = await branchWithMembers(2, { grouped: 1 });
    const [grouped, other] = own.memberIds as [string, string];
    // The group's one member moves out of it: the roster copy shows nobody in it any more.
    await seedRoster([{ personId: grouped, branchId: own.branchId, version: 2 }]);
    const res = await own.secretary.post(
      '/activities',
      meeting(own.branchId, {
        type: 'party-group-meeting',
        partyGroupId: own.partyGroupId,
        inviteeIds: [other],
      }),
      NOW,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});
