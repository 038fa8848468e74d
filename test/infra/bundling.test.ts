/**
 * The one synth that bundles for real (the stage tests skip esbuild): every function's
 * code is the esbuild bundle of its service's Lambda entry, built locally (there is no
 * Docker here, so a synth that tried Docker would fail), minified, with source maps.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlingOptions } from '../../infra/constructs/lambda.js';
import type { ServiceStack } from '../../infra/constructs/service-stack.js';
import { serviceEntries } from '../../infra/dangjian.js';
import { talentService } from '../../services/talent/service.js';
import { notesEntry, resourcesOf, type SynthesizedStage, synthStage } from './support.js';

describe('bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'dangjian-bundle-'));
  let s: SynthesizedStage;
  let notes: ServiceStack;

  beforeAll(() => {
    // talent too: the accounts function reads its table, so the accounts stack needs it.
    s = synthStage('prod', [notesEntry, ...serviceEntries([talentService])], { bundle: true, outdir });
    notes = s.dangjian.services[0] as ServiceStack;
  }, 180_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles locally with esbuild: minified ESM for Node 22 with source maps, never Docker', () => {
    expect(bundlingOptions).toMatchObject({
      minify: true,
      sourceMap: true,
      target: 'node22',
      format: 'esm',
      forceDockerBundling: false,
    });
    expect(bundlingOptions.externalModules).toEqual([]);
  });

  it('points every function at the bundle of its service entry, with its own handler', () => {
    const functions = resourcesOf(s.template(notes), 'AWS::Lambda::Function');
    const handlers = functions.map(([, fn]) => fn.Properties?.Handler).sort();
    const consumers = notes.description.subscriptions.map(() => 'index.consume');
    expect(handlers).toEqual([...consumers, 'index.http', 'index.relay']);
    const keys = new Set(functions.map(([, fn]) => fn.Properties?.Code.S3Key));
    // Router, relay and consumers of a service run the same bundle.
    expect(keys.size).toBe(1);
    const hash = [...keys][0].replace(/\.zip$/, '');
    const dir = join(outdir, `asset.${hash}`);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    // Minified: a bundle of a megabyte or so in a few long lines (plus the licence comments).
    expect(code.length).toBeGreaterThan(10_000);
    expect(code.length / code.split('\n').length).toBeGreaterThan(2_000);
    // The three entry points of shared/lambda.ts are exported.
    const exported = /export\s*\{([^}]*)\}/.exec(code)?.[1] ?? '';
    for (const name of ['http', 'relay', 'consume']) expect(exported).toMatch(new RegExp(`\\b${name}\\b`));
    // The SDK is inside the bundle, not expected from the runtime.
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(code).toContain('sourceMappingURL=index.mjs.map');
  });

  /** The bundle of a platform function, by its description's name. */
  const platformBundle = (name: string) => {
    const accounts = s.dangjian.accounts;
    if (!accounts) throw new Error('prod has an accounts stack');
    const fnId = accounts.getLogicalId(accounts.deployment(name).fn.node.defaultChild as never);
    const fn = resourcesOf(s.template(accounts), 'AWS::Lambda::Function').find(([id]) => id === fnId)?.[1]
      .Properties as Record<string, any>;
    expect(fn.Handler).toBe('index.handler');
    const dir = join(outdir, `asset.${String(fn.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.length / code.split('\n').length).toBeGreaterThan(2_000);
    expect(/export\s*\{([^}]*)\}/.exec(code)?.[1] ?? '').toMatch(/\bhandler\b/);
    expect(/from\s*["']@aws-sdk\//.test(code), 'the SDK left to the runtime').toBe(false);
    return code;
  };

  it('bundles partner-accounts with the Cognito client and no DynamoDB or EventBridge client', () => {
    const code = platformBundle('partner-accounts');
    expect(code).toContain('AdminCreateUser');
    // It needs none of the services' storage: a stray import would bloat every cold start.
    // (Booleans, not toContain: a failure would print the whole bundle.)
    expect(code.includes('DynamoDB_20120810'), 'DynamoDB client in the bundle').toBe(false);
    expect(code.includes('AWSEvents'), 'EventBridge client in the bundle').toBe(false);
  });

  it('bundles accounts with the Cognito, DynamoDB and EventBridge clients', () => {
    const code = platformBundle('accounts');
    expect(code).toContain('AdminCreateUser');
    // The markers the negative checks above look for do appear when a client is bundled.
    expect(code.includes('DynamoDB_20120810'), 'DynamoDB client in the bundle').toBe(true);
    expect(code.includes('AWSEvents'), 'EventBridge client in the bundle').toBe(true);
  });
});
