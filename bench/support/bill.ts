/**
 * What a month of the platform costs a reference institution on a stage: its traffic, from a
 * stated model, priced with the figures the bench measured per route (read and write units,
 * events, consumers, Lambda time), plus what the per-route figures do not carry: the relay's
 * invocations, logs, the bus archive, alarms, dashboards, the KMS key, Cognito's monthly
 * active users, S3 and table storage. Pure: the bench hands it the measurements and the
 * stage's resources and settings; the unit test pins what it makes of them.
 */
import type { Prices } from './prices.js';

/** One route as the bench measured it, per request, its consumers' work included. */
export interface RouteFigures {
  route: string;
  /** The router's billed duration. */
  latencyMs: number;
  readUnits: number;
  writeUnits: number;
  /** Events put on the bus. */
  events: number;
  /** Consumer invocations those events caused, and their total duration. */
  deliveries: number;
  consumerMs: number;
  /** For a route whose work grows with the invitees: how many it was measured with. */
  invitees?: number;
}

/** A stage's resources (from its synthesized templates) and settings (infra/config.ts). */
export interface StageFacts {
  stage: string;
  memoryMb: number;
  logLevel: string;
  logRetentionDays: number;
  archiveRetentionDays: number;
  pointInTimeRecovery: boolean;
  alarms: number;
  dashboards: number;
  kmsKeys: number;
  /** Whether the stage has its own user pool (prod-cn signs in elsewhere). */
  userPool: boolean;
  /** Invitations go through SES (a Cognito sender costs nothing). */
  sesMail: boolean;
  /** Notices are mailed through SES (the stage has a sender and a pool to read addresses from). */
  noticeMail: boolean;
  /** Runs of the descriptions' schedules in a month (notices' reminder sweep: every minute). */
  scheduleRunsPerMonth: number;
  uploads: { versioned: boolean; noncurrentVersionDays: number; accessLogDays: number };
}

/** The reference institution and how it uses the platform. Every figure is an assumption. */
export interface Institution {
  people: number;
  branches: number;
  /** Party members (full and probationary) among the people. */
  memberShare: number;
  /** Branch committee (支委) size; two party groups share a branch's members. */
  branchCommittee: number;
  /** Meetings a branch holds a year, and who is invited. */
  meetings: readonly { name: string; perYear: number; invitees: 'members' | 'group' | 'committee' }[];
  /** Invitees who check in with the code; the rest are settled at completion. */
  checkInShare: number;
  /** People who sign in at least once a month (Cognito MAU). */
  monthlyActiveShare: number;
  /** Days a month an active person opens the platform, and what they read each time. */
  activeDaysPerMonth: number;
  readsPerActiveDay: readonly { route: string; count: number }[];
  /** Study files each member finishes a month, and progress reports for each. */
  studyCompletionsPerMemberMonth: number;
  progressReportsPerCompletion: number;
  assessmentsPerMemberYear: number;
  jointEventsPerMonth: number;
  memberRegistrationsPerEvent: number;
  partnerRegistrationsPerEvent: number;
  newPeoplePerYear: number;
  pipelineStepsPerYear: number;
  /** Insight reads a month: each branch's secretary, and the committee. */
  insightsPerSecretaryMonth: number;
  insightsPerCommitteeMonth: number;
  /** Announcements (通知公告) a month: the committee's to everyone, and each secretary's to their branch. */
  announcementsPerMonth: { institution: number; perBranch: number };
  /** Recipients who open an announcement (a read receipt each). */
  announcementReadShare: number;
  /** Reminders (提醒) each meeting's invitees get: a day and an hour before. */
  remindersPerMeeting: number;
  /** Recipients with e-mail on and a verified address on their account. */
  emailShare: number;
  /** A schedule's run (the reminder sweep: one Query, mostly empty), billed per run. */
  scheduleRunMs: number;
  library: { files: number; averageMb: number; addedPerMonth: number; replacedShareMonth: number };
  tableGb: number;
  eventBytes: number;
  /** Log bytes per invocation, at INFO and at DEBUG (the platform's lines and Lambda's own). */
  logBytesPerInvocation: { info: number; debug: number };
  /** The relay's invocation per event, which the local bench does not time. */
  relayMsPerEvent: number;
  s3AccessLogBytesPerRequest: number;
}

/** 500 people in 8 branches, a year's 三会一课 and the rest, averaged over a month. */
export const REFERENCE_INSTITUTION: Institution = {
  people: 500,
  branches: 8,
  memberShare: 0.9,
  branchCommittee: 5,
  meetings: [
    { name: '支部党员大会', perYear: 4, invitees: 'members' },
    { name: '支委会', perYear: 12, invitees: 'committee' },
    { name: '党小组会', perYear: 24, invitees: 'group' },
    { name: '党课', perYear: 4, invitees: 'members' },
    { name: '主题党日', perYear: 12, invitees: 'members' },
    { name: '组织生活会', perYear: 1, invitees: 'members' },
    { name: '民主评议党员', perYear: 1, invitees: 'members' },
  ],
  checkInShare: 0.85,
  monthlyActiveShare: 0.9,
  activeDaysPerMonth: 8,
  readsPerActiveDay: [
    { route: 'GET /talent/people/{personId}', count: 2 },
    { route: 'GET /activities?branchId', count: 2 },
    { route: 'GET /activities/{activityId}', count: 2 },
    { route: 'GET /resources', count: 2 },
    { route: 'GET /talent/people/{personId}/timeline', count: 1 },
    { route: 'GET /community/events', count: 1 },
    { route: 'GET /notices/me', count: 1 },
    // The unread badge, asked again on the pages read.
    { route: 'GET /notices/me/unread-count', count: 3 },
  ],
  studyCompletionsPerMemberMonth: 2,
  progressReportsPerCompletion: 3,
  assessmentsPerMemberYear: 4,
  jointEventsPerMonth: 2,
  memberRegistrationsPerEvent: 40,
  partnerRegistrationsPerEvent: 5,
  newPeoplePerYear: 25,
  pipelineStepsPerYear: 120,
  insightsPerSecretaryMonth: 20,
  insightsPerCommitteeMonth: 40,
  announcementsPerMonth: { institution: 2, perBranch: 2 },
  announcementReadShare: 0.8,
  remindersPerMeeting: 2,
  emailShare: 0.9,
  scheduleRunMs: 50,
  library: { files: 200, averageMb: 5, addedPerMonth: 10, replacedShareMonth: 0.02 },
  tableGb: 0.5,
  eventBytes: 1024,
  logBytesPerInvocation: { info: 1500, debug: 4000 },
  relayMsPerEvent: 50,
  s3AccessLogBytesPerRequest: 350,
};

/** One route's requests in the month, and what its cost is scaled by (a meeting's invitees). */
export interface MonthlyRequests {
  route: string;
  perMonth: number;
  /** The measured cost is multiplied by this: invitees of the model's meeting over the measured ones. */
  scale?: { invitees: number };
  why: string;
}

const PER_MONTH = 1 / 12;

/** Invitations to meetings a month: every meeting's invitees, added up. */
const inviteeSlotsPerMonth = (m: Institution): number => {
  const branchMembers = (m.people * m.memberShare) / m.branches;
  const inviteesOf = (kind: 'members' | 'group' | 'committee') =>
    kind === 'members' ? branchMembers : kind === 'group' ? branchMembers / 2 : m.branchCommittee;
  return m.meetings.reduce((n, x) => n + x.perYear * inviteesOf(x.invitees), 0) * m.branches * PER_MONTH;
};

/** Notices a month counted per recipient: meetings (each notice and its reminders) and announcements. */
export const noticeRecipientsPerMonth = (m: Institution): number => {
  const members = m.people * m.memberShare;
  return (
    inviteeSlotsPerMonth(m) * (1 + m.remindersPerMeeting) +
    m.announcementsPerMonth.institution * members +
    m.announcementsPerMonth.perBranch * m.branches * (members / m.branches)
  );
};

/** The institution's month as requests to the measured routes. */
export const monthlyRequests = (m: Institution): MonthlyRequests[] => {
  const members = m.people * m.memberShare;
  const branchMembers = members / m.branches;
  const meetingsPerMonth = m.meetings.reduce((n, x) => n + x.perYear, 0) * m.branches * PER_MONTH;
  const inviteeSlots = inviteeSlotsPerMonth(m);
  const active = m.people * m.monthlyActiveShare;
  const events = m.jointEventsPerMonth;
  const branchInsights = m.insightsPerSecretaryMonth * m.branches;
  return [
    ...m.readsPerActiveDay.map((r) => ({
      route: r.route,
      perMonth: active * m.activeDaysPerMonth * r.count,
      why: `${r.count} a day each active person opens the platform`,
    })),
    {
      route: 'POST /activities',
      perMonth: meetingsPerMonth,
      scale: { invitees: inviteeSlots / meetingsPerMonth },
      why: 'every meeting of the 三会一课, scheduled (cost scaled to its invitees: each gets a notice)',
    },
    {
      route: 'POST /activities/{activityId}/check-in',
      perMonth: inviteeSlots * m.checkInShare,
      why: `${m.checkInShare * 100}% of invitees check in with the code`,
    },
    {
      route: 'POST /activities/{activityId}/complete',
      perMonth: meetingsPerMonth,
      scale: { invitees: inviteeSlots / meetingsPerMonth },
      why: 'every meeting completed, each invitee settled (cost scaled to its invitees)',
    },
    {
      route: 'POST /resources/{resourceId}/progress',
      perMonth: members * m.studyCompletionsPerMemberMonth * m.progressReportsPerCompletion,
      why: 'study: progress reported while reading',
    },
    {
      route: 'POST /resources/assessments/{assessmentId}/attempts',
      perMonth: members * m.assessmentsPerMemberYear * PER_MONTH,
      why: 'assessments taken',
    },
    {
      route: 'POST /resources/assessments/{assessmentId}/attempts/{attemptId}/submit',
      perMonth: members * m.assessmentsPerMemberYear * PER_MONTH,
      why: 'assessments submitted and graded',
    },
    { route: 'POST /community/events', perMonth: events, why: 'joint events drafted' },
    { route: 'POST /community/events/{eventId}/publish', perMonth: events, why: 'and published' },
    {
      route: 'POST /community/events/{eventId}/registrations',
      perMonth: events * (m.memberRegistrationsPerEvent + m.partnerRegistrationsPerEvent),
      why: 'members and partners register',
    },
    { route: 'POST /community/events/{eventId}/complete', perMonth: events, why: 'and the events completed' },
    {
      route: 'POST /notices/announcements/{announcementId}/publish',
      perMonth: m.announcementsPerMonth.institution,
      scale: { invitees: members },
      why: "the committee's announcements to everyone (cost scaled to its recipients)",
    },
    {
      route: 'POST /notices/announcements/{announcementId}/publish',
      perMonth: m.announcementsPerMonth.perBranch * m.branches,
      scale: { invitees: branchMembers },
      why: "each secretary's to their branch",
    },
    {
      route: 'POST /notices/me/{noticeId}/read',
      perMonth:
        (m.announcementsPerMonth.institution * members +
          m.announcementsPerMonth.perBranch * m.branches * branchMembers) *
        m.announcementReadShare,
      why: `${m.announcementReadShare * 100}% of recipients read each announcement (its receipt)`,
    },
    { route: 'POST /talent/people', perMonth: m.newPeoplePerYear * PER_MONTH, why: 'people joining' },
    {
      route: 'POST /talent/people/{personId}/transitions',
      perMonth: m.pipelineStepsPerYear * PER_MONTH,
      why: 'steps of the pipeline (发展党员)',
    },
    {
      route: 'GET /activities/insights/compliance?branchId',
      perMonth: branchInsights / 2,
      why: 'secretaries check their branch',
    },
    {
      route: 'GET /activities/insights/participation?branchId',
      perMonth: branchInsights / 2,
      why: 'secretaries check their branch',
    },
    {
      route: 'GET /activities/insights/compliance',
      perMonth: m.insightsPerCommitteeMonth / 2,
      why: 'the committee checks the institution',
    },
    {
      route: 'GET /talent/insights/pipeline',
      perMonth: m.insightsPerCommitteeMonth / 2,
      why: 'the committee checks the pipeline',
    },
  ];
};

export interface BillLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface Bill {
  stage: string;
  requests: number;
  lines: BillLine[];
  /** What the measured routes cost (requests, Lambda, DynamoDB units, events, consumers). */
  routesUsd: number;
  /** Everything else: relay, logs, archive, alarms, dashboards, key, users, storage. */
  otherUsd: number;
  totalUsd: number;
}

const DAYS_PER_MONTH = 30;
const GB = 1024 ** 3;

/** The month of `institution` on `stage`, priced; throws when a route it needs was not measured. */
export const monthlyBill = (
  stage: StageFacts,
  routes: readonly RouteFigures[],
  institution: Institution,
  prices: Prices,
): Bill => {
  const byRoute = new Map(routes.map((r) => [r.route, r]));
  const gb = stage.memoryMb / 1024;
  const lambdaUsd = (invocations: number, ms: number) =>
    (invocations * prices.lambdaPerMillionRequests) / 1e6 + gb * (ms / 1000) * prices.lambdaPerGbSecondArm;
  let requests = 0;
  let events = 0;
  let invocations = 0;
  let consumerInvocations = 0;
  const perRoute = { api: 0, router: 0, dynamodb: 0, events: 0, consumers: 0 };
  for (const need of monthlyRequests(institution)) {
    const r = byRoute.get(need.route);
    if (!r) throw new Error(`The bill needs ${need.route}, which the bench did not measure`);
    const scale = need.scale && r.invitees ? need.scale.invitees / r.invitees : 1;
    const n = need.perMonth;
    requests += n;
    events += n * r.events * scale;
    invocations += n * (1 + r.deliveries * scale);
    consumerInvocations += n * r.deliveries * scale;
    perRoute.api += (n * prices.httpApiPerMillionRequests) / 1e6;
    perRoute.router += lambdaUsd(n, n * Math.ceil(r.latencyMs));
    perRoute.dynamodb +=
      (n *
        scale *
        (r.readUnits * prices.dynamodbPerMillionReadUnits +
          r.writeUnits * prices.dynamodbPerMillionWriteUnits)) /
      1e6;
    perRoute.events += (n * scale * r.events * prices.eventBridgePerMillionEvents) / 1e6;
    perRoute.consumers += lambdaUsd(n * scale * r.deliveries, n * scale * r.consumerMs);
  }
  const routesUsd = Object.values(perRoute).reduce((a, b) => a + b, 0);

  // Each event reaches the bus through the table stream's relay: one invocation an event at
  // this traffic (batches of one).
  const relay = lambdaUsd(events, events * institution.relayMsPerEvent);
  invocations += events;
  const logBytes =
    invocations *
    (stage.logLevel === 'DEBUG'
      ? institution.logBytesPerInvocation.debug
      : institution.logBytesPerInvocation.info);
  const logsIngested = logBytes / GB;
  // Kept for the retention: a steady month holds retention/30 months of logs.
  const logsKept = logsIngested * (stage.logRetentionDays / DAYS_PER_MONTH);
  const archived = (events * institution.eventBytes) / GB;
  const archiveKept = archived * (stage.archiveRetentionDays / DAYS_PER_MONTH);
  const mau = stage.userPool ? institution.people * institution.monthlyActiveShare : 0;
  const lib = institution.library;
  const libraryGb = (lib.files * lib.averageMb) / 1024;
  const noncurrentGb = stage.uploads.versioned
    ? libraryGb * lib.replacedShareMonth * (stage.uploads.noncurrentVersionDays / DAYS_PER_MONTH)
    : 0;
  const downloads = institution.people * institution.memberShare * institution.studyCompletionsPerMemberMonth;
  const s3Requests = downloads + lib.addedPerMonth;
  const accessLogsGb =
    (s3Requests * institution.s3AccessLogBytesPerRequest * (stage.uploads.accessLogDays / DAYS_PER_MONTH)) /
    GB;
  const invitations = stage.sesMail ? institution.newPeoplePerYear / 12 : 0;
  const noticeEmails = stage.noticeMail ? noticeRecipientsPerMonth(institution) * institution.emailShare : 0;
  const runs = stage.scheduleRunsPerMonth;

  const lines: BillLine[] = [
    { item: 'API Gateway HTTP API requests', quantity: requests, unit: 'requests', usd: perRoute.api },
    { item: 'Lambda: routers', quantity: requests, unit: 'invocations', usd: perRoute.router },
    {
      item: 'DynamoDB read and write units (routes and consumers)',
      quantity: 0,
      unit: '',
      usd: perRoute.dynamodb,
    },
    { item: 'EventBridge events', quantity: events, unit: 'events', usd: perRoute.events },
    {
      item: 'Lambda: consumers',
      quantity: consumerInvocations,
      unit: 'invocations',
      usd: perRoute.consumers,
    },
    { item: 'Lambda: relays (one invocation an event)', quantity: events, unit: 'invocations', usd: relay },
    {
      item: 'CloudWatch Logs ingested',
      quantity: logsIngested,
      unit: 'GB',
      usd: logsIngested * prices.cloudWatchLogsIngestPerGb,
    },
    {
      item: 'CloudWatch Logs kept (the stage’s retention)',
      quantity: logsKept,
      unit: 'GB-month',
      usd: logsKept * prices.cloudWatchLogsStoragePerGbMonth,
    },
    {
      item: 'Bus archive: events written and kept (the stage’s retention)',
      quantity: archived,
      unit: 'GB',
      usd:
        archived * prices.eventBridgeArchivePerGb + archiveKept * prices.eventBridgeArchiveStoragePerGbMonth,
    },
    {
      item: 'CloudWatch alarms',
      quantity: stage.alarms,
      unit: 'alarms',
      usd: stage.alarms * prices.cloudWatchAlarmPerMonth,
    },
    {
      item: 'CloudWatch dashboards',
      quantity: stage.dashboards,
      unit: 'dashboards',
      usd: stage.dashboards * prices.cloudWatchDashboardPerMonth,
    },
    {
      item: 'KMS keys (first year)',
      quantity: stage.kmsKeys,
      unit: 'keys',
      usd: stage.kmsKeys * prices.kmsKeyPerMonth,
    },
    {
      item: 'Cognito monthly active users',
      quantity: mau,
      unit: 'MAU',
      usd: mau * prices.cognitoEssentialsPerMau,
    },
    {
      item: 'SES invitations',
      quantity: invitations,
      unit: 'emails',
      usd: (invitations * prices.sesPer1000Emails) / 1000,
    },
    {
      item: 'SES notices by e-mail',
      quantity: noticeEmails,
      unit: 'emails',
      usd: (noticeEmails * prices.sesPer1000Emails) / 1000,
    },
    {
      item: 'Scheduler: schedules and their runs (the reminder sweep)',
      quantity: runs,
      unit: 'runs',
      usd:
        (runs * prices.schedulerPerMillionInvocations) / 1e6 +
        lambdaUsd(runs, runs * institution.scheduleRunMs),
    },
    {
      item: 'S3: study files, old versions, access logs',
      quantity: libraryGb + noncurrentGb + accessLogsGb,
      unit: 'GB-month',
      usd:
        (libraryGb + noncurrentGb + accessLogsGb) * prices.s3StandardPerGbMonth +
        (downloads * prices.s3GetPer1000 + lib.addedPerMonth * prices.s3PutPer1000) / 1000,
    },
    {
      item: 'DynamoDB storage, and point-in-time recovery where on',
      quantity: institution.tableGb,
      unit: 'GB',
      usd:
        institution.tableGb *
        (prices.dynamodbStoragePerGbMonth + (stage.pointInTimeRecovery ? prices.dynamodbPitrPerGbMonth : 0)),
    },
  ];
  const totalUsd = lines.reduce((sum, l) => sum + l.usd, 0);
  return { stage: stage.stage, requests, lines, routesUsd, otherUsd: totalUsd - routesUsd, totalUsd };
};
