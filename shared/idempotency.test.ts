import { describe, expect, it } from 'vitest';
import { fingerprintOf, idempotencyKeyOf, replayOf } from './idempotency.js';

describe('idempotency keys', () => {
  it('takes 8–128 characters of A–Z a–z 0–9 _ - from the header, and nothing else', () => {
    expect(idempotencyKeyOf({})).toEqual({ ok: true, value: undefined });
    expect(idempotencyKeyOf({ 'idempotency-key': 'retry-01_AB' })).toEqual({
      ok: true,
      value: 'retry-01_AB',
    });
    expect(idempotencyKeyOf({ 'idempotency-key': 'k'.repeat(128) }).ok).toBe(true);
    for (const bad of ['', 'short', 'k'.repeat(129), 'has space12', 'ключ-12345', 'key#12345', 'a~b~c~d~e']) {
      expect(idempotencyKeyOf({ 'idempotency-key': bad }), bad).toEqual({
        ok: false,
        error: expect.objectContaining({ kind: 'invalid', code: 'invalid-idempotency-key' }),
      });
    }
  });

  it('fingerprints a request by content, whatever the order of its fields', () => {
    const a = fingerprintOf({ eventId: 'E', body: { consent: true, participants: [{ name: '张三' }] } });
    const b = fingerprintOf({ body: { participants: [{ name: '张三' }], consent: true }, eventId: 'E' });
    expect(a).toBe(b);
    expect(fingerprintOf({ eventId: 'E', body: { participants: [{ name: '李四' }] } })).not.toBe(a);
    expect(
      fingerprintOf({ eventId: 'F', body: { consent: true, participants: [{ name: '张三' }] } }),
    ).not.toBe(a);
    // No phone in the clear: only a hash is kept.
    expect(fingerprintOf({ phone: '13912345678' })).not.toContain('139');
  });

  it('replays the same request and refuses another under the same key', () => {
    const prior = { fingerprint: fingerprintOf({ x: 1 }), entityId: 'R1' };
    expect(replayOf(prior, fingerprintOf({ x: 1 }))).toEqual({ ok: true, value: 'R1' });
    expect(replayOf(prior, fingerprintOf({ x: 2 }))).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'rule', code: 'idempotency-key-reused' }),
    });
  });
});
