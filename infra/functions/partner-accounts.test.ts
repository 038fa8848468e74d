/**
 * partner-accounts against the Cognito emulator (infra/local/cognito.ts), through the same
 * SDK calls it makes on AWS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerApproved } from '../../services/community/events.js';
import type { BusEvent } from '../../shared/events/contract.js';
import { type LocalCognito, localCognitoClient, startLocalCognito } from '../local/cognito.js';
import { EventRefused } from './bus-events.js';
import { type CognitoAccounts, cognitoAccounts } from './cognito-accounts.js';
import { ensurePartnerAccount, PartnerAccountConflict } from './partner-accounts.js';

const logged: unknown[] = [];
const log = {
  info: (message: string, extra?: unknown) => logged.push({ message, extra }),
  warn: (message: string, extra?: unknown) => logged.push({ message, extra }),
  error: (message: string, extra?: unknown) => logged.push({ message, extra }),
} as never;

let dataDir: string;
let pool: LocalCognito;
let cognito: CognitoAccounts;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'partner-accounts-'));
  pool = await startLocalCognito({ dataDir, stage: 'test', port: 0 });
  cognito = cognitoAccounts(localCognitoClient(pool.endpoint), pool.userPoolId);
});

afterAll(async () => {
  await pool?.close();
  await rm(dataDir, { recursive: true, force: true });
});

let n = 0;
const partner = () => {
  n += 1;
  return {
    partnerId: `01JDPARTNER00000000000000${String(n).padStart(2, '0')}`,
    orgName: '朝阳社区服务中心',
    orgType: 'community' as const,
    contactName: '王芳',
    contactEmail: `wang.fang.${n}@example.cn`,
  };
};

const busEvent = (detail: unknown, overrides: Partial<BusEvent> = {}): BusEvent => ({
  version: '0',
  id: 'eb-1',
  'detail-type': PartnerApproved.name,
  source: PartnerApproved.source,
  account: '111111111111',
  time: '2026-11-26T02:00:00Z',
  region: 'cn-north-1',
  resources: [],
  detail,
  ...overrides,
});

const approved = (data: Record<string, unknown>) =>
  busEvent({
    eventId: `01JDEVENT0000000000000000${n}`,
    occurredAt: '2026-11-26T10:00:00+08:00',
    version: 1,
    data,
  });

describe('partner-accounts', () => {
  it('makes the partner an account named by its id, the contact e-mail its alias, in group partner', async () => {
    const p = partner();
    await expect(ensurePartnerAccount(approved(p), { cognito, log })).resolves.toBe('created');
    const account = await cognito.get(p.partnerId);
    expect(account).toMatchObject({
      username: p.partnerId,
      enabled: true,
      status: 'FORCE_CHANGE_PASSWORD',
      groups: ['partner'],
      attributes: {
        email: p.contactEmail,
        email_verified: 'true',
        name: '王芳',
        'custom:orgId': p.partnerId,
      },
    });
  });

  it('takes the same event again without a second account, and finishes a first delivery that stopped half-way', async () => {
    const p = partner();
    await ensurePartnerAccount(approved(p), { cognito, log });
    await cognito.removeFromGroup(p.partnerId, 'partner');
    await expect(ensurePartnerAccount(approved(p), { cognito, log })).resolves.toBe('already-existed');
    expect((await cognito.get(p.partnerId))?.groups).toEqual(['partner']);
  });

  it('never takes an address that signs in to another account, and leaves that account alone', async () => {
    const first = partner();
    await ensurePartnerAccount(approved(first), { cognito, log });
    const second = { ...partner(), contactEmail: first.contactEmail };
    await expect(ensurePartnerAccount(approved(second), { cognito, log })).rejects.toThrow(
      PartnerAccountConflict,
    );
    expect(await cognito.get(second.partnerId)).toBeUndefined();
    expect((await cognito.get(first.partnerId))?.attributes['custom:orgId']).toBe(first.partnerId);
  });

  it('refuses a malformed event before any Cognito call', async () => {
    const p = partner();
    const malformed: BusEvent[] = [
      approved({ ...p, contactEmail: undefined }),
      approved({ ...p, orgType: 'club' }),
      busEvent(p),
      busEvent({ eventId: '', occurredAt: '2026-11-26T10:00:00+08:00', version: 1, data: p }),
      busEvent(approved(p).detail, { 'detail-type': 'JointEventPublished' }),
    ];
    for (const event of malformed) {
      await expect(ensurePartnerAccount(event, { cognito, log })).rejects.toThrow(EventRefused);
    }
    expect(await cognito.get(p.partnerId)).toBeUndefined();
  });

  it('never logs the contact e-mail in full', async () => {
    logged.length = 0;
    const p = partner();
    await ensurePartnerAccount(approved(p), { cognito, log });
    const conflict = await ensurePartnerAccount(approved({ ...partner(), contactEmail: p.contactEmail }), {
      cognito,
      log,
    }).catch((e: Error) => e);
    const text = JSON.stringify(logged) + String(conflict);
    expect(text).not.toContain(p.contactEmail);
    expect(text).toContain('@example.cn');
  });
});
