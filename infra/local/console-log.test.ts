import { describe, expect, it } from 'vitest';
import { consoleLog } from './console-log.js';

const capture = (format: 'pretty' | 'json') => {
  const out: string[] = [];
  const err: string[] = [];
  const log = consoleLog(format, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { log, out, err };
};

const powertools = (fields: Record<string, unknown>) =>
  JSON.stringify({ timestamp: '2026-07-15T02:03:04.000Z', service: 'talent', sampling_rate: 0, ...fields });

describe('the npm start console', () => {
  it('prints one short line per request, and not the service’s own line for it', () => {
    const { log, out } = capture('pretty');
    log.access?.({ method: 'POST', path: '/talent/people', status: 400, ms: 12, code: 'validation-failed' });
    log.serviceLog?.(
      powertools({ level: 'INFO', message: 'request', route: 'POST /talent/people', status: 400 }),
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d POST {3}\/talent\/people {2}400 {2}12 ms {2}validation-failed$/);
  });

  it('shows other service lines in one line, without the fields every line carries', () => {
    const { log, out } = capture('pretty');
    log.serviceLog?.(powertools({ level: 'INFO', message: 'duplicate event skipped', eventId: 'E1' }));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/talent: duplicate event skipped {2}eventId=E1$/);
    expect(out[0]).not.toContain('sampling_rate');
  });

  it('prints errors in full, stack and all, on stderr', () => {
    const { log, out, err } = capture('pretty');
    log.serviceLog?.(
      powertools({
        level: 'ERROR',
        message: 'request failed',
        status: 500,
        error: {
          name: 'TypeError',
          message: 'x is undefined',
          stack: 'TypeError: x is undefined\n    at handler (a.ts:1:1)',
        },
      }),
    );
    log.log({ level: 'error', msg: 'bus.delivery.crashed', target: 'talent.x' });
    expect(out).toEqual([]);
    expect(err[0]).toContain('ERROR talent: request failed  status=500');
    expect(err[0]).toContain('    at handler (a.ts:1:1)');
    expect(err[1]).toContain('ERROR runtime: bus.delivery.crashed  target=talent.x');
  });

  it('as JSON, leaves the services’ lines to them and prints the runtime’s warnings as JSON', () => {
    const { log, err } = capture('json');
    expect(log.serviceLog).toBeUndefined();
    expect(log.access).toBeUndefined();
    log.log({ level: 'info', msg: 'quiet' });
    log.log({ level: 'warn', msg: 'loud' });
    expect(err).toEqual([JSON.stringify({ level: 'warn', msg: 'loud' })]);
  });
});
