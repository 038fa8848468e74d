import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { asMembers, asPeople, asPerson } from '../activities/support.js';
import { as, type Identity, minter, request, runtime, tableClient } from '../support/api.js';
import { approvedPartner, duringRegistration, eventDay, outboxOf, publishedEvent, table } from './support.js';

const MEMBER: Identity = { roles: ['member'] };

type Registration = {
  registrationId: string;
  status: string;
  participants: { name: string | null; status: string; position: number; phone?: string }[];
};

const waitlistOf = async (admin: Awaited<ReturnType<typeof as>>, eventId: string) => {
  const res = await admin.get(`/community/events/${eventId}/waitlist?limit=100`);
  expect(res.status).toBe(200);
  return res.body.items as { position: number; registrationId: string; participantIndex: number }[];
};

const remaining = async (admin: Awaited<ReturnType<typeof as>>, eventId: string) =>
  (await admin.get(`/community/events/${eventId}`)).body.remainingPlaces as number;

describe('registrations', () => {
  it('gives 50 concurrent members exactly 20 places and a waitlist in arrival order; a cancellation promotes the first waiting', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 20 });
    const members = await asMembers(50);
    const answers = await Promise.all(
      members.map((m) =>
        m.post(`/community/events/${eventId}/registrations`, {}, { now: duringRegistration }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));
    const confirmed = answers.filter((a) => a.body.confirmed === 1);
    const waiting = answers.filter((a) => a.body.waitlisted === 1);
    expect(confirmed).toHaveLength(20);
    expect(waiting).toHaveLength(30);
    expect(await remaining(admin, eventId)).toBe(0);

    // The waitlist is ordered by the positions the server handed out, each unique.
    const list = await waitlistOf(admin, eventId);
    const positions = list.map((w) => w.position);
    expect(positions).toHaveLength(30);
    for (let i = 1; i < positions.length; i++)
      expect(positions[i]).toBeGreaterThan(positions[i - 1] as number);
    const answered = waiting
      .map((a) => ({ position: a.body.participants[0].position, registrationId: a.body.registrationId }))
      .sort((a, b) => a.position - b.position);
    expect(list.map(({ position, registrationId }) => ({ position, registrationId }))).toEqual(answered);
    // Every arrival got its own number.
    const all = answers.map((a) => a.body.participants[0].position);
    expect(new Set(all).size).toBe(50);

    // The committee sees all 50, a member only their own.
    const everyone: Registration[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.get(
        `/community/events/${eventId}/registrations?limit=30${cursor ? `&cursor=${cursor}` : ''}`,
      );
      everyone.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(everyone.filter((r) => r.participants[0]?.status === 'confirmed')).toHaveLength(20);
    const own = await members[0]?.get(`/community/events/${eventId}/registrations`);
    expect(own?.body.items).toHaveLength(1);

    // A confirmed member cancels: the first waiting moves up, and only they.
    const leaver = answers.findIndex((a) => a.body.confirmed === 1);
    const cancel = await members[leaver]?.delete(
      `/community/events/${eventId}/registrations/${answers[leaver]?.body.registrationId}`,
      { now: duringRegistration },
    );
    expect(cancel?.status).toBe(204);
    const first = answered[0] as { registrationId: string };
    const after = await waitlistOf(admin, eventId);
    expect(after.map((w) => w.registrationId)).toEqual(answered.slice(1).map((w) => w.registrationId));
    const promotedIndex = answers.findIndex((a) => a.body.registrationId === first.registrationId);
    const mine = await members[promotedIndex]?.get(`/community/events/${eventId}/registrations`);
    expect(mine?.body.items[0].participants[0].status).toBe('confirmed');
    expect(await remaining(admin, eventId)).toBe(0);
    const events = (await outboxOf(eventId)).filter((e) => e.type === 'RegistrationConfirmed');
    expect(events).toHaveLength(21);
    expect(events.filter((e) => e.data.promotedFromWaitlist)).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ registrationId: first.registrationId, places: 1 }),
      }),
    ]);
  }, 120_000);

  it('refuses a second registration of the same member, and any outside the window', async () => {
    const { eventId } = await publishedEvent({ capacity: 5 });
    const member = await asPerson({ roles: ['member'] });
    const path = `/community/events/${eventId}/registrations`;
    expect((await member.post(path, {}, { now: '2027-02-28T23:59:59+08:00' })).body.error.code).toBe(
      'registration-not-open',
    );
    expect((await member.post(path, {}, { now: '2027-03-10T18:00:00+08:00' })).body.error.code).toBe(
      'registration-closed',
    );
    const twice = await Promise.all([1, 2, 3].map(() => member.post(path, {}, { now: duringRegistration })));
    expect(twice.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    // Admitted to the route, so not a 403: naming others is the body's mistake.
    expect(
      await member.post(path, { participants: [{ name: '张三' }] }, { now: duringRegistration }),
    ).toMatchObject({ status: 400, body: { error: { code: 'participants-not-allowed' } } });
    expect(
      await member.post(
        path,
        { participants: [{ name: '张三' }], consent: true },
        { now: duringRegistration },
      ),
    ).toMatchObject({ status: 400, body: { error: { code: 'participants-not-allowed' } } });
    expect(await member.post(path, { consent: true }, { now: duringRegistration })).toMatchObject({
      status: 400,
      body: { error: { code: 'unexpected-field' } },
    });
  });

  it("holds each partner's quota, also under concurrency, and asks partners for consent", async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 10, partnerQuota: 3 });
    const a = await approvedPartner();
    const b = await approvedPartner();
    const path = `/community/events/${eventId}/registrations`;
    const people = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i + 1}` }));

    const noConsent = await a.client.post(
      path,
      { participants: people(1, '甲') },
      { now: duringRegistration },
    );
    // The partner's own body wants both: what is missing is a validation failure naming it.
    expect(noConsent).toMatchObject({ status: 400, body: { error: { code: 'validation-failed' } } });
    expect(noConsent.body.error.details.fields).toEqual([
      { field: 'body.consent', message: 'The partner must confirm its participants agreed' },
    ]);
    const empty = await a.client.post(path, {}, { now: duringRegistration });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'body.consent',
      'body.participants',
    ]);
    const badPhone = await a.client.post(
      path,
      { participants: [{ name: '甲', phone: '123' }], consent: true },
      { now: duringRegistration },
    );
    expect(badPhone.status).toBe(400);

    // Five single requests at once from A: exactly three places.
    const burst = await Promise.all(
      people(5, '甲').map((p) =>
        a.client.post(path, { participants: [p], consent: true }, { now: duringRegistration }),
      ),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(burst.reduce((n, r) => n + r.body.confirmed, 0)).toBe(3);

    // B asks for five: three confirmed, two waiting, and the answer says who got which.
    const bigger = await b.client.post(
      path,
      { participants: people(5, '乙'), consent: true },
      { now: duringRegistration },
    );
    expect(
      bigger.body.participants.map((p: { name: string; status: string }) => `${p.name}:${p.status}`),
    ).toEqual(['乙1:confirmed', '乙2:confirmed', '乙3:confirmed', '乙4:waitlisted', '乙5:waitlisted']);
    expect(await remaining(admin, eventId)).toBe(4);

    // A cancellation by A frees a place for A's first waiting participant, not B's.
    const aConfirmed = burst.find((r) => r.body.confirmed === 1);
    const aWaiting = burst
      .filter((r) => r.body.waitlisted === 1)
      .sort((x, y) => x.body.participants[0].position - y.body.participants[0].position);
    expect(
      (await a.client.delete(`${path}/${aConfirmed?.body.registrationId}`, { now: duringRegistration }))
        .status,
    ).toBe(204);
    const promoted = await admin.get(`${path}?limit=100`);
    const byId = new Map(promoted.body.items.map((r: Registration) => [r.registrationId, r]));
    expect((byId.get(aWaiting[0]?.body.registrationId) as Registration).participants[0]?.status).toBe(
      'confirmed',
    );
    expect((byId.get(aWaiting[1]?.body.registrationId) as Registration).participants[0]?.status).toBe(
      'waitlisted',
    );
    expect((byId.get(bigger.body.registrationId) as Registration).participants[3]?.status).toBe('waitlisted');
    expect(await remaining(admin, eventId)).toBe(4);
  });

  it("keeps partners out of each other's registrations (404) and exports CSV for Excel", async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 10 });
    const a = await approvedPartner();
    const b = await approvedPartner();
    const path = `/community/events/${eventId}/registrations`;
    const mine = await a.client.post(
      path,
      { participants: [{ name: '张三', phone: '13912345678' }, { name: '李"四", 王' }], consent: true },
      { now: duringRegistration },
    );
    expect(mine.status).toBe(201);
    const theirs = await b.client.post(
      path,
      { participants: [{ name: '赵六' }], consent: true },
      { now: duringRegistration },
    );
    const member = await asPerson({ roles: ['member'] });
    await member.post(path, {}, { now: duringRegistration });

    expect(
      (await b.client.delete(`${path}/${mine.body.registrationId}`, { now: duringRegistration })).status,
    ).toBe(404);
    expect(
      (await member.delete(`${path}/${mine.body.registrationId}`, { now: duringRegistration })).status,
    ).toBe(404);
    const bList = await b.client.get(path);
    expect(bList.body.items.map((r: Registration) => r.registrationId)).toEqual([theirs.body.registrationId]);
    // Lists mask phones (PIPL), even the partner's own; one registration read shows them whole,
    // to the partner that entered them and the committee, and exists for no one else.
    const aList = await a.client.get(path);
    expect(aList.body.items[0].participants[0].phone).toBe('139****5678');
    const adminList = await admin.get(`${path}?limit=100`);
    expect(JSON.stringify(adminList.body)).not.toContain('13912345678');
    const one = `${path}/${mine.body.registrationId}`;
    expect((await a.client.get(one)).body.participants[0].phone).toBe('13912345678');
    expect((await admin.get(one)).body.participants.map((p: { phone?: string }) => p.phone)).toEqual([
      '13912345678',
      undefined,
    ]);
    expect((await b.client.get(one)).status).toBe(404);
    expect((await member.get(one)).status).toBe(404);
    expect((await member.get(path)).body.items).toHaveLength(1);

    const csv = await admin.get(`${path}.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // fetch's text() drops a BOM, so look at the bytes themselves.
    const raw = await fetch(`${runtime().url}${path}.csv`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const bytes = new Uint8Array(await raw.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'registrationId,registrantKind,registrantId,name,phone,status,position,checkedInAt,registeredAt',
    );
    expect(lines).toHaveLength(5);
    // The sign-in sheet travels on paper: the tail tells two 张三 apart, the number stays hidden.
    expect(lines.find((l) => l.includes('张三'))).toContain(',张三,139****5678,confirmed,');
    expect(text).not.toContain('13912345678');
    expect(lines.find((l) => l.includes('李'))).toContain(',"李""四"", 王",,confirmed,');
    const partnerCsv = await a.client.get(`${path}.csv`);
    expect(partnerCsv.text).toContain('张三');
    expect(partnerCsv.text).not.toContain('赵六');
    expect((await b.client.get(`${path}.csv`)).text).not.toContain('张三');
    expect((await member.get(`${path}.csv`)).status).toBe(403);
  });

  it('checks in on the day and completes with every checked-in member, erasing phones 30 days later', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 10 });
    const a = await approvedPartner();
    const path = `/community/events/${eventId}/registrations`;
    const [alice, bob, carol] = await asPeople(MEMBER, MEMBER, MEMBER);
    const regs = await Promise.all(
      [alice, bob, carol].map((m) => m.post(path, {}, { now: duringRegistration })),
    );
    const partnerReg = await a.client.post(
      path,
      { participants: [{ name: '张三', phone: '13912345678' }, { name: '李四' }], consent: true },
      { now: duringRegistration },
    );
    const checkIn = (registrationId: string, now = eventDay) =>
      admin.post(`/community/events/${eventId}/check-in`, { registrationId }, { now });

    expect((await checkIn(regs[0]?.body.registrationId, '2027-03-11T23:59:00+08:00')).body.error.code).toBe(
      'not-event-day',
    );
    // A member gives no name: the answers name them from the register (the roster copy's '党员').
    expect(regs[0]?.body.participants[0].name).toBe('党员');
    const checkedIn = await checkIn(regs[0]?.body.registrationId);
    expect(checkedIn.status).toBe(200);
    expect(checkedIn.body.participants[0].name).toBe('党员');
    expect((await checkIn(regs[0]?.body.registrationId)).status).toBe(409);
    expect((await checkIn(regs[1]?.body.registrationId)).status).toBe(200);
    expect((await checkIn(partnerReg.body.registrationId)).status).toBe(200);
    // Carol stays away.

    const completedAt = '2027-03-12T12:00:00+08:00';
    const done = await admin.post(`/community/events/${eventId}/complete`, undefined, { now: completedAt });
    expect(done.status).toBe(200);
    const completed = (await outboxOf(eventId)).filter((e) => e.type === 'JointEventCompleted');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.data).toMatchObject({ jointEventId: eventId, partnerParticipants: 2 });
    expect(
      [...(completed[0]?.data.members ?? [])].sort((x: { personId: string }, y: { personId: string }) =>
        x.personId.localeCompare(y.personId),
      ),
    ).toEqual([alice.personId, bob.personId].sort().map((personId) => ({ personId, hours: 2.5 })));
    expect(
      (await admin.post(`/community/events/${eventId}/complete`, undefined, { now: completedAt })).status,
    ).toBe(409);

    // Phones sit on their own item, which DynamoDB's TTL erases 30 days after completion.
    const items = await tableClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `EVENT#${eventId}` },
      }),
    );
    const contacts = (items.Items ?? []).filter((i) => String(i.sk).startsWith('CONTACT#'));
    expect(contacts).toHaveLength(1);
    expect(contacts[0]?.expiresAt).toBe(Date.parse(completedAt) / 1000 + 30 * 24 * 3600);
    const withPhone = (items.Items ?? []).filter((i) => JSON.stringify(i).includes('13912345678'));
    expect(withPhone.map((i) => i.sk)).toEqual([contacts[0]?.sk]);
    expect((items.Items ?? []).find((i) => i.sk === 'EVENT')?.expiresAt).toBeUndefined();
  });

  it('refuses cancellation later than 24 hours before the start', async () => {
    const { eventId } = await publishedEvent({ capacity: 5 });
    const member = await asPerson({ roles: ['member'] });
    const reg = await member.post(
      `/community/events/${eventId}/registrations`,
      {},
      { now: duringRegistration },
    );
    const late = await member.delete(
      `/community/events/${eventId}/registrations/${reg.body.registrationId}`,
      {
        now: '2027-03-11T09:00:01+08:00',
      },
    );
    expect(late).toMatchObject({ status: 422, body: { error: { code: 'cancellation-deadline-passed' } } });
    const again = await member.delete(
      `/community/events/${eventId}/registrations/${reg.body.registrationId}`,
      {
        now: '2027-03-11T09:00:00+08:00',
      },
    );
    expect(again.status).toBe(204);
    // Cancelled, so the member may register again while the window is open.
    expect(
      (await member.post(`/community/events/${eventId}/registrations`, {}, { now: duringRegistration }))
        .status,
    ).toBe(201);
  });

  it('answers malformed registrations with a 4xx, never a 500, and refuses a suspended partner', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 5 });
    const a = await approvedPartner();
    const path = `/community/events/${eventId}/registrations`;
    const bodies: unknown[] = [
      [],
      null,
      'x',
      7,
      { participants: [] },
      { participants: null, consent: true },
      { participants: {}, consent: true },
      { participants: [null], consent: true },
      { participants: [{ name: 42 }], consent: true },
      { participants: [{ name: '张三', age: 30 }], consent: true },
      { participants: [{ name: '\u0007' }], consent: true },
      { participants: [{ name: 'x'.repeat(10_000) }], consent: true },
      { participants: Array.from({ length: 41 }, (_, i) => ({ name: `p${i}` })), consent: true },
      { participants: [{ name: '张三' }], consent: 'yes' },
    ];
    for (const body of bodies) {
      const res = await a.client.post(path, body, { now: duringRegistration });
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    for (const raw of ['{"participants":[', 'participants', '']) {
      const res = await a.client.post(path, undefined, {
        raw,
        headers: { 'content-type': 'application/json' },
        now: duringRegistration,
      });
      expect(res.status, raw).toBeGreaterThanOrEqual(400);
      expect(res.status, raw).toBeLessThan(500);
    }
    expect((await a.client.post('/community/events/not%20an%20id/registrations', {})).status).toBe(400);
    expect((await admin.get(`${path}?limit=100`)).body.items).toEqual([]);

    expect(
      (await admin.post(`/community/partners/${a.partnerId}/suspend`, { reason: '暂停合作' })).status,
    ).toBe(200);
    const suspended = await a.client.post(
      path,
      { participants: [{ name: '张三' }], consent: true },
      { now: duringRegistration },
    );
    expect(suspended).toMatchObject({ status: 422, body: { error: { code: 'partner-not-approved' } } });
  });

  it('keeps the counters true when cancellations and new registrations race', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 5 });
    const path = `/community/events/${eventId}/registrations`;
    const first = await asMembers(15);
    const answers = await Promise.all(first.map((m) => m.post(path, {}, { now: duringRegistration })));
    const entry = (i: number) => ({
      member: first[i] as Awaited<ReturnType<typeof as>>,
      registrationId: answers[i]?.body.registrationId as string,
      position: answers[i]?.body.participants[0].position as number,
      confirmed: answers[i]?.body.confirmed === 1,
    });
    const all = answers.map((_, i) => entry(i));
    const confirmed = all.filter((e) => e.confirmed);
    const waiting = all.filter((e) => !e.confirmed).sort((a, b) => a.position - b.position);
    expect(confirmed).toHaveLength(5);

    // At once: three confirmed and two waiting members cancel while five newcomers register.
    const leaving = [...confirmed.slice(0, 3), ...waiting.slice(0, 2)];
    const newcomers = await asMembers(5);
    const results = await Promise.all([
      ...leaving.map((e) => e.member.delete(`${path}/${e.registrationId}`, { now: duringRegistration })),
      ...newcomers.map((m) => m.post(path, {}, { now: duringRegistration })),
    ]);
    expect(results.map((r) => r.status)).toEqual([...Array(5).fill(204), ...Array(5).fill(201)]);

    const items: Registration[] = (await admin.get(`${path}?limit=100`)).body.items;
    const nowConfirmed = items
      .filter((r) => r.status === 'active' && r.participants[0]?.status === 'confirmed')
      .map((r) => r.registrationId)
      .sort();
    // The two who stayed, and the three longest-waiting of those still waiting: no newcomer.
    const expected = [...confirmed.slice(3), ...waiting.slice(2, 5)].map((e) => e.registrationId).sort();
    expect(nowConfirmed).toEqual(expected);
    expect(await remaining(admin, eventId)).toBe(0);
    const list = await waitlistOf(admin, eventId);
    const stillWaiting = items.filter(
      (r) => r.status === 'active' && r.participants[0]?.status === 'waitlisted',
    );
    expect(list).toHaveLength(stillWaiting.length);
    expect(list).toHaveLength(10);
  }, 120_000);

  it('lets the committee cancel for anyone, and checks in only registrations holding a place', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 1 });
    const path = `/community/events/${eventId}/registrations`;
    const [holder, waiter] = await asPeople(MEMBER, MEMBER);
    const held = await holder.post(path, {}, { now: duringRegistration });
    const waiting = await waiter.post(path, {}, { now: duringRegistration });
    expect([held.body.confirmed, waiting.body.waitlisted]).toEqual([1, 1]);
    const refused = await admin.post(
      `/community/events/${eventId}/check-in`,
      { registrationId: waiting.body.registrationId },
      { now: eventDay },
    );
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'no-confirmed-place' } } });

    expect(
      (await admin.delete(`${path}/${held.body.registrationId}`, { now: duringRegistration })).status,
    ).toBe(204);
    expect(
      (await admin.delete(`${path}/${held.body.registrationId}`, { now: duringRegistration })).status,
    ).toBe(409);
    const promoted = await admin.post(
      `/community/events/${eventId}/check-in`,
      { registrationId: waiting.body.registrationId },
      { now: eventDay },
    );
    expect(promoted.status).toBe(200);
    const mine = (await holder.get(path)).body.items[0];
    expect(mine).toMatchObject({ status: 'cancelled', participants: [{ status: 'cancelled' }] });
  });
});

/** The sort keys under an event's partition: what its registrations wrote (or did not). */
const eventItems = async (eventId: string) =>
  (
    (
      await tableClient().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `EVENT#${eventId}` },
        }),
      )
    ).Items ?? []
  ).map((i) => i.sk as string);

describe('a member registers as a person of the register', () => {
  it('refuses an account whose person the register does not hold (403 no-person), and writes nothing', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 5 });
    const ghost = await as({ roles: ['member'] });
    const res = await ghost.post(
      `/community/events/${eventId}/registrations`,
      {},
      { now: duringRegistration },
    );
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('no-person');
    // Not even an arrival number was taken.
    expect(await eventItems(eventId)).toEqual(['EVENT']);
    expect(await remaining(admin, eventId)).toBe(5);
  });

  it('refuses an account linked to no person (403 no-person), whatever its account id', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 5 });
    const person = await asPerson({ roles: ['member'] });
    // No `custom:personId`; its account id even equals a person's id.
    const token = await (await minter()).mint({ roles: ['member'], sub: person.personId });
    const path = `/community/events/${eventId}/registrations`;
    const res = await request('POST', path, {}, { token, now: duringRegistration });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('no-person');
    expect(await eventItems(eventId)).toEqual(['EVENT']);
    expect(await remaining(admin, eventId)).toBe(5);
    // Nor does it list anyone's registrations as its own.
    expect((await request('GET', path, undefined, { token })).body.error.code).toBe('no-person');
  });

  it("registers the account's person, never its account id", async () => {
    const { eventId } = await publishedEvent({ capacity: 5 });
    const [a, b] = await asPeople(MEMBER, MEMBER);
    // B's account, whose account id happens to be A's person id.
    const token = await (await minter()).mint({ roles: ['member'], sub: a.personId, personId: b.personId });
    const path = `/community/events/${eventId}/registrations`;
    const res = await request('POST', path, {}, { token, now: duringRegistration });
    expect(res.status).toBe(201);
    expect(res.body.registrant).toEqual({ kind: 'member', personId: b.personId });
    const items = await eventItems(eventId);
    expect(items).toContain(`MEMBER#${b.personId}`);
    expect(items).not.toContain(`MEMBER#${a.personId}`);
    // The registration is B's (any of B's accounts), not A's.
    const one = `${path}/${res.body.registrationId}`;
    expect((await b.get(one)).status).toBe(200);
    expect((await a.get(one)).status).toBe(404);
    expect((await a.post(path, {}, { now: duringRegistration })).status).toBe(201);
  });
});
