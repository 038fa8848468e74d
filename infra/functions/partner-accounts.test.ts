/**
 * The partner-accounts logic against a fake Cognito (AWS cannot run here): it keeps users
 * and group members in memory and answers like AdminCreateUser, AdminGetUser and
 * AdminAddUserToGroup do, including UsernameExistsException for a taken username.
 */
import { UsernameExistsException } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { PartnerApproved } from '../../services/community/events.js';
import type { BusEvent } from '../../shared/events/contract.js';
import {
  type CognitoPort,
  type CreateUserInput,
  ensurePartnerAccount,
  PartnerAccountConflict,
  PartnerApprovedRejected,
} from './partner-accounts.js';

type Attribute = { Name: string; Value: string };

class FakeCognito implements CognitoPort {
  readonly users = new Map<string, Attribute[]>();
  readonly groups = new Map<string, Set<string>>();
  readonly calls: string[] = [];
  readonly created: CreateUserInput[] = [];

  async createUser(input: CreateUserInput): Promise<void> {
    this.calls.push('createUser');
    if (this.users.has(input.username)) {
      throw new UsernameExistsException({
        message: 'An account with the given email already exists.',
        $metadata: {},
      });
    }
    this.created.push(input);
    this.users.set(input.username, input.attributes);
  }

  async getUser({ username }: { username: string }): Promise<{ attributes: Attribute[] }> {
    this.calls.push('getUser');
    const attributes = this.users.get(username);
    if (!attributes)
      throw Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' });
    return { attributes };
  }

  async addToGroup({ username, group }: { username: string; group: string }): Promise<void> {
    this.calls.push('addToGroup');
    if (!this.users.has(username)) {
      throw Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' });
    }
    // Like Cognito: adding a member again is not an error.
    const members = this.groups.get(group) ?? new Set<string>();
    members.add(username);
    this.groups.set(group, members);
  }
}

const logged: { level: string; message: string; extra: unknown }[] = [];
const log = {
  info: (message: string, extra?: unknown) => logged.push({ level: 'info', message, extra }),
  warn: (message: string, extra?: unknown) => logged.push({ level: 'warn', message, extra }),
  error: (message: string, extra?: unknown) => logged.push({ level: 'error', message, extra }),
} as never;

const data = {
  partnerId: '01JDPARTNER0000000000000001',
  orgName: '朝阳社区服务中心',
  orgType: 'community',
  contactName: '王芳',
  contactEmail: 'wang.fang@example.cn',
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

const approved = (d: Record<string, unknown> = data) =>
  busEvent({
    eventId: '01JDEVENT00000000000000001',
    occurredAt: '2026-11-26T10:00:00+08:00',
    version: 1,
    data: d,
  });

describe('partner-accounts', () => {
  it('creates a new partner’s user with e-mail, name and custom:orgId, mails the password, adds it to partner', async () => {
    const cognito = new FakeCognito();
    await expect(ensurePartnerAccount(approved(), { cognito, log })).resolves.toBe('created');
    expect(cognito.created).toEqual([
      {
        username: 'wang.fang@example.cn',
        attributes: [
          { Name: 'email', Value: 'wang.fang@example.cn' },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: '王芳' },
          { Name: 'custom:orgId', Value: data.partnerId },
        ],
        deliveryMediums: ['EMAIL'],
      },
    ]);
    expect([...(cognito.groups.get('partner') ?? [])]).toEqual(['wang.fang@example.cn']);
    expect(cognito.calls).toEqual(['createUser', 'addToGroup']);
  });

  it('takes the same event again without error: no second user, group membership ensured', async () => {
    const cognito = new FakeCognito();
    await ensurePartnerAccount(approved(), { cognito, log });
    // A first delivery that created the user but failed before the group: the retry must finish it.
    cognito.groups.clear();
    cognito.calls.length = 0;
    await expect(ensurePartnerAccount(approved(), { cognito, log })).resolves.toBe('already-existed');
    expect(cognito.created).toHaveLength(1);
    expect(cognito.users.size).toBe(1);
    expect(cognito.calls).toEqual(['createUser', 'getUser', 'addToGroup']);
    expect([...(cognito.groups.get('partner') ?? [])]).toEqual(['wang.fang@example.cn']);
  });

  it('refuses a contact e-mail whose user belongs to another organisation, and leaves that user alone', async () => {
    const cognito = new FakeCognito();
    const other = [
      { Name: 'email', Value: 'wang.fang@example.cn' },
      { Name: 'custom:orgId', Value: '01JDOTHERORG00000000000001' },
    ];
    cognito.users.set('wang.fang@example.cn', other);
    const attempt = ensurePartnerAccount(approved(), { cognito, log });
    await expect(attempt).rejects.toThrow(PartnerAccountConflict);
    await expect(attempt).rejects.toThrow(/another organisation \(01JDOTHERORG00000000000001\)/);
    expect(cognito.calls).toEqual(['createUser', 'getUser']);
    expect(cognito.groups.size).toBe(0);
    expect(cognito.users.get('wang.fang@example.cn')).toBe(other);
  });

  it('refuses an existing user of the same e-mail that has no organisation (e.g. a member)', async () => {
    const cognito = new FakeCognito();
    cognito.users.set('wang.fang@example.cn', [{ Name: 'email', Value: 'wang.fang@example.cn' }]);
    await expect(ensurePartnerAccount(approved(), { cognito, log })).rejects.toThrow(/no organisation/);
    expect(cognito.groups.size).toBe(0);
  });

  it('rejects a malformed event before any Cognito call', async () => {
    const malformed: BusEvent[] = [
      // data breaks the contract: no contactEmail
      approved({ ...data, contactEmail: undefined }),
      // data breaks the contract: unknown organisation type
      approved({ ...data, orgType: 'club' }),
      // detail is not an envelope
      busEvent(data),
      busEvent({ eventId: '', occurredAt: '2026-11-26T10:00:00+08:00', version: 1, data }),
      // another event on the same function
      busEvent(approved().detail, { 'detail-type': 'JointEventPublished' }),
    ];
    for (const event of malformed) {
      const cognito = new FakeCognito();
      await expect(ensurePartnerAccount(event, { cognito, log })).rejects.toThrow(PartnerApprovedRejected);
      expect(cognito.calls).toEqual([]);
    }
  });

  it('passes other Cognito failures on, so EventBridge and Lambda retry them', async () => {
    const cognito = new FakeCognito();
    cognito.createUser = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    };
    await expect(ensurePartnerAccount(approved(), { cognito, log })).rejects.toThrow('Rate exceeded');
    expect(cognito.groups.size).toBe(0);
  });

  it('never logs the contact e-mail in full', async () => {
    logged.length = 0;
    const cognito = new FakeCognito();
    await ensurePartnerAccount(approved(), { cognito, log });
    cognito.users.set('wang.fang@example.cn', [{ Name: 'custom:orgId', Value: 'someone-else' }]);
    const conflict = await ensurePartnerAccount(approved(), { cognito, log }).catch((e: Error) => e);
    expect(logged.length).toBeGreaterThanOrEqual(2);
    const text = JSON.stringify(logged) + String(conflict);
    expect(text).not.toContain('wang.fang@example.cn');
    expect(text).toContain('w***@example.cn');
  });
});
