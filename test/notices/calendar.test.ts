/**
 * The personal calendar feed through the gateway: the secret URL opens the person's feed and
 * nothing else (rotated, revoked, forged and malformed tokens are the same 404), the feed
 * parses as iCalendar and holds the activities the person is invited to at their Asia/Shanghai
 * time, moved in place (same UID, higher SEQUENCE) and cancelled as such, beside their joint
 * events and study due dates, and never another person's.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { throttleClass } from '../../infra/throttle.js';
import { ActivityCancelled, ActivityMoved, ActivityScheduled } from '../../services/activities/events.js';
import { JointEventPublished, RegistrationConfirmed } from '../../services/community/events.js';
import { KEPT_DAYS } from '../../services/notices/domain/calendar.js';
import { noticesService } from '../../services/notices/service.js';
import { hashOfToken } from '../../services/notices/store/calendar.js';
import { StudyAssigned } from '../../services/resources/events.js';
import { newId } from '../../shared/ids.js';
import { toLocalIso } from '../../shared/time.js';
import { branchWithMembers } from '../activities/support.js';
import { publish, request, runtime, settle, tableClient } from '../support/api.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';

type Client = Awaited<ReturnType<typeof branchWithMembers>>['secretary'];

const NOW = '2026-11-25T10:00:00+08:00';

interface Entry {
  uid: string;
  summary: string;
  start: string;
  end?: string;
  /** A whole day's date, for all-day entries. */
  day?: string;
  sequence: number;
  status: string;
  location?: string;
}

/** Creates (or rotates) the client's feed; the path of its URL. */
const subscribe = async (client: Client): Promise<string> => {
  const res = await client.post('/notices/me/calendar');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return new URL(res.body.url as string).pathname;
};

/** The feed as a calendar app fetches it: no token. */
const fetchFeed = (path: string, now = NOW) => request('GET', path, undefined, { token: null, now });

const entriesOf = (text: string): Entry[] => {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return calendar.getAllSubcomponents('vevent').map((v) => {
    const start = v.getFirstPropertyValue('dtstart') as ICAL.Time;
    const end = v.getFirstPropertyValue('dtend') as ICAL.Time | null;
    const location = v.getFirstPropertyValue('location');
    return {
      uid: String(v.getFirstPropertyValue('uid')),
      summary: String(v.getFirstPropertyValue('summary')),
      start: start.isDate ? start.toString() : toLocalIso(start.toJSDate()),
      ...(end && !start.isDate ? { end: toLocalIso(end.toJSDate()) } : {}),
      ...(start.isDate ? { day: start.toString() } : {}),
      sequence: Number(v.getFirstPropertyValue('sequence') ?? 0),
      status: String(v.getFirstPropertyValue('status')),
      ...(location ? { location: String(location) } : {}),
    };
  });
};

const feedEntries = async (path: string, now = NOW): Promise<Entry[]> => {
  const res = await fetchFeed(path, now);
  expect(res.status, res.text.slice(0, 200)).toBe(200);
  return entriesOf(res.text);
};

/** Waits until the feed's entry with `uid` satisfies `holds`; that entry. */
const entryWhen = async (path: string, uid: string, holds: (e: Entry) => boolean): Promise<Entry> => {
  let found: Entry | undefined;
  await until(`${uid} in the feed as expected`, DELIVERY_BUDGET_MS, async () => {
    found = (await feedEntries(path)).find((e) => e.uid === uid);
    return found !== undefined && holds(found);
  });
  return found as Entry;
};

describe('the calendar feed (日程订阅)', () => {
  it('holds an invited activity at its Asia/Shanghai time, moves it in place and marks it cancelled', {
    // Its waits: the branch's roster and the feed three times.
    timeout: timeoutFor(deliveries(4)),
  }, async () => {
    const a = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const path = await subscribe(member);
    const created = await a.secretary.post(
      '/activities',
      {
        branchId: a.branchId,
        type: 'party-lesson',
        title: '党课',
        startsAt: '2026-12-05T09:00:00+08:00',
        endsAt: '2026-12-05T11:00:00+08:00',
        location: '行政楼三层党员活动室',
      },
      { now: NOW },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.activityId as string;
    const uid = `activity-${id}@dangjian`;

    const first = await entryWhen(path, uid, () => true);
    expect(first).toMatchObject({
      summary: '党课',
      start: '2026-12-05T09:00:00+08:00',
      end: '2026-12-05T11:00:00+08:00',
      location: '行政楼三层党员活动室',
      status: 'CONFIRMED',
    });
    const res = await fetchFeed(path);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    // The calendar names its zone; every time is an exact UTC instant.
    expect(res.text).toContain('X-WR-TIMEZONE:Asia/Shanghai');
    expect(res.text).toMatch(/DTSTART:20261205T010000Z/);
    // Unchanged, the same bytes: the ETag holds between polls, and a poll naming it gets 304.
    const etag = res.headers.get('etag') as string;
    expect((await fetchFeed(path)).headers.get('etag')).toBe(etag);
    const unchanged = await request('GET', path, undefined, {
      token: null,
      now: NOW,
      headers: { 'if-none-match': `W/${etag}` },
    });
    expect(unchanged.status).toBe(304);
    expect(unchanged.text).toBe('');
    expect(unchanged.headers.get('etag')).toBe(etag);

    const moved = await a.secretary.patch(
      `/activities/${id}`,
      { version: 1, startsAt: '2026-12-05T14:00:00+08:00', endsAt: '2026-12-05T16:00:00+08:00' },
      { now: NOW },
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const second = await entryWhen(path, uid, (e) => e.start === '2026-12-05T14:00:00+08:00');
    expect(second.sequence).toBeGreaterThan(first.sequence);
    expect(second.end).toBe('2026-12-05T16:00:00+08:00');
    expect((await feedEntries(path)).filter((e) => e.uid === uid)).toHaveLength(1);
    // The copy the app holds is old now: the same question gets the whole new feed.
    const changed = await request('GET', path, undefined, {
      token: null,
      now: NOW,
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.text).toContain('DTSTART:20261205T060000Z');

    const cancel = await a.secretary.post(`/activities/${id}/cancel`, { reason: '场地检修' }, { now: NOW });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    const third = await entryWhen(path, uid, (e) => e.status === 'CANCELLED');
    expect(third.sequence).toBeGreaterThan(second.sequence);
    expect(third.start).toBe('2026-12-05T14:00:00+08:00');
    expect((await feedEntries(path)).filter((e) => e.uid === uid)).toHaveLength(1);
  });

  it('drops what ended more than 90 days ago', async () => {
    const a = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const path = await subscribe(member);
    const activity = (startsAt: string, endsAt: string) => ({
      activityId: newId(),
      branchId: a.branchId,
      type: 'theme-day' as const,
      title: '主题党日',
      startsAt,
      endsAt,
      inviteeIds: [member.personId],
    });
    // 90 days before NOW is 2026-08-27T10:00+08:00.
    const recent = activity('2026-08-27T09:00:00+08:00', '2026-08-27T11:00:00+08:00');
    const old = activity('2026-08-27T08:00:00+08:00', '2026-08-27T09:59:00+08:00');
    await publish(ActivityScheduled, old);
    await publish(ActivityScheduled, recent);
    await entryWhen(path, `activity-${recent.activityId}@dangjian`, () => true);
    const uids = (await feedEntries(path)).map((e) => e.uid);
    expect(uids).not.toContain(`activity-${old.activityId}@dangjian`);
    // The old one was delivered: a feed asked for at an earlier time lists it.
    const earlier = await feedEntries(path, '2026-11-20T10:00:00+08:00');
    expect(earlier.map((e) => e.uid)).toContain(`activity-${old.activityId}@dangjian`);
  });

  it("lists the person's joint events and study due dates, and never another person's entries", {
    // Its waits: the branch's roster and the feed four times.
    timeout: timeoutFor(deliveries(5)),
  }, async () => {
    const a = await branchWithMembers(2);
    const [one, two] = a.members as [Client, Client];
    const [pathOne, pathTwo] = [await subscribe(one), await subscribe(two)];
    const jointEventId = newId();
    // The registration may arrive before the event's publication: the entry appears with it.
    await publish(RegistrationConfirmed, {
      jointEventId,
      registrationId: newId(),
      registrant: { kind: 'member', personId: one.personId },
      places: 1,
      promotedFromWaitlist: false,
    });
    await publish(RegistrationConfirmed, {
      jointEventId,
      registrationId: newId(),
      registrant: { kind: 'partner', partnerId: newId() },
      places: 3,
      promotedFromWaitlist: false,
    });
    await publish(JointEventPublished, {
      jointEventId,
      title: '社区义诊',
      kind: 'health-service',
      startsAt: '2026-12-12T09:00:00+08:00',
      endsAt: '2026-12-12T12:00:00+08:00',
      location: '幸福里社区服务中心',
      capacity: 30,
    });
    const assignmentId = newId();
    await publish(StudyAssigned, {
      assignmentId,
      resourceId: newId(),
      title: '党章学习',
      dueOn: '2026-12-10',
      branchIds: [a.branchId],
      personIds: [one.personId],
    });
    const activityId = newId();
    await publish(ActivityScheduled, {
      activityId,
      branchId: a.branchId,
      type: 'branch-committee-meeting',
      title: '支委会',
      startsAt: '2026-12-03T09:00:00+08:00',
      endsAt: '2026-12-03T11:00:00+08:00',
      inviteeIds: [one.personId],
    });

    const joint = await entryWhen(pathOne, `joint-event-${jointEventId}@dangjian`, () => true);
    expect(joint).toMatchObject({
      summary: '社区义诊',
      start: '2026-12-12T09:00:00+08:00',
      location: '幸福里社区服务中心',
    });
    const study = await entryWhen(pathOne, `study-${assignmentId}@dangjian`, () => true);
    expect(study).toMatchObject({ day: '2026-12-10', summary: '学习截止：党章学习' });
    await entryWhen(pathOne, `activity-${activityId}@dangjian`, () => true);
    expect(await feedEntries(pathTwo)).toEqual([]);

    // Moved to the other member alone: it leaves the first one's calendar and reaches the second's.
    await publish(ActivityMoved, {
      activityId,
      branchId: a.branchId,
      type: 'branch-committee-meeting',
      title: '支委会',
      startsAt: '2026-12-04T09:00:00+08:00',
      endsAt: '2026-12-04T11:00:00+08:00',
      inviteeIds: [two.personId],
      version: 2,
      previous: { startsAt: '2026-12-03T09:00:00+08:00', endsAt: '2026-12-03T11:00:00+08:00' },
    });
    await entryWhen(pathTwo, `activity-${activityId}@dangjian`, (e) => e.sequence === 1);
    expect((await feedEntries(pathOne)).map((e) => e.uid)).not.toContain(`activity-${activityId}@dangjian`);
    expect((await feedEntries(pathTwo)).map((e) => e.uid)).toEqual([`activity-${activityId}@dangjian`]);
  });

  it('takes events out of order: a cancellation before the schedule, an older move after a newer one', {
    // Its waits: the branch's roster and four settles.
    timeout: timeoutFor(deliveries(5)),
  }, async () => {
    const a = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const path = await subscribe(member);
    const ref = (activityId: string, day: string) => ({
      activityId,
      branchId: a.branchId,
      type: 'seminar' as const,
      title: '专题研讨',
      startsAt: `2026-12-${day}T09:00:00+08:00`,
      endsAt: `2026-12-${day}T11:00:00+08:00`,
    });
    const moved = newId();
    const move = (day: string, version: number) => ({
      ...ref(moved, day),
      inviteeIds: [member.personId],
      version,
      previous: { startsAt: '2026-12-06T09:00:00+08:00', endsAt: '2026-12-06T11:00:00+08:00' },
    });
    // One at a time, so the order is the one written: the newest news first, then older.
    await publish(ActivityMoved, move('08', 3));
    await settle();
    await publish(ActivityMoved, move('07', 2));
    await settle();
    await publish(ActivityScheduled, { ...ref(moved, '06'), inviteeIds: [member.personId] });

    const cancelled = newId();
    await publish(ActivityCancelled, { ...ref(cancelled, '09'), reason: '改期' });
    await settle();
    await publish(ActivityScheduled, { ...ref(cancelled, '09'), inviteeIds: [member.personId] });
    await settle();

    const entries = await feedEntries(path);
    // The older news changed nothing, not even the SEQUENCE; the late schedule only named the invitees.
    expect(entries.map((e) => [e.uid, e.start, e.status, e.sequence])).toEqual([
      [`activity-${moved}@dangjian`, '2026-12-08T09:00:00+08:00', 'CONFIRMED', 0],
      [`activity-${cancelled}@dangjian`, '2026-12-09T09:00:00+08:00', 'CANCELLED', 1],
    ]);
  });

  it("keeps each person's pointer as long as the latest end it learned, in whatever order the news comes", {
    // Its waits: the branch's roster and eight settles.
    timeout: timeoutFor(deliveries(9)),
  }, async () => {
    const a = await branchWithMembers(1);
    const member = a.members[0] as Client;
    const db = tableClient();
    const TableName = runtime().tableNames.notices as string;
    const at = (day: string) => ({
      startsAt: `2026-12-${day}T09:00:00+08:00`,
      endsAt: `2026-12-${day}T11:00:00+08:00`,
    });
    const ref = (activityId: string, day: string) => ({
      activityId,
      branchId: a.branchId,
      type: 'seminar' as const,
      title: '专题研讨',
      ...at(day),
      inviteeIds: [member.personId],
    });
    const move = (activityId: string, day: string, version: number) => ({
      ...ref(activityId, day),
      version,
      previous: at('06'),
    });
    /** The pointer's TTL as the store writes it: KEPT_DAYS and a day after the end. */
    const expiryOf = (day: string) =>
      Math.floor((new Date(at(day).endsAt).getTime() + (KEPT_DAYS + 1) * 86_400_000) / 1000);
    const pointerKey = (activityId: string) => ({
      pk: `CALENDAR#${member.personId}`,
      sk: `ACTIVITY#${activityId}`,
    });
    const expiryHeld = async (activityId: string) =>
      (await db.send(new GetCommand({ TableName, Key: pointerKey(activityId) }))).Item?.expiresAt;

    // Scheduled, moved later (the pointer follows), then earlier (it stays).
    const onTime = newId();
    await publish(ActivityScheduled, ref(onTime, '06'));
    await settle();
    expect(await expiryHeld(onTime)).toBe(expiryOf('06'));
    await publish(ActivityMoved, move(onTime, '09', 2));
    await settle();
    expect(await expiryHeld(onTime)).toBe(expiryOf('09'));
    await publish(ActivityMoved, move(onTime, '07', 3));
    await settle();
    expect(await expiryHeld(onTime)).toBe(expiryOf('09'));

    // The move later arrives first: the schedule arriving late does not pull the pointer back.
    const late = newId();
    await publish(ActivityMoved, move(late, '08', 2));
    await settle();
    await publish(ActivityScheduled, ref(late, '06'));
    await settle();
    expect(await expiryHeld(late)).toBe(expiryOf('08'));

    // What a schedule's first attempt leaves when it raced a move and the move's copy
    // committed first: its batch put pulled the move's pointer back to the schedule's end,
    // and the attempt failed. Its retry finds the move in the copy and pushes the pointer
    // back to the move's end.
    const raced = newId();
    await publish(ActivityMoved, move(raced, '08', 2));
    await settle();
    await db.send(
      new UpdateCommand({
        TableName,
        Key: pointerKey(raced),
        UpdateExpression: 'SET expiresAt = :pulledBack',
        ExpressionAttributeValues: { ':pulledBack': expiryOf('06') },
      }),
    );
    await publish(ActivityScheduled, ref(raced, '06'));
    await settle();
    expect(await expiryHeld(raced)).toBe(expiryOf('08'));
    expect((await feedEntries(await subscribe(member))).map((e) => e.uid)).toEqual(
      expect.arrayContaining([onTime, late, raced].map((id) => `activity-${id}@dangjian`)),
    );
  });

  it('is a public route in the public throttle class: calendar apps send no token', () => {
    const feed = noticesService.routes.find((r) => r.routeKey === 'GET /notices/calendar/{feed}');
    expect(feed?.access).toBe('public');
    expect(feed && throttleClass(feed)).toBe('public');
  });

  it('opens only with its current token: rotated, revoked, forged and malformed are the same 404', async () => {
    const [member] = (await branchWithMembers(1)).members as [Client];
    expect((await member.get('/notices/me/calendar')).body).toEqual({ exists: false });
    expect((await member.delete('/notices/me/calendar')).status).toBe(204);

    const created = await member.post('/notices/me/calendar', undefined, { now: NOW });
    expect(created.body.createdAt).toBe(NOW);
    const first = new URL(created.body.url as string).pathname;
    expect((await fetchFeed(first)).status).toBe(200);
    const status = await member.get('/notices/me/calendar');
    expect(status.body).toEqual({ exists: true, createdAt: NOW });
    expect(JSON.stringify(status.body)).not.toContain(first.slice(-20, -4));

    // Only the token's hash is stored: a table read gives nothing that opens the feed.
    const token = (first.split('/').pop() as string).replace(/\.ics$/, '');
    const db = tableClient();
    const byHash = await db.send(
      new GetCommand({
        TableName: runtime().tableNames.notices as string,
        Key: { pk: `FEED#${hashOfToken(token)}`, sk: 'FEED' },
      }),
    );
    expect(byHash.Item?.personId).toBe(member.personId);
    const own = await db.send(
      new GetCommand({
        TableName: runtime().tableNames.notices as string,
        Key: { pk: `CALFEED#${member.personId}`, sk: 'FEED' },
      }),
    );
    expect(JSON.stringify([byHash.Item, own.Item])).not.toContain(token);

    const second = await subscribe(member);
    expect(second).not.toBe(first);
    const rotatedAway = await fetchFeed(first);
    expect(rotatedAway.status).toBe(404);
    expect((await fetchFeed(second)).status).toBe(200);

    const forged = await fetchFeed(`/notices/calendar/${Buffer.alloc(32, 7).toString('base64url')}.ics`);
    const malformed = await fetchFeed('/notices/calendar/not-a-feed.ics');
    const noSuffix = await fetchFeed(`/notices/calendar/${token}`);
    for (const res of [forged, malformed, noSuffix]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(rotatedAway.body);
    }

    expect((await member.delete('/notices/me/calendar')).status).toBe(204);
    const revoked = await fetchFeed(second);
    expect(revoked.status).toBe(404);
    expect(revoked.body).toEqual(rotatedAway.body);
    expect((await member.get('/notices/me/calendar')).body).toEqual({ exists: false });
  });
});
