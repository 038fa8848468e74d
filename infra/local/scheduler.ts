/**
 * The local EventBridge Scheduler: each described schedule runs every `every` minutes on a
 * real timer (under `npm start`), at whole multiples of its rate, with the time it was due
 * as its scheduled time, as Scheduler's `<aws.scheduler.scheduled-time>` is. A run goes to
 * the service's schedule handler through the bus's direct delivery (`deliverTo`), so a
 * failing run is retried, logged and dead-lettered as a failed delivery is, and
 * `npm run dead-letters -- --redrive` runs it again with its scheduled time. Tests turn the
 * timers off and run the schedules they name at a time they choose (`tick`, test/support/controls.ts).
 */
import { randomUUID } from 'node:crypto';
import type { SchedulePayload } from '../../shared/schedules.js';
import type { ScheduleSpec } from '../../shared/service.js';
import type { LocalBus } from './bus.js';

interface Entry {
  service: string;
  name: string;
  every: number;
  target: string;
}

const MINUTE_MS = 60_000;

export class LocalScheduler {
  private readonly entries: Entry[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;

  constructor(
    private readonly bus: LocalBus,
    private readonly log: (entry: Record<string, unknown>) => void = () => undefined,
  ) {}

  /** The bus target a schedule's runs are delivered to (and its dead letters name). */
  static targetOf(service: string, name: string): string {
    return `${service}.schedule.${name}`;
  }

  /** Subscribes the schedule's handler as a target no event on the bus reaches. */
  add(service: string, spec: ScheduleSpec, run: (payload: unknown) => Promise<void>): void {
    const target = LocalScheduler.targetOf(service, spec.name);
    this.bus.subscribe({ name: target, deliver: (event) => run(event.detail) });
    this.entries.push({ service, name: spec.name, every: spec.every, target });
    if (this.running) this.arm(this.entries.at(-1) as Entry);
  }

  /** The schedules, as `<service>.<name>`. */
  names(): string[] {
    return this.entries.map((e) => `${e.service}.${e.name}`);
  }

  /**
   * Runs schedules once, with `at` as their scheduled time (the tests' clock): those named
   * (`<service>.<name>`), or every one. A name no schedule has throws: a test that names
   * a schedule that was renamed must not pass by running nothing.
   */
  tick(at: Date, only?: readonly string[]): void {
    const unknown = (only ?? []).filter((name) => !this.names().includes(name));
    if (unknown.length > 0) throw new Error(`no schedule named ${unknown.join(', ')}`);
    for (const entry of this.entries) {
      if (!only || only.includes(`${entry.service}.${entry.name}`)) this.fire(entry, at);
    }
  }

  /** Starts the timers: each schedule next runs at the next whole multiple of its rate. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const entry of this.entries) this.arm(entry);
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(entry: Entry): void {
    const period = entry.every * MINUTE_MS;
    const due = Math.floor(Date.now() / period) * period + period;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.running) return;
      this.fire(entry, new Date(due));
      this.arm(entry);
    }, due - Date.now());
    timer.unref();
    this.timers.add(timer);
  }

  private fire(entry: Entry, at: Date): void {
    const payload: SchedulePayload = { schedule: entry.name, scheduledTime: at.toISOString() };
    this.log({
      level: 'debug',
      msg: 'scheduler.run',
      schedule: `${entry.service}.${entry.name}`,
      at: payload.scheduledTime,
    });
    try {
      this.bus.deliverTo(entry.target, {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Run',
        source: 'aws.scheduler',
        account: this.bus.account,
        time: payload.scheduledTime,
        region: this.bus.region,
        resources: [
          `arn:aws:scheduler:${this.bus.region}:${this.bus.account}:schedule/default/${entry.target}`,
        ],
        detail: payload,
      });
    } catch (error) {
      // The bus is closing: the runtime is stopping, and so is this schedule.
      this.log({ level: 'warn', msg: 'scheduler.run.refused', schedule: entry.target, error: String(error) });
    }
  }
}
