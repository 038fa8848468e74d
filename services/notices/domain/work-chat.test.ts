import { describe, expect, it } from 'vitest';
import { envFromProcess } from '../../../shared/context.js';
import { destinationOf } from '../work-chat.js';
import {
  accepted,
  checkWebhookUrl,
  dingtalkSignature,
  MAX_MARKDOWN_BYTES,
  maskCredential,
  signedRobotUrl,
  type WorkChatPlatform,
  workChatMessage,
} from './work-chat.js';

const key = '693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa';
const token = '9f2c6d0e4b8a4f1c9d3e7b5a1c0f2e4d6b8a0c2e4f6a8b0d2c4e6f8a0b2d4c6e';
const wecom = (rest = `?key=${key}`, authority = 'qyapi.weixin.qq.com') =>
  `https://${authority}/cgi-bin/webhook/send${rest}`;

const codeOf = (platform: WorkChatPlatform, url: string) => {
  const result = checkWebhookUrl(platform, url);
  return result.ok ? `accepted ${result.value.credential}` : result.error.code;
};

describe('the webhook URL rule', () => {
  it("accepts each platform's robot address, and takes its credential out", () => {
    expect(codeOf('wecom', wecom())).toBe(`accepted ${key}`);
    expect(codeOf('wecom', wecom(`?key=${key}`, 'QYAPI.weixin.qq.com'))).toBe(`accepted ${key}`);
    expect(codeOf('dingtalk', `https://oapi.dingtalk.com/robot/send?access_token=${token}`)).toBe(
      `accepted ${token}`,
    );
  });

  it.each([
    ['http', `http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`, 'webhook-not-https'],
    ['another scheme', `ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`, 'webhook-not-https'],
    ['a user', wecom(`?key=${key}`, 'me@qyapi.weixin.qq.com'), 'webhook-userinfo'],
    ['a user and password', wecom(`?key=${key}`, 'me:pw@qyapi.weixin.qq.com'), 'webhook-userinfo'],
    ['the host as userinfo', wecom(`?key=${key}`, 'qyapi.weixin.qq.com@evil.example.cn'), 'webhook-userinfo'],
    ['a port', wecom(`?key=${key}`, 'qyapi.weixin.qq.com:8443'), 'webhook-port'],
    ['the default port, named', wecom(`?key=${key}`, 'qyapi.weixin.qq.com:443'), 'webhook-port'],
    ['an empty port', wecom(`?key=${key}`, 'qyapi.weixin.qq.com:'), 'webhook-port'],
    ['loopback', wecom(`?key=${key}`, '127.0.0.1'), 'webhook-private-address'],
    ['loopback in decimal', wecom(`?key=${key}`, '2130706433'), 'webhook-private-address'],
    ['loopback in hex', wecom(`?key=${key}`, '0x7f.1'), 'webhook-private-address'],
    ['localhost', wecom(`?key=${key}`, 'localhost'), 'webhook-private-address'],
    ['a .local name', wecom(`?key=${key}`, 'robot.local'), 'webhook-private-address'],
    ['10/8', wecom(`?key=${key}`, '10.1.2.3'), 'webhook-private-address'],
    ['172.16/12', wecom(`?key=${key}`, '172.31.0.1'), 'webhook-private-address'],
    ['192.168/16', wecom(`?key=${key}`, '192.168.1.1'), 'webhook-private-address'],
    ['cloud metadata', wecom(`?key=${key}`, '169.254.169.254'), 'webhook-private-address'],
    ['IPv6 loopback', wecom(`?key=${key}`, '[::1]'), 'webhook-private-address'],
    ['IPv4-mapped loopback', wecom(`?key=${key}`, '[::ffff:127.0.0.1]'), 'webhook-private-address'],
    ['IPv6 unique local', wecom(`?key=${key}`, '[fd00::1]'), 'webhook-private-address'],
    ['IPv6 link-local', wecom(`?key=${key}`, '[fe80::1]'), 'webhook-private-address'],
    ['a public IPv4', wecom(`?key=${key}`, '203.0.113.7'), 'webhook-ip-literal'],
    ['a public IPv6', wecom(`?key=${key}`, '[2001:db8::1]'), 'webhook-ip-literal'],
    ['another host', wecom(`?key=${key}`, 'hooks.example.cn'), 'webhook-host-not-allowed'],
    ['a look-alike', wecom(`?key=${key}`, 'qyapi.weixin.qq.com.evil.cn'), 'webhook-host-not-allowed'],
    ['a trailing dot', wecom(`?key=${key}`, 'qyapi.weixin.qq.com.'), 'webhook-host-not-allowed'],
    ["the other platform's host", wecom(`?key=${key}`, 'oapi.dingtalk.com'), 'webhook-host-not-allowed'],
    [
      'another path',
      `https://qyapi.weixin.qq.com/cgi-bin/webhook/upload?key=${key}`,
      'webhook-path-not-allowed',
    ],
    ['no key', wecom(''), 'webhook-path-not-allowed'],
    ['a short key', wecom('?key=abc'), 'webhook-path-not-allowed'],
    ['a second parameter', wecom(`?key=${key}&debug=1`), 'webhook-path-not-allowed'],
    ['the key twice', wecom(`?key=${key}&key=${key}`), 'webhook-path-not-allowed'],
    ['a fragment', wecom(`?key=${key}#x`), 'webhook-path-not-allowed'],
    ['no URL at all', 'qyapi.weixin.qq.com/cgi-bin/webhook/send', 'webhook-path-not-allowed'],
  ])('refuses %s', (_what, url, code) => {
    expect(codeOf('wecom', url)).toBe(code);
  });

  it("refuses 钉钉's robot under 企业微信's name, and the reverse, naming the allowed host", () => {
    const crossed = checkWebhookUrl('dingtalk', wecom());
    expect(crossed.ok).toBe(false);
    if (!crossed.ok) expect(crossed.error.details).toEqual({ allowedHost: 'oapi.dingtalk.com' });
  });
});

describe('what is posted, and where', () => {
  it("signs 钉钉's posts: base64 HMAC-SHA256 of timestamp, newline, secret, URL-encoded", () => {
    // Vectors computed apart from this code.
    expect(dingtalkSignature('SECabcdef0123456789abcdef0123456789', 1_700_000_000_123)).toBe(
      's/Cj1UQqQ2TaqC11fZgfio2MinPTymgxJmWi+YjCRzQ=',
    );
    const url = signedRobotUrl(
      { platform: 'dingtalk', credential: token, secret: 'SECtest1234567890abcdef' },
      1_765_000_000_000,
    );
    expect(url.href).toBe(
      `https://oapi.dingtalk.com/robot/send?access_token=${token}&timestamp=1765000000000&sign=cO7IOuA9AijOQuswrsiQssSiRRGqPJIjCSUOpgC%2FMwU%3D`,
    );
    // Unsigned robots get no signature; 企业微信 has none.
    expect(signedRobotUrl({ platform: 'dingtalk', credential: token }, 1).search).toBe(
      `?access_token=${token}`,
    );
    expect(signedRobotUrl({ platform: 'wecom', credential: key, secret: 'SECx' }, 1).href).toBe(wecom());
  });

  it('fits a long text into a markdown message, and mentions nobody', () => {
    const long = workChatMessage('wecom', { title: '通知', text: '党'.repeat(20_000) });
    const content = long.markdown.content as string;
    expect(new TextEncoder().encode(content).length).toBeLessThanOrEqual(MAX_MARKDOWN_BYTES);
    expect(content.startsWith('### 通知\n\n党')).toBe(true);
    expect(content.endsWith('…')).toBe(true);
    const short = workChatMessage('dingtalk', { title: '通知', text: '请 <@zhangsan> 参加' });
    expect(short).toEqual({
      msgtype: 'markdown',
      markdown: { title: '通知', text: '### 通知\n\n请 < @zhangsan> 参加' },
    });
  });

  it("counts only HTTP 200 with errcode 0 as the platform's acceptance", () => {
    expect(accepted(200, { errcode: 0, errmsg: 'ok' })).toBe(true);
    expect(accepted(200, { errcode: 310000, errmsg: 'keywords not in content' })).toBe(false);
    expect(accepted(200, undefined)).toBe(false);
    expect(accepted(502, { errcode: 0 })).toBe(false);
    expect(accepted(302, undefined)).toBe(false);
  });

  it('masks a credential to its last four characters', () => {
    expect(maskCredential(key)).toBe('…5aaa');
  });

  it('sends to the robot, or locally to the capture, and never to another host', () => {
    const env = { workChatEndpoint: 'http://127.0.0.1:4100' } as Parameters<typeof destinationOf>[0];
    const robot = new URL(wecom());
    expect(destinationOf({} as never, robot)).toBe(wecom());
    expect(destinationOf(env, robot)).toBe(
      `http://127.0.0.1:4100/qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`,
    );
    expect(() => destinationOf(env, new URL('https://evil.example.cn/x'))).toThrow(/no platform/);
  });

  it('has no capture on AWS: no variable of a function sets it', () => {
    const env = envFromProcess('notices', {
      STAGE: 'prod',
      TABLE_NAME: 'prod-dangjian-notices',
      EVENT_BUS_NAME: 'dangjian-prod',
      AWS_REGION: 'cn-north-1',
      WORK_CHAT_ENDPOINT: 'http://127.0.0.1:4100',
      workChatEndpoint: 'http://127.0.0.1:4100',
    });
    expect(env.workChatEndpoint).toBeUndefined();
  });
});
