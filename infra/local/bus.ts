/**
 * The local, in-process EventBridge-compatible bus.
 *
 * What it reproduces from EventBridge, because the services' code depends on it:
 * - PutEvents' request shape, per-entry validation and per-entry results (a bad entry fails
 *   alone; a bad request — no entries, more than 10, over 256 KB — fails as a whole);
 * - events in EventBridge's format, matched against each subscription's pattern with the
 *   project's full pattern matcher (`shared/events/pattern.ts`);
 * - asynchronous, at-least-once delivery: PutEvents answers before any target runs, each
 *   (event, target) delivery is independent, failures are retried with exponential backoff
 *   and jitter, and an event that still fails ends up as a dead letter (on disk, see
 *   `dead-letters.ts`) that can be listed and redriven to its target.
 *
 * And what it adds for tests: `idle()` (wait until nothing is in flight or scheduled,
 * instead of sleeping), fault switches (`faults`) and counters (`stats()`).
 */
import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { compilePattern } from '../../shared/events/pattern.js';
import type { DeadLetter, DeadLetterStore, EventBridgeEvent } from './dead-letters.js';

export type { EventBridgeEvent } from './dead-letters.js';

export const MAX_ENTRIES_PER_CALL = 10;
/** EventBridge's limit on the total size of a PutEvents request's entries, computed its way. */
export const MAX_REQUEST_BYTES = 256 * 1024;

export interface RetryPolicy {
  /** Attempts in total (the first delivery included). */
  maxAttempts: number;
  /** Delay before the 2nd attempt; doubles for each further attempt. */
  baseDelayMs: number;
  /** Upper bound of a single delay. */
  maxDelayMs: number;
}

/**
 * EventBridge retries a target for up to 24 hours (185 attempts), and Lambda retries a failed
 * asynchronous invocation twice more, about one and two minutes later; this bus gives up much
 * sooner, so that a consumer that is really broken shows as a dead letter within minutes.
 * But it must not give up before a consumer's own lease would let a retry through: notices'
 * mail holds each recipient for 60 s (services/notices/mail.ts), and a delivery that meets a
 * recipient held by a delivery that died waits for that lease to end. At 5 attempts over
 * about 3 s, as this was, such a delivery went to the dead letters with the recipient unmailed
 * (a lost mail) whenever a loaded machine made the first delivery fail after its claim.
 * Now: even at the shortest jitter, the last attempt comes 75 s after the first (longer than
 * the longest lease a consumer holds), and at the longest 2½ minutes after, plus
 * the attempts' own time; bus.test.ts holds both.
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 30_000 };

/** The delay before each retry at its shortest ("equal jitter": half) and at its longest. */
const retryDelays = ({ maxAttempts, baseDelayMs, maxDelayMs }: RetryPolicy): number[] =>
  Array.from({ length: Math.max(0, maxAttempts - 1) }, (_, n) => Math.min(maxDelayMs, baseDelayMs * 2 ** n));

/** From the first attempt's start to the last one's, at the shortest jitter (the attempts' own time left out). */
export const shortestRetrySpanMs = (policy: RetryPolicy): number =>
  retryDelays(policy).reduce((sum, d) => sum + d / 2, 0);

/** The same at the longest jitter. */
export const longestRetrySpanMs = (policy: RetryPolicy): number =>
  retryDelays(policy).reduce((sum, d) => sum + d, 0);

export interface BusTarget {
  /** Unique name, e.g. 'talent.activity-completed'; dead letters refer to it. */
  name: string;
  /**
   * An EventBridge event pattern. Absent: a target no event on the bus reaches, only
   * `deliverTo` (a schedule's, which Scheduler invokes directly on AWS).
   */
  pattern?: unknown;
  /** Delivers one event; a throw (rejection) means "failed, retry". */
  deliver: (event: EventBridgeEvent) => Promise<void>;
}

export interface BusFaults {
  /** PutEvents answers every entry with ErrorCode 'InternalFailure' and delivers nothing. */
  refusePutEvents: boolean;
  /** Every matching delivery happens twice (as at-least-once delivery allows). */
  duplicateDeliveries: boolean;
}

export interface BusStats {
  /** Events accepted (PutEvents entries that got an EventId, plus `publish`ed events). */
  accepted: number;
  /** PutEvents entries answered with an error. */
  failedEntries: number;
  /** Accepted events that matched no subscription. */
  unmatched: number;
  /** Successful deliveries (a duplicated delivery counts twice). */
  delivered: number;
  /** Attempts after a failed attempt. */
  retried: number;
  /** Dead letters written (including redriven letters that failed again). */
  deadLettered: number;
  /** Dead letters redriven successfully (and removed). */
  redriven: number;
  /** Deliveries running or waiting for a retry. */
  inFlight: number;
  /** Of those, waiting for a retry. */
  scheduledRetries: number;
  subscriptions: number;
}

export interface LocalBusOptions {
  /** The bus name, e.g. 'dangjian-local'; PutEvents entries may name it or its ARN. */
  name: string;
  region?: string;
  account?: string;
  deadLetters: DeadLetterStore;
  retry?: Partial<RetryPolicy>;
  /**
   * A policy of its own for some targets, by name (EventBridge's rule targets each have
   * one): a test's deliberately failing target dead-letters in milliseconds on a bus whose
   * other targets keep the default.
   */
  targetRetry?: Record<string, Partial<RetryPolicy>>;
  now?: () => Date;
  log?: (entry: Record<string, unknown>) => void;
  /** Deliveries running at once, whatever the target (default MAX_CONCURRENT_DELIVERIES). */
  maxConcurrentDeliveries?: number;
}

/**
 * On AWS each delivery is its own Lambda invocation, against a DynamoDB that takes them all.
 * Here every delivery shares the runtime's process, its SDK clients' sockets and one
 * DynamoDB Local, which writes one request at a time: without a bound, a burst (a seed's
 * year of meetings, each fanning out to its invitees' inboxes, calendars and mail) queued
 * requests in the clients until they gave up connecting (thousands of 1 s connection
 * timeouts in one seed, and 503s to the seed's own requests). The bound plays the part of
 * an account's concurrency: events wait on the bus, as they would for a throttled Lambda.
 */
export const MAX_CONCURRENT_DELIVERIES = 8;
// Deliveries waiting for a place take turns by target, not by arrival: on AWS each target is
// a function with its own queue and concurrency, so a year of meetings' fan-out to one
// consumer never holds up another consumer's first delivery. First come, first served here
// made an announcement's inbox entries wait behind 2,000 attendance deliveries in a seed.

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** An error with an AWS-style code: 'ValidationException', 'NotFound', 'UnknownTarget', 'BusClosed'. */
export class BusError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}

interface Subscription {
  name: string;
  matches: (event: unknown) => boolean;
  deliver: (event: EventBridgeEvent) => Promise<void>;
}

interface Job {
  event: EventBridgeEvent;
  target: Subscription;
  /** Set when this job redrives a dead letter. */
  letter?: DeadLetter;
  /** Attempts made by this job. */
  attempts: number;
  firstAttemptAt?: string;
  lastAttemptAt?: string;
  lastError?: unknown;
}

export class LocalBus {
  readonly name: string;
  readonly region: string;
  readonly account: string;
  readonly arn: string;
  /** Fault switches for fault-injection tests; mutate freely. */
  readonly faults: BusFaults = { refusePutEvents: false, duplicateDeliveries: false };

  /** Where dead letters go (also read by the bus server's GET /dead-letters). */
  readonly deadLetters: DeadLetterStore;
  private readonly retry: RetryPolicy;
  private readonly targetRetry = new Map<string, RetryPolicy>();
  private readonly now: () => Date;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly counters = {
    accepted: 0,
    failedEntries: 0,
    unmatched: 0,
    delivered: 0,
    retried: 0,
    deadLettered: 0,
    redriven: 0,
  };
  /** Jobs started and not finished (running, waiting to start, or waiting for a retry). */
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  /** Jobs waiting for a retry → wakes them early (used by close). */
  private readonly sleeping = new Map<Job, () => void>();
  /** Dead letters being redriven right now. */
  private readonly redriving = new Set<string>();
  /** Dead letters this bus redrove successfully and removed (guards against a stale list). */
  private readonly resolvedLetters = new Set<string>();
  private readonly warnedDefaultBus = new Set<string>();
  private closed = false;
  private readonly maxRunning: number;
  private running = 0;
  /** Deliveries waiting for a place among those running, first come first served. */
  /** Per target, in order; the targets in the order of their turn (a Map keeps insertion order). */
  private readonly waitingToRun = new Map<string, Array<() => void>>();

  constructor(opts: LocalBusOptions) {
    this.name = opts.name;
    this.region = opts.region ?? 'us-east-1';
    this.account = opts.account ?? '000000000000';
    this.arn = `arn:aws:events:${this.region}:${this.account}:event-bus/${this.name}`;
    this.deadLetters = opts.deadLetters;
    this.retry = { ...DEFAULT_RETRY, ...definedOnly(opts.retry ?? {}) };
    if (!(this.retry.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
    for (const [target, policy] of Object.entries(opts.targetRetry ?? {})) {
      const own = { ...this.retry, ...definedOnly(policy) };
      if (!(own.maxAttempts >= 1)) throw new RangeError(`retry.maxAttempts of ${target} must be at least 1`);
      this.targetRetry.set(target, own);
    }
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log ?? (() => {});
    this.maxRunning = opts.maxConcurrentDeliveries ?? MAX_CONCURRENT_DELIVERIES;
    if (!(this.maxRunning >= 1)) throw new RangeError('maxConcurrentDeliveries must be at least 1');
  }

  /** Runs one attempt when fewer than the bound are running; the place is given back after. */
  private async bounded<T>(target: string, attempt: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxRunning) {
      await new Promise<void>((resolve) => {
        const line = this.waitingToRun.get(target);
        if (line) line.push(resolve);
        else this.waitingToRun.set(target, [resolve]);
      });
    } else {
      this.running++;
    }
    try {
      return await attempt();
    } finally {
      const next = this.nextInTurn();
      // The place passes straight to the next in turn, or is freed.
      if (next) next();
      else this.running--;
    }
  }

  /** The first waiting delivery of the target whose turn it is; that target goes last. */
  private nextInTurn(): (() => void) | undefined {
    for (const [target, line] of this.waitingToRun) {
      this.waitingToRun.delete(target);
      const next = line.shift();
      if (line.length > 0) this.waitingToRun.set(target, line);
      if (next) return next;
    }
    return undefined;
  }

  /**
   * Adds a subscription (a rule with one target). The pattern is compiled now, so an
   * invalid pattern throws here (InvalidEventPatternError). Returns an unsubscribe function
   * (deliveries already started still finish).
   */
  subscribe(target: BusTarget): () => void {
    if (this.subscriptions.has(target.name)) {
      throw new BusError('ValidationException', `a subscription named ${target.name} already exists`);
    }
    const subscription: Subscription = {
      name: target.name,
      matches: target.pattern === undefined ? () => false : compilePattern(target.pattern),
      deliver: target.deliver,
    };
    this.subscriptions.set(target.name, subscription);
    return () => {
      if (this.subscriptions.get(target.name) === subscription) this.subscriptions.delete(target.name);
    };
  }

  /**
   * EventBridge's PutEvents. Answers before anything is delivered. Throws a BusError
   * 'ValidationException' for a request EventBridge refuses as a whole; otherwise every
   * entry gets either an EventId or an ErrorCode/ErrorMessage, in order.
   */
  async putEvents(entries: PutEventsRequestEntry[]): Promise<PutEventsResult> {
    this.assertOpen();
    validateRequest(entries);
    if (this.faults.refusePutEvents) {
      this.counters.failedEntries += entries.length;
      return {
        FailedEntryCount: entries.length,
        Entries: entries.map(() => ({
          ErrorCode: 'InternalFailure',
          ErrorMessage: 'Injected fault: refusePutEvents',
        })),
      };
    }
    const results: PutEventsResultEntry[] = [];
    let failed = 0;
    for (const entry of entries) {
      const outcome = this.toEvent(entry);
      if ('ErrorCode' in outcome) {
        failed++;
        results.push(outcome);
        continue;
      }
      results.push({ EventId: outcome.id });
      this.accept(outcome);
    }
    this.counters.failedEntries += failed;
    return { FailedEntryCount: failed, Entries: results };
  }

  /**
   * Puts an already formed event on the bus (e.g. S3's "Object Created" from the local S3
   * server). Delivery is asynchronous, as for putEvents.
   */
  publish(event: EventBridgeEvent): void {
    this.assertOpen();
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.source !== 'string' ||
      typeof event['detail-type'] !== 'string'
    ) {
      throw new TypeError('publish needs an EventBridge event with source and detail-type');
    }
    this.accept(structuredClone(event));
  }

  /**
   * Delivers an event to one subscribed target only, matched against no pattern, as
   * EventBridge Scheduler invokes its target: asynchronously, with the same retries, dead
   * letters (redriven to that target) and duplicate-delivery fault as any delivery.
   */
  deliverTo(targetName: string, event: EventBridgeEvent): void {
    this.assertOpen();
    const target = this.subscriptions.get(targetName);
    if (!target) throw new BusError('UnknownTarget', `target ${targetName} is not subscribed`);
    this.counters.accepted++;
    const copies = this.faults.duplicateDeliveries ? 2 : 1;
    for (let i = 0; i < copies; i++) this.start({ event: structuredClone(event), target, attempts: 0 });
  }

  /**
   * Resolves when no delivery is running, waiting to start, or waiting for a retry —
   * including deliveries caused by events put while waiting (e.g. by a target).
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.pending > 0) {
        await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      }
      // Give work triggered by the last delivery (a fire-and-forget putEvents, say) one turn
      // of the event loop to show up before calling the bus quiescent.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.pending === 0) return;
    }
  }

  stats(): BusStats {
    return {
      ...this.counters,
      inFlight: this.pending,
      scheduledRetries: this.sleeping.size,
      subscriptions: this.subscriptions.size,
    };
  }

  /**
   * Redelivers one dead letter (or all) to its own target only, with the normal retry
   * policy. Resolves once the redeliveries are started (await `idle()` for the outcome):
   * a letter delivered successfully is removed from the store; one that fails again is
   * rewritten in place (same id) with the attempts added up and the new error.
   * Throws BusError 'NotFound' for an unknown id and 'UnknownTarget' when the letter's
   * target is not subscribed (any more); with no id such letters are reported in `skipped`.
   */
  async redrive(id?: string): Promise<{ redriven: string[]; skipped: { id: string; reason: string }[] }> {
    this.assertOpen();
    let letters: DeadLetter[];
    if (id === undefined) {
      letters = await this.deadLetters.list();
    } else {
      const letter = await this.deadLetters.get(id);
      if (!letter) throw new BusError('NotFound', `no dead letter with id ${id}`);
      letters = [letter];
    }
    this.assertOpen();
    const redriven: string[] = [];
    const skipped: { id: string; reason: string }[] = [];
    for (const letter of letters) {
      if (this.redriving.has(letter.id) || this.resolvedLetters.has(letter.id)) {
        skipped.push({ id: letter.id, reason: 'already being redriven' });
        continue;
      }
      const target = this.subscriptions.get(letter.target);
      if (!target) {
        const reason = `target ${letter.target} is not subscribed`;
        if (id !== undefined) throw new BusError('UnknownTarget', reason);
        skipped.push({ id: letter.id, reason });
        continue;
      }
      this.redriving.add(letter.id);
      this.start({ event: letter.event, target, letter, attempts: 0 });
      redriven.push(letter.id);
    }
    this.log({ level: 'info', msg: 'bus.redrive', redriven, skipped });
    return { redriven, skipped };
  }

  /**
   * Stops the bus: new putEvents/publish/redrive calls throw 'BusClosed'; deliveries waiting
   * for a retry (or not yet started) are not lost silently but written as dead letters with
   * reason 'runtime stopped' (a redriven letter simply stays in the store, its attempts
   * updated), so `npm run dead-letters -- --redrive` can deliver them after the next start.
   * Deliveries running right now are awaited (a failure is dead-lettered at once, without
   * retry). Resolves when everything is settled and written.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.sleeping.values()]) wake();
    await this.idle();
  }

  // ---------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new BusError('BusClosed', `bus ${this.name} is closed`);
  }

  /** Validates one entry the way EventBridge does and turns it into an event. */
  private toEvent(
    entry: PutEventsRequestEntry,
  ): EventBridgeEvent | { ErrorCode: string; ErrorMessage: string } {
    if (typeof entry !== 'object' || entry === null) {
      return invalidArgument('Entry', 'Entry must be a structure.');
    }
    const busName = entry.EventBusName;
    if (busName !== undefined && busName !== null && busName !== '') {
      if (busName !== this.name && busName !== this.arn) {
        return {
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Event bus ${busName} does not exist.`,
        };
      }
    }
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      const value = entry[field];
      if (value === undefined || value === null || value === '') {
        return invalidArgument(field, `${field} is a required argument.`);
      }
      if (typeof value !== 'string') return invalidArgument(field, `${field} must be a string.`);
    }
    const source = entry.Source as string;
    const detailType = entry.DetailType as string;
    if (source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    let time: Date;
    if (entry.Time === undefined || entry.Time === null) {
      time = this.now();
    } else if (entry.Time instanceof Date && !Number.isNaN(entry.Time.getTime())) {
      time = entry.Time;
    } else {
      return invalidArgument('Time', 'Time must be a valid timestamp.');
    }
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string')) {
      return invalidArgument('Resources', 'Resources must be a list of strings.');
    }
    if (busName === undefined || busName === null || busName === '') {
      // On AWS an entry without EventBusName goes to the account's *default* bus, where the
      // project has no rules. Accepted here (there is only one bus), but said once per source.
      if (!this.warnedDefaultBus.has(source)) {
        this.warnedDefaultBus.add(source);
        this.log({
          level: 'warn',
          msg: 'bus.putEvents.noEventBusName',
          source,
          detail: `entries without EventBusName would go to the default bus on AWS, not ${this.name}`,
        });
      }
    }
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: this.account,
      time: formatTime(time),
      region: this.region,
      resources: [...resources],
      detail,
    };
  }

  private accept(event: EventBridgeEvent): void {
    this.counters.accepted++;
    let matched = 0;
    for (const target of this.subscriptions.values()) {
      let matches: boolean;
      try {
        matches = target.matches(event);
      } catch (err) {
        this.log({
          level: 'error',
          msg: 'bus.match.failed',
          target: target.name,
          eventId: event.id,
          ...errorInfo(err),
        });
        matches = false;
      }
      if (!matches) continue;
      matched++;
      const copies = this.faults.duplicateDeliveries ? 2 : 1;
      for (let i = 0; i < copies; i++) this.start({ event, target, attempts: 0 });
    }
    if (matched === 0) this.counters.unmatched++;
    this.log({
      level: 'debug',
      msg: 'bus.accepted',
      eventId: event.id,
      source: event.source,
      detailType: event['detail-type'],
      matched,
    });
  }

  /** Starts a job; the counter goes up synchronously, so idle() called right after waits for it. */
  private start(job: Job): void {
    this.pending++;
    void this.run(job)
      .catch((err: unknown) => {
        this.log({ level: 'error', msg: 'bus.delivery.crashed', target: job.target.name, ...errorInfo(err) });
      })
      .finally(() => {
        if (job.letter) this.redriving.delete(job.letter.id);
        this.pending--;
        if (this.pending === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const resolve of waiters) resolve();
        }
      });
  }

  private async run(job: Job): Promise<void> {
    // Deliver on a later turn of the event loop: the caller of putEvents has its answer first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (;;) {
      if (this.closed) {
        await this.giveUp(job, 'runtime stopped');
        return;
      }
      job.attempts++;
      const at = this.now().toISOString();
      job.firstAttemptAt ??= at;
      job.lastAttemptAt = at;
      try {
        // Each target gets its own copy, as it would get its own JSON on AWS.
        await this.bounded(job.target.name, () => job.target.deliver(structuredClone(job.event)));
        await this.succeeded(job);
        return;
      } catch (err) {
        job.lastError = err;
        this.log({
          level: 'warn',
          msg: 'bus.delivery.failed',
          target: job.target.name,
          eventId: job.event.id,
          attempt: job.attempts,
          maxAttempts: this.retryOf(job).maxAttempts,
          ...errorInfo(err),
        });
      }
      if (job.attempts >= this.retryOf(job).maxAttempts) {
        await this.giveUp(job);
        return;
      }
      if (this.closed) continue; // → dead letter 'runtime stopped', no retry after close
      this.counters.retried++;
      await this.sleep(job, this.backoff(job, job.attempts));
    }
  }

  private retryOf(job: Job): RetryPolicy {
    return this.targetRetry.get(job.target.name) ?? this.retry;
  }

  /** Delay after the n-th failed attempt: base·2^(n-1), capped, with "equal jitter" (½…1 of it). */
  private backoff(job: Job, failedAttempts: number): number {
    const { baseDelayMs, maxDelayMs } = this.retryOf(job);
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempts - 1));
    return delay / 2 + Math.random() * (delay / 2);
  }

  private sleep(job: Job, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping.delete(job);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeping.set(job, wake);
    });
  }

  private async succeeded(job: Job): Promise<void> {
    this.counters.delivered++;
    if (!job.letter) return;
    this.resolvedLetters.add(job.letter.id);
    await this.deadLetters.remove(job.letter.id);
    this.counters.redriven++;
    this.log({ level: 'info', msg: 'bus.redrive.delivered', id: job.letter.id, target: job.target.name });
  }

  /** Writes (or, for a redrive, rewrites) the dead letter for a job that is given up. */
  private async giveUp(job: Job, reason?: string): Promise<void> {
    const at = this.now().toISOString();
    const error =
      job.lastError === undefined
        ? { message: 'runtime stopped before delivery' }
        : serializeError(job.lastError);
    try {
      if (job.letter) {
        if (job.attempts === 0) return; // stopped before redelivering: the letter is unchanged
        const letter: DeadLetter = {
          ...job.letter,
          error,
          attempts: job.letter.attempts + job.attempts,
          lastAttemptAt: job.lastAttemptAt ?? at,
        };
        if (reason) letter.reason = reason;
        else delete letter.reason;
        await this.deadLetters.update(letter);
      } else {
        await this.deadLetters.add({
          target: job.target.name,
          event: job.event,
          error,
          attempts: job.attempts,
          firstAttemptAt: job.firstAttemptAt ?? at,
          lastAttemptAt: job.lastAttemptAt ?? at,
          ...(reason ? { reason } : {}),
        });
      }
      this.counters.deadLettered++;
      this.log({
        level: 'error',
        msg: 'bus.deadLettered',
        target: job.target.name,
        eventId: job.event.id,
        attempts: job.attempts,
        reason: reason ?? 'attempts exhausted',
        error: error.message,
      });
    } catch (err) {
      // Nothing else can keep the event: say so loudly, with the event itself.
      this.log({
        level: 'error',
        msg: 'bus.deadLetter.writeFailed',
        target: job.target.name,
        event: job.event,
        ...errorInfo(err),
      });
    }
  }
}

function validateRequest(entries: unknown): asserts entries is PutEventsRequestEntry[] {
  if (!Array.isArray(entries)) {
    throw new BusError(
      'ValidationException',
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  if (entries.length < 1 || entries.length > MAX_ENTRIES_PER_CALL) {
    const bound =
      entries.length < 1
        ? 'Member must have length greater than or equal to 1'
        : `Member must have length less than or equal to ${MAX_ENTRIES_PER_CALL}`;
    throw new BusError(
      'ValidationException',
      `1 validation error detected: Value with ${entries.length} entries at 'entries' failed to satisfy constraint: ${bound}`,
    );
  }
  let total = 0;
  for (const entry of entries as PutEventsRequestEntry[]) total += entrySize(entry);
  if (total > MAX_REQUEST_BYTES) {
    throw new BusError(
      'ValidationException',
      `Total size of the entries in the request is over the limit (${total} > ${MAX_REQUEST_BYTES} bytes).`,
    );
  }
}

/** EventBridge's way of sizing an entry: Time counts 14 bytes, strings their UTF-8 length. */
export function entrySize(entry: PutEventsRequestEntry): number {
  if (typeof entry !== 'object' || entry === null) return 0;
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const resource of entry.Resources) size += bytes(resource);
  return size;
}

/** EventBridge's `time`: ISO-8601 UTC without milliseconds. */
function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function invalidArgument(field: string, reason: string): { ErrorCode: string; ErrorMessage: string } {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}` };
}

function serializeError(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error)
    return err.stack ? { message: err.message, stack: err.stack } : { message: err.message };
  return { message: typeof err === 'string' ? err : safeJson(err) };
}

function errorInfo(err: unknown): Record<string, unknown> {
  const { message, stack } = serializeError(err);
  return { error: message, stack };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
