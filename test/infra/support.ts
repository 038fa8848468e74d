/**
 * Builds a stage once per test file: the notes test service (a description we know
 * exactly) plus every real service in services/index.ts, with the context of `cdk.json`.
 *
 * Esbuild bundling is skipped here with CDK's own `aws:cdk:bundling-stacks: []` switch
 * (what `cdk deploy <one stack>` does for the others): it changes only the asset's
 * contents, never a resource or property the stage tests look at. bundling.test.ts
 * bundles for real and checks the bundle and its options.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { ServiceEntry } from '../../infra/constructs/service-stack.js';
import { buildDangjian, type Dangjian, projectRoot, serviceEntries } from '../../infra/dangjian.js';
import type { PlatformFunction } from '../../infra/functions/platform-function.js';
import { services } from '../../services/index.js';
import { notesService } from '../notes/service.js';

const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

export const notesEntry: ServiceEntry = {
  description: notesService,
  entry: join(projectRoot, 'test', 'infra', 'fixtures', 'notes-lambda.ts'),
};

/** The notes service plus every real service: the deployed list, and one we know exactly. */
export const allEntries = (): ServiceEntry[] => [notesEntry, ...serviceEntries(services)];

export interface AppOptions {
  bundle?: boolean;
  outdir?: string;
  /**
   * CDK's own check of every resource against the CloudFormation schema (on by default, as
   * in `cdk synth`). It takes most of a synth's time; the stage suites keep it, a test that
   * synthesizes variants of a stage to compare them may leave it out.
   */
  schemaCheck?: boolean;
}

export const newApp = (options: AppOptions = {}) =>
  new App({
    context: { ...cdkJson.context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.schemaCheck === false ? { builtinCloudFormationValidation: false } : {}),
  });

export interface SynthesizedStage {
  app: App;
  dangjian: Dangjian;
  stacks: Stack[];
  template: (stack: Stack) => Template;
}

export const synthStage = (
  stage: string,
  entries: ServiceEntry[] = allEntries(),
  options: AppOptions & { platformFunctions?: readonly PlatformFunction<never>[] } = {},
): SynthesizedStage => {
  const app = newApp(options);
  const dangjian = buildDangjian(app, {
    stage,
    services: entries,
    ...(options.platformFunctions ? { platformFunctions: options.platformFunctions } : {}),
  });
  const stacks: Stack[] = [
    dangjian.platform,
    ...dangjian.services,
    ...(dangjian.accounts ? [dangjian.accounts] : []),
    dangjian.api,
  ];
  const templates = new Map<Stack, Template>();
  for (const stack of stacks) templates.set(stack, Template.fromStack(stack));
  return { app, dangjian, stacks, template: (stack) => templates.get(stack) as Template };
};

export type Resource = { Type: string; Properties?: Record<string, any>; [key: string]: any };

export const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];

/** The function CDK itself adds to empty a bucket on delete (`autoDeleteObjects`). */
export const isBucketEmptier = (logicalId: string): boolean =>
  /^CustomS3AutoDeleteObjectsCustomResourceProvider(Handler|Role)/.test(logicalId);

/** The project's own functions: everything but CDK's bucket emptier, which the stage suites check apart. */
export const functionsOf = (template: Template): [string, Resource][] =>
  resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => !isBucketEmptier(id));

/**
 * How a stack sees a value another stack exports: `{ "Fn::ImportValue": <export> }`, where
 * the producer's output holds exactly `value` (e.g. talent's table ARN, the pool's ARN).
 */
export const importOf = (template: (stack: Stack) => Template, producer: Stack, value: string) => {
  const local = JSON.stringify(producer.resolve(value));
  const outputs = Object.values(template(producer).toJSON().Outputs ?? {}) as {
    Value: unknown;
    Export?: { Name: string };
  }[];
  const found = outputs.filter((o) => o.Export && JSON.stringify(o.Value) === local);
  if (found.length !== 1) throw new Error(`${producer.stackName} exports ${local} ${found.length} times`);
  return { 'Fn::ImportValue': found[0]?.Export?.Name as string };
};
