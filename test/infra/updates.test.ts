/**
 * What the next `cdk deploy --all` would ask of CloudFormation, shown on templates: the
 * stage as it is, and the same stage with one subscription removed and with one public
 * route removed. CloudFormation refuses to change or remove an export while another stack
 * imports it, and API Gateway refuses a stage's setting for a route it cannot find; so
 * every change must land in stacks whose exports nobody imports, and a route must go in the
 * same update as its throttle.
 *
 * Only the platform stack exports (the bus, the pool, the API, the authorizer, the alarm
 * topic): those exports are the same in every variant, and they are all anyone imports.
 */
import type { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceEntry } from '../../infra/constructs/service-stack.js';
import { buildDangjian, type Dangjian } from '../../infra/dangjian.js';
import { throttleClass } from '../../infra/throttle.js';
import { allEntries, newApp } from './support.js';

/** Three synths without CDK's schema check (the stage suites run it): seconds each, more when loaded. */
const SYNTH_TIMEOUT_MS = 240_000;

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string[] }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
};

interface Synthesized {
  dangjian: Dangjian;
  /** Every stack's template, by stack name. */
  templates: Map<string, Template>;
}

const synth = (entries: ServiceEntry[]): Synthesized => {
  const app = newApp({ schemaCheck: false });
  const dangjian = buildDangjian(app, { stage: 'dev', services: entries });
  const assembly = app.synth();
  const stacks: Stack[] = [
    dangjian.platform,
    ...dangjian.services,
    ...(dangjian.accounts ? [dangjian.accounts] : []),
    dangjian.api,
  ];
  const templates = new Map(
    stacks.map((stack) => [stack.stackName, assembly.getStackByName(stack.stackName).template as Template]),
  );
  return { dangjian, templates };
};

const exportsOf = (template: Template): Record<string, string> =>
  Object.fromEntries(
    Object.values(template.Outputs ?? {})
      .filter((o) => o.Export)
      .map((o) => [o.Export?.Name as string, JSON.stringify(o.Value)]),
  );

const importsOf = (template: Template): string[] =>
  [...JSON.stringify(template).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1] as string);

/** The stacks whose template an update would change. */
const changed = (before: Synthesized, after: Synthesized): string[] =>
  [...before.templates.keys()].filter(
    (name) => JSON.stringify(before.templates.get(name)) !== JSON.stringify(after.templates.get(name)),
  );

const entries = allEntries();
/** A real service that subscribes to something, and one with a public route. */
const subscriber = entries.find(
  (e) => e.description.name !== 'notes' && e.description.subscriptions.length > 0,
);
const withPublic = entries.find(
  (e) => e.description.name !== 'notes' && e.description.routes.some((r) => throttleClass(r) === 'public'),
);
if (!subscriber || !withPublic) throw new Error('no service with a subscription and one with a public route');
const droppedSubscription = subscriber.description.subscriptions.at(-1)?.name as string;
const droppedRoute = withPublic.description.routes.find((r) => throttleClass(r) === 'public')
  ?.routeKey as string;

const replacing = (entry: ServiceEntry, change: Partial<ServiceEntry['description']>): ServiceEntry[] =>
  entries.map((e) => (e === entry ? { ...e, description: { ...e.description, ...change } } : e));

let now: Synthesized;
let lessSubscription: Synthesized;
let lessRoute: Synthesized;

beforeAll(() => {
  now = synth(entries);
  lessSubscription = synth(
    replacing(subscriber, {
      subscriptions: subscriber.description.subscriptions.filter((sub) => sub.name !== droppedSubscription),
    }),
  );
  lessRoute = synth(
    replacing(withPublic, {
      routes: withPublic.description.routes.filter((r) => r.routeKey !== droppedRoute),
    }),
  );
}, SYNTH_TIMEOUT_MS);

describe('updates CloudFormation accepts', () => {
  it('exports from the platform stack only, the same exports in every variant, and imports only those', () => {
    const platformName = now.dangjian.platform.stackName;
    const platformExports = exportsOf(now.templates.get(platformName) as Template);
    expect(Object.keys(platformExports).length).toBeGreaterThan(0);
    for (const variant of [now, lessSubscription, lessRoute]) {
      for (const [name, template] of variant.templates) {
        if (name === platformName) expect(exportsOf(template), name).toEqual(platformExports);
        else expect(exportsOf(template), name).toEqual({});
        for (const imported of importsOf(template))
          expect(Object.keys(platformExports), name).toContain(imported);
      }
    }
  });

  it('removes a subscription by updating its service’s stack alone', () => {
    const stack = `dev-dangjian-${subscriber.description.name}`;
    expect(changed(now, lessSubscription)).toEqual([stack]);
    const rules = (s: Synthesized) =>
      Object.values(s.templates.get(stack)?.Resources ?? {})
        .filter((r) => r.Type === 'AWS::Events::Rule')
        .map((r) => r.Properties?.Description);
    expect(rules(now)).toContain(`${subscriber.description.name}: ${droppedSubscription}`);
    expect(rules(lessSubscription)).not.toContain(`${subscriber.description.name}: ${droppedSubscription}`);
    expect(rules(lessSubscription)).toHaveLength(rules(now).length - 1);
  });

  it('removes a public route and its throttle in one update of the API stack, the stage after the route', () => {
    const api = now.dangjian.api.stackName;
    // The router's code changes too on a real deploy (its description is bundled into it);
    // no other resource of any stack does.
    expect(changed(now, lessRoute)).toEqual([api]);
    const routeIds = (s: Synthesized) =>
      Object.fromEntries(
        Object.entries(s.templates.get(api)?.Resources ?? {})
          .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
          .map(([id, r]) => [r.Properties?.RouteKey as string, id]),
      );
    const stageOf = (s: Synthesized) =>
      Object.values(s.templates.get(api)?.Resources ?? {}).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
    const before = stageOf(now);
    const after = stageOf(lessRoute);
    const goneId = routeIds(now)[droppedRoute] as string;
    expect(goneId).toBeDefined();
    expect(routeIds(lessRoute)[droppedRoute]).toBeUndefined();
    // Before: the stage throttles the route and depends on it; after: neither.
    expect(Object.keys(before?.Properties?.RouteSettings ?? {})).toContain(droppedRoute);
    expect(before?.DependsOn).toContain(goneId);
    expect(Object.keys(after?.Properties?.RouteSettings ?? {})).not.toContain(droppedRoute);
    expect(after?.DependsOn).not.toContain(goneId);
    // Every remaining route keeps its resource, so nothing else is replaced.
    const { [droppedRoute]: _, ...kept } = routeIds(now);
    expect(routeIds(lessRoute)).toEqual(kept);
  });
});
