/**
 * The mail catcher: maildev, in this process and in memory, where the local SES endpoint
 * (ses-server.ts) relays every message SES would send. A person reads them in a browser at
 * its web address; tests read them through its REST API (`GET <web>/api/email`).
 */
import { MailDev } from 'maildev';
import { freePort } from './ports.js';

export interface MailCatcher {
  /** The web inbox and its REST API. */
  url: string;
  smtpPort: number;
  close(): Promise<void>;
}

export const startMailCatcher = async (ports: { web?: number; smtp?: number } = {}) => {
  const smtpPort = ports.smtp || (await freePort());
  const webPort = ports.web || (await freePort());
  // Loopback only, like every other local part; silent, since its lines would carry addresses.
  const maildev = new MailDev({
    smtp: smtpPort,
    web: webPort,
    ip: '127.0.0.1',
    webIp: '127.0.0.1',
    silent: true,
  });
  await maildev.start();
  const catcher: MailCatcher = {
    url: `http://127.0.0.1:${webPort}`,
    smtpPort,
    close: () => maildev.stop(),
  };
  return catcher;
};
