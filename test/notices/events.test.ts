/**
 * Notices made from resources' and community's events, through the gateway against the real
 * services, on a runtime of its own whose bus delivers every event twice: study assigned
 * reaches each assignee, an assessment its audience, a joint-event registration its
 * registrant (a member's inbox, or the partner organisation's) when confirmed and at each
 * promotion, an approved partner its own inbox. One notice each, however often the events
 * come, and nothing new when another event tells the same fact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerApproved, RegistrationConfirmed } from '../../services/community/events.js';
import { StudyAssigned } from '../../services/resources/events.js';
import { newId } from '../../shared/ids.js';
import { asMembers, asPerson, branchWithMembers } from '../activities/support.js';
import { approvedPartner, duringRegistration, publishedEvent, schedule } from '../community/support.js';
import { as, publish, settle } from '../support/api.js';
import { type DeliveringTwice, startDeliveringTwice } from '../support/twice.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';

type Client = Awaited<ReturnType<typeof as>>;
interface Entry {
  noticeId: string;
  kind: string;
  title: string;
  summary: string;
  read: boolean;
  [about: string]: unknown;
}

let twice: DeliveringTwice;

beforeAll(async () => {
  twice = await startDeliveringTwice('event-notices');
}, 120_000);

afterAll(async () => {
  await twice?.stop();
});

const inbox = async (client: Client): Promise<Entry[]> => {
  const res = await client.get('/notices/me?limit=100');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { items: Entry[] }).items;
};

const ofKind = async (client: Client, kind: string) => (await inbox(client)).filter((e) => e.kind === kind);

/** Waits until the client's inbox holds a notice of this kind matching `about`, and answers it. */
const arrives = async (client: Client, kind: string, about: Record<string, unknown>): Promise<Entry> => {
  let found: Entry | undefined;
  await until(`a ${kind} notice`, DELIVERY_BUDGET_MS, async () => {
    found = (await ofKind(client, kind)).find((e) => Object.entries(about).every(([k, v]) => e[k] === v));
    return found !== undefined;
  });
  return found as Entry;
};

/** After everything settled: every event came twice, and none ended as a dead letter of notices. */
const settledTwice = async () => {
  await settle();
  const { received, runtime } = twice;
  expect(received.size).toBeGreaterThan(0);
  expect([...new Set(received.values())]).toEqual([2]);
  // notices' own consumers (partner-accounts refuses the test partners' shared contact e-mail).
  const letters = (await runtime.bus.deadLetters.list()).filter((l) => l.target.startsWith('notices.'));
  expect(letters.map((l) => `${l.target} ${l.event['detail-type']} ${l.error.message}`)).toEqual([]);
};

const ids = (entries: Entry[]) => entries.map((e) => e.noticeId).sort();

describe('study assigned (学习任务)', () => {
  it('reaches every assignee once, named or in a branch named, with the resource and due date', {
    // Its waits: three rosters, the notice, the settle twice over.
    timeout: timeoutFor(deliveries(5)),
  }, async () => {
    const a = await branchWithMembers(2);
    const b = await branchWithMembers(1);
    const outsider = await asPerson({ roles: ['member'], branchId: newId() });
    const committee = await as({ roles: ['committee'] });
    const resource = await committee.post('/resources', {
      title: '学习贯彻党的二十大精神',
      kind: 'link',
      url: 'https://example.org/20th',
      audience: { branchIds: [a.branchId] },
      estimatedMinutes: 60,
    });
    expect(resource.status, JSON.stringify(resource.body)).toBe(201);
    const { resourceId } = resource.body;
    const assigned = await committee.post(
      '/resources/assignments',
      // A member of the branch is also named: they are one assignee.
      {
        resourceId,
        branchIds: [a.branchId],
        personIds: [outsider.personId, a.memberIds[0]],
        dueOn: '2026-12-31',
      },
      { now: '2026-11-26T10:00:00+08:00' },
    );
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);
    const { assignmentId } = assigned.body;

    for (const person of [...a.members, outsider]) {
      const entry = await arrives(person, 'study-assigned', { assignmentId });
      expect(entry).toMatchObject({
        noticeId: `${assignmentId}-assigned`,
        title: '学习任务：学习贯彻党的二十大精神',
        resourceId,
        dueOn: '2026-12-31',
        read: false,
      });
      expect(entry.summary).toContain('2026-12-31');
    }
    // Another event telling the same assignment (a new event id) posts nothing new.
    const { title, dueOn, branchIds, personIds } = assigned.body;
    await publish(StudyAssigned, { assignmentId, resourceId, title, dueOn, branchIds, personIds });
    await settledTwice();
    for (const person of [...a.members, outsider])
      expect(await ofKind(person, 'study-assigned')).toHaveLength(1);
    for (const person of b.members) expect(await ofKind(person, 'study-assigned')).toEqual([]);
  });
});

describe('assessment opened (测评)', () => {
  const questions = [{ kind: 'true-false', prompt: '预备党员的预备期为一年。', answer: true }];
  const assessment = {
    title: '党章党规知识测评',
    passMark: 60,
    timeLimitMinutes: 30,
    maxAttempts: 2,
    questions,
  };

  it("a secretary's reaches their branch's members once; a committee's without resource reaches every branch", {
    // Its waits: two rosters, two notices, the settle twice over.
    timeout: timeoutFor(deliveries(5)),
  }, async () => {
    const a = await branchWithMembers(2);
    const b = await branchWithMembers(1);
    const branchOnly = await a.secretary.post('/resources/assessments', assessment);
    expect(branchOnly.status, JSON.stringify(branchOnly.body)).toBe(201);
    const { assessmentId } = branchOnly.body;
    for (const member of a.members) {
      expect(await arrives(member, 'assessment-opened', { assessmentId })).toMatchObject({
        noticeId: `${assessmentId}-opened`,
        title: '测评：党章党规知识测评',
      });
    }

    const everyone = await (await as({ roles: ['committee'] })).post('/resources/assessments', {
      ...assessment,
      title: '全院测评',
    });
    expect(everyone.status, JSON.stringify(everyone.body)).toBe(201);
    for (const member of [...a.members, ...b.members]) {
      await arrives(member, 'assessment-opened', { assessmentId: everyone.body.assessmentId });
    }
    await settledTwice();
    for (const member of a.members) {
      expect(ids(await ofKind(member, 'assessment-opened'))).toEqual(
        [`${assessmentId}-opened`, `${everyone.body.assessmentId}-opened`].sort(),
      );
    }
    expect(ids(await ofKind(b.members[0] as Client, 'assessment-opened'))).toEqual([
      `${everyone.body.assessmentId}-opened`,
    ]);
  });
});

describe('joint-event registrations (联合活动报名)', () => {
  it('tell a member when confirmed or promoted, and a partner organisation at each promotion', {
    // Its waits: the members' roster, a settle, the promotion, two notices, the settle twice over.
    timeout: timeoutFor(deliveries(6)),
  }, async () => {
    const { eventId } = await publishedEvent({ capacity: 3 });
    const partner = await approvedPartner();
    const members = await asMembers(4);
    const path = `/community/events/${eventId}/registrations`;
    const registrations: string[] = [];
    for (const member of members) {
      const res = await member.post(path, {}, { now: duringRegistration });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      registrations.push(res.body.registrationId);
    }
    // Full: the partner's two wait, behind the fourth member.
    const waiting = await partner.client.post(
      path,
      { participants: [{ name: '王芳' }, { name: '李强' }], consent: true },
      { now: duringRegistration },
    );
    expect(waiting.body).toMatchObject({ confirmed: 0, waitlisted: 2 });
    const partnerRegistration = waiting.body.registrationId as string;

    for (const [i, member] of members.slice(0, 3).entries()) {
      expect(
        await arrives(member, 'registration-confirmed', { registrationId: registrations[i] }),
      ).toMatchObject({
        noticeId: `${registrations[i]}-confirmed`,
        title: '报名成功：社区义诊 联合主题党日',
        jointEventId: eventId,
        startsAt: schedule.startsAt,
      });
    }

    // Three cancellations: the fourth member moves up, then the partner's two, one at a time.
    for (const i of [0, 1, 2]) {
      const cancelled = await (members[i] as Client).delete(`${path}/${registrations[i]}`, {
        now: duringRegistration,
      });
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(204);
    }
    const promoted = await arrives(members[3] as Client, 'registration-promoted', {
      registrationId: registrations[3],
    });
    expect(promoted).toMatchObject({ title: '候补转正：社区义诊 联合主题党日', jointEventId: eventId });
    await until(
      "two promotions in the partner organisation's inbox",
      20_000,
      async () => (await ofKind(partner.client, 'registration-promoted')).length >= 2,
    );
    await settledTwice();

    // One notice per confirmation and per promotion, each in its registrant's inbox only.
    expect(await ofKind(members[3] as Client, 'registration-confirmed')).toEqual([]);
    expect(ids(await ofKind(members[3] as Client, 'registration-promoted'))).toEqual([promoted.noticeId]);
    const partnerPromotions = await ofKind(partner.client, 'registration-promoted');
    expect(ids(partnerPromotions)).toEqual([
      `${partnerRegistration}-promoted-2`,
      `${partnerRegistration}-promoted-3`,
    ]);
    expect(partnerPromotions[0]).toMatchObject({
      registrationId: partnerRegistration,
      jointEventId: eventId,
    });
    expect(partnerPromotions[0]?.summary).toContain('1 名参加人员');
    for (const member of members) {
      expect((await inbox(member)).filter((e) => e.registrationId === partnerRegistration)).toEqual([]);
    }
    // Another event telling the same promotion posts nothing new.
    await publish(RegistrationConfirmed, {
      jointEventId: eventId,
      registrationId: partnerRegistration,
      registrant: { kind: 'partner', partnerId: partner.partnerId },
      places: 1,
      promotedFromWaitlist: true,
      version: 3,
    });
    await settle();
    expect(await ofKind(partner.client, 'registration-promoted')).toHaveLength(2);
  });
});

describe("partner organisations' inbox", () => {
  it('an approved partner hears of it in its own inbox, which no other account sees', {
    // Its waits: two notices, the settle twice over.
    timeout: timeoutFor(deliveries(3)),
  }, async () => {
    const partner = await approvedPartner();
    const other = await approvedPartner();
    const approved = await arrives(partner.client, 'partner-approved', { partnerId: partner.partnerId });
    expect(approved).toMatchObject({ noticeId: `${partner.partnerId}-approved`, read: false });
    expect(approved.title).toContain('合作单位审核通过');
    // Another account of the same organisation reads the same inbox.
    const colleague = await as({ roles: ['partner'], orgId: partner.partnerId });
    expect(ids(await inbox(colleague))).toEqual([approved.noticeId]);
    expect((await colleague.get('/notices/me/unread-count')).body).toEqual({ unread: 1 });
    const read = await colleague.post(`/notices/me/${approved.noticeId}/read`);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect((await partner.client.get('/notices/me/unread-count')).body).toEqual({ unread: 0 });
    // Another organisation, or a member, has none of it.
    await arrives(other.client, 'partner-approved', { partnerId: other.partnerId });
    expect(ids(await inbox(other.client))).toEqual([`${other.partnerId}-approved`]);
    expect((await other.client.post(`/notices/me/${approved.noticeId}/read`)).status).toBe(404);
    const member = await as({ roles: ['member'] });
    expect((await member.post(`/notices/me/${approved.noticeId}/read`)).status).toBe(404);
    // An organisation's inbox is not a person's of the same id, nor the other way round.
    const sameId = await as({ roles: ['member'], personId: partner.partnerId });
    expect(await inbox(sameId)).toEqual([]);
    // A partner account bound to no organisation has no inbox.
    const unbound = await as({ roles: ['partner'] });
    expect((await unbound.get('/notices/me')).status).toBe(403);

    await publish(PartnerApproved, {
      partnerId: partner.partnerId,
      orgName: 'x',
      orgType: 'enterprise',
      contactName: '王五',
      contactEmail: 'wangwu@example.cn',
    });
    await settledTwice();
    expect(await ofKind(partner.client, 'partner-approved')).toHaveLength(1);
  });
});
