/**
 * The local SES endpoint, through the real SESv2Client: a message SES would accept reaches
 * the catcher whole (UTF-8 subject and body), and what SES refuses is refused with SES's
 * error: a From that is no identity, no destination, no content or two kinds of it, a template.
 */
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from './mail-catcher.js';
import { type SesServer, startSesServer } from './ses-server.js';

const FROM = 'no-reply@dangjian.localhost';
let catcher: MailCatcher;
let ses: SesServer;
let client: SESv2Client;

beforeAll(async () => {
  catcher = await startMailCatcher();
  ses = await startSesServer({ identities: [FROM, 'mail.dangjian.localhost'], smtpPort: catcher.smtpPort });
  client = new SESv2Client({
    region: 'eu-west-1',
    endpoint: ses.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  await ses?.close();
  await catcher?.close();
});

const simple = (over: Partial<SendEmailCommandInput> = {}): SendEmailCommandInput => ({
  FromEmailAddress: FROM,
  Destination: { ToAddresses: ['member@example.cn'] },
  Content: {
    Simple: {
      Subject: { Data: '【通知公告】主题党日', Charset: 'UTF-8' },
      Body: { Text: { Data: '请准时参加。', Charset: 'UTF-8' } },
    },
  },
  ...over,
});

const refusal = async (input: SendEmailCommandInput) => {
  try {
    await client.send(new SendEmailCommand(input));
  } catch (error) {
    return {
      name: (error as Error).name,
      status: (error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode,
    };
  }
  throw new Error('SES accepted what it should refuse');
};

describe('the local SES endpoint', () => {
  it('relays what SES accepts to the catcher, and answers its message id', async () => {
    const to = `p${Date.now()}@example.cn`;
    const out = await client.send(new SendEmailCommand(simple({ Destination: { ToAddresses: [to] } })));
    expect(out.MessageId).toMatch(/-local$/);
    // A domain identity covers every address of the domain.
    await client.send(new SendEmailCommand(simple({ FromEmailAddress: 'notices@mail.dangjian.localhost' })));
    const mails = (await (await fetch(`${catcher.url}/api/email`)).json()) as {
      subject: string;
      text: string;
      to: { address: string }[];
    }[];
    const mine = mails.filter((m) => m.to.some((t) => t.address === to));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.subject).toBe('【通知公告】主题党日');
    expect(mine[0]?.text.trim()).toBe('请准时参加。');
  });

  it('refuses what SES refuses, as SES does', async () => {
    expect(await refusal(simple({ FromEmailAddress: 'someone@elsewhere.cn' }))).toEqual({
      name: 'MessageRejected',
      status: 400,
    });
    expect(await refusal(simple({ FromEmailAddress: undefined }))).toEqual({
      name: 'BadRequestException',
      status: 400,
    });
    expect(await refusal(simple({ Destination: {} }))).toEqual({ name: 'BadRequestException', status: 400 });
    expect(await refusal(simple({ Destination: { ToAddresses: ['not an address'] } }))).toEqual({
      name: 'BadRequestException',
      status: 400,
    });
    expect(await refusal(simple({ Content: {} }))).toEqual({ name: 'BadRequestException', status: 400 });
    expect(
      await refusal(simple({ Content: { Template: { TemplateName: 'none', TemplateData: '{}' } } })),
    ).toEqual({ name: 'NotFoundException', status: 404 });
  });
});
