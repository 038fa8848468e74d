/**
 * The local SES: SES v2's `SendEmail` over HTTP (REST-JSON, `POST /v2/email/outbound-emails`),
 * so the real `SESv2Client` pointed at this endpoint (any region, dummy credentials) works
 * unchanged; the request signature is not checked. Each message SES would accept is relayed
 * over SMTP to the mail catcher (mail-catcher.ts), where a person reads it in a browser and
 * tests read it through the catcher's REST API.
 *
 * What SES would refuse is refused the same way: a From address that is not one of the
 * stage's identities (`MessageRejected`), a request without a destination, with other than
 * exactly one of Simple, Raw or Template content, or with an address that is not one
 * (`BadRequestException`); templates do not exist here (`NotFoundException`). Errors are
 * `x-amzn-errortype` and `{ message }`, as SES answers them.
 *
 * Nothing here logs an address or a message: only that one was relayed, and its id.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransport } from 'nodemailer';

export interface SesServerOptions {
  /** The verified identities: e-mail addresses, or domains (every address of the domain). */
  identities: readonly string[];
  /** The catcher's SMTP port, on 127.0.0.1. */
  smtpPort: number;
  log?: (entry: Record<string, unknown>) => void;
}

export interface SesServer {
  /** Base URL: the SESv2Client endpoint. */
  endpoint: string;
  close(): Promise<void>;
}

const SEND_PATH = '/v2/email/outbound-emails';
const MAX_BODY_BYTES = 40 * 1024 * 1024; // SES v2's largest message
const MAX_RECIPIENTS = 50;

class SesError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
const badRequest = (message: string) => new SesError(400, 'BadRequestException', message);

// One address, bare or in a display form (`"Name" <a@b>`): what SES checks and relays.
const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>".]+$/;
const bareAddress = (value: unknown, where: string): string => {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`${where} is missing`);
  const angled = /<([^<>]+)>\s*$/.exec(value);
  const address = (angled ? angled[1] : value)?.trim() ?? '';
  if (!ADDRESS.test(address)) throw badRequest(`Illegal address in ${where}`);
  return address;
};

const addressList = (value: unknown, where: string): string[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest(`${where} must be a list`);
  return value.map((v, i) => {
    bareAddress(v, `${where}[${i}]`);
    return v as string;
  });
};

const text = (value: unknown, where: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  const data = (value as { Data?: unknown }).Data;
  if (typeof data !== 'string') throw badRequest(`${where}.Data is missing`);
  return data;
};

/** The SES v2 request as the catcher is sent it, after every check SES makes. */
const messageOf = (body: unknown, identities: readonly string[]) => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object');
  }
  const req = body as Record<string, unknown>;
  const content = (req.Content ?? {}) as Record<string, unknown>;
  const kinds = (['Simple', 'Raw', 'Template'] as const).filter((k) => content[k] !== undefined);
  if (kinds.length !== 1) throw badRequest('Content must have exactly one of Simple, Raw or Template');
  if (kinds[0] === 'Template') throw new SesError(404, 'NotFoundException', 'Template does not exist');
  const destination = (req.Destination ?? {}) as Record<string, unknown>;
  const to = addressList(destination.ToAddresses, 'Destination.ToAddresses');
  const cc = addressList(destination.CcAddresses, 'Destination.CcAddresses');
  const bcc = addressList(destination.BccAddresses, 'Destination.BccAddresses');
  const replyTo = addressList(req.ReplyToAddresses, 'ReplyToAddresses');
  if (kinds[0] === 'Simple' && to.length + cc.length + bcc.length === 0) {
    throw badRequest('Missing required parameter: Destination');
  }
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS) {
    throw new SesError(400, 'MessageRejected', `Recipient count exceeds ${MAX_RECIPIENTS}`);
  }
  const raw =
    kinds[0] === 'Raw'
      ? Buffer.from(String((content.Raw as { Data?: unknown }).Data ?? ''), 'base64')
      : undefined;
  // A raw message without FromEmailAddress is checked by its own From header, as SES does.
  const from =
    (req.FromEmailAddress as string | undefined) ??
    (raw ? /^From:\s*(.+)$/im.exec(raw.toString('utf8'))?.[1]?.trim() : undefined);
  if (from === undefined) throw badRequest('Missing required parameter: FromEmailAddress');
  {
    const address = bareAddress(from, 'FromEmailAddress').toLowerCase();
    const domain = address.slice(address.lastIndexOf('@') + 1);
    const verified = identities.map((i) => i.toLowerCase());
    if (!verified.includes(address) && !verified.includes(domain)) {
      // SES names the identities that failed; the From is the stage's own, never a person's.
      throw new SesError(
        400,
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region LOCAL: ${address}`,
      );
    }
  }
  if (raw) {
    if (raw.length === 0) throw badRequest('Content.Raw.Data is missing');
    // Without a Destination, the message's own headers say whom it goes to.
    const all = [...to, ...cc, ...bcc];
    return all.length ? { raw, envelope: { from: bareAddress(from, 'From'), to: all } } : { raw };
  }
  const simple = content.Simple as Record<string, unknown>;
  const subject = text(simple.Subject, 'Content.Simple.Subject');
  if (subject === undefined) throw badRequest('Content.Simple.Subject is missing');
  const bodies = (simple.Body ?? {}) as Record<string, unknown>;
  const plain = text(bodies.Text, 'Content.Simple.Body.Text');
  const html = text(bodies.Html, 'Content.Simple.Body.Html');
  if (plain === undefined && html === undefined) throw badRequest('Content.Simple.Body is missing');
  return {
    from,
    to,
    cc,
    bcc,
    ...(replyTo.length ? { replyTo } : {}),
    subject,
    ...(plain !== undefined ? { text: plain } : {}),
    ...(html !== undefined ? { html } : {}),
  };
};

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES
        ? reject(new SesError(400, 'MessageRejected', 'Message length exceeds the limit'))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });

export const startSesServer = async (options: SesServerOptions): Promise<SesServer> => {
  const log = options.log ?? (() => undefined);
  const relay = createTransport({
    host: '127.0.0.1',
    port: options.smtpPort,
    secure: false,
    ignoreTLS: true,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const answer = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        ...(type ? { 'x-amzn-errortype': type } : {}),
      });
      res.end(JSON.stringify(body));
    };
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method !== 'POST' || path !== SEND_PATH) {
        req.resume();
        throw new SesError(404, 'UnknownOperationException', `${req.method} ${path} is not served here`);
      }
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req)) || '{}');
      } catch (error) {
        if (error instanceof SesError) throw error;
        throw badRequest('The request body is not valid JSON');
      }
      const message = messageOf(body, options.identities);
      const messageId = `${randomUUID()}-local`;
      try {
        await relay.sendMail({ ...message, messageId: `<${messageId}@local.ses>` });
      } catch (error) {
        log({ level: 'error', msg: 'ses.relay.failed', error: (error as Error).name });
        throw new SesError(500, 'InternalFailure', 'The mail catcher could not be reached');
      }
      log({ level: 'debug', msg: 'ses.sent', messageId });
      answer(200, { MessageId: messageId });
    } catch (error) {
      const e =
        error instanceof SesError
          ? error
          : new SesError(500, 'InternalFailure', 'An internal error occurred');
      answer(e.status, { message: e.message }, e.type);
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        relay.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
};
