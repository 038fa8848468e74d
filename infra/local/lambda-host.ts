/**
 * Lambda's runtime, locally: runs in a worker thread of its own per function
 * (bundled-function.ts), whose `process.env` is the function's environment as CDK sets it.
 * It imports the function's bundle once (the init of a cold start), then calls the exported
 * handler with each event the runtime sends, with a Lambda context, and answers the result
 * or the error. Built by bundles.ts into `.build/lambda-host.mjs`; it imports nothing of the
 * project, so the function's code is only what its bundle holds.
 *
 * The one thing it adds: `fetch` to a work-chat robot's host (企业微信, 钉钉) goes to the
 * runtime's capture instead, and to any other host outside this machine is refused. On AWS
 * the post reaches the platform; here nothing leaves the machine.
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

export interface HostData {
  /** The bundle (`index.mjs`) and the export that is the handler (`http`, `consume`, …). */
  file: string;
  handler: string;
  functionName: string;
  timeoutMs: number;
  memoryMb: number;
  workChat?: { endpoint: string; hosts: string[] };
}

/** The event as JSON text. */
export type HostRequest = { type: 'invoke'; id: number; requestId: string; event: string };

export type HostAnswer =
  | { type: 'ready'; initMs: number }
  | { type: 'init-error'; error: HostError }
  | { type: 'result'; id: number; json: string }
  | { type: 'error'; id: number; error: HostError };

export interface HostError {
  errorType: string;
  errorMessage: string;
  stack?: string;
}

const data = workerData as HostData;
const port = parentPort;
if (!port) throw new Error('lambda-host runs in a worker thread');

const errorOf = (error: unknown): HostError =>
  error instanceof Error
    ? { errorType: error.name, errorMessage: error.message, ...(error.stack ? { stack: error.stack } : {}) }
    : { errorType: 'Error', errorMessage: String(error) };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const localFetch = (real: typeof fetch, workChat: HostData['workChat']): typeof fetch =>
  ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (workChat?.hosts.includes(url.host)) {
      const to = `${workChat.endpoint}/${url.host}${url.pathname}${url.search}`;
      return input instanceof Request ? real(new Request(to, input), init) : real(to, init);
    }
    if (LOOPBACK.has(url.hostname)) return real(input, init);
    return Promise.reject(
      new TypeError(`fetch ${url.host}: the local runtime calls no host outside this machine`),
    );
  }) as typeof fetch;

const contextOf = (requestId: string) => {
  const deadline = Date.now() + data.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${data.functionName}`,
    memoryLimitInMB: String(data.memoryMb),
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${data.functionName}`,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

const init = async (): Promise<(event: unknown, context: unknown) => Promise<unknown>> => {
  // What NODE_OPTIONS=--enable-source-maps does on Lambda (a worker takes no NODE_OPTIONS).
  if (process.env.NODE_OPTIONS?.includes('--enable-source-maps')) process.setSourceMapsEnabled(true);
  globalThis.fetch = localFetch(globalThis.fetch, data.workChat);
  const module = (await import(pathToFileURL(data.file).href)) as Record<string, unknown>;
  const handler = module[data.handler];
  if (typeof handler !== 'function') {
    const error = new Error(`index.${data.handler} is undefined or not exported`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return handler as (event: unknown, context: unknown) => Promise<unknown>;
};

const started = performance.now();
init().then(
  (handler) => {
    port.postMessage({ type: 'ready', initMs: Math.round(performance.now() - started) } satisfies HostAnswer);
    port.on('message', (request: HostRequest) => {
      // JSON both ways, as Lambda's invoke API carries them: nothing but JSON reaches the code.
      Promise.resolve()
        .then(() => handler(JSON.parse(request.event), contextOf(request.requestId)))
        .then(
          (value): HostAnswer => ({ type: 'result', id: request.id, json: JSON.stringify(value ?? null) }),
          (error: unknown): HostAnswer => ({ type: 'error', id: request.id, error: errorOf(error) }),
        )
        .then((answer) => port.postMessage(answer))
        .catch((error: unknown) =>
          port.postMessage({ type: 'error', id: request.id, error: errorOf(error) } satisfies HostAnswer),
        );
    });
  },
  (error: unknown) => {
    const e = errorOf(error);
    // Lambda's name for an entry that cannot be imported.
    if (e.errorType !== 'Runtime.HandlerNotFound') e.errorType = 'Runtime.ImportModuleError';
    port.postMessage({ type: 'init-error', error: e } satisfies HostAnswer);
  },
);
