/**
 * The local stand-in for the 企业微信 and 钉钉 group robots: the runtime tells notices
 * (ServiceEnv.workChatEndpoint) to post here instead of to the platforms, and keeps what
 * arrived for a person or a test to read. Told to, it answers a robot's posts with a failure
 * (an HTTP status, or HTTP 200 with a platform `errcode`), to see retries and dead letters.
 *
 *   POST /<robot host><robot path>?<query>   a post, as the platform would get it
 *   GET  /posts[?credential=<key or token>]  what arrived, oldest first
 *   PUT  /failures/<key or token>            `{ "status": 500 }` or `{ "errcode": 310000 }`
 *   DELETE /failures/<key or token>          answer that robot's posts with success again
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type WorkChatPlatform = 'wecom' | 'dingtalk';

/** The robots this stands in for, as the platforms publish them (a platform's facts, not notices' code). */
const robots: Record<WorkChatPlatform, { host: string; path: string; param: string }> = {
  wecom: { host: 'qyapi.weixin.qq.com', path: '/cgi-bin/webhook/send', param: 'key' },
  dingtalk: { host: 'oapi.dingtalk.com', path: '/robot/send', param: 'access_token' },
};

/** The hosts whose posts come here (a bundled function's `fetch` is turned here: lambda-host.ts). */
export const robotHosts = (): string[] => Object.values(robots).map((r) => r.host);

export interface CapturedPost {
  platform: WorkChatPlatform;
  host: string;
  path: string;
  /** The query as sent: the key or access_token, and 钉钉's timestamp and sign. */
  query: Record<string, string>;
  /** The key (企业微信) or access_token (钉钉) the post was for. */
  credential: string;
  body: unknown;
  receivedAt: string;
  /** What the capture answered. */
  answered: { status: number; errcode: number };
}

export type Failure = { status: number } | { errcode: number };

export interface WorkChatCapture {
  endpoint: string;
  posts(credential?: string): CapturedPost[];
  fail(credential: string, failure: Failure): void;
  succeed(credential: string): void;
  close(): Promise<void>;
}

/** The newest posts kept; older ones are dropped (a long `npm start` session). */
const KEEP = 2_000;
const MAX_BODY = 64 * 1024;

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
};

const robotOf = (host: string, path: string) =>
  (Object.entries(robots) as [WorkChatPlatform, (typeof robots)[WorkChatPlatform]][]).find(
    ([, r]) => r.host === host && r.path === path,
  );

const isFailure = (value: unknown): value is Failure => {
  if (typeof value !== 'object' || value === null) return false;
  const { status, errcode } = value as { status?: unknown; errcode?: unknown };
  if (status !== undefined)
    return Number.isInteger(status) && (status as number) >= 400 && (status as number) < 600;
  return Number.isInteger(errcode) && errcode !== 0;
};

export const startWorkChatCapture = async (): Promise<WorkChatCapture> => {
  const posts: CapturedPost[] = [];
  const failures = new Map<string, Failure>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://capture');
    if (req.method === 'GET' && url.pathname === '/posts') {
      const credential = url.searchParams.get('credential');
      return send(res, 200, credential ? posts.filter((p) => p.credential === credential) : posts);
    }
    const failing = /^\/failures\/([A-Za-z0-9_-]+)$/.exec(url.pathname)?.[1];
    if (failing && req.method === 'PUT') {
      const body = await readBody(req).then(
        (text) => JSON.parse(text) as unknown,
        () => undefined,
      );
      if (!isFailure(body))
        return send(res, 400, { error: 'send { "status": 4xx|5xx } or { "errcode": n≠0 }' });
      failures.set(failing, body);
      return send(res, 200, body);
    }
    if (failing && req.method === 'DELETE') {
      failures.delete(failing);
      return send(res, 204, undefined);
    }
    // A post: /<host><path>, the platform's own host as the first segment.
    const [, host = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    const robot = robotOf(host, path);
    if (req.method !== 'POST' || !robot) return send(res, 404, { errcode: 404, errmsg: 'no such robot' });
    const [platform, address] = robot;
    const credential = url.searchParams.get(address.param) ?? '';
    const text = await readBody(req);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Kept as text: the test reading it says what is wrong.
    }
    const failure = failures.get(credential);
    const status = failure && 'status' in failure ? failure.status : 200;
    const errcode = failure && 'errcode' in failure ? failure.errcode : 0;
    posts.push({
      platform,
      host,
      path,
      query: Object.fromEntries(url.searchParams),
      credential,
      body,
      receivedAt: new Date().toISOString(),
      answered: { status, errcode },
    });
    if (posts.length > KEEP) posts.splice(0, posts.length - KEEP);
    if (status !== 200) return send(res, status, { errcode: -1, errmsg: 'system busy' });
    return send(res, 200, { errcode, errmsg: errcode === 0 ? 'ok' : 'refused by the capture' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { errcode: -1, errmsg: 'capture failed' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    posts: (credential) => posts.filter((p) => credential === undefined || p.credential === credential),
    fail: (credential, failure) => failures.set(credential, failure),
    succeed: (credential) => failures.delete(credential),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
