import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { StageError, stageConfig, stages } from '../../infra/config.js';
import { buildDangjian, projectRoot } from '../../infra/dangjian.js';
import { allEntries, newApp } from './support.js';

describe('stage config', () => {
  it('refuses a missing or unknown stage with one line', () => {
    for (const [stage, line] of [
      [undefined, 'No stage given: run with -c stage=dev|staging|prod'],
      ['', 'No stage given: run with -c stage=dev|staging|prod'],
      ['qa', 'Unknown stage "qa": use -c stage=dev|staging|prod'],
      ['Prod', 'Unknown stage "Prod": use -c stage=dev|staging|prod'],
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
    const [dev, staging, prod] = stages.map((s) => stageConfig(s));
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
    expect([staging?.mail.sender, prod?.mail.sender]).toEqual(['ses', 'ses']);
    expect(prod?.logRetention).toBeGreaterThan(dev?.logRetention ?? Number.POSITIVE_INFINITY);
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
      expect(result.stderr.trim()).toBe('Unknown stage "qa": use -c stage=dev|staging|prod');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 60_000);
});
