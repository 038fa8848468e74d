/**
 * What a notice's e-mail (邮件通知) says, and whether a recipient gets one. Pure: the sender
 * (services/notices/mail.ts) reads the preference and the address and hands them here.
 */
import { toLocalIso } from '../../../shared/time.js';
import type { NoticeKind } from '../events.js';

/** What of a notice goes into its e-mail. */
export interface MailableNotice {
  kind: NoticeKind;
  title: string;
  /** An announcement's whole text. */
  text?: string;
  /** A notice made from an event: its one line (the time, the old time, the reason). */
  summary?: string;
  /** An activity's start (UTC ISO). */
  startsAt?: string;
  mandatory: boolean;
}

export interface MailContent {
  subject: string;
  text: string;
}

const FOOTER = '——\n请登录党建平台查看。本邮件由系统自动发送，请勿回复。';

/** Subject and plain-text body, in Chinese, from the notice alone (no name, no address). */
export const mailOf = (notice: MailableNotice): MailContent => {
  if (notice.kind === 'announcement') {
    const tag = notice.mandatory ? '【必读】' : '【通知公告】';
    return {
      subject: `${tag}${notice.title}`,
      text: `${notice.title}\n\n${notice.text ?? ''}\n\n${FOOTER}\n`,
    };
  }
  const lines = [notice.title, ''];
  if (notice.startsAt) lines.push(`时间：${toLocalIso(new Date(notice.startsAt))}`);
  if (notice.summary) lines.push(notice.summary);
  return { subject: notice.title, text: `${lines.join('\n')}\n\n${FOOTER}\n` };
};

/**
 * Whether a recipient is mailed: e-mail on (the default), or a notice the committee marked
 * mandatory (必读), which no preference turns off. The inbox entry is written either way.
 */
export const wantsMail = (notice: Pick<MailableNotice, 'mandatory'>, emailOn: boolean | undefined): boolean =>
  notice.mandatory || (emailOn ?? true);

/** The address Cognito holds for an account, if it is verified; any other is not written to. */
export const verifiedAddress = (attributes: Record<string, string>): string | undefined => {
  const email = attributes.email;
  return email && attributes.email_verified === 'true' ? email : undefined;
};
