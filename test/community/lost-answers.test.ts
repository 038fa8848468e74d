/**
 * A registration's answer can be lost after its transaction landed (a timeout, a dropped
 * connection): the caller must not hear "unavailable, try again" about places it holds, and
 * a 503 must mean nothing was written. DynamoDB Local always answers, so the loss is made
 * here, around the real write.
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { communityService } from '../../services/community/service.js';
import { newId } from '../../shared/ids.js';
import { seedRoster } from '../activities/support.js';
import { runtime } from '../support/api.js';
import { invoke } from '../support/http-event.js';
import { interposed } from '../support/interposed.js';
import { contextOn } from '../support/start.js';
import { duringRegistration, publishedEvent, stateOf } from './support.js';

/** A member (a person of the register, as community's roster copy holds them) registering themselves, through community's whole HTTP Lambda. */
const register = async (eventId: string, ctx: Parameters<typeof invoke>[1]) => {
  const personId = newId();
  await seedRoster([{ personId }]);
  return invoke(communityService, ctx, {
    method: 'POST',
    path: `/community/events/${eventId}/registrations`,
    body: {},
    caller: { sub: randomUUID(), personId, groups: ['member'] },
    now: duringRegistration,
  });
};

const timeout = () => Object.assign(new Error('Request timed out'), { name: 'TimeoutError' });

/** The community context with the first transaction's answer lost: `before` or after it ran. */
const losingFirstCommit = (when: 'before' | 'after') => {
  let commits = 0;
  const ctx = interposed(contextOn(runtime(), 'community'), async (command, send) => {
    if (!(command instanceof TransactWriteCommand) || ++commits > 1) return send(command);
    if (when === 'before') throw timeout();
    await send(command);
    throw timeout();
  });
  return { ctx, commits: () => commits };
};

describe('a registration whose answer is lost', () => {
  it('is answered from what landed when the transaction committed: 201, one place held, once', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 3 });
    const lost = losingFirstCommit('after');
    const res = await register(eventId, lost.ctx);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ confirmed: 1, waitlisted: 0 });
    // Answered from the stored registration, not by writing it again.
    expect(lost.commits()).toBe(1);
    expect(await stateOf(admin, eventId)).toEqual({
      remainingPlaces: 2,
      registrations: [(res.body as { registrationId: string }).registrationId],
    });
  });

  it('stays a 503 when nothing landed, and nothing is held', async () => {
    const { eventId, admin } = await publishedEvent({ capacity: 3 });
    const lost = losingFirstCommit('before');
    const res = await register(eventId, lost.ctx);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('service-unavailable');
    expect(await stateOf(admin, eventId)).toEqual({ remainingPlaces: 3, registrations: [] });
  });
});
