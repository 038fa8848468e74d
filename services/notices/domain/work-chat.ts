/**
 * Work-chat delivery (企业微信 and 钉钉 group robots): which URL a branch may register, what
 * is shown of it, what is posted and how 钉钉's 加签 signs it. Pure: no I/O, no clock (the
 * signature takes its timestamp).
 *
 * The platform only ever calls a URL it builds itself from a platform's fixed host and path
 * and the credential taken out of the registered URL, never the text a caller sent.
 */
import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { type Caller, hasRole } from '../../../shared/auth.js';
import { accept, badRequest, type Result, refuse } from '../../../shared/errors.js';

export const workChatPlatforms = ['wecom', 'dingtalk'] as const;
export type WorkChatPlatform = (typeof workChatPlatforms)[number];

/** Each platform's robot address: its host, its path, and the query parameter holding the credential. */
export const robotAddress = {
  wecom: { host: 'qyapi.weixin.qq.com', path: '/cgi-bin/webhook/send', param: 'key' }, // 企业微信
  dingtalk: { host: 'oapi.dingtalk.com', path: '/robot/send', param: 'access_token' }, // 钉钉
} as const satisfies Record<WorkChatPlatform, { host: string; path: string; param: string }>;

/** A robot's key (企业微信) or access token (钉钉): what makes the URL a credential. */
export const credentialPattern = /^[A-Za-z0-9_-]{16,128}$/;
/** 钉钉's 加签 secret. */
export const signingSecretPattern = /^SEC[A-Za-z0-9]{16,128}$/;

/** A registered webhook as stored: the credential apart, the URL rebuilt from it when posting. */
export interface WorkChatTarget {
  platform: WorkChatPlatform;
  credential: string;
  /** 钉钉 only: the 加签 secret. */
  secret?: string;
}

/** The committee manages every branch's group; a secretary their own branch's (as with announcements). */
export const managesBranchChat = (caller: Caller, branchId: string): boolean =>
  hasRole(caller, 'committee') || (hasRole(caller, 'secretary') && caller.branchId === branchId);

/** Names that resolve inside a network, never to a platform's robot. */
const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/;

const ipv4Private = (address: string): boolean => {
  const [a = 0, b = 0, c = 0] = address.split('.').map(Number);
  return (
    a === 0 || // this network
    a === 10 ||
    a === 127 || // loopback
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && c === 0) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast, reserved, broadcast
  );
};

/** The eight 16-bit groups of an IPv6 address (as the URL parser writes it: compressed, hex). */
const ipv6Groups = (address: string): number[] => {
  const [head = '', tail] = address.split('::');
  const part = (s: string) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  return [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
};

const ipv6Private = (address: string): boolean => {
  const g = ipv6Groups(address);
  const [first = 0] = g;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(7) && (g[7] === 0 || g[7] === 1)) return true; // unspecified, loopback
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible: judged as the IPv4 address they carry.
  if (zeros(5) && (g[5] === 0xffff || g[5] === 0)) {
    const hi = g[6] ?? 0;
    const lo = g[7] ?? 0;
    return ipv4Private(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  return (
    (first & 0xfe00) === 0xfc00 || // unique local
    (first & 0xffc0) === 0xfe80 || // link-local
    (first & 0xff00) === 0xff00 || // multicast
    (first === 0x64 && g[1] === 0xff9b) // NAT64 reaches IPv4 space
  );
};

/** The authority as typed, before any normalisation: where userinfo and ports show. */
const authorityOf = (raw: string): string =>
  /^[A-Za-z][A-Za-z0-9+.-]*:[/\\]*([^/?#\\]*)/.exec(raw)?.[1] ?? '';

const namesPort = (authority: string): boolean => {
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const afterLiteral = hostPort.startsWith('[') ? hostPort.slice(hostPort.indexOf(']') + 1) : hostPort;
  return afterLiteral.includes(':');
};

/**
 * Whether a URL is the platform's robot, and its credential. Every rule has its own code, in
 * this order: https; no userinfo; no port; no private or loopback address; no IP literal;
 * the platform's host; its path with the credential as the only query parameter.
 */
export const checkWebhookUrl = (platform: WorkChatPlatform, raw: string): Result<{ credential: string }> => {
  const robot = robotAddress[platform];
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return refuse(badRequest('webhook-path-not-allowed', 'This is not a URL'));
  }
  if (url.protocol !== 'https:') return refuse(badRequest('webhook-not-https', 'The URL must use https'));
  const authority = authorityOf(raw.trim());
  if (url.username || url.password || authority.includes('@')) {
    return refuse(badRequest('webhook-userinfo', 'The URL may not carry a user name or password'));
  }
  // The parser drops a default port (":443"), so the port is read from what was typed too.
  if (url.port || namesPort(authority)) {
    return refuse(badRequest('webhook-port', 'The URL may not name a port'));
  }
  const host = url.hostname;
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  const version = isIP(literal);
  const internal =
    (version === 4 && ipv4Private(literal)) ||
    (version === 6 && ipv6Private(literal)) ||
    INTERNAL_NAMES.test(host.replace(/\.$/, ''));
  if (internal) {
    return refuse(badRequest('webhook-private-address', 'The URL names a private or loopback address'));
  }
  if (version !== 0) {
    return refuse(badRequest('webhook-ip-literal', 'The URL must name the platform’s host, not an address'));
  }
  if (host !== robot.host) {
    return refuse(
      badRequest('webhook-host-not-allowed', `A ${platform} webhook is on ${robot.host}`, {
        allowedHost: robot.host,
      }),
    );
  }
  const params = [...url.searchParams];
  const [only] = params;
  const credential = only?.[0] === robot.param ? only[1] : '';
  if (url.pathname !== robot.path || params.length !== 1 || !credentialPattern.test(credential) || url.hash) {
    return refuse(
      badRequest(
        'webhook-path-not-allowed',
        `A ${platform} webhook is https://${robot.host}${robot.path}?${robot.param}=…`,
      ),
    );
  }
  return accept({ credential });
};

/** The robot's URL, built from the platform's own host and path: never a caller's text. */
export const robotUrl = (target: Pick<WorkChatTarget, 'platform' | 'credential'>): URL => {
  const robot = robotAddress[target.platform];
  const url = new URL(`https://${robot.host}${robot.path}`);
  url.searchParams.set(robot.param, target.credential);
  return url;
};

/** What an answer shows of a credential: its last four characters. */
export const maskCredential = (credential: string): string => `…${credential.slice(-4)}`;

/**
 * 钉钉's 加签: base64 of HMAC-SHA256, keyed with the secret, of `timestamp + "\n" + secret`;
 * sent as the `timestamp` (milliseconds) and `sign` query parameters, URL-encoded.
 */
export const dingtalkSignature = (secret: string, timestampMs: number): string =>
  createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');

/** The URL a post goes to: the robot's, with 钉钉's signature when the group asks for one. */
export const signedRobotUrl = (target: WorkChatTarget, timestampMs: number): URL => {
  const url = robotUrl(target);
  if (target.platform === 'dingtalk' && target.secret) {
    url.searchParams.set('timestamp', String(timestampMs));
    url.searchParams.set('sign', dingtalkSignature(target.secret, timestampMs));
  }
  return url;
};

/** Both platforms cap a markdown message near 4 KB (企业微信: 4096 bytes of content). */
export const MAX_MARKDOWN_BYTES = 4096;

const fitBytes = (text: string, max: number): string => {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= max) return text;
  const chars = [...text];
  let bytes = encoder.encode('…').length;
  let end = 0;
  while (end < chars.length) {
    const next = encoder.encode(chars[end] as string).length;
    if (bytes + next > max) break;
    bytes += next;
    end++;
  }
  return `${chars.slice(0, end).join('')}…`;
};

/** What a notice says in a group: a markdown message, its title as a heading. */
export interface WorkChatNotice {
  title: string;
  text: string;
}

/**
 * The platform's markdown message. 企业微信 mentions a person with `<@userid>`: a notice's
 * text mentions nobody, so that sequence is broken.
 */
export const workChatMessage = (platform: WorkChatPlatform, notice: WorkChatNotice) => {
  const body = fitBytes(`### ${notice.title}\n\n${notice.text}`.replaceAll('<@', '< @'), MAX_MARKDOWN_BYTES);
  return platform === 'wecom'
    ? { msgtype: 'markdown', markdown: { content: body } }
    : { msgtype: 'markdown', markdown: { title: notice.title, text: body } };
};

/**
 * Whether the platform took the post: both answer HTTP 200 with `errcode` 0. Any other
 * `errcode` (a wrong key, a bad signature, the 20-a-minute limit) is a failure like a 5xx.
 */
export const accepted = (status: number, answer: unknown): boolean =>
  status === 200 &&
  typeof answer === 'object' &&
  answer !== null &&
  (answer as { errcode?: unknown }).errcode === 0;
