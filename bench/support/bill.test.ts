/**
 * The monthly bill's arithmetic on figures made up for the test (not measured): the model's
 * month of requests, what each line charges, and the total pinned, so a change that moves the
 * bill (a price, an assumption, a route that writes twice as much) is seen here first.
 */
import { describe, expect, it } from 'vitest';
import {
  type Institution,
  monthlyBill,
  monthlyRequests,
  noticeRecipientsPerMonth,
  REFERENCE_INSTITUTION,
  type RouteFigures,
  type StageFacts,
} from './bill.js';
import { PRICES } from './prices.js';

/** Every route the model asks for: 10 ms, 1 RRU, no events, unless given. */
const figures = (overrides: Record<string, Partial<RouteFigures>> = {}): RouteFigures[] =>
  monthlyRequests(REFERENCE_INSTITUTION).map(({ route }) => ({
    route,
    latencyMs: 10,
    readUnits: 1,
    writeUnits: 0,
    events: 0,
    deliveries: 0,
    consumerMs: 0,
    ...overrides[route],
  }));

const prod: StageFacts = {
  stage: 'prod',
  memoryMb: 1024,
  logLevel: 'INFO',
  logRetentionDays: 365,
  archiveRetentionDays: 365,
  pointInTimeRecovery: true,
  alarms: 68,
  dashboards: 6,
  kmsKeys: 1,
  userPool: true,
  sesMail: true,
  noticeMail: true,
  scheduleRunsPerMonth: 43_200,
  uploads: { versioned: true, noncurrentVersionDays: 90, accessLogDays: 365 },
};

const line = (bill: ReturnType<typeof monthlyBill>, starts: string) =>
  bill.lines.find((l) => l.item.startsWith(starts))?.usd ?? Number.NaN;

describe('the reference institution’s month', () => {
  it('holds every meeting of a year of 三会一课 in eight branches, a twelfth of it a month', () => {
    const month = new Map(monthlyRequests(REFERENCE_INSTITUTION).map((r) => [r.route, r]));
    // 58 meetings a branch a year.
    expect(month.get('POST /activities')?.perMonth).toBeCloseTo((58 * 8) / 12, 6);
    const complete = month.get('POST /activities/{activityId}/complete');
    // 56.25 members a branch: 22 meetings of all of them, 24 of half, 12 of the committee of 5.
    expect(complete?.scale?.invitees).toBeCloseTo((22 * 56.25 + 24 * 28.125 + 12 * 5) / 58, 6);
    expect(month.get('POST /activities/{activityId}/check-in')?.perMonth).toBeCloseTo(
      ((22 * 56.25 + 24 * 28.125 + 12 * 5) * 8 * 0.85) / 12,
      6,
    );
  });
});

describe('the month’s notices', () => {
  it('sends the committee’s announcements to every member and each branch’s to its own, and scales scheduling by invitees', () => {
    const month = monthlyRequests(REFERENCE_INSTITUTION);
    const publishes = month.filter((r) => r.route === 'POST /notices/announcements/{announcementId}/publish');
    expect(publishes.map((r) => [r.perMonth, r.scale?.invitees])).toEqual([
      [2, 450],
      [16, 56.25],
    ]);
    const reads = month.find((r) => r.route === 'POST /notices/me/{noticeId}/read');
    expect(reads?.perMonth).toBeCloseTo((2 * 450 + 16 * 56.25) * 0.8, 6);
    const scheduling = month.find((r) => r.route === 'POST /activities');
    expect(scheduling?.scale?.invitees).toBeCloseTo((22 * 56.25 + 24 * 28.125 + 12 * 5) / 58, 6);
  });
});

describe('monthlyBill', () => {
  it('adds up to a total pinned here: a change that moves it is seen', () => {
    const bill = monthlyBill(prod, figures(), REFERENCE_INSTITUTION, PRICES);
    expect(bill.totalUsd).toBeCloseTo(33.55, 2);
    expect(bill.routesUsd + bill.otherUsd).toBeCloseTo(bill.totalUsd, 9);
    // The fixed part: 68 alarms, 6 dashboards, one key, 450 monthly users.
    expect(line(bill, 'CloudWatch alarms')).toBeCloseTo(6.8, 9);
    expect(line(bill, 'CloudWatch dashboards')).toBeCloseTo(18, 9);
    expect(line(bill, 'KMS keys')).toBeCloseTo(1, 9);
    expect(line(bill, 'Cognito monthly active users')).toBeCloseTo(450 * 0.015, 9);
    // Every meeting's notice and its two reminders to each invitee, and the announcements,
    // mailed to the 90% who take e-mail; the sweep runs every minute of the month.
    const slots = ((22 * 56.25 + 24 * 28.125 + 12 * 5) * 8) / 12;
    expect(noticeRecipientsPerMonth(REFERENCE_INSTITUTION)).toBeCloseTo(slots * 3 + 2 * 450 + 16 * 56.25, 6);
    expect(line(bill, 'SES notices by e-mail')).toBeCloseTo(
      ((slots * 3 + 2 * 450 + 16 * 56.25) * 0.9 * 0.1) / 1000,
      9,
    );
    expect(line(bill, 'Scheduler')).toBeCloseTo(
      (43_200 * 1.0) / 1e6 + (43_200 * 0.2) / 1e6 + 43_200 * 0.05 * 0.0000133334,
      9,
    );
  });

  it('charges a meeting’s completion by its invitees, scaled from those it was measured with', () => {
    const completing = (writeUnits: number, invitees: number) =>
      line(
        monthlyBill(
          prod,
          figures({ 'POST /activities/{activityId}/complete': { readUnits: 0, writeUnits, invitees } }),
          REFERENCE_INSTITUTION,
          PRICES,
        ),
        'DynamoDB read',
      );
    const base = completing(0, 100);
    // Measured on 50 invitees instead of 100: the same work costs twice as much per invitee.
    expect(completing(300, 50) - base).toBeCloseTo(2 * (completing(300, 100) - base), 9);
    // 300 WRU over 100 invitees, for the model's 34 invitees a meeting, 38.7 meetings a month.
    expect(completing(300, 100) - base).toBeCloseTo(
      (((58 * 8) / 12) * 300 * (1972.5 / 58 / 100) * 0.625) / 1e6,
      9,
    );
  });

  it('doubles the events line when a route publishes twice as much, and the relay and archive with it', () => {
    const once = monthlyBill(
      prod,
      figures({ 'POST /talent/people': { events: 1 } }),
      REFERENCE_INSTITUTION,
      PRICES,
    );
    const twice = monthlyBill(
      prod,
      figures({ 'POST /talent/people': { events: 2 } }),
      REFERENCE_INSTITUTION,
      PRICES,
    );
    for (const item of ['EventBridge events', 'Lambda: relays', 'Bus archive']) {
      expect(line(twice, item)).toBeCloseTo(2 * line(once, item), 9);
    }
  });

  it('keeps logs as long as the stage says, and charges no users where the stage signs in elsewhere', () => {
    const week = monthlyBill({ ...prod, logRetentionDays: 7 }, figures(), REFERENCE_INSTITUTION, PRICES);
    const year = monthlyBill(prod, figures(), REFERENCE_INSTITUTION, PRICES);
    expect(line(year, 'CloudWatch Logs kept')).toBeCloseTo((365 / 7) * line(week, 'CloudWatch Logs kept'), 9);
    const elsewhere = monthlyBill({ ...prod, userPool: false }, figures(), REFERENCE_INSTITUTION, PRICES);
    expect(line(elsewhere, 'Cognito monthly active users')).toBe(0);
  });

  it('refuses to price a month with a route the bench did not measure', () => {
    const missing = figures().filter((r) => r.route !== 'POST /activities/{activityId}/check-in');
    expect(() => monthlyBill(prod, missing, REFERENCE_INSTITUTION, PRICES)).toThrow(
      /POST \/activities\/\{activityId\}\/check-in, which the bench did not measure/,
    );
  });

  it('grows with the institution: twice the people, about twice the routes’ cost', () => {
    const bigger: Institution = { ...REFERENCE_INSTITUTION, people: 1000, branches: 16 };
    const small = monthlyBill(prod, figures(), REFERENCE_INSTITUTION, PRICES);
    const large = monthlyBill(prod, figures(), bigger, PRICES);
    expect(large.routesUsd / small.routesUsd).toBeCloseTo(2, 1);
  });
});
