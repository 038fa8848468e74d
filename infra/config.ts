/**
 * The one place where stages differ. `dev`, `staging` and `prod` run the same stacks built
 * from the same descriptions; only these values change (README, "What differs between stages").
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ThrottleLimits } from './throttle.js';

export const stages = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof stages)[number];

/** API Gateway's token bucket: `rateLimit` requests a second, `burstLimit` at once. */
export type ThrottleConfig = ThrottleLimits;

/**
 * Who sends the user pool's invitations and password resets. Cognito's own sender allows
 * only a few messages a day, too few to invite an institution; `ses` sends through SES in
 * this account (EmailSendingAccount DEVELOPER), from a domain verified in SES beforehand.
 */
export type MailConfig =
  | {
      sender: 'cognito';
      /** Why this stage may live with Cognito's daily quota. */
      because: string;
    }
  | {
      sender: 'ses';
      /** The From address; its domain is the SES identity. */
      from: string;
      /** Shown as the sender's name (non-ASCII is encoded for the header). */
      fromName: string;
      replyTo?: string;
      /** Where the SES identity lives, when not the stage's region. */
      sesRegion?: string;
    };

/** Cognito's hosted sign-in pages, for a front end that signs in with OAuth (code flow). */
export interface HostedUiConfig {
  /** `<prefix>.auth.<region>.amazoncognito.com`. */
  domainPrefix: string;
  callbackUrls: readonly string[];
  logoutUrls: readonly string[];
}

export interface StageConfig {
  stage: Stage;
  /** What happens to tables, buckets, log groups and the user pool when a stack goes away. */
  removalPolicy: RemovalPolicy;
  /** DynamoDB and Cognito deletion protection: a delete needs a deliberate config change first. */
  deletionProtection: boolean;
  pointInTimeRecovery: boolean;
  logRetention: RetentionDays;
  /** Origins allowed by the HTTP API's CORS and by the buckets' CORS (presigned POST). */
  corsOrigins: readonly string[];
  throttle: {
    /** The stage's default, for every route. */
    default: ThrottleConfig;
    /** Routes of throttle class `public` (public forms): always the lowest. */
    public: ThrottleConfig;
  };
  /** Largest study upload accepted by the presigned POST, in bytes. */
  uploadLimitBytes: number;
  /** Receives every alarm of the stage. */
  alarmEmail: string;
  mail: MailConfig;
  /**
   * Without it the web client has no OAuth flows and no callback URLs at all: the front ends
   * sign in with SRP against the pool's API.
   */
  hostedUi?: HostedUiConfig;
  /** CloudFormation refuses to delete a protected stack until the protection is turned off. */
  terminationProtection: boolean;
  lambda: {
    memorySize: number;
    timeout: Duration;
  };
  /** EventBridge → consumer delivery, and Lambda's own async retries of a failing consumer. */
  events: {
    retryAttempts: number;
    maxEventAge: Duration;
    /** How long the bus archive keeps events for replay. */
    archiveRetention: Duration;
  };
  /**
   * Relay on the table stream: attempts per batch before Lambda skips it (its shard and
   * sequence range go to the on-failure queue). A skipped outbox record is an event that
   * never reaches the bus, so staging and prod retry for as long as Lambda allows (10,000
   * attempts, hours of a bus outage; the stream keeps records 24 h). The iterator-age alarm
   * says a relay is stuck long before that; bisect-on-error isolates a poison record.
   */
  relayRetryAttempts: number;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

const MB = 1024 * 1024;

const configs: Record<Stage, StageConfig> = {
  dev: {
    stage: 'dev',
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    pointInTimeRecovery: false,
    logRetention: RetentionDays.ONE_WEEK,
    corsOrigins: ['http://localhost:3000', 'http://localhost:5173', 'https://dev.dangjian.example.cn'],
    throttle: { default: { rateLimit: 50, burstLimit: 100 }, public: { rateLimit: 5, burstLimit: 10 } },
    uploadLimitBytes: 200 * MB,
    alarmEmail: 'dangjian-dev-alarms@example.cn',
    mail: {
      sender: 'cognito',
      because: 'dev invites a handful of testers, well inside Cognito’s daily quota, and needs no SES setup',
    },
    terminationProtection: false,
    lambda: { memorySize: 512, timeout: Duration.seconds(10) },
    events: { retryAttempts: 2, maxEventAge: Duration.hours(1), archiveRetention: Duration.days(7) },
    relayRetryAttempts: 1_000,
    logLevel: 'DEBUG',
  },
  staging: {
    stage: 'staging',
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    pointInTimeRecovery: true,
    logRetention: RetentionDays.ONE_MONTH,
    corsOrigins: ['https://staging.dangjian.example.cn'],
    throttle: { default: { rateLimit: 100, burstLimit: 200 }, public: { rateLimit: 10, burstLimit: 20 } },
    uploadLimitBytes: 200 * MB,
    alarmEmail: 'dangjian-staging-alarms@example.cn',
    mail: { sender: 'ses', from: 'no-reply@staging.dangjian.example.cn', fromName: '党建平台（测试）' },
    terminationProtection: false,
    lambda: { memorySize: 1024, timeout: Duration.seconds(10) },
    events: { retryAttempts: 8, maxEventAge: Duration.hours(6), archiveRetention: Duration.days(30) },
    relayRetryAttempts: 10_000,
    logLevel: 'INFO',
  },
  prod: {
    stage: 'prod',
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    pointInTimeRecovery: true,
    logRetention: RetentionDays.ONE_YEAR,
    corsOrigins: ['https://dangjian.example.cn', 'https://m.dangjian.example.cn'],
    throttle: { default: { rateLimit: 500, burstLimit: 1000 }, public: { rateLimit: 20, burstLimit: 40 } },
    uploadLimitBytes: 200 * MB,
    alarmEmail: 'dangjian-ops@example.cn',
    mail: { sender: 'ses', from: 'no-reply@dangjian.example.cn', fromName: '党建平台' },
    terminationProtection: true,
    lambda: { memorySize: 1024, timeout: Duration.seconds(10) },
    events: { retryAttempts: 24, maxEventAge: Duration.hours(24), archiveRetention: Duration.days(365) },
    relayRetryAttempts: 10_000,
    logLevel: 'INFO',
  },
};

/** A bad stage stops synth; `message` is the one line `infra/app.ts` prints. */
export class StageError extends Error {
  override name = 'StageError';
}

export const isStage = (value: unknown): value is Stage =>
  typeof value === 'string' && (stages as readonly string[]).includes(value);

export const stageConfig = (stage: unknown): StageConfig => {
  if (stage === undefined || stage === null || stage === '') {
    throw new StageError(`No stage given: run with -c stage=${stages.join('|')}`);
  }
  if (!isStage(stage)) {
    throw new StageError(`Unknown stage "${String(stage)}": use -c stage=${stages.join('|')}`);
  }
  const config = configs[stage];
  const { public: open, default: usual } = config.throttle;
  if (open.rateLimit >= usual.rateLimit || open.burstLimit >= usual.burstLimit) {
    throw new StageError(`Stage ${stage}: the public throttle must be lower than the default`);
  }
  return config;
};
