import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAIL_LEASE_MS } from '../../services/notices/mail.js';
import { WORK_CHAT_LEASE_MS } from '../../services/notices/work-chat.js';
import { InvalidEventPatternError } from '../../shared/events/pattern.js';
import {
  DEFAULT_RETRY,
  type EventBridgeEvent,
  LocalBus,
  type LocalBusOptions,
  longestRetrySpanMs,
  shortestRetrySpanMs,
} from './bus.js';
import { DeadLetterStore } from './dead-letters.js';

const BUS = 'dangjian-local';
const THING = { source: ['dangjian.test'], 'detail-type': ['Thing'] };
const OTHER = { source: ['dangjian.test'], 'detail-type': ['Other'] };

let dataDir: string;
let store: DeadLetterStore;
const buses: LocalBus[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dangjian-bus-'));
  store = new DeadLetterStore(dataDir);
});

afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.close();
  await rm(dataDir, { recursive: true, force: true });
});

function makeBus(opts: Partial<LocalBusOptions> = {}): LocalBus {
  const bus = new LocalBus({
    name: BUS,
    region: 'eu-west-1',
    account: '123456789012',
    deadLetters: store,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 },
    ...opts,
  });
  buses.push(bus);
  return bus;
}

function entry(detailType = 'Thing', detail: unknown = { n: 1 }): PutEventsRequestEntry {
  return {
    Source: 'dangjian.test',
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    EventBusName: BUS,
  };
}

/** A target that records what it receives. */
function recorder(
  name: string,
  pattern: unknown,
  behaviour?: (event: EventBridgeEvent, call: number) => void,
) {
  const received: EventBridgeEvent[] = [];
  let calls = 0;
  return {
    received,
    get calls() {
      return calls;
    },
    target: {
      name,
      pattern,
      deliver: async (event: EventBridgeEvent) => {
        calls++;
        behaviour?.(event, calls);
        received.push(event);
      },
    },
  };
}

describe('LocalBus delivery', () => {
  it('delivers each event to the subscriptions whose pattern matches, and only those', async () => {
    const bus = makeBus();
    const things = recorder('test.things', THING);
    const others = recorder('test.others', OTHER);
    const elsewhere = recorder('test.elsewhere', { source: ['dangjian.elsewhere'] });
    bus.subscribe(things.target);
    bus.subscribe(others.target);
    bus.subscribe(elsewhere.target);

    const result = await bus.putEvents([
      entry('Thing', { n: 1 }),
      entry('Other', { n: 2 }),
      entry('Thing', { n: 3 }),
    ]);
    await bus.idle();

    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(3);
    expect(things.received.map((e) => e.detail)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(others.received.map((e) => e.detail)).toEqual([{ n: 2 }]);
    expect(elsewhere.received).toEqual([]);
    expect(bus.stats()).toMatchObject({
      accepted: 3,
      delivered: 3,
      retried: 0,
      deadLettered: 0,
      inFlight: 0,
    });
  });

  it('delivers events in EventBridge format, with the EventId putEvents answered', async () => {
    const bus = makeBus();
    const things = recorder('test.things', THING);
    bus.subscribe(things.target);

    const result = await bus.putEvents([
      {
        ...entry('Thing', { a: { b: [1, 2] } }),
        Resources: ['arn:aws:s3:::x'],
        Time: new Date('2025-03-04T05:06:07.890Z'),
      },
    ]);
    await bus.idle();

    expect(things.received).toEqual([
      {
        version: '0',
        id: result.Entries[0]?.EventId,
        'detail-type': 'Thing',
        source: 'dangjian.test',
        account: '123456789012',
        time: '2025-03-04T05:06:07Z',
        region: 'eu-west-1',
        resources: ['arn:aws:s3:::x'],
        detail: { a: { b: [1, 2] } },
      },
    ]);
    expect(result.Entries[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is asynchronous: putEvents has answered before any target runs', async () => {
    const bus = makeBus();
    const order: string[] = [];
    bus.subscribe({
      name: 'test.things',
      pattern: THING,
      deliver: async () => {
        order.push('delivered');
      },
    });

    const answered = bus.putEvents([entry()]).then(() => order.push('putEvents answered'));
    await answered;
    order.push('caller continued');
    await bus.idle();

    expect(order).toEqual(['putEvents answered', 'caller continued', 'delivered']);
  });

  it('runs at most its bound of deliveries at once, and every one in the end', async () => {
    const bus = makeBus({ maxConcurrentDeliveries: 2 });
    let running = 0;
    let most = 0;
    let done = 0;
    const gates: Array<() => void> = [];
    bus.subscribe({
      name: 'test.slow',
      pattern: THING,
      deliver: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        done++;
      },
    });
    await bus.putEvents([entry(), entry(), entry(), entry(), entry()]);
    // Open the gates one by one as deliveries reach them, until all five have run.
    while (done < 5) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    await bus.idle();
    expect(most).toBe(2);
  });

  it("gives waiting targets turns: one target's burst does not hold up another's delivery", async () => {
    const bus = makeBus({ maxConcurrentDeliveries: 1 });
    const order: string[] = [];
    const gates: Array<() => void> = [];
    const gated = (name: string, pattern: unknown) => ({
      name,
      pattern,
      deliver: async () => {
        order.push(name);
        await new Promise<void>((resolve) => gates.push(resolve));
      },
    });
    bus.subscribe(gated('test.busy', THING));
    bus.subscribe(gated('test.other', OTHER));
    await bus.putEvents(Array.from({ length: 10 }, () => entry()));
    await bus.putEvents([entry('Other')]);
    while (order.length < 11) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    gates.shift()?.();
    await bus.idle();
    // The first of the burst had the place; the other target's turn came next.
    expect(order.indexOf('test.other')).toBeLessThanOrEqual(2);
  });

  it('publish delivers an already formed event (e.g. from the local S3 server)', async () => {
    const bus = makeBus();
    const s3 = recorder('resources.object-created', {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
    });
    bus.subscribe(s3.target);
    const event: EventBridgeEvent = {
      version: '0',
      id: 'b8f1c7a2-0000-4000-8000-000000000000',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '123456789012',
      time: '2025-01-01T00:00:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:s3:::bucket'],
      detail: { bucket: { name: 'bucket' }, object: { key: 'k', size: 3 } },
    };
    bus.publish(event);
    await bus.idle();
    expect(s3.received).toEqual([event]);
  });

  it('gives every target its own copy of the event', async () => {
    const bus = makeBus();
    const first = recorder('test.first', THING, (event) => {
      (event.detail as { n: number }).n = 99;
    });
    const second = recorder('test.second', THING);
    bus.subscribe(first.target);
    bus.subscribe(second.target);
    await bus.putEvents([entry('Thing', { n: 1 })]);
    await bus.idle();
    expect(second.received[0]?.detail).toEqual({ n: 1 });
  });
});

describe('LocalBus retries and dead letters', () => {
  it('keeps retrying past the longest lease a consumer holds, and gives up within minutes', () => {
    // A retry that meets a claim left by a delivery that died must outlive that claim, even
    // at the shortest jitter, or the recipient is never mailed.
    for (const lease of [MAIL_LEASE_MS, WORK_CHAT_LEASE_MS]) {
      expect(shortestRetrySpanMs(DEFAULT_RETRY)).toBeGreaterThan(lease);
    }
    // A consumer that is really broken is a dead letter within minutes, not hours.
    expect(longestRetrySpanMs(DEFAULT_RETRY)).toBeLessThanOrEqual(3 * 60_000);
    expect(shortestRetrySpanMs({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 150 })).toBe(125);
    expect(longestRetrySpanMs({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 150 })).toBe(250);
  });

  it('gives a target its own policy: a named target dead-letters at its own count, the others keep the bus policy', async () => {
    const bus = makeBus({
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 },
      targetRetry: { 'test.quick': { maxAttempts: 2 } },
    });
    const fail = () => {
      throw new Error('always');
    };
    const quick = recorder('test.quick', THING, fail);
    const usual = recorder('test.usual', THING, fail);
    bus.subscribe(quick.target);
    bus.subscribe(usual.target);

    await bus.putEvents([entry()]);
    await bus.idle();

    expect(quick.calls).toBe(2);
    expect(usual.calls).toBe(4);
    const letters = await store.list();
    expect(letters.map((l) => [l.target, l.attempts]).sort()).toEqual([
      ['test.quick', 2],
      ['test.usual', 4],
    ]);
  });

  it('retries a failing target: throws twice, then succeeds → 3 calls, no dead letter', async () => {
    const bus = makeBus({ retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 4 } });
    const flaky = recorder('test.flaky', THING, (_event, call) => {
      if (call <= 2) throw new Error(`transient ${call}`);
    });
    bus.subscribe(flaky.target);

    await bus.putEvents([entry()]);
    await bus.idle();

    expect(flaky.calls).toBe(3);
    expect(flaky.received).toHaveLength(1);
    expect(await store.list()).toEqual([]);
    expect(bus.stats()).toMatchObject({ delivered: 1, retried: 2, deadLettered: 0, inFlight: 0 });
  });

  it('writes one dead letter after maxAttempts failed calls, with the error', async () => {
    const bus = makeBus({ retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 } });
    const broken = recorder('test.broken', THING, () => {
      throw new Error('projection table missing');
    });
    const healthy = recorder('test.healthy', THING);
    bus.subscribe(broken.target);
    bus.subscribe(healthy.target);

    const result = await bus.putEvents([entry('Thing', { n: 7 })]);
    await bus.idle();

    expect(broken.calls).toBe(4);
    expect(healthy.received).toHaveLength(1); // one target failing does not affect another
    const letters = await store.list();
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(letter).toMatchObject({
      target: 'test.broken',
      attempts: 4,
      error: { message: 'projection table missing' },
      event: { id: result.Entries[0]?.EventId, 'detail-type': 'Thing', detail: { n: 7 } },
    });
    expect(letter?.error.stack).toContain('projection table missing');
    expect(letter?.reason).toBeUndefined();
    expect(Date.parse(letter?.firstAttemptAt ?? '')).toBeLessThanOrEqual(
      Date.parse(letter?.lastAttemptAt ?? ''),
    );
    expect(bus.stats()).toMatchObject({ delivered: 1, retried: 3, deadLettered: 1, inFlight: 0 });
  });

  it('spaces retries with exponential backoff', async () => {
    let clock = 0;
    const times: number[] = [];
    const bus = makeBus({ retry: { maxAttempts: 4, baseDelayMs: 8, maxDelayMs: 20 } });
    bus.subscribe({
      name: 'test.broken',
      pattern: THING,
      deliver: async () => {
        times.push(performance.now());
        clock++;
        throw new Error('nope');
      },
    });
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(clock).toBe(4);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    // Equal jitter: each delay is between half and all of min(20, 8·2^(n-1)) = 8, 16, 20 ms.
    // (Only lower bounds: timers never fire early, but may fire late on a busy machine.)
    expect(gaps[0]).toBeGreaterThanOrEqual(4 - 1);
    expect(gaps[1]).toBeGreaterThanOrEqual(8 - 1);
    expect(gaps[2]).toBeGreaterThanOrEqual(10 - 1);
  });

  it('redrive after the target is fixed delivers the letter exactly once, to its target only, and removes it', async () => {
    const bus = makeBus();
    let fixed = false;
    let appliedAfterFix = 0;
    bus.subscribe({
      name: 'test.broken',
      pattern: THING,
      deliver: async () => {
        if (!fixed) throw new Error('bug');
        appliedAfterFix++;
      },
    });
    const bystander = recorder('test.bystander', THING);
    bus.subscribe(bystander.target);

    await bus.putEvents([entry()]);
    await bus.idle();
    const [letter] = await store.list();
    expect(letter?.target).toBe('test.broken');
    expect(bystander.calls).toBe(1);

    fixed = true;
    const { redriven } = await bus.redrive(letter?.id);
    expect(redriven).toEqual([letter?.id]);
    await bus.idle();

    expect(appliedAfterFix).toBe(1);
    expect(bystander.calls).toBe(1);
    expect(await store.list()).toEqual([]);
    expect(bus.stats()).toMatchObject({ redriven: 1, inFlight: 0 });
  });

  it('redrive of all letters, twice in a row, still applies each letter once', async () => {
    const bus = makeBus();
    let fixed = false;
    const applied: unknown[] = [];
    bus.subscribe({
      name: 'test.broken',
      pattern: THING,
      deliver: async (event) => {
        if (!fixed) throw new Error('bug');
        applied.push(event.detail);
      },
    });
    await bus.putEvents([entry('Thing', { n: 1 }), entry('Thing', { n: 2 })]);
    await bus.idle();
    expect(await store.list()).toHaveLength(2);

    fixed = true;
    const first = bus.redrive();
    const second = bus.redrive();
    const results = await Promise.all([first, second]);
    await bus.idle();

    expect(results.flatMap((r) => r.redriven)).toHaveLength(2);
    expect(applied).toHaveLength(2);
    expect(applied).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]));
    expect(await store.list()).toEqual([]);
  });

  it('a redriven letter that fails again stays a dead letter (same id) with the attempts added up', async () => {
    const bus = makeBus();
    let message = 'first bug';
    bus.subscribe({
      name: 'test.broken',
      pattern: THING,
      deliver: async () => {
        throw new Error(message);
      },
    });
    await bus.putEvents([entry()]);
    await bus.idle();
    const [before] = await store.list();

    message = 'second bug';
    await bus.redrive(before?.id);
    await bus.idle();

    const after = await store.list();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before?.id, attempts: 6, error: { message: 'second bug' } });
    expect(after[0]?.firstAttemptAt).toBe(before?.firstAttemptAt);
  });

  it('redrive of an unknown id fails with NotFound', async () => {
    const bus = makeBus();
    await expect(bus.redrive('01JZZZZZZZZZZZZZZZZZZZZZZZ')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(bus.redrive('not-even-an-id')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('redrive of a letter whose target is gone fails with UnknownTarget', async () => {
    const bus = makeBus();
    const unsubscribe = bus.subscribe({
      name: 'test.broken',
      pattern: THING,
      deliver: async () => {
        throw new Error('bug');
      },
    });
    await bus.putEvents([entry()]);
    await bus.idle();
    unsubscribe();
    const [letter] = await store.list();
    await expect(bus.redrive(letter?.id)).rejects.toMatchObject({ code: 'UnknownTarget' });
    expect(await bus.redrive()).toMatchObject({ redriven: [], skipped: [{ id: letter?.id }] });
  });
});

describe('LocalBus idle()', () => {
  it('resolves at once when nothing is in flight', async () => {
    await makeBus().idle();
  });

  it('waits for scheduled retries', async () => {
    const bus = makeBus({ retry: { maxAttempts: 3, baseDelayMs: 30, maxDelayMs: 30 } });
    const flaky = recorder('test.flaky', THING, (_event, call) => {
      if (call === 1) throw new Error('once');
    });
    bus.subscribe(flaky.target);
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(flaky.calls).toBe(2);
    expect(flaky.received).toHaveLength(1);
    expect(bus.stats()).toMatchObject({ inFlight: 0, scheduledRetries: 0 });
  });

  it('waits for the dead letter to be written', async () => {
    const bus = makeBus();
    bus.subscribe({
      name: 'test.broken',
      pattern: THING,
      deliver: async () => {
        throw new Error('bug');
      },
    });
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(await store.list()).toHaveLength(1);
  });

  it('also waits for events put while waiting (a consumer that publishes, after a retry)', async () => {
    const bus = makeBus({ retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 } });
    const chained = recorder('test.chained', OTHER);
    let attempts = 0;
    bus.subscribe({
      name: 'test.publisher',
      pattern: THING,
      deliver: async () => {
        attempts++;
        if (attempts === 1) throw new Error('once');
        await bus.putEvents([entry('Other', { chained: 'awaited' })]);
        // fire and forget: puts after this delivery has already finished
        void Promise.resolve().then(() => bus.putEvents([entry('Other', { chained: 'later' })]));
      },
    });
    bus.subscribe(chained.target);
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(chained.received.map((e) => e.detail)).toEqual(
      expect.arrayContaining([{ chained: 'awaited' }, { chained: 'later' }]),
    );
  });
  it('also waits for an event put on the next turn of the event loop after the last delivery', async () => {
    const bus = makeBus();
    const chained = recorder('test.chained', OTHER);
    bus.subscribe({
      name: 'test.publisher',
      pattern: THING,
      deliver: async () => {
        setImmediate(() => void bus.putEvents([entry('Other', { chained: 'next turn' })]));
      },
    });
    bus.subscribe(chained.target);
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(chained.received.map((e) => e.detail)).toEqual([{ chained: 'next turn' }]);
  });
});

describe('LocalBus faults', () => {
  it('duplicateDeliveries delivers every matching event twice (same event id)', async () => {
    const bus = makeBus();
    const things = recorder('test.things', THING);
    bus.subscribe(things.target);
    bus.faults.duplicateDeliveries = true;
    const result = await bus.putEvents([entry()]);
    await bus.idle();
    expect(things.received).toHaveLength(2);
    expect(things.received.map((e) => e.id)).toEqual([
      result.Entries[0]?.EventId,
      result.Entries[0]?.EventId,
    ]);

    bus.faults.duplicateDeliveries = false;
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(things.received).toHaveLength(3);
  });

  it('refusePutEvents fails every entry with InternalFailure and delivers nothing', async () => {
    const bus = makeBus();
    const things = recorder('test.things', THING);
    bus.subscribe(things.target);
    bus.faults.refusePutEvents = true;
    const result = await bus.putEvents([entry(), entry(), entry()]);
    await bus.idle();
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries).toEqual(
      Array(3).fill({ ErrorCode: 'InternalFailure', ErrorMessage: expect.any(String) }),
    );
    expect(things.received).toEqual([]);
    expect(bus.stats()).toMatchObject({ accepted: 0, failedEntries: 3 });
  });
});

describe('LocalBus putEvents validation', () => {
  it('fails an entry without Source, DetailType or Detail, and delivers the valid ones', async () => {
    const bus = makeBus();
    const things = recorder('test.things', THING);
    bus.subscribe(things.target);
    const { Detail: _d, ...noDetail } = entry();
    const { Source: _s, ...noSource } = entry();
    const { DetailType: _t, ...noDetailType } = entry();
    const result = await bus.putEvents([noDetail, entry('Thing', { ok: true }), noSource, noDetailType]);
    await bus.idle();

    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries[0]).toEqual({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
    });
    expect(result.Entries[1]?.EventId).toBeDefined();
    expect(result.Entries[2]).toMatchObject({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: expect.stringContaining('Source'),
    });
    expect(result.Entries[3]).toMatchObject({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: expect.stringContaining('DetailType'),
    });
    expect(things.received.map((e) => e.detail)).toEqual([{ ok: true }]);
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"text"'],
    ['a number', '42'],
    ['null', 'null'],
    ['not JSON', '{not json'],
  ])('fails an entry whose Detail is %s with MalformedDetail', async (_what, detail) => {
    const bus = makeBus();
    const result = await bus.putEvents([{ ...entry(), Detail: detail }]);
    expect(result).toEqual({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }],
    });
  });

  it('refuses more than 10 entries (and none) as a whole request', async () => {
    const bus = makeBus();
    const things = recorder('test.things', THING);
    bus.subscribe(things.target);
    await expect(bus.putEvents(Array.from({ length: 11 }, () => entry()))).rejects.toMatchObject({
      code: 'ValidationException',
      name: 'ValidationException',
    });
    await expect(bus.putEvents([])).rejects.toMatchObject({ code: 'ValidationException' });
    await bus.idle();
    expect(things.received).toEqual([]);
    expect((await bus.putEvents(Array.from({ length: 10 }, () => entry()))).FailedEntryCount).toBe(0);
  });

  it('refuses a request whose entries are over 256 KB', async () => {
    const bus = makeBus();
    const big = { ...entry(), Detail: JSON.stringify({ text: 'x'.repeat(256 * 1024) }) };
    await expect(bus.putEvents([big])).rejects.toMatchObject({ code: 'ValidationException' });
    const justUnder = 256 * 1024 - 'dangjian.test'.length - 'Thing'.length - '{"t":""}'.length;
    const fits = { ...entry(), Detail: JSON.stringify({ t: 'x'.repeat(justUnder) }) };
    expect((await bus.putEvents([fits])).FailedEntryCount).toBe(0);
  });

  it('accepts its own bus name or ARN (or none) and fails an entry for another bus', async () => {
    const bus = makeBus();
    const result = await bus.putEvents([
      { ...entry(), EventBusName: BUS },
      { ...entry(), EventBusName: `arn:aws:events:eu-west-1:123456789012:event-bus/${BUS}` },
      { ...entry(), EventBusName: undefined },
      { ...entry(), EventBusName: 'default' },
      { ...entry(), EventBusName: `arn:aws:events:eu-west-1:999999999999:event-bus/${BUS}` },
    ]);
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries.slice(0, 3).every((e) => e.EventId)).toBe(true);
    expect(result.Entries[3]).toMatchObject({ ErrorCode: 'ResourceNotFoundException' });
    expect(result.Entries[4]).toMatchObject({ ErrorCode: 'ResourceNotFoundException' });
  });

  it('refuses custom events with an aws.* source', async () => {
    const bus = makeBus();
    const result = await bus.putEvents([{ ...entry(), Source: 'aws.s3' }]);
    expect(result.Entries[0]).toMatchObject({ ErrorCode: 'NotAuthorizedForSourceException' });
  });
});

describe('LocalBus subscriptions and lifecycle', () => {
  it('an invalid pattern throws at subscribe time', () => {
    const bus = makeBus();
    const deliver = async () => {};
    expect(() =>
      bus.subscribe({ name: 'test.bad', pattern: { source: 'dangjian.test' }, deliver }),
    ).toThrow();
    expect(() => bus.subscribe({ name: 'test.bad2', pattern: 'not a pattern', deliver })).toThrow(
      InvalidEventPatternError,
    );
    expect(bus.stats().subscriptions).toBe(0);
  });

  it('refuses two subscriptions with the same name', () => {
    const bus = makeBus();
    const deliver = async () => {};
    bus.subscribe({ name: 'test.same', pattern: THING, deliver });
    expect(() => bus.subscribe({ name: 'test.same', pattern: OTHER, deliver })).toThrow(/already exists/);
  });

  it('close() turns deliveries waiting for a retry into dead letters (reason "runtime stopped")', async () => {
    const bus = makeBus({ retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    let calls = 0;
    bus.subscribe({
      name: 'test.broken',
      pattern: THING,
      deliver: async () => {
        calls++;
        throw new Error('down');
      },
    });
    await bus.putEvents([entry()]);
    while (bus.stats().scheduledRetries === 0) await new Promise((resolve) => setImmediate(resolve));

    await bus.close();

    expect(calls).toBe(1);
    const letters = await store.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      target: 'test.broken',
      attempts: 1,
      reason: 'runtime stopped',
      error: { message: 'down' },
    });
    await expect(bus.putEvents([entry()])).rejects.toMatchObject({ code: 'BusClosed' });
  });
});
