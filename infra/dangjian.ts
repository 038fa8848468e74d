/**
 * Builds the whole stage into a CDK app: the platform stack, one stack per service
 * description, and the API stack (stage, throttling, access logs, dashboard, API alarms).
 * `infra/app.ts` calls this with the real services; tests call it with known descriptions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { ServiceDescription } from '../shared/service.js';
import { type StageConfig, stageConfig } from './config.js';
import { type ServiceEntry, ServiceStack } from './constructs/service-stack.js';
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
  /** From `-c stage=...`: anything else than dev|staging|prod stops synth. */
  stage: unknown;
  services: readonly ServiceEntry[];
  env?: Environment;
}

export interface Dangjian {
  config: StageConfig;
  platform: PlatformStack;
  services: ServiceStack[];
  api: ApiStack;
}

const RESERVED = new Set(['platform', 'api']);

export const buildDangjian = (app: App, options: DangjianOptions): Dangjian => {
  const config = stageConfig(options.stage);
  const prefix = `${config.stage}-dangjian`;
  const env = options.env ?? {};
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
    config,
    description: `dangjian ${config.stage}: event bus, user pool, HTTP API, alarm topic`,
  });
  const services = options.services.map((service) => {
    const stack = new ServiceStack(app, `${prefix}-${service.description.name}`, {
      env,
      config,
      service,
      projectRoot,
      bus: platform.bus,
      httpApi: platform.httpApi,
      authorizerId: platform.authorizer.authorizerId,
      alarmTopic: platform.alarmTopic,
      description: `dangjian ${config.stage}: the ${service.description.name} service`,
    });
    stack.addStackDependency(platform);
    return stack;
  });
  const api = new ApiStack(app, `${prefix}-api`, {
    env,
    config,
    httpApi: platform.httpApi,
    alarmTopic: platform.alarmTopic,
    services,
    partnerAccounts: { fn: platform.partnerAccounts, deadLetters: platform.partnerAccountsDeadLetters },
    description: `dangjian ${config.stage}: API stage, throttling, access logs, dashboard`,
  });
  for (const stack of services) api.addStackDependency(stack);

  for (const stack of [platform, ...services, api]) {
    Tags.of(stack).add('project', 'dangjian');
    Tags.of(stack).add('stage', config.stage);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { config, platform, services, api };
};
