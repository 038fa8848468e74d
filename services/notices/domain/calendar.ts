/**
 * What a person's calendar feed (日程订阅) lists: the activities they are invited to, the joint
 * events they registered for and their study due dates, from the recent past on. Pure: the
 * time is a parameter.
 */
import { startOfLocalDay } from '../../../shared/time.js';
import type { CalendarOf } from '../store/calendar.js';

/** What the feed keeps past an entry's end: calendars show the recent past, then it drops off. */
export const KEPT_DAYS = 90;
const DAY_MS = 86_400_000;

/** A feed's path segment: the token (32 random bytes, base64url, unpadded) and `.ics`. */
const feedPattern = /^([A-Za-z0-9_-]{43})\.ics$/;

/** The token a feed segment carries, or undefined when it cannot be one (answered like an unknown token). */
export const tokenOfFeed = (feed: string): string | undefined => feedPattern.exec(feed)?.[1];

export interface CalendarEntry {
  /** Stable across changes (`<kind>-<id>@dangjian`), so a calendar moves the entry instead of adding one. */
  uid: string;
  summary: string;
  description?: string;
  location?: string;
  start: Date;
  end: Date;
  /** A whole local day (a due date, YYYY-MM-DD), not a span of time. */
  day?: string;
  cancelled: boolean;
  sequence: number;
  /** When it last changed. */
  stamp: Date;
}

/**
 * The person's entries that end no earlier than KEPT_DAYS before `now`, in time order. An
 * activity is listed only while the person is among its invitees as the calendar last heard
 * them; a cancelled one stays, marked cancelled, so every calendar that holds it drops it.
 */
export const calendarEntries = (held: CalendarOf, personId: string, now: Date): CalendarEntry[] => {
  const since = now.getTime() - KEPT_DAYS * DAY_MS;
  const entries: CalendarEntry[] = [];
  for (const a of held.activities) {
    if (!a.inviteeIds?.includes(personId)) continue;
    const cancelled = a.status === 'cancelled';
    entries.push({
      uid: `activity-${a.activityId}@dangjian`,
      summary: cancelled ? `已取消：${a.title}` : a.title,
      ...(cancelled && a.reason ? { description: `取消原因：${a.reason}` } : {}),
      ...(a.location ? { location: a.location } : {}),
      start: new Date(a.startsAt),
      end: new Date(a.endsAt),
      cancelled,
      sequence: a.sequence,
      stamp: new Date(a.updatedAt),
    });
  }
  for (const e of held.jointEvents) {
    entries.push({
      uid: `joint-event-${e.jointEventId}@dangjian`,
      summary: e.title,
      location: e.location,
      start: new Date(e.startsAt),
      end: new Date(e.endsAt),
      cancelled: false,
      sequence: 0,
      stamp: new Date(e.updatedAt),
    });
  }
  for (const s of held.studies) {
    const day = startOfLocalDay(s.dueOn);
    entries.push({
      uid: `study-${s.assignmentId}@dangjian`,
      summary: `学习截止：${s.title}`,
      start: day,
      end: new Date(day.getTime() + DAY_MS),
      day: s.dueOn,
      cancelled: false,
      sequence: 0,
      stamp: new Date(s.updatedAt),
    });
  }
  return entries
    .filter((e) => e.end.getTime() >= since)
    .sort((x, y) => x.start.getTime() - y.start.getTime() || x.uid.localeCompare(y.uid));
};
