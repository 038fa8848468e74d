import { readFile } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsConnection, common, createDocumentClient } from './aws/clients.js';
import { type Cursors, lazyCursors } from './http/cursor.js';

/**
 * Everything a service's code may know about where it runs. On Lambda it comes from the
 * function's environment (envFromProcess); locally the runtime builds one per service, so
 * services never share or rewrite a global process.env.
 */
export interface ServiceEnv {
  service: string;
  stage: string;
  tableName: string;
  bucketName?: string;
  busName: string;
  /** Largest study upload accepted, in bytes. */
  uploadLimitBytes: number;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  aws: AwsConnection;
  /**
   * Where the stage's paging-cursor secret is: a Secrets Manager secret on AWS, a file in the
   * runtime's data folder locally. Only services that page a list have one.
   */
  cursorKey?: { secretArn: string } | { file: string };
  /**
   * Locally only: the runtime's capture of work-chat posts (infra/local/work-chat-capture.ts).
   * Posts meant for the 企业微信 and 钉钉 robot hosts go there instead. Never set on AWS
   * (envFromProcess has no variable for it), where posts go to the platforms themselves.
   */
  workChatEndpoint?: string;
  /**
   * A service that sends e-mail (`sendsMail`): the stage's From address (an SES identity) and
   * the user pool whose accounts hold the verified addresses. Absent where the stage sends none.
   */
  mail?: { from: string; userPoolId: string };
}

export interface ServiceContext {
  env: ServiceEnv;
  db: DynamoDBDocumentClient;
  log: Logger;
  /** Wall clock for work that has no request time (event consumers). */
  clock: () => Date;
  /** Seals and opens the service's paging cursors (shared/http/cursor.ts). */
  cursors: Cursors;
}

/** The cursor secret, read where the environment says it is. */
const cursorSecret = (env: ServiceEnv) => async (): Promise<string> => {
  const source = env.cursorKey;
  if (!source) throw new Error(`Service ${env.service} pages a list but has no cursor key`);
  if ('file' in source) return (await readFile(source.file, 'utf8')).trim();
  const client = new SecretsManagerClient(common(env.aws, env.aws.endpoints?.secretsmanager));
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: source.secretArn }));
  if (!SecretString) throw new Error('The cursor secret has no text value');
  return SecretString;
};

export const createServiceContext = (
  env: ServiceEnv,
  clock: () => Date = () => new Date(),
): ServiceContext => {
  return {
    env,
    db: createDocumentClient(env.aws),
    log: new Logger({ serviceName: env.service, logLevel: env.logLevel, environment: env.stage }),
    clock,
    cursors: lazyCursors(env, cursorSecret(env)),
  };
};

const required = (vars: NodeJS.ProcessEnv, name: string): string => {
  const value = vars[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
};

/** A misconfigured limit must stop the function at its first call, not let every upload through. */
const positiveInteger = (vars: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = vars[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`Environment variable ${name} is not a positive integer`);
  return value;
};

/** On Lambda: the function's own environment, as the CDK construct sets it. */
export const envFromProcess = (service: string, vars: NodeJS.ProcessEnv = process.env): ServiceEnv => ({
  service,
  stage: required(vars, 'STAGE'),
  tableName: required(vars, 'TABLE_NAME'),
  ...(vars.BUCKET_NAME ? { bucketName: vars.BUCKET_NAME } : {}),
  busName: required(vars, 'EVENT_BUS_NAME'),
  uploadLimitBytes: positiveInteger(vars, 'UPLOAD_LIMIT_BYTES', 200 * 1024 * 1024),
  logLevel: (vars.POWERTOOLS_LOG_LEVEL as ServiceEnv['logLevel'] | undefined) ?? 'INFO',
  aws: { region: required(vars, 'AWS_REGION') },
  ...(vars.CURSOR_KEY_SECRET_ARN ? { cursorKey: { secretArn: vars.CURSOR_KEY_SECRET_ARN } } : {}),
  ...(vars.MAIL_FROM && vars.USER_POOL_ID
    ? { mail: { from: vars.MAIL_FROM, userPoolId: vars.USER_POOL_ID } }
    : {}),
});
