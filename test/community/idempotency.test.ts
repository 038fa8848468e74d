/**
 * Retries never duplicate. A client that did not hear an answer retries with the same
 * Idempotency-Key and gets what the first request created; the same key with another
 * request is 422. A commit whose answer was lost is settled for certain: answered from what
 * landed, or a 503 only when nothing did (and never will). DynamoDB Local always answers at
 * once, so slow and lost commits are made here, around the real writes.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/api-event.js';
import { communityService } from '../../services/community/service.js';
import { createHttpHandler } from '../../shared/http/handler.js';
import { newId } from '../../shared/ids.js';
import { seedRoster } from '../activities/support.js';
import { as, request, runtime } from '../support/api.js';
import { type HttpEventInput, httpEvent } from '../support/http-event.js';
import { interposed } from '../support/interposed.js';
import { contextOn } from '../support/start.js';
import {
  application,
  approvedPartner,
  committee,
  duringRegistration,
  publishedEvent,
  schedule,
  stateOf,
} from './support.js';

const keyed = (key: string) => ({ headers: { 'idempotency-key': key } });
const newKey = () => `k-${randomUUID()}`;

const participants = (n: number, tag = '') => ({
  participants: Array.from({ length: n }, (_, i) => ({ name: `参与者${tag}${i}`, phone: '13912345678' })),
  consent: true,
});

describe('Idempotency-Key over the API', () => {
  it('turns 12 concurrent identical partner registrations with one key into one registration, places taken once', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 20 });
    const partner = await approvedPartner();
    const key = newKey();
    const body = participants(3);
    const path = `/community/events/${eventId}/registrations`;
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        partner.client.post(path, body, { now: duringRegistration, ...keyed(key) }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(201));
    const ids = new Set(answers.map((a) => a.body.registrationId));
    expect(ids.size).toBe(1);
    expect(answers.every((a) => a.body.confirmed === 3 && a.body.waitlisted === 0)).toBe(true);
    expect(await stateOf(admin, eventId)).toEqual({ remainingPlaces: 17, registrations: [...ids] });

    // A later retry is answered the same; the same key with another body is refused.
    const again = await partner.client.post(path, body, { now: duringRegistration, ...keyed(key) });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(answers[0]?.body);
    expect(again.headers.get('location')).toBe(`${path}/${[...ids][0]}`);
    const other = await partner.client.post(path, participants(2, 'x'), {
      now: duringRegistration,
      ...keyed(key),
    });
    expect(other).toMatchObject({ status: 422, body: { error: { code: 'idempotency-key-reused' } } });
    const elsewhere = await publishedEvent({ capacity: 5 });
    const otherEvent = await partner.client.post(
      `/community/events/${elsewhere.eventId}/registrations`,
      body,
      {
        now: duringRegistration,
        ...keyed(key),
      },
    );
    expect(otherEvent.status).toBe(422);
    // A key is the caller's own: another partner's same key is another request.
    const second = await approvedPartner();
    expect((await second.client.post(path, body, { now: duringRegistration, ...keyed(key) })).status).toBe(
      201,
    );
    expect((await stateOf(admin, eventId)).remainingPlaces).toBe(14);
  });

  it('answers a member repeating with the same key with the same registration, not 409', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 1 });
    const personId = newId();
    await seedRoster([{ personId }]);
    const member = await as({ roles: ['member'], personId });
    const key = newKey();
    const path = `/community/events/${eventId}/registrations`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => member.post(path, {}, { now: duringRegistration, ...keyed(key) })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.registrationId)).size).toBe(1);
    expect((await stateOf(admin, eventId)).registrations).toHaveLength(1);
    // Without the key, a second registration is still the member's one: 409.
    expect((await member.post(path, {}, { now: duringRegistration })).status).toBe(409);
  });

  it('refuses a malformed key with a 400 and writes nothing', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 5 });
    const partner = await approvedPartner();
    for (const key of ['short', 'k'.repeat(129), 'has space ok', 'key#1234567', 'bad%20key0']) {
      const res = await partner.client.post(`/community/events/${eventId}/registrations`, participants(1), {
        now: duringRegistration,
        ...keyed(key),
      });
      expect(res, key).toMatchObject({ status: 400, body: { error: { code: 'invalid-idempotency-key' } } });
    }
    expect(await stateOf(admin, eventId)).toEqual({ remainingPlaces: 5, registrations: [] });
  });

  it('makes the public application and the draft event repeatable with a key', async () => {
    const key = newKey();
    const body = application();
    const applies = await Promise.all(
      Array.from({ length: 5 }, () => request('POST', '/community/partners/applications', body, keyed(key))),
    );
    expect(applies.map((a) => a.status)).toEqual(Array(5).fill(202));
    expect(new Set(applies.map((a) => a.body.partnerId)).size).toBe(1);
    expect(applies.every((a) => JSON.stringify(a.body) === JSON.stringify(applies[0]?.body))).toBe(true);
    const changed = await request(
      'POST',
      '/community/partners/applications',
      { ...body, intro: '另一段介绍' },
      keyed(key),
    );
    expect(changed).toMatchObject({ status: 422, body: { error: { code: 'idempotency-key-reused' } } });
    // Without a key the organisation is simply taken.
    expect((await request('POST', '/community/partners/applications', body)).status).toBe(409);

    const admin = await committee();
    const draft = {
      title: `联合志愿服务 ${newId()}`,
      kind: 'volunteer-service',
      description: '',
      location: '社区服务中心',
      capacity: 10,
      ...schedule,
    };
    const draftKey = newKey();
    const drafts = await Promise.all(
      Array.from({ length: 4 }, () =>
        admin.post('/community/events', draft, { now: '2027-02-20T10:00:00+08:00', ...keyed(draftKey) }),
      ),
    );
    expect(drafts.map((d) => d.status)).toEqual(Array(4).fill(201));
    const draftIds = new Set(drafts.map((d) => d.body.jointEventId));
    expect(draftIds.size).toBe(1);
    const listed = await admin.get('/community/events/drafts?limit=100');
    expect(listed.body.items.filter((e: { title: string }) => e.title === draft.title)).toHaveLength(1);
    expect(
      (
        await admin.post(
          '/community/events',
          { ...draft, capacity: 11 },
          { now: '2027-02-20T10:00:00+08:00', ...keyed(draftKey) },
        )
      ).status,
    ).toBe(422);
  });
});

/** Community's own Lambda on an interposed context, called with an Idempotency-Key. */
const lambdaOn = (ctx: Parameters<typeof createHttpHandler>[1]) => {
  const lambda = createHttpHandler(communityService, ctx);
  return async (input: HttpEventInput, key?: string) => {
    const event = httpEvent(input);
    if (key) event.headers['idempotency-key'] = key;
    const res = await lambda(event, lambdaContext('test-community', 10_000, event.requestContext.requestId));
    return { status: res.statusCode ?? 200, body: res.body ? JSON.parse(res.body) : undefined };
  };
};

const timeout = () => Object.assign(new Error('Request timed out'), { name: 'TimeoutError' });
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a registration whose commit is slow or whose answer is lost', () => {
  it('never answers 503 about a registration that lands: a slow commit is settled for certain, and the retry with the key is safe', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 3 });
    const partner = await approvedPartner();
    // The first transaction reaches DynamoDB only after the handler has given up on it.
    let late: Promise<unknown> | undefined;
    let commits = 0;
    const ctx = interposed(contextOn(runtime(), 'community'), async (command, send) => {
      if (!(command instanceof TransactWriteCommand) || ++commits > 1) return send(command);
      late = delay(300).then(() => send(command).catch((error: unknown) => error));
      throw timeout();
    });
    const call = lambdaOn(ctx);
    const input: HttpEventInput = {
      method: 'POST',
      path: `/community/events/${eventId}/registrations`,
      body: participants(2),
      caller: { sub: randomUUID(), groups: ['partner'], orgId: partner.partnerId },
      now: duringRegistration,
    };
    const key = newKey();
    const first = await call(input, key);
    await late;
    const after = await stateOf(admin, eventId);
    if (first.status === 503) {
      // A 503 is true: nothing landed, and the late transaction never will.
      expect(after).toEqual({ remainingPlaces: 3, registrations: [] });
      expect(first.body.error.message).toContain('retry with the same Idempotency-Key');
    } else {
      expect(first.status).toBe(201);
      expect(after).toEqual({ remainingPlaces: 1, registrations: [first.body.registrationId] });
    }
    // The retry, as told: exactly one registration, two places.
    const retry = await call(input, key);
    expect(retry.status).toBe(201);
    if (first.status === 201) expect(retry.body.registrationId).toBe(first.body.registrationId);
    expect(await stateOf(admin, eventId)).toEqual({
      remainingPlaces: 1,
      registrations: [retry.body.registrationId],
    });
  });

  it('answers 201 from what landed even when the first look after the lost answer fails too', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 3 });
    const partner = await approvedPartner();
    let lost = false;
    let failReads = 0;
    const ctx = interposed(contextOn(runtime(), 'community'), async (command, send) => {
      if (command instanceof TransactWriteCommand && !lost) {
        lost = true;
        await send(command);
        failReads = 1;
        throw timeout();
      }
      if (command instanceof GetCommand && failReads > 0) {
        failReads--;
        throw timeout();
      }
      return send(command);
    });
    const res = await lambdaOn(ctx)({
      method: 'POST',
      path: `/community/events/${eventId}/registrations`,
      body: participants(1),
      caller: { sub: randomUUID(), groups: ['partner'], orgId: partner.partnerId },
      now: duringRegistration,
    });
    expect(res.status).toBe(201);
    expect(await stateOf(admin, eventId)).toEqual({
      remainingPlaces: 2,
      registrations: [res.body.registrationId],
    });
  });
});
