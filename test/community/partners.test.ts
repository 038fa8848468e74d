import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as, request, tableClient } from '../support/api.js';
import { application, approvedPartner, committee, outboxOf, table } from './support.js';

const apply = (body: unknown) => request('POST', '/community/partners/applications', body);

/** A valid code made unique per test: 17 random-ish characters and the check character. */
const creditCodeFor = async (seed: string) => {
  const { creditCodeCheckCharacter } = await import('../../services/community/domain/credit-code.js');
  const digits = [...seed].map((c) => c.charCodeAt(0) % 10).join('');
  const first17 = `91350100${digits.slice(-9).padStart(9, '0')}`;
  return first17 + creditCodeCheckCharacter(first17);
};

describe('partner applications (public)', () => {
  it('accepts an application with a valid credit code, keeping the contact for the committee and the partner only', async () => {
    // A published example, checked by the same algorithm in the unit tests.
    const creditCode = '91350100M000100Y43';
    const admin = await committee();
    const res = await apply(application({ creditCode, orgName: `福建测试 ${newId()}` }));
    expect(res.status).toBe(202);
    const partnerId = res.body.applicationId;
    expect(res.body).toEqual({ applicationId: partnerId, partnerId, status: 'pending' });

    const full = await admin.get(`/community/partners/${partnerId}`);
    expect(full.body).toMatchObject({ creditCode, contactPhone: '13812341234', status: 'pending' });
    const listed = await admin.get('/community/partners?status=pending&limit=100');
    const mine = listed.body.items.find((p: { partnerId: string }) => p.partnerId === partnerId);
    expect(mine).toMatchObject({ contactPhone: '138****1234', contactEmail: 'w***@example.cn' });

    const self = await as({ roles: ['partner'], orgId: partnerId });
    expect((await self.get(`/community/partners/${partnerId}`)).body.contactPhone).toBe('13812341234');
    const other = await as({ roles: ['partner'], orgId: newId() });
    expect((await other.get(`/community/partners/${partnerId}`)).status).toBe(404);
    expect((await admin.post(`/community/partners/${partnerId}/reject`, { reason: '测试' })).status).toBe(
      200,
    );
  });

  it('refuses a second live application for the same credit code or the same name', async () => {
    const creditCode = await creditCodeFor(newId());
    const name = `厦门（思明）检测服务有限公司 ${newId()}`;
    const first = await apply(application({ creditCode, orgName: name }));
    expect(first.status).toBe(202);
    const sameCode = await apply(application({ creditCode }));
    expect(sameCode).toMatchObject({ status: 409, body: { error: { code: 'partner-already-applied' } } });
    // Half-width brackets, other spacing: the same organisation.
    const sameName = await apply(application({ orgName: `  ${name.replace('（', '(').replace('）', ')')}` }));
    expect(sameName.status).toBe(409);
    expect((await apply(application({ orgName: name.toUpperCase() }))).status).toBe(409);

    // Invisible characters do not make another organisation either.
    for (const hidden of ['\u200B', '\u00AD', '\u2060']) {
      const disguised = `${name.slice(0, 2)}${hidden}${name.slice(2)}`;
      expect((await apply(application({ orgName: disguised }))).status, JSON.stringify(hidden)).toBe(409);
    }
  });

  it("keeps a rejected or suspended organisation's credit code and name taken: it cannot come back as a new partner", async () => {
    const admin = await committee();
    for (const decision of ['reject', 'suspend'] as const) {
      const creditCode = await creditCodeFor(newId());
      const orgName = `泉州（丰泽）环保科技有限公司 ${newId()}`;
      const first = await apply(application({ creditCode, orgName }));
      expect(first.status).toBe(202);
      if (decision === 'suspend') {
        expect((await admin.post(`/community/partners/${first.body.partnerId}/approve`)).status).toBe(200);
      }
      const decided = await admin.post(`/community/partners/${first.body.partnerId}/${decision}`, {
        reason: '违反协议',
      });
      expect(decided.status).toBe(200);
      for (const again of [
        { creditCode, orgName },
        { creditCode },
        { orgName },
        { orgName: `${orgName.slice(0, 3)}\u200B${orgName.slice(3)}` },
      ]) {
        const res = await apply(application(again));
        expect(res, `${decision} ${JSON.stringify(again)}`).toMatchObject({
          status: 409,
          body: { error: { code: 'partner-already-applied' } },
        });
      }
    }
  });

  it('validates the credit code, the phone and consent, naming the field, and writes nothing', async () => {
    const orgName = `校验测试 ${newId()}`;
    const cases: [Record<string, unknown>, string][] = [
      [{ creditCode: '91350100M000100Y44' }, 'body.creditCode'],
      [{ creditCode: '91350100I000100Y43' }, 'body.creditCode'],
      [{ creditCode: '91350100M000100Y4' }, 'body.creditCode'],
      [{ contactPhone: '12812341234' }, 'body.contactPhone'],
      [{ contactPhone: '1381234123' }, 'body.contactPhone'],
      [{ contactPhone: '+8613812341234' }, 'body.contactPhone'],
      [{ consent: false }, 'body.consent'],
      [{ consent: undefined }, 'body.consent'],
      [{ orgType: 'government' }, 'body.orgType'],
      [{ contactEmail: 'not-an-email' }, 'body.contactEmail'],
      [{ extra: 'field' }, 'body.extra'],
    ];
    for (const [change, field] of cases) {
      const res = await apply(application({ orgName, ...change }));
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    // None of them reserved the name.
    expect((await apply(application({ orgName }))).status).toBe(202);
  });

  it('refuses names and reasons holding bidi overrides (U+202A–U+202E, U+2066–U+2069) with a 400', async () => {
    for (const orgName of [`发票\u202Efdp.exe ${newId()}`, `\u2066单位 ${newId()}`]) {
      const res = await apply(application({ orgName }));
      expect(res.status, JSON.stringify(orgName)).toBe(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('body.orgName');
    }
    expect((await apply(application({ contactName: '王\u202E五' }))).status).toBe(400);
    const pending = await apply(application());
    const admin = await committee();
    const reject = await admin.post(`/community/partners/${pending.body.partnerId}/reject`, {
      reason: '材料\u202E不全',
    });
    expect(reject.status).toBe(400);
  });

  it('never answers malformed input with a 500', async () => {
    const huge = 'x'.repeat(100_000);
    const bodies: unknown[] = [
      [],
      [application()],
      null,
      42,
      'text',
      true,
      {},
      application({ orgName: null }),
      application({ orgName: ['a'] }),
      application({ orgName: { zh: '公司' } }),
      application({ creditCode: 918 }),
      application({ creditCode: null }),
      application({ contactPhone: 13812341234 }),
      application({ consent: 'true' }),
      application({ intro: huge }),
      application({ orgName: 'x'.repeat(5000) }),
      application({ orgName: '   ' }),
      application({ orgName: '\u0000' }),
    ];
    for (const body of bodies) {
      const res = await apply(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    // NFKC turns this one character into 18: the name's uniqueness key must still fit DynamoDB.
    expect((await apply(application({ orgName: '\uFDFA'.repeat(100) }))).status).toBe(202);
    const raws = [
      '{"orgName":',
      'not json',
      '',
      '{"consent":true,}',
      '\u00ff\u00fe',
      '[1,2',
      '{"__proto__":{"x":1}}',
    ];
    for (const raw of raws) {
      const res = await request('POST', '/community/partners/applications', undefined, {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, raw).toBeGreaterThanOrEqual(400);
      expect(res.status, raw).toBeLessThan(500);
    }
    const form = await request('POST', '/community/partners/applications', undefined, {
      raw: 'orgName=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBeGreaterThanOrEqual(400);
    expect(form.status).toBeLessThan(500);
  });

  it('approves (publishing PartnerApproved), suspends with a reason, and keeps it from the other roles', async () => {
    const { partnerId } = await approvedPartner();
    const events = await outboxOf(partnerId);
    expect(events).toEqual([
      {
        type: 'PartnerApproved',
        data: expect.objectContaining({
          partnerId,
          orgType: 'enterprise',
          contactEmail: 'wangwu@example.cn',
        }),
      },
    ]);
    const admin = await committee();
    expect((await admin.post(`/community/partners/${partnerId}/approve`)).status).toBe(409);
    const member = await as({ roles: ['member'] });
    expect((await member.post(`/community/partners/${partnerId}/suspend`, { reason: 'x' })).status).toBe(403);
    expect((await admin.post(`/community/partners/${partnerId}/suspend`, {})).status).toBe(400);
    const suspended = await admin.post(`/community/partners/${partnerId}/suspend`, { reason: '违反协议' });
    expect(suspended.body).toMatchObject({ status: 'suspended', reason: '违反协议' });
    // Listed under its status, by a Query on the status index.
    const list = await admin.get('/community/partners?status=suspended&limit=100');
    expect(list.body.items.map((p: { partnerId: string }) => p.partnerId)).toContain(partnerId);
    const items = await tableClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `PARTNER#${partnerId}` },
      }),
    );
    expect(items.Items?.[0]?.status).toBe('suspended');
  });
});
