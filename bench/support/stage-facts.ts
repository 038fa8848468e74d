/**
 * What the monthly bill needs to know of a stage: its resources, counted in the templates
 * `buildDangjian` synthesizes for it (no bundling, no schema check: only the resources
 * matter), and its settings from infra/config.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { stageConfig } from '../../infra/config.js';
import { buildDangjian, projectRoot, serviceEntries } from '../../infra/dangjian.js';
import { services } from '../../services/index.js';
import type { StageFacts } from './bill.js';

const cdkContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
    .context;

export const stageFacts = (stage: string): StageFacts => {
  const config = stageConfig(stage);
  const app = new App({
    context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  buildDangjian(app, { stage, services: serviceEntries(services) });
  const counts = new Map<string, number>();
  for (const stack of app.synth().stacks) {
    const resources = (stack.template as { Resources?: Record<string, { Type: string }> }).Resources ?? {};
    for (const { Type } of Object.values(resources)) counts.set(Type, (counts.get(Type) ?? 0) + 1);
  }
  const count = (type: string) => counts.get(type) ?? 0;
  return {
    stage: config.stage,
    memoryMb: config.lambda.memorySize,
    logLevel: config.logLevel,
    logRetentionDays: Number(config.logRetention),
    archiveRetentionDays: config.events.archiveRetention.toDays(),
    pointInTimeRecovery: config.pointInTimeRecovery,
    alarms: count('AWS::CloudWatch::Alarm'),
    dashboards: count('AWS::CloudWatch::Dashboard'),
    kmsKeys: count('AWS::KMS::Key'),
    userPool: count('AWS::Cognito::UserPool') > 0,
    sesMail: config.signIn.provider === 'cognito' && config.signIn.mail.sender === 'ses',
    noticeMail: typeof config.mailFrom === 'string' && count('AWS::Cognito::UserPool') > 0,
    // Every schedule the descriptions declare runs all month at its rate.
    scheduleRunsPerMonth: services
      .flatMap((s) => s.schedules ?? [])
      .reduce((n, schedule) => n + (30 * 24 * 60) / schedule.every, 0),
    uploads: config.uploads,
  };
};
