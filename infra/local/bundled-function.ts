/**
 * One Lambda function run from its bundle: a worker thread of its own (its `process.env` is
 * the function's environment alone, as Lambda gives it), started at the first invocation
 * (the cold start) and kept warm after. Each invocation sends the event as JSON and waits
 * for the handler's answer. A function whose bundle cannot be imported fails every
 * invocation with Lambda's `Runtime.ImportModuleError`, and is tried afresh at the next one.
 * Unlike Lambda, one warm worker takes concurrent invocations (one event loop, as a
 * container with many requests would). The handler's context counts down the function's
 * timeout, but a run is failed only after RUN_LIMIT_MS, and its work is not killed: on a busy
 * 2-core machine a run's wall time says nothing of Lambda's.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { HostAnswer, HostData, HostError, HostRequest } from './lambda-host.js';

export interface BundledFunctionOptions extends HostData {
  /** The local Lambda host (`.build/lambda-host.mjs`). */
  host: string;
  env: Record<string, string>;
  /** Every line the function prints (Powertools JSON), as Lambda ships it to its log group. */
  output: (line: string) => void;
}

/** What the handler threw, or why it could not run, as Lambda reports a function error. */
export class FunctionError extends Error {
  readonly errorType: string;
  constructor(functionName: string, error: HostError) {
    super(`${functionName}: ${error.errorType}: ${error.errorMessage}`);
    this.name = 'FunctionError';
    this.errorType = error.errorType;
    if (error.stack) this.stack = error.stack;
  }
}

/** A run that has not answered by then failed (Lambda's own timeout is the handler's to watch). */
export const RUN_LIMIT_MS = 60_000;

/**
 * Cold starts wait for one another: thirty workers importing their bundles at once on two
 * cores starve every warm function's event loop (its SDK calls time out); one at a time,
 * each is ready sooner and the warm ones keep running.
 */
let coldStartQueue: Promise<unknown> = Promise.resolve();
const oneColdStartAtATime = <T>(start: () => Promise<T>): Promise<T> => {
  const turn = coldStartQueue.then(start);
  coldStartQueue = turn.catch(() => undefined);
  return turn;
};

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class BundledFunction {
  coldStarts = 0;
  invocations = 0;
  lastInitMs: number | undefined;
  /** Why the last cold start failed, until one succeeds. */
  initError: string | undefined;
  private worker: Promise<Worker> | undefined;
  private current: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped = false;

  constructor(private readonly options: BundledFunctionOptions) {}

  get name(): string {
    return this.options.functionName;
  }

  get warm(): boolean {
    return this.current !== undefined;
  }

  async invoke(event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    if (this.stopped) throw new Error(`${this.name} is stopped`);
    this.invocations++;
    this.worker ??= oneColdStartAtATime(() => this.start());
    const worker = await this.worker;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const seconds = (RUN_LIMIT_MS / 1000).toFixed(2);
        reject(
          new FunctionError(this.name, {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${seconds} seconds`,
          }),
        );
      }, RUN_LIMIT_MS);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({
        type: 'invoke',
        id,
        requestId,
        event: JSON.stringify(event),
      } satisfies HostRequest);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const worker = await this.worker?.catch(() => undefined);
    this.worker = undefined;
    this.failAll(new Error(`${this.name} stopped`));
    await worker?.terminate();
  }

  private start(): Promise<Worker> {
    this.coldStarts++;
    const { host, env, output, ...data } = this.options;
    const worker = new Worker(host, {
      workerData: data satisfies HostData,
      env,
      // Not the runtime's own flags (tsx's loader): a function has only its bundle.
      execArgv: [],
      stdout: true,
      stderr: true,
    });
    worker.unref();
    this.current = worker;
    for (const stream of [worker.stdout, worker.stderr] as Readable[]) {
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', output);
    }
    return new Promise<Worker>((resolve, reject) => {
      let ready = false;
      worker.on('message', (answer: HostAnswer) => {
        if (answer.type === 'ready') {
          ready = true;
          this.lastInitMs = answer.initMs;
          this.initError = undefined;
          resolve(worker);
        } else if (answer.type === 'init-error') {
          reject(new FunctionError(this.name, answer.error));
        } else {
          const pending = this.pending.get(answer.id);
          if (!pending) return;
          this.pending.delete(answer.id);
          clearTimeout(pending.timer);
          if (answer.type === 'result') pending.resolve(JSON.parse(answer.json));
          else pending.reject(new FunctionError(this.name, answer.error));
        }
      });
      // An uncaught error ends the worker, as it ends Lambda's runtime: in-flight runs fail,
      // and the next invocation starts a new one (another cold start).
      worker.on('error', (error) => {
        if (!ready)
          reject(
            new FunctionError(this.name, {
              errorType: 'Runtime.ImportModuleError',
              errorMessage: error.message,
            }),
          );
        this.failAll(
          new FunctionError(this.name, { errorType: 'Runtime.ExitError', errorMessage: error.message }),
        );
      });
      worker.on('exit', (code) => {
        if (!ready)
          reject(
            new FunctionError(this.name, {
              errorType: 'Runtime.ExitError',
              errorMessage: `exited with ${code}`,
            }),
          );
        this.failAll(
          new FunctionError(this.name, {
            errorType: 'Runtime.ExitError',
            errorMessage: `exited with ${code}`,
          }),
        );
        if (this.current === worker) {
          this.current = undefined;
          this.worker = undefined;
        }
      });
    }).catch((error: unknown) => {
      // A failed init is not kept: Lambda tries the init again at the next invocation.
      this.initError = (error as Error).message;
      if (this.current === worker) this.current = undefined;
      this.worker = undefined;
      void worker.terminate();
      throw error;
    });
  }

  private failAll(error: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }
}
