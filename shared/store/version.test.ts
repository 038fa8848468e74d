import { describe, expect, it } from 'vitest';
import { conflict } from '../errors.js';
import { expectVersion, versionBump, versionConflict } from './version.js';

describe('optimistic versions', () => {
  it('expects the version read, and refuses with the one version-conflict naming what changed', () => {
    const c = expectVersion(4, 'The activity');
    expect([c.condition, c.names, c.values]).toEqual([
      '#version = :expectedVersion',
      { '#version': 'version' },
      { ':expectedVersion': 4 },
    ]);
    expect(c.onConditionFailed?.()).toMatchObject({
      kind: 'conflict',
      code: 'version-conflict',
      message: 'The activity changed meanwhile; read it again',
    });
    expect(versionConflict('The person', { version: 5 }).details).toEqual({ version: 5 });
  });

  it('adds what else must hold, keeping its names and values beside the version', () => {
    const c = expectVersion(2, 'The event', {
      condition: '#status = :draft',
      names: { '#status': 'status' },
      values: { ':draft': 'draft' },
    });
    expect([c.condition, c.names, c.values]).toEqual([
      '#version = :expectedVersion AND (#status = :draft)',
      { '#version': 'version', '#status': 'status' },
      { ':expectedVersion': 2, ':draft': 'draft' },
    ]);
  });

  it('lets a write that is decided again on a fresh read name its own refusal', () => {
    const movedOn = conflict('places-changed', 'The places changed meanwhile');
    const c = expectVersion(7, 'The registration', { onConditionFailed: () => movedOn });
    expect(c.condition).toBe('#version = :expectedVersion');
    expect(c.onConditionFailed?.()).toBe(movedOn);
  });

  it('moves to the next version in an update expression under its own value name', () => {
    expect(versionBump).toEqual({
      expression: '#version = #version + :versionStep',
      names: { '#version': 'version' },
      values: { ':versionStep': 1 },
    });
  });
});
