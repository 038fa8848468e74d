/**
 * The local bus over HTTP.
 *
 * `POST /` speaks EventBridge's wire protocol (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`),
 * so the real `EventBridgeClient` pointed at this endpoint (any region, dummy credentials)
 * works unchanged; the request signature is not checked.
 *
 * Admin routes, JSON, for the dead-letters CLI and tests:
 *   GET  /dead-letters            → { items: DeadLetter[] }
 *   POST /dead-letters/redrive    body { id? } → { redriven: string[], skipped: [...] }
 *   GET  /idle                    → waits for bus.idle(), then { idle: true, stats }
 *   GET  /stats                   → bus.stats()
 * A caller may add its own (the tests' fault switches, test/support/controls.ts) with `extra`.
 * Admin errors are `{ error: { code, message } }`; AWS errors are `{ __type, message }`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { BusError, type LocalBus } from './bus.js';
import type { ExtraRoutes } from './gateway.js';

export interface BusServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  log?: (entry: Record<string, unknown>) => void;
  /** Admin routes of the caller's, tried before the server's own. */
  extra?: ExtraRoutes;
}

export interface BusServer {
  /** Base URL, e.g. http://127.0.0.1:4010 — the EventBridgeClient endpoint and the admin base URL. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const AMZ_JSON = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 2 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startBusServer(bus: LocalBus, opts: BusServerOptions = {}): Promise<BusServer> {
  const log = opts.log ?? (() => {});
  const host = opts.host ?? '127.0.0.1';

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log({ level: 'error', msg: 'busServer.unhandled', error: String(err) });
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 'InternalError', message: 'internal error' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const target = req.headers['x-amz-target'];
    if (url.pathname === '/' && (req.method === 'POST' || target !== undefined)) {
      await handleAws(req, res, typeof target === 'string' ? target : undefined);
      return;
    }
    try {
      if (await opts.extra?.(req, res, url)) return;
      await handleAdmin(req, res, req.method ?? 'GET', url.pathname);
    } catch (err) {
      const { status, code, message } = toHttpError(err);
      if (status >= 500) log({ level: 'error', msg: 'busServer.admin.failed', error: String(err) });
      sendJson(res, status, { error: { code, message } });
    }
  }

  async function handleAws(
    req: IncomingMessage,
    res: ServerResponse,
    target: string | undefined,
  ): Promise<void> {
    const requestId = randomUUID();
    const awsError = (status: number, type: string, message: string) => {
      res.writeHead(status, {
        'content-type': AMZ_JSON,
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': type,
      });
      res.end(JSON.stringify({ __type: type, message }));
    };
    if (req.method !== 'POST') {
      awsError(400, 'UnknownOperationException', `method ${req.method} is not supported`);
      return;
    }
    if (target !== 'AWSEvents.PutEvents') {
      req.resume();
      awsError(400, 'UnknownOperationException', `unknown operation ${target ?? '(no X-Amz-Target)'}`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch (err) {
      if (err instanceof HttpError) awsError(413, 'RequestEntityTooLargeException', err.message);
      else awsError(400, 'SerializationException', 'request body is not valid JSON');
      return;
    }
    let entries: PutEventsRequestEntry[];
    try {
      entries = fromWire(body);
    } catch (err) {
      awsError(400, 'SerializationException', (err as Error).message);
      return;
    }
    try {
      const result = await bus.putEvents(entries);
      res.writeHead(200, { 'content-type': AMZ_JSON, 'x-amzn-requestid': requestId });
      res.end(JSON.stringify(result));
    } catch (err) {
      if (err instanceof BusError && err.code === 'ValidationException') {
        awsError(400, 'ValidationException', err.message);
      } else if (err instanceof BusError && err.code === 'BusClosed') {
        awsError(503, 'ServiceUnavailable', err.message);
      } else {
        log({ level: 'error', msg: 'busServer.putEvents.failed', error: String(err) });
        awsError(500, 'InternalException', 'internal error');
      }
    }
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, method: string, path: string) {
    const route = `${method} ${path.replace(/\/+$/, '') || '/'}`;
    switch (route) {
      case 'GET /dead-letters': {
        sendJson(res, 200, { items: await bus.deadLetters.list() });
        return;
      }
      case 'POST /dead-letters/redrive': {
        const body = await readJsonObject(req);
        const id = body.id;
        if (id !== undefined && (typeof id !== 'string' || id === '')) {
          throw new HttpError(400, 'ValidationError', 'id must be a non-empty string');
        }
        const unknown = Object.keys(body).filter((key) => key !== 'id');
        if (unknown.length > 0)
          throw new HttpError(400, 'ValidationError', `unknown field(s): ${unknown.join(', ')}`);
        sendJson(res, 200, await bus.redrive(id));
        return;
      }
      case 'GET /idle':
        await bus.idle();
        sendJson(res, 200, { idle: true, stats: bus.stats() });
        return;
      case 'GET /stats':
        sendJson(res, 200, bus.stats());
        return;
      default: {
        req.resume();
        const known = ['/dead-letters', '/dead-letters/redrive', '/idle', '/stats'];
        if (known.includes(path))
          throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on ${path}`);
        throw new HttpError(404, 'NotFound', `no route ${method} ${path}`);
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${endpointHost(host)}:${port}`;
  log({ level: 'info', msg: 'busServer.listening', endpoint });

  return {
    endpoint,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets of SDK clients (and a pending GET /idle) would hold close() open.
        server.closeAllConnections();
      }),
  };
}

/**
 * The SDK's JSON for PutEvents → the SDK's input shape. Time arrives as epoch seconds (the
 * AWS JSON protocol's default timestamp format); an ISO string is accepted too.
 */
function fromWire(body: unknown): PutEventsRequestEntry[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error('request body must be a JSON object');
  }
  const { Entries } = body as { Entries?: unknown };
  if (Entries === undefined || Entries === null) return Entries as unknown as PutEventsRequestEntry[];
  if (!Array.isArray(Entries)) throw new Error('Entries must be a list');
  return Entries.map((raw, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new Error(`Entries[${index}] must be a structure`);
    }
    const { Time, ...rest } = raw as Record<string, unknown>;
    const entry = rest as PutEventsRequestEntry;
    if (Time !== undefined && Time !== null) {
      if (typeof Time === 'number') entry.Time = new Date(Time * 1000);
      else if (typeof Time === 'string') entry.Time = new Date(Time);
      else throw new Error(`Entries[${index}].Time must be a timestamp`);
    }
    return entry;
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new HttpError(413, 'PayloadTooLarge', `body over ${MAX_BODY_BYTES} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'ValidationError', 'body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'ValidationError', 'body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function toHttpError(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
  if (err instanceof BusError) {
    const status =
      { NotFound: 404, UnknownTarget: 409, ValidationException: 400, BusClosed: 503 }[err.code] ?? 500;
    return { status, code: err.code, message: err.message };
  }
  return { status: 500, code: 'InternalError', message: 'internal error' };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
