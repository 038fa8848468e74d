/**
 * Builds the whole stage into a CDK app: the platform stack, one stack per service
 * description, the accounts stack (the platform's own functions, infra/functions/index.ts),
 * and the API stack (every route, the stage and its throttling, access logs, API alarms).
 * Only the platform stack exports values (the bus, the pool, the API, the alarm topic, the
 * cursor key), and nothing a description changes; whatever crosses from a service stack
 * crosses by name (infra/names.ts), so updating one service never waits on another stack.
 * `infra/app.ts` calls this with the real services; tests call it with known descriptions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { keys as talentKeys } from '../services/talent/store.js';
import type { ServiceDescription } from '../shared/service.js';
import { type StageConfig, StageError, stageConfig } from './config.js';
import { type ServiceEntry, ServiceStack } from './constructs/service-stack.js';
import { platformFunctions } from './functions/index.js';
import type { PlatformFunction } from './functions/platform-function.js';
import { dashboardNameOf, stagePrefix, tableNameOf } from './names.js';
import { AccountsStack, type PeopleTable } from './platform/accounts-stack.js';
import { ApiStack } from './platform/api-stack.js';
import { PlatformStack } from './platform/platform-stack.js';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** The Lambda entry module of a service: `services/<name>/lambda.ts`. */
export const serviceEntries = (descriptions: readonly ServiceDescription[]): ServiceEntry[] =>
  descriptions.map((description) => ({
    description,
    entry: join(projectRoot, 'services', description.name, 'lambda.ts'),
  }));

export interface DangjianOptions {
  /** From `-c stage=...`: anything else than a stage of infra/config.ts stops synth. */
  stage: unknown;
  services: readonly ServiceEntry[];
  /** The platform's own functions; infra/functions/index.ts unless a test says otherwise. */
  platformFunctions?: readonly PlatformFunction<never>[];
  env?: Environment;
}

export interface Dangjian {
  config: StageConfig;
  platform: PlatformStack;
  services: ServiceStack[];
  /** None where the stage has no user pool and so no account to make (AWS China). */
  accounts?: AccountsStack;
  api: ApiStack;
}

const RESERVED = new Set(['platform', 'accounts', 'api']);

/** talent's person items (`PERSON#<id>` / `PERSON`), for the functions that read people. */
const peopleOf = (talent: ServiceStack, stage: string): PeopleTable<string> => {
  const { partitionKey, sortKey } = talent.description.table;
  const leading = (talentKeys.person('*') as Record<string, string>)[partitionKey.name];
  if (!leading) throw new Error(`talent's person key has no ${partitionKey.name}`);
  return {
    table: tableNameOf(stage, talent.description.name),
    keyAttributes: [partitionKey.name, sortKey.name],
    leadingKeys: leading,
  };
};

/**
 * Where the stage deploys: the CLI's account and region, unless the stage names its region
 * (AWS China), which then also fixes the partition. Credentials for another region are a
 * mistake to stop at synth, not at the first API call.
 */
const envOf = (config: StageConfig, given: Environment): Environment => {
  if (!config.region) return given;
  if (given.region && given.region !== config.region) {
    throw new StageError(
      `Stage ${config.stage} deploys to ${config.region} only, not ${given.region}: use credentials and a region of that partition`,
    );
  }
  return { ...given, region: config.region };
};

export const buildDangjian = (app: App, options: DangjianOptions): Dangjian => {
  const config = stageConfig(options.stage);
  const prefix = stagePrefix(config.stage);
  const env = envOf(config, options.env ?? {});
  const terminationProtection = config.terminationProtection;
  const seen = new Set<string>();
  for (const { description, entry } of options.services) {
    const name = description.name;
    if (RESERVED.has(name)) throw new Error(`Service name "${name}" is taken by a platform stack`);
    if (seen.has(name)) throw new Error(`Service "${name}" is listed twice`);
    seen.add(name);
    if (!existsSync(entry)) throw new Error(`Service "${name}" has no Lambda entry at ${entry}`);
  }

  const platform = new PlatformStack(app, `${prefix}-platform`, {
    env,
    terminationProtection,
    config,
    description: `dangjian ${config.stage}: event bus, user pool, HTTP API, alarm topic`,
  });
  const services = options.services.map((service) => {
    const stack = new ServiceStack(app, `${prefix}-${service.description.name}`, {
      env,
      terminationProtection,
      config,
      service,
      projectRoot,
      bus: platform.bus,
      httpApi: platform.httpApi,
      alarmTopic: platform.alarmTopic,
      cursorKey: platform.cursorKey,
      ...(platform.userPool ? { userPool: platform.userPool } : {}),
      description: `dangjian ${config.stage}: the ${service.description.name} service`,
    });
    stack.addStackDependency(platform);
    return stack;
  });
  // After the services: `accounts` reads talent's table, which talent's stack owns. The
  // platform's functions make Cognito accounts: without a pool (an OIDC provider keeps the
  // accounts) there is nothing for them to do, and no stack.
  const talent = services.find((stack) => stack.description.name === 'talent');
  const userPool = platform.userPool;
  const accounts = userPool
    ? new AccountsStack(app, `${prefix}-accounts`, {
        env,
        terminationProtection,
        config,
        projectRoot,
        functions: options.platformFunctions ?? platformFunctions,
        userPool,
        bus: platform.bus,
        alarmTopic: platform.alarmTopic,
        ...(talent ? { people: peopleOf(talent, config.stage) } : {}),
        description: `dangjian ${config.stage}: the platform's functions (sign-in accounts from the register, partner accounts)`,
      })
    : undefined;
  // Dependencies by order alone: nothing is imported from these stacks.
  if (accounts) {
    accounts.addStackDependency(platform);
    for (const stack of services) accounts.addStackDependency(stack);
  }

  const api = new ApiStack(app, `${prefix}-api`, {
    env,
    terminationProtection,
    config,
    httpApi: platform.httpApi,
    authorizerId: platform.authorizer.authorizerId,
    alarmTopic: platform.alarmTopic,
    services: services.map((stack) => stack.description),
    ...(platform.apiDomain ? { apiDomain: platform.apiDomain } : {}),
    otherDashboards: [
      ...services.map((stack) => dashboardNameOf(config.stage, stack.description.name)),
      ...(accounts ? [dashboardNameOf(config.stage, 'accounts')] : []),
    ],
    description: `dangjian ${config.stage}: every route, the API stage and its throttling, access logs, dashboard`,
  });
  // Last: the routes call the routers, and the API opens only once everything behind it exists.
  for (const stack of services) api.addStackDependency(stack);
  if (accounts) api.addStackDependency(accounts);

  for (const stack of [platform, ...services, ...(accounts ? [accounts] : []), api]) {
    Tags.of(stack).add('project', 'dangjian');
    Tags.of(stack).add('stage', config.stage);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { config, platform, services, accounts, api };
};
