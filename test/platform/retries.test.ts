/**
 * A retried create never creates twice, on every route that creates. A client that did not
 * hear the answer sends the same request with the same Idempotency-Key and gets what the
 * first created (also when the copies arrive side by side); the same key with another
 * request is 422; a malformed key is 400 and writes nothing. Community's creates have their
 * own, deeper tests (test/community/idempotency.test.ts); the lost-answer settling is
 * shared/store/idempotency.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../infra/local/openapi.js';
import { services } from '../../services/index.js';
import { newId } from '../../shared/ids.js';
import { asPerson, branchWithMembers, meeting } from '../activities/support.js';
import { as } from '../support/api.js';
import { committee, memberPayingDues, newBranch, personBody, register, TODAY } from '../talent/support.js';

type Client = Awaited<ReturnType<typeof as>>;

interface Create {
  client: Client;
  path: string;
  body?: unknown;
  /** Another request under the same key: another body, or the same route for another target. */
  other: { path: string; body?: unknown };
  now?: string;
  /** The id of what an answer says was created. */
  idOf: (body: any) => string;
}

const keyed = (key: string) => ({ 'idempotency-key': key });
const newKey = () => `retry-${randomUUID()}`;

const linkResource = async (secretary: Client) => {
  const res = await secretary.post('/resources', {
    title: '学习链接',
    kind: 'link',
    url: 'https://example.org/a',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.resourceId as string;
};

const assessmentBody = (title: string) => ({
  title,
  passMark: 60,
  timeLimitMinutes: 10,
  maxAttempts: 1,
  questions: [{ kind: 'true-false', prompt: '预备党员的预备期为一年。', answer: true }],
});

const creates: [string, () => Promise<Create>][] = [
  [
    'POST /activities',
    async () => {
      const { branchId, secretary } = await branchWithMembers(1);
      return {
        client: secretary,
        path: '/activities',
        body: meeting(branchId),
        other: { path: '/activities', body: meeting(branchId, { title: '另一个支委会' }) },
        now: '2026-11-20T10:00:00+08:00',
        idOf: (b) => b.activityId,
      };
    },
  ],
  [
    'POST /activities/rooms',
    async () => {
      const admin = await committee();
      const name = `活动室 ${newId()}`;
      return {
        client: admin,
        path: '/activities/rooms',
        body: { name, capacity: 30 },
        other: { path: '/activities/rooms', body: { name, capacity: 31 } },
        idOf: (b) => b.roomId,
      };
    },
  ],
  [
    'POST /talent/branches',
    async () => {
      const admin = await committee();
      const body = { name: `支部 ${newId()}`, partyGroups: [{ name: '第一党小组' }] };
      return {
        client: admin,
        path: '/talent/branches',
        body,
        other: { path: '/talent/branches', body: { ...body, name: `${body.name}二` } },
        idOf: (b) => b.branchId,
      };
    },
  ],
  [
    'POST /talent/people',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      return {
        client: admin,
        path: '/talent/people',
        body: personBody({ branchId }),
        other: { path: '/talent/people', body: personBody({ branchId, name: '李四' }) },
        now: TODAY,
        idOf: (b) => b.personId,
      };
    },
  ],
  [
    'POST /talent/people/{personId}/records',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const [one, two] = [await register(admin, { branchId }), await register(admin, { branchId })];
      const body = { kind: 'training', date: '2026-11-01', title: '党章学习班' };
      return {
        client: admin,
        path: `/talent/people/${one.personId}/records`,
        body,
        // The same body for another person is another request.
        other: { path: `/talent/people/${two.personId}/records`, body },
        now: TODAY,
        idOf: (b) => b.recordId,
      };
    },
  ],
  [
    'POST /talent/people/{personId}/pipeline-events',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const applicant = await register(admin, { branchId, politicalStatus: 'applicant' }, TODAY);
      const path = `/talent/people/${applicant.personId}/pipeline-events`;
      return {
        client: admin,
        path,
        body: { kind: 'application-talk', on: '2026-11-26' },
        other: { path, body: { kind: 'application-talk', on: '2026-11-25' } },
        now: TODAY,
        // The history entry is not named; the person's version says how often it was written.
        idOf: (b) => `${b.person.personId}@${b.person.version}`,
      };
    },
  ],
  [
    'POST /resources',
    async () => {
      const secretary = await as({ roles: ['secretary', 'member'], branchId: newId() });
      const body = { title: '党章', kind: 'document', contentType: 'application/pdf', sizeBytes: 100 };
      return {
        client: secretary,
        path: '/resources',
        body,
        other: { path: '/resources', body: { ...body, title: '党章（二）' } },
        idOf: (b) => {
          // Every answer, first or repeat, carries a form to upload the file with.
          expect(b.upload?.url).toEqual(expect.any(String));
          return b.resourceId;
        },
      };
    },
  ],
  [
    'POST /resources/assignments',
    async () => {
      const branchId = newId();
      const secretary = await as({ roles: ['secretary', 'member'], branchId });
      const resourceId = await linkResource(secretary);
      const body = { resourceId, branchIds: [branchId], dueOn: '2027-01-31' };
      return {
        client: secretary,
        path: '/resources/assignments',
        body,
        other: { path: '/resources/assignments', body: { ...body, dueOn: '2027-02-28' } },
        now: TODAY,
        idOf: (b) => b.assignmentId,
      };
    },
  ],
  [
    'POST /resources/assessments',
    async () => {
      const secretary = await as({ roles: ['secretary', 'member'], branchId: newId() });
      return {
        client: secretary,
        path: '/resources/assessments',
        body: assessmentBody('考核一'),
        other: { path: '/resources/assessments', body: assessmentBody('考核二') },
        idOf: (b) => b.assessmentId,
      };
    },
  ],
  [
    'POST /resources/assessments/{assessmentId}/attempts',
    async () => {
      const branchId = newId();
      const secretary = await as({ roles: ['secretary', 'member'], branchId });
      const [first, second] = await Promise.all(
        ['考核一', '考核二'].map(async (title) => {
          const res = await secretary.post('/resources/assessments', assessmentBody(title));
          expect(res.status).toBe(201);
          return res.body.assessmentId as string;
        }),
      );
      // One attempt allowed: a repeat that started a second would be refused instead.
      return {
        client: await asPerson({ roles: ['member'], branchId }),
        path: `/resources/assessments/${first}/attempts`,
        other: { path: `/resources/assessments/${second}/attempts` },
        now: TODAY,
        idOf: (b) => b.attemptId,
      };
    },
  ],
  [
    'POST /talent/dues/{personId}/payments',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const members = [];
      for (const name of ['缴费甲', '缴费乙']) members.push(await memberPayingDues(admin, branchId, name));
      const body = { month: '2026-11', amount: '0.20', paidOn: '2026-11-20', channel: 'cash' };
      return {
        client: admin,
        path: `/talent/dues/${members[0]}/payments`,
        body,
        other: { path: `/talent/dues/${members[1]}/payments`, body },
        now: TODAY,
        idOf: (b) => `${b.personId}#${b.month}`,
      };
    },
  ],
  [
    'POST /talent/dues/{personId}/payments/batch',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const personId = await memberPayingDues(admin, branchId, '缴费丙');
      const months = (...ms: string[]) => ({
        paidOn: '2026-11-20',
        channel: 'wechat',
        months: ms.map((month) => ({ month, amount: '0.20' })),
      });
      return {
        client: admin,
        path: `/talent/dues/${personId}/payments/batch`,
        body: months('2026-07', '2026-08', '2026-09'),
        other: { path: `/talent/dues/${personId}/payments/batch`, body: months('2026-10', '2026-11') },
        now: TODAY,
        idOf: (b) => `${b.personId}#${b.payments.map((p: { month: string }) => p.month).join(',')}`,
      };
    },
  ],
];

describe('every create that answers 201', () => {
  it('takes an Idempotency-Key, and the OpenAPI document says so', () => {
    const document = openApiDocument(services) as unknown as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    };
    const creates = services.flatMap((s) => s.routes).filter((r) => r.responses[201] !== undefined);
    // A check-in, and a leave request (请假), is one record per person and activity: a repeat
    // answers with it as it stands.
    const naturallyOnce = new Set([
      'POST /activities/{activityId}/check-in',
      'POST /activities/{activityId}/leave',
    ]);
    expect(
      creates.filter((r) => !r.idempotent && !naturallyOnce.has(r.routeKey)).map((r) => r.routeKey),
    ).toEqual([]);
    for (const r of services.flatMap((s) => s.routes).filter((r) => r.idempotent)) {
      const parameters = document.paths[r.path]?.[r.method.toLowerCase()]?.parameters ?? [];
      expect(parameters, r.routeKey).toContainEqual(
        expect.objectContaining({ in: 'header', name: 'Idempotency-Key' }),
      );
    }
  });
});

describe.each(creates)('%s, retried', (_name, setUp) => {
  it('creates once for copies side by side and a later repeat; another request under the key is 422', async () => {
    const { client, path, body, other, now, idOf } = await setUp();
    const key = newKey();
    const send = (to = path, sent = body) =>
      client.post(to, sent, { headers: keyed(key), ...(now ? { now } : {}) });

    const answers = await Promise.all([send(), send(), send()]);
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(201);
    const ids = new Set(answers.map((a) => idOf(a.body)));
    expect(ids.size).toBe(1);

    const repeat = await send();
    expect(repeat.status).toBe(201);
    expect(idOf(repeat.body)).toBe([...ids][0]);
    expect(repeat.headers.get('location')).toBe(answers[0]?.headers.get('location'));

    const reused = await send(other.path, other.body);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency-key-reused');
  });

  it('refuses a malformed key with 400', async () => {
    const { client, path, body, now, idOf } = await setUp();
    const refused = await client.post(path, body, { headers: keyed('short'), ...(now ? { now } : {}) });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid-idempotency-key');
    // Then the same request with a good key is the first create, not a repeat of anything.
    const key = newKey();
    const created = await client.post(path, body, { headers: keyed(key), ...(now ? { now } : {}) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(idOf(created.body)).toEqual(expect.any(String));
  });
});
