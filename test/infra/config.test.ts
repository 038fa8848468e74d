import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { StageError, stageConfig, stages } from '../../infra/config.js';
import { buildDangjian, projectRoot } from '../../infra/dangjian.js';
import { allEntries, newApp } from './support.js';

describe('stage config', () => {
  it('refuses a missing or unknown stage with one line', () => {
    for (const [stage, line] of [
      [undefined, 'No stage given: run with -c stage=dev|staging|prod|prod-cn'],
      ['', 'No stage given: run with -c stage=dev|staging|prod|prod-cn'],
      ['qa', 'Unknown stage "qa": use -c stage=dev|staging|prod|prod-cn'],
      ['Prod', 'Unknown stage "Prod": use -c stage=dev|staging|prod|prod-cn'],
    ] as const) {
      expect(() => stageConfig(stage)).toThrow(StageError);
      expect(() => stageConfig(stage)).toThrow(line);
      try {
        stageConfig(stage);
      } catch (error) {
        expect((error as Error).message).toBe(line);
        expect((error as Error).message).not.toContain('\n');
      }
    }
    expect(() => buildDangjian(newApp(), { stage: 'qa', services: allEntries() })).toThrow(StageError);
  });

  it('differs between stages only where the stage config says, protecting prod most', () => {
    const [dev, staging, prod, prodCn] = stages.map((s) => stageConfig(s));
    expect(dev?.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(prod?.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect([dev?.deletionProtection, staging?.deletionProtection, prod?.deletionProtection]).toEqual([
      false,
      false,
      true,
    ]);
    expect([dev?.pointInTimeRecovery, staging?.pointInTimeRecovery, prod?.pointInTimeRecovery]).toEqual([
      false,
      true,
      true,
    ]);
    for (const config of [dev, staging, prod]) {
      expect(config?.uploadLimitBytes).toBe(200 * 1024 * 1024);
      expect(config?.throttle.public.rateLimit).toBeLessThan(config?.throttle.default.rateLimit ?? 0);
      expect(config?.corsOrigins.length).toBeGreaterThan(0);
      expect(config?.alarmEmail).toMatch(/^[^@\s]+@[^@\s]+$/);
    }
    expect(prod?.corsOrigins.every((o) => o.startsWith('https://'))).toBe(true);
    // Only prod's stacks refuse deletion; staging and prod invite people through SES.
    expect([dev, staging, prod].map((c) => c?.terminationProtection)).toEqual([false, false, true]);
    const mailOf = (c: typeof prod) => (c?.signIn.provider === 'cognito' ? c.signIn.mail.sender : undefined);
    expect([mailOf(staging), mailOf(prod)]).toEqual(['ses', 'ses']);
    expect(prod?.logRetention).toBeGreaterThan(dev?.logRetention ?? Number.POSITIVE_INFINITY);
    // A stage that keeps personal data keeps its logs at least the 180 days PIPL asks.
    for (const config of [dev, staging, prod, prodCn]) {
      if (config?.removalPolicy === RemovalPolicy.RETAIN) {
        expect(config.logRetention, config.stage).toBeGreaterThanOrEqual(RetentionDays.SIX_MONTHS);
      }
    }
  });

  it('keeps prod-cn as protected as prod, in AWS China, with what China offers instead', () => {
    const prod = stageConfig('prod');
    const cn = stageConfig('prod-cn');
    // Everything that protects data or sets limits is prod's.
    for (const key of [
      'removalPolicy',
      'deletionProtection',
      'pointInTimeRecovery',
      'logRetention',
      'throttle',
      'uploadLimitBytes',
      'terminationProtection',
      'uploads',
      'lambda',
      'events',
      'relayRetryAttempts',
      'logLevel',
    ] as const) {
      expect(cn[key], key).toEqual(prod[key]);
    }
    expect(cn.region).toBe('cn-northwest-1');
    expect(prod.region).toBeUndefined();
    // No user pool in China: the institution's own OIDC provider, over HTTPS.
    expect(cn.signIn.provider).toBe('oidc');
    if (cn.signIn.provider === 'oidc') {
      expect(cn.signIn.issuer).toMatch(/^https:\/\//);
      expect(cn.signIn.audience.length).toBeGreaterThan(0);
    }
    // The API answers at an ICP-filed name, with a certificate of the China partition.
    expect(cn.apiDomain?.name).toBeDefined();
    expect(cn.apiDomain?.certificateArn).toMatch(/^arn:aws-cn:acm:cn-northwest-1:/);
    expect(prod.apiDomain).toBeUndefined();
  });

  it('deploys a stage that names its region there only', () => {
    const build = (region: string) =>
      buildDangjian(newApp(), { stage: 'prod-cn', services: allEntries(), env: { region } });
    expect(() => build('us-east-1')).toThrow(StageError);
    expect(() => build('us-east-1')).toThrow('Stage prod-cn deploys to cn-northwest-1 only, not us-east-1');
  });

  it('makes `cdk synth` with an unknown stage print one line and exit 1', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'dangjian-cdk-'));
    try {
      const result = spawnSync(join(projectRoot, 'node_modules', '.bin', 'tsx'), ['infra/app.ts'], {
        cwd: projectRoot,
        // What the CDK CLI hands the app for `-c stage=qa`.
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ stage: 'qa' }), CDK_OUTDIR: outdir },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe('Unknown stage "qa": use -c stage=dev|staging|prod|prod-cn');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 60_000);
});
