/**
 * E-mail (邮件通知): each notice posted is mailed to its recipients with SES, from the
 * stage's sender, to the verified address of each recipient's sign-in account, read at send
 * time (Cognito AdminGetUser, username = person id). notices keeps no address: not in its
 * table, its events or its logs (a recipient is logged by person id only).
 *
 * At most once per notice and person, as far as SES allows: a delivery claims each
 * recipient (a lease), sends, and marks it sent once SES accepted it. A retried or duplicated
 * delivery sends only what is not marked. The one window: SES accepted a message and the
 * mark was not written (the function died in between); after the lease, a retry sends it again.
 */

import { randomUUID } from 'node:crypto';
import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient as CognitoClient,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { common } from '../../shared/aws/clients.js';
import { pause } from '../../shared/backoff.js';
import type { ServiceContext } from '../../shared/context.js';
import { patternFor } from '../../shared/events/contract.js';
import { subscription } from '../../shared/service.js';
import { type MailableNotice, mailOf, verifiedAddress, wantsMail } from './domain/email.js';
import { NoticePosted } from './events.js';
import {
  claimMail,
  defaultPreferences,
  getMailMark,
  mailMarks,
  markMailed,
  type Preferences,
  preferencesOf,
  releaseMail,
} from './store/email.js';
import { getAnnouncement, getNotice, type Notice } from './store.js';

/**
 * How long a delivery holds a recipient: longer than any stage's consumer timeout (10 s,
 * infra/config.ts), so a lease still running belongs to a delivery still running. Not cut
 * closer to it: the local runtime does not stop a consumer at its timeout, and on a loaded
 * machine a delivery to a whole institution runs past 10 s; a lease that ended under it
 * would let a duplicate delivery mail its recipients again. A retry that meets a lease left
 * by a delivery that died waits it out: EventBridge's and Lambda's retries last longer, and
 * so do the local bus's (DEFAULT_RETRY in infra/local/bus.ts, which bus.test.ts holds to it).
 */
export const MAIL_LEASE_MS = 60_000;
/** Sends in rounds of this many; the announcement is read again before each (a withdrawal stops it). */
const ROUND = 10;
/** How long a duplicate delivery waits for another's held recipients before it fails and is retried. */
const WAIT_MS = 5_000;

interface Clients {
  ses: SESv2Client;
  cognito: CognitoClient;
}
const clientsOf = new WeakMap<ServiceContext, Clients>();
const clients = (ctx: ServiceContext): Clients => {
  let made = clientsOf.get(ctx);
  if (!made) {
    const { aws } = ctx.env;
    made = {
      ses: new SESv2Client(common(aws, aws.endpoints?.sesv2)),
      cognito: new CognitoIdentityProviderClient(common(aws, aws.endpoints?.cognito)),
    };
    clientsOf.set(ctx, made);
  }
  return made;
};

/** The verified address of the person's account; none without an account or address. */
const addressOf = async (ctx: ServiceContext, userPoolId: string, personId: string) => {
  try {
    const user = await clients(ctx).cognito.send(
      new AdminGetUserCommand({ UserPoolId: userPoolId, Username: personId }),
    );
    const attributes = Object.fromEntries(
      (user.UserAttributes ?? []).map((a) => [a.Name ?? '', a.Value ?? '']),
    );
    return verifiedAddress(attributes);
  } catch (error) {
    if (error instanceof Error && error.name === 'UserNotFoundException') return undefined;
    throw error;
  }
};

const mailable = (notice: Notice): MailableNotice =>
  notice.kind === 'announcement'
    ? { kind: notice.kind, title: notice.title, text: notice.text, mandatory: notice.mandatory }
    : {
        kind: notice.kind,
        title: notice.title,
        summary: notice.summary,
        startsAt: notice.startsAt,
        mandatory: false,
      };

type Outcome = 'sent' | 'done' | 'held' | 'not-wanted' | 'no-address';

/** One recipient: claimed, checked, sent, marked. */
const mailOne = async (
  ctx: ServiceContext,
  mail: { from: string; userPoolId: string },
  notice: Notice,
  noticeId: string,
  personId: string,
  preferences: Preferences,
): Promise<Outcome> => {
  const m = mailable(notice);
  // A mandatory notice (必读) is mailed whatever the preference says.
  if (!wantsMail(m, preferences.email)) return 'not-wanted';
  const address = await addressOf(ctx, mail.userPoolId, personId);
  if (!address) return 'no-address';
  const attemptId = randomUUID();
  if (!(await claimMail(ctx, { noticeId, personId, attemptId, now: ctx.clock(), leaseMs: MAIL_LEASE_MS }))) {
    return (await getMailMark(ctx, noticeId, personId))?.state === 'done' ? 'done' : 'held';
  }
  const { subject, text } = mailOf(m);
  let messageId: string;
  try {
    const out = await clients(ctx).ses.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: [address] },
        Content: {
          Simple: {
            Subject: { Data: subject, Charset: 'UTF-8' },
            Body: { Text: { Data: text, Charset: 'UTF-8' } },
          },
        },
      }),
    );
    messageId = out.MessageId ?? '';
  } catch (error) {
    await releaseMail(ctx, { noticeId, personId, attemptId });
    throw error;
  }
  await markMailed(ctx, { noticeId, personId, sentAt: ctx.clock().toISOString(), messageId });
  return 'sent';
};

/** Who a notice reaches: the inbox's own rule (subscriptions.ts), so both channels reach the same people. */
export type RecipientsOf = (ctx: ServiceContext, notice: Notice) => Promise<{ personId: string }[]>;

/** Mails a posted notice to every recipient not mailed yet. */
const mailNotice = async (ctx: ServiceContext, recipientsFor: RecipientsOf, noticeId: string) => {
  const mail = ctx.env.mail;
  if (!mail) return; // a stage that sends no e-mail (no sign-in accounts to read addresses from)
  const notice = await getNotice(ctx, noticeId);
  if (!notice || (notice.kind === 'announcement' && notice.status !== 'published')) return;
  const marks = await mailMarks(ctx, noticeId);
  let pending = (await recipientsFor(ctx, notice))
    .map((r) => r.personId)
    .filter((p) => marks.get(p)?.state !== 'done');
  const counts: Record<Exclude<Outcome, 'held'>, number> = {
    sent: 0,
    done: 0,
    'not-wanted': 0,
    'no-address': 0,
  };
  const started = Date.now();
  for (let wait = 50; pending.length > 0; wait = Math.min(wait * 2, 1_000)) {
    const held: string[] = [];
    for (let i = 0; i < pending.length; i += ROUND) {
      // Withdrawn meanwhile: those not mailed yet are not mailed.
      if (notice.kind === 'announcement' && (await getAnnouncement(ctx, noticeId))?.status !== 'published') {
        ctx.log.info('notice withdrawn while mailing', { noticeId, notMailed: pending.length - i });
        return;
      }
      const round = pending.slice(i, i + ROUND);
      // The round's preferences as they are now, in one read.
      const preferences = await preferencesOf(ctx, round);
      const outcomes = await Promise.all(
        round.map((p) => mailOne(ctx, mail, notice, noticeId, p, preferences.get(p) ?? defaultPreferences)),
      );
      outcomes.forEach((outcome, k) => {
        if (outcome === 'held') held.push(round[k] as string);
        else counts[outcome]++;
        // The person id only: the address is nobody's business here.
        if (outcome === 'no-address') ctx.log.info('no e-mail address', { noticeId, personId: round[k] });
      });
    }
    pending = held;
    if (pending.length === 0) break;
    // Another delivery of the same notice holds them: it finishes, or its lease ends.
    if (Date.now() - started > WAIT_MS) {
      throw new Error(
        `${pending.length} recipients of ${noticeId} are still being mailed by another delivery`,
      );
    }
    await pause(wait * (0.5 + Math.random() / 2));
  }
  ctx.log.info('notice mailed', { noticeId, ...counts });
};

/** Given the inbox's recipients rule, so this module needs nothing of subscriptions.ts (no import cycle). */
export const mailSubscriptions = (recipientsFor: RecipientsOf) => [
  subscription({
    name: 'mail-notice',
    pattern: patternFor(NoticePosted),
    contract: NoticePosted,
    handler: async (event, _t, ctx) => mailNotice(ctx, recipientsFor, event.data.noticeId),
    sendsMail: true,
  }),
];
