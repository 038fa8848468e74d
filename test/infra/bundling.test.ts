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
import { notesEntry, resourcesOf, type SynthesizedStage, synthStage } from './support.js';

describe('bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'dangjian-bundle-'));
  let s: SynthesizedStage;
  let notes: ServiceStack;

  beforeAll(() => {
    s = synthStage('prod', [notesEntry], { bundle: true, outdir });
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

  it('bundles the platform’s partner-accounts function with the Cognito client and no DynamoDB', () => {
    const functions = resourcesOf(s.template(s.dangjian.platform), 'AWS::Lambda::Function');
    expect(functions).toHaveLength(1);
    const fn = functions[0]?.[1].Properties as Record<string, any>;
    expect(fn.Handler).toBe('index.handler');
    const dir = join(outdir, `asset.${String(fn.Code.S3Key).replace(/\.zip$/, '')}`);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    expect(code.length / code.split('\n').length).toBeGreaterThan(2_000);
    expect(/export\s*\{([^}]*)\}/.exec(code)?.[1] ?? '').toMatch(/\bhandler\b/);
    expect(code).toContain('AdminCreateUser');
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    // It needs none of the services' storage: a stray import would bloat every cold start.
    expect(code).not.toContain('DynamoDB_20120810');
  });
});
