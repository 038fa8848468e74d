/**
 * The one place where stages differ. `dev`, `staging`, `prod` and `prod-cn` (AWS China,
 * Ningxia) run the same stacks built from the same descriptions; only these values change
 * (README, "What differs between stages", and "AWS China" for what `prod-cn` does instead).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ThrottleLimits } from './throttle.js';

export const stages = ['dev', 'staging', 'prod', 'prod-cn'] as const;
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

/**
 * Who signs people in and issues the ID tokens the API's JWT authorizer checks.
 *
 * `cognito`: the stage's own user pool (infra/identity.ts), its accounts made by the
 * platform's functions from the register.
 *
 * `oidc`: an OpenID Connect provider the institution runs where Cognito user pools are not
 * offered (AWS China). The API checks its tokens the same way; the provider keeps the
 * accounts, sends the invitations and must put the claims the services read
 * (shared/auth.ts: `token_use`, `cognito:groups`, `custom:personId`, `custom:branchId`,
 * `custom:orgId`) into its ID tokens. The platform's Cognito functions are not deployed.
 */
export type SignInConfig =
  | {
      provider: 'cognito';
      mail: MailConfig;
      /**
       * Without it the web client has no OAuth flows and no callback URLs at all: the front
       * ends sign in with SRP against the pool's API.
       */
      hostedUi?: HostedUiConfig;
    }
  | {
      provider: 'oidc';
      /** The `iss` of its tokens; its discovery document is under this URL. */
      issuer: string;
      /** The `aud` values (client ids) the API accepts. */
      audience: readonly string[];
      /** Why this stage cannot use Cognito. */
      because: string;
    };

/**
 * The API's own domain name. Required where API Gateway's default endpoint may not serve the
 * public (AWS China: an API reachable without authentication, and every custom domain, need
 * the account's ICP filing); the default endpoint is then switched off.
 */
export interface ApiDomainConfig {
  /** ICP-filed where the stage is in China. */
  name: string;
  /** An ACM certificate for `name`, in the stage's region. */
  certificateArn: string;
}

export interface StageConfig {
  stage: Stage;
  /**
   * The one region the stage may be deployed to; without it, the region of the credentials
   * `cdk deploy` runs with. The partition (`aws`, `aws-cn`) follows from it.
   */
  region?: string;
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
  signIn: SignInConfig;
  /**
   * The From of notices' e-mail: an SES email identity the stack that sends creates (verified
   * by the link SES mails to it once), and the only identity its consumer may send from. Or
   * why the stage sends none.
   */
  mailFrom: string | { none: string };
  apiDomain?: ApiDomainConfig;
  /** CloudFormation refuses to delete a protected stack until the protection is turned off. */
  terminationProtection: boolean;
  /** Study uploads: old versions kept (days) when versioned, and how long S3 access logs stay. */
  uploads: { versioned: boolean; noncurrentVersionDays: number; accessLogDays: number };
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

const global: Record<Exclude<Stage, 'prod-cn'>, StageConfig> = {
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
    signIn: {
      provider: 'cognito',
      mail: {
        sender: 'cognito',
        because:
          'dev invites a handful of testers, well inside Cognito’s daily quota, and needs no SES setup',
      },
    },
    mailFrom: 'no-reply@dev.dangjian.example.cn',
    terminationProtection: false,
    uploads: { versioned: false, noncurrentVersionDays: 0, accessLogDays: 30 },
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
    signIn: {
      provider: 'cognito',
      mail: { sender: 'ses', from: 'no-reply@staging.dangjian.example.cn', fromName: '党建平台（测试）' },
    },
    mailFrom: 'notices@staging.dangjian.example.cn',
    terminationProtection: false,
    uploads: { versioned: false, noncurrentVersionDays: 0, accessLogDays: 30 },
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
    signIn: {
      provider: 'cognito',
      mail: { sender: 'ses', from: 'no-reply@dangjian.example.cn', fromName: '党建平台' },
    },
    mailFrom: 'notices@dangjian.example.cn',
    terminationProtection: true,
    uploads: { versioned: true, noncurrentVersionDays: 90, accessLogDays: 365 },
    lambda: { memorySize: 1024, timeout: Duration.seconds(10) },
    events: { retryAttempts: 24, maxEventAge: Duration.hours(24), archiveRetention: Duration.days(365) },
    relayRetryAttempts: 10_000,
    logLevel: 'INFO',
  },
};

const configs: Record<Stage, StageConfig> = {
  ...global,
  // prod in AWS China (Ningxia): the same protection and limits as prod; sign-in, the API's
  // domain and the region are what China requires instead (README, "AWS China").
  'prod-cn': {
    ...global.prod,
    stage: 'prod-cn',
    region: 'cn-northwest-1',
    corsOrigins: ['https://dangjian.example.cn', 'https://m.dangjian.example.cn'],
    alarmEmail: 'dangjian-ops@example.cn',
    signIn: {
      provider: 'oidc',
      issuer: 'https://idp.dangjian.example.cn/realms/dangjian',
      audience: ['dangjian-web'],
      because:
        'Cognito user pools are not offered in the AWS China regions; the institution’s own OpenID Connect provider, hosted in China, signs people in',
    },
    mailFrom: {
      none: 'no sign-in account of a Cognito pool holds an address here: the OpenID Connect provider keeps the accounts',
    },
    apiDomain: {
      name: 'api.dangjian.example.cn',
      certificateArn: 'arn:aws-cn:acm:cn-northwest-1:000000000000:certificate/set-before-the-first-deploy',
    },
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
