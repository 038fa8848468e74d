/**
 * A burst on the public partner application form (throttle class `public`): past the
 * stage's limit the gateway answers 429 as API Gateway would, and however the burst lands
 * no organisation ends up with two applications. This file starts its own runtime with the
 * dev stage's limits; the buckets' clock is held still and moved by hand, so the number of
 * requests let through is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/config.js';
import { throttleClass } from '../../infra/throttle.js';
import { communityService } from '../../services/community/service.js';
import { newId } from '../../shared/ids.js';
import { application } from '../community/support.js';
import { as, type Response, request } from '../support/api.js';
import { startOwnRuntime } from '../support/own-runtime.js';

const APPLY = 'POST /community/partners/applications';
const limits = stageConfig('dev').throttle;

let stop: (() => Promise<void>) | undefined;
/** The token buckets' clock, in ms: only the test moves it. */
let clock = Date.parse('2027-03-01T09:00:00+08:00');

beforeAll(async () => {
  ({ stop } = await startOwnRuntime('throttle', {
    services: [communityService],
    throttle: { ...limits, now: () => clock },
  }));
});

afterAll(() => stop?.());

const apply = (orgName: string) =>
  request('POST', '/community/partners/applications', application({ orgName }));

const statuses = (responses: Response[]) => {
  const count: Record<number, number> = {};
  for (const r of responses) count[r.status] = (count[r.status] ?? 0) + 1;
  return count;
};

/** Every answer of a burst is one of three, each in the documented shape. */
const expectShapes = (responses: Response[]) => {
  for (const r of responses) {
    expect([202, 409, 429]).toContain(r.status);
    if (r.status === 202)
      expect(r.body).toEqual({
        applicationId: expect.any(String),
        partnerId: expect.any(String),
        status: 'pending',
      });
    if (r.status === 409) expect(r.body.error.code).toBe('partner-already-applied');
    if (r.status === 429) {
      // API Gateway's own body, as on AWS.
      expect(r.body).toEqual({ message: 'Too Many Requests' });
      expect(r.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    }
    expect(r.text).not.toMatch(/\n\s+at |\.ts:\d+/);
  }
};

const pendingPartners = async (): Promise<{ partnerId: string; orgName: string }[]> => {
  const committee = await as({ roles: ['committee'] });
  const all: { partnerId: string; orgName: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await committee.get(
      `/community/partners?status=pending&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status).toBe(200);
    all.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return all;
};

describe('throttling of the public partner application', () => {
  it('puts the application form in the public class, the stage’s lowest', () => {
    const route = communityService.routes.find((r) => r.routeKey === APPLY);
    expect(route && throttleClass(route)).toBe('public');
    expect(limits.public.burstLimit).toBeLessThan(limits.default.burstLimit);
    expect(limits.public.rateLimit).toBeLessThan(limits.default.rateLimit);
  });

  it('lets a burst through up to the limit, answers 429 past it, and never applies twice', async () => {
    const burst = limits.public.burstLimit;
    const repeated = `重复申请的单位 ${newId()}`;
    const distinct = Array.from({ length: 40 }, (_, i) => `突发申请单位 ${i} ${newId()}`);
    // 60 at once: 40 organisations once each, and one organisation 20 times, interleaved.
    const names = distinct.flatMap((name, i) => (i % 2 === 0 ? [name, repeated] : [name]));
    expect(names).toHaveLength(60);

    const first = await Promise.all(names.map(apply));
    expectShapes(first);
    const firstCount = statuses(first);
    expect(firstCount[429]).toBe(names.length - burst);
    expect((firstCount[202] ?? 0) + (firstCount[409] ?? 0)).toBe(burst);

    // The bucket is empty and time stands still: even one more request is refused.
    expect((await apply(`再来一个 ${newId()}`)).status).toBe(429);

    // Long enough for a full bucket: a burst of one organisation, past the limit again.
    clock += (burst / limits.public.rateLimit) * 1000;
    const single = `同一单位连续提交 ${newId()}`;
    const second = await Promise.all(Array.from({ length: burst + 5 }, () => apply(single)));
    expectShapes(second);
    expect(statuses(second)).toEqual({ 202: 1, 409: burst - 1, 429: 5 });

    // One second later: exactly the steady rate's worth of new requests.
    clock += 1000;
    const third = await Promise.all(Array.from({ length: 20 }, () => apply(`稳态申请单位 ${newId()}`)));
    expectShapes(third);
    expect(statuses(third)).toEqual({ 202: limits.public.rateLimit, 429: 20 - limits.public.rateLimit });

    // What the committee sees: one application per organisation that got through, no more.
    const partners = await pendingPartners();
    const accepted = [...first, ...second, ...third].filter((r) => r.status === 202);
    expect(partners).toHaveLength(accepted.length);
    expect(new Set(partners.map((p) => p.partnerId))).toEqual(new Set(accepted.map((r) => r.body.partnerId)));
    const perOrg = new Map<string, number>();
    for (const p of partners) perOrg.set(p.orgName, (perOrg.get(p.orgName) ?? 0) + 1);
    expect([...perOrg.values()].every((n) => n === 1)).toBe(true);
    expect(perOrg.get(single)).toBe(1);
    expect(perOrg.get(repeated) ?? 0).toBeLessThanOrEqual(1);
    expect(firstCount[409] ?? 0).toBe(
      first.filter((r, i) => names[i] === repeated && r.status !== 429).length - (perOrg.get(repeated) ?? 0),
    );
  });

  it('throttles each route on its own bucket: the form’s burst leaves the committee’s routes alone', async () => {
    const committee = await as({ roles: ['committee'] });
    // With time held still, one more than a full bucket surely empties the form's bucket.
    const burst = await Promise.all(
      Array.from({ length: limits.public.burstLimit + 1 }, () => apply(`空桶 ${newId()}`)),
    );
    expect(burst.some((r) => r.status === 429)).toBe(true);
    expect((await apply(`空桶之后 ${newId()}`)).status).toBe(429);
    const list = await committee.get('/community/partners');
    expect(list.status).toBe(200);
  });
});
