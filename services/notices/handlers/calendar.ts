/**
 * The personal calendar feed (日程订阅): a secret URL per person that calendar apps poll for
 * the activities they are invited to, the joint events they registered for and their study
 * due dates. The URL is shown once; only the SHA-256 of its token is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import ical, { ICalEventStatus } from 'ical-generator';
import * as z from 'zod';
import { selfOf } from '../../../shared/auth.js';
import { notFound } from '../../../shared/errors.js';
import { noContent, ok, text } from '../../../shared/http/result.js';
import { allMembers, everyone } from '../../../shared/outcomes.js';
import { timestamp } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { INSTITUTION_ZONE, toLocalIso } from '../../../shared/time.js';
import { type CalendarEntry, calendarEntries, tokenOfFeed } from '../domain/calendar.js';
import {
  calendarOf,
  getPersonFeed,
  hashOfToken,
  personOfFeed,
  replaceFeed,
  revokeFeed,
} from '../store/calendar.js';
import { stillOnRegister } from '../store.js';

/** How long a calendar app may keep the feed before asking again (seconds). */
const POLL_SECONDS = 3600;

const FeedCreatedView = z
  .object({
    url: z.string().meta({ description: 'The secret feed URL, shown only in this answer' }),
    createdAt: timestamp,
  })
  .meta({ id: 'CalendarFeedCreated' });

const FeedStatusView = z
  .object({
    exists: z.boolean(),
    createdAt: timestamp.optional(),
  })
  .meta({ id: 'CalendarFeedStatus' });

/** Where the feed is served: this API's own host, as the request reached it. */
const feedUrl = (headers: Record<string, string | undefined>, token: string) =>
  `${headers['x-forwarded-proto'] ?? 'http'}://${headers.host}/notices/calendar/${token}.ics`;

const day = (date: string) => new Date(`${date}T00:00:00Z`);

/**
 * The feed as iCalendar. Times are written in UTC (`…Z`), which every client reads exactly
 * whatever zone its device is in; X-WR-TIMEZONE names the institution's zone for the apps
 * that show it. Nothing in the text depends on when it is generated, so its hash is an ETag.
 */
const icsOf = (entries: readonly CalendarEntry[]) => {
  const cal = ical({
    name: '党建日程',
    prodId: { company: 'dangjian', product: 'calendar', language: 'ZH' },
    ttl: POLL_SECONDS,
  });
  cal.x('X-WR-TIMEZONE', INSTITUTION_ZONE);
  for (const e of entries) {
    cal.createEvent({
      id: e.uid,
      sequence: e.sequence,
      stamp: e.stamp,
      lastModified: e.stamp,
      summary: e.summary,
      ...(e.day ? { start: day(e.day), allDay: true } : { start: e.start, end: e.end }),
      ...(e.location ? { location: e.location } : {}),
      ...(e.description ? { description: e.description } : {}),
      status: e.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
};

/** If-None-Match names the current copy: `*`, or one of its (weak or strong) tags. */
const matchesCopy = (ifNoneMatch: string | undefined, etag: string): boolean =>
  (ifNoneMatch ?? '').split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });

export const calendarRoutes = [
  route('POST /notices/me/calendar', {
    summary:
      'Create my calendar feed, or replace it (the old URL stops working): its secret URL is shown only in this answer',
    description:
      'Not idempotent on purpose: a repeat issues another URL and retires the one before, so a lost answer is recovered by asking again. No copy of the URL is kept to replay.',
    access: ['committee', 'secretary', 'member'],
    refusals: ['no-person'],
    outcomes: allMembers,
    responses: { 200: FeedCreatedView },
    handler: async ({ caller, now, headers }, ctx) => {
      const personId = selfOf(caller);
      const token = randomBytes(32).toString('base64url');
      const createdAt = now.toISOString();
      const held = await getPersonFeed(ctx, personId);
      await replaceFeed(ctx, held, { personId, hash: hashOfToken(token), createdAt });
      return ok({ url: feedUrl(headers, token), createdAt: toLocalIso(now) });
    },
  }),

  route('GET /notices/me/calendar', {
    summary: 'Whether I have a calendar feed, and since when (never its URL)',
    access: ['committee', 'secretary', 'member'],
    refusals: ['no-person'],
    outcomes: allMembers,
    responses: { 200: FeedStatusView },
    handler: async ({ caller }, ctx) => {
      const held = await getPersonFeed(ctx, selfOf(caller));
      return ok(held ? { exists: true, createdAt: toLocalIso(new Date(held.createdAt)) } : { exists: false });
    },
  }),

  route('DELETE /notices/me/calendar', {
    summary: 'Revoke my calendar feed: its URL answers 404 from now on (204 also when there was none)',
    access: ['committee', 'secretary', 'member'],
    refusals: ['no-person'],
    outcomes: allMembers,
    responses: { 204: 'empty' },
    handler: async ({ caller }, ctx) => {
      const held = await getPersonFeed(ctx, selfOf(caller));
      // Revoking none is done already: a retried revoke whose answer was lost is 204 too.
      if (held) await revokeFeed(ctx, held);
      return noContent();
    },
  }),

  route('GET /notices/calendar/{feed}', {
    summary: "A person's calendar feed (iCalendar), for calendar apps: the URL is the credential",
    description:
      'Public: calendar apps send no token. A token revoked, replaced, malformed or never issued, or one whose person left the register, is the same 404.',
    access: 'public',
    throttle: 'public',
    outcomes: everyone,
    responses: {
      200: {
        contentType: 'text/calendar',
        description:
          'UTF-8 iCalendar: upcoming activities, registered joint events and study due dates, and those of the last 90 days',
      },
      // Calendar apps poll every few hours; most polls find nothing changed.
      304: 'empty',
    },
    // Any text: a segment that cannot be a feed is the same 404 as an unknown one.
    request: {
      params: z.strictObject({
        // Longer than any token could be is refused before the table is asked.
        feed: z.string().max(200).meta({
          description: 'The secret token and `.ics`',
          example: 'UNhY4JhezH9gQYqvDMWrWH9CwlcKiECVqejMrND2VFw.ics',
        }),
      }),
    },
    handler: async ({ params, headers, now }, ctx) => {
      const token = tokenOfFeed(params.feed);
      const personId = token && (await personOfFeed(ctx, hashOfToken(token)));
      if (!personId) throw notFound('Calendar feed');
      // The URL outlives the account: once its person left the register it opens nothing more.
      if ((await stillOnRegister(ctx, [personId])).length === 0) throw notFound('Calendar feed');
      const entries = calendarEntries(await calendarOf(ctx, personId), personId, now);
      const body = icsOf(entries);
      const caching = {
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        'cache-control': `private, max-age=${POLL_SECONDS}`,
      };
      if (matchesCopy(headers['if-none-match'], caching.etag)) return { status: 304, headers: caching };
      return text('text/calendar; charset=utf-8', body, caching);
    },
  }),
];
