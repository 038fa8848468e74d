/**
 * Guessing the check-in code (domain/check-in-guard.ts): five wrong codes lock one person out
 * of one activity, nobody else; every fifty wrong codes from everyone replace the code.
 */
import { describe, expect, it } from 'vitest';
import { at, meetingOfBranch, nth } from './support.js';

const DURING = at('2026-11-26T09:05:00+08:00');
const wrongFor = (code: string, i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');

const setUp = meetingOfBranch;

describe('guessing the check-in code', () => {
  it('locks a person out after five wrong codes, right code or not, while others check in and the secretary records them', async () => {
    const { members, memberIds, secretary, activityId, code } = await setUp(2);
    const [guesser, other] = [nth(members, 0), nth(members, 1)];
    const path = `/activities/${activityId}/check-in`;
    for (let i = 0; i < 5; i++) {
      const res = await guesser.post(path, { code: wrongFor(code, i) }, DURING);
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'wrong-check-in-code', details: { attemptsLeft: 4 - i } });
    }
    for (const tried of [code, wrongFor(code, 9)]) {
      const locked = await guesser.post(path, { code: tried }, DURING);
      expect(locked.status).toBe(429);
      expect(locked.body.error).toEqual({
        code: 'check-in-locked',
        message: expect.any(String),
        details: { lockedUntil: '2026-11-26T11:00:00+08:00', askSecretary: true },
      });
    }
    expect((await other.post(path, { code }, DURING)).status).toBe(201);
    const recorded = await secretary.put(
      `/activities/${activityId}/attendance`,
      { entries: [{ personId: nth(memberIds, 0), status: 'present', note: '签到码输错被锁定' }] },
      DURING,
    );
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({ present: 2, unknown: 0 });
  });

  it('replaces the code after fifty wrong codes from many people, and organisers see the new one', async () => {
    const { members, secretary, activityId, code } = await setUp(11);
    const path = `/activities/${activityId}/check-in`;
    const guessers = members.slice(0, 10);
    await Promise.all(
      guessers.map(async (m, g) => {
        for (let i = 0; i < 5; i++) {
          const res = await m.post(path, { code: wrongFor(code, g * 5 + i) }, DURING);
          expect(res.status).toBe(422);
        }
      }),
    );
    const read = await secretary.get(`/activities/${activityId}`);
    const fresh = read.body.checkInCode as string;
    expect(fresh).toMatch(/^\d{6}$/);
    expect(fresh).not.toBe(code);
    const last = nth(members, 10);
    const stale = await last.post(path, { code }, DURING);
    expect(stale.status).toBe(422);
    expect(stale.body.error.code).toBe('wrong-check-in-code');
    expect((await last.post(path, { code: fresh }, DURING)).status).toBe(201);
  });
});
