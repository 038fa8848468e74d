/**
 * A front end's session, written only with the typed client (clients/typescript) against
 * the local runtime: everyone signs in to the local Cognito for real (the bootstrap
 * committee account, a member invited on registration, a partner's account made on
 * approval), then lists branches, schedules an activity, checks in, registers a partner's
 * people for a joint event and reads the insights. Paths, parameters and bodies are
 * checked by the compiler against the document; every answer is checked against it at run
 * time too, as test/support/api.ts does for the other tests.
 *
 * The services' clock is moved with the test runtime's clock header, so that the member
 * checks in while the activity runs and the committee completes it after, without waiting.
 */
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  codeOf,
  createDangjianClient,
  type DangjianClient,
  isServiceRefusal,
  ok,
  Refused,
} from '../../clients/typescript/index.js';
import { BOOTSTRAP_COMMITTEE } from '../../infra/local/cognito.js';
import { signIn } from '../../infra/local/sign-in.js';
import { newId } from '../../shared/ids.js';
import { runtime, settle } from '../support/api.js';
import { contractViolations } from '../support/contract.js';
import { CLOCK_HEADER } from '../support/controls.js';

/** fetch, with every answer held to the published contract before the client sees it. */
const contractFetch = async (request: Request): Promise<Response> => {
  const response = await fetch(request);
  const text = await response.clone().text();
  const contentType = response.headers.get('content-type') ?? '';
  const body: unknown = contentType.includes('json') && text.length > 0 ? JSON.parse(text) : text;
  const { pathname } = new URL(request.url);
  const violations = contractViolations(request.method, pathname, response.status, contentType, body, text);
  if (violations.length > 0) throw new Error(`Contract broken:\n${violations.join('\n')}`);
  return response;
};

const clientFor = (token?: string): DangjianClient =>
  createDangjianClient({ baseUrl: runtime().url, fetch: contractFetch, ...(token ? { token } : {}) });

/** The request time the services see (test runtime only). */
const at = (now: string) => ({ headers: { [CLOCK_HEADER]: now } });

/** A real sign-in to the runtime's pool: InitiateAuth, and the new-password challenge the first time. */
const signedIn = async (username: string) =>
  clientFor(await signIn(runtime().identity, runtime().dataDir, username));

const SCHEDULING = '2026-11-20T10:00:00+08:00';
const CHECK_IN = '2026-11-26T08:50:00+08:00';
const AFTER_IT = '2026-11-26T12:00:00+08:00';

let committee: DangjianClient;
beforeAll(async () => {
  committee = await signedIn(BOOTSTRAP_COMMITTEE.username);
});

describe('a front end through the typed client', () => {
  it('signs in, lists branches, schedules an activity, checks in, registers a partner and reads the insights', async () => {
    // The committee sets up a branch and finds it in the list, page by page.
    const branchName = `客户端支部 ${newId()}`;
    const branch = await ok(
      committee.POST('/talent/branches', {
        body: { name: branchName, partyGroups: [{ name: '第一党小组' }] },
      }),
    );
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(
        committee.GET('/talent/branches', {
          params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      );
      names.push(...page.items.map((b) => b.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(names).toContain(branchName);

    // A member registered with an e-mail gets an invitation, and signs in with it.
    const person = await ok(
      committee.POST('/talent/people', {
        body: {
          name: '李客户',
          gender: 'female',
          birthDate: '1990-05-01',
          department: '化学室',
          branchId: branch.branchId,
          politicalStatus: 'full',
          statusSince: '2015-07-01',
          history: { evidence: { kind: 'party-file', reference: `档案 ${newId()}`, issuedOn: '2015-07-01' } },
          email: `c${newId().toLowerCase()}@example.cn`,
        },
        ...at(SCHEDULING),
      }),
    );
    await settle();
    const member = await signedIn(person.personId);
    expect((await ok(member.GET('/talent/me'))).person.personId).toBe(person.personId);

    // The committee schedules a theme day; the member is invited.
    const activity = await ok(
      committee.POST('/activities', {
        body: {
          branchId: branch.branchId,
          type: 'theme-day',
          title: '主题党日（客户端）',
          startsAt: '2026-11-26T09:00:00+08:00',
          endsAt: '2026-11-26T11:00:00+08:00',
          location: '党员活动室',
        },
        ...at(SCHEDULING),
      }),
    );
    expect(activity.inviteeIds).toEqual([person.personId]);
    const checkInCode = activity.checkInCode;
    if (checkInCode === undefined) throw new Error('the organiser sees the check-in code');
    const activityId = activity.activityId;

    // A mistyped code is a refusal the front end can switch on by its code.
    const wrong = String((Number(checkInCode) + 1) % 1_000_000).padStart(6, '0');
    const mistyped = await member.POST('/activities/{activityId}/check-in', {
      params: { path: { activityId } },
      body: { code: wrong },
      ...at(CHECK_IN),
    });
    expect(mistyped.response.status).toBe(422);
    expect(codeOf(mistyped.error)).toBe('wrong-check-in-code');
    // The document lists each operation's codes, so the client knows them when it compiles.
    type CheckInCode = NonNullable<ReturnType<typeof codeOf<typeof mistyped.error>>>;
    expectTypeOf<'wrong-check-in-code' | 'check-in-locked' | 'not-invited'>().toExtend<CheckInCode>();
    expectTypeOf<'person-exists'>().not.toExtend<CheckInCode>();

    const checkedIn = await ok(
      member.POST('/activities/{activityId}/check-in', {
        params: { path: { activityId } },
        body: { code: checkInCode },
        ...at(CHECK_IN),
      }),
    );
    expect(checkedIn).toMatchObject({ personId: person.personId, status: 'present', via: 'check-in' });

    await ok(
      committee.POST('/activities/{activityId}/complete', {
        params: { path: { activityId } },
        body: { minutes: '学习交流，全体到会' },
        ...at(AFTER_IT),
      }),
    );

    // A partner applies (public), the committee approves, the partner signs in to the account made for it.
    const applied = await ok(
      clientFor().POST('/community/partners/applications', {
        body: {
          consent: true,
          orgName: `客户端科技有限公司 ${newId()}`,
          orgType: 'enterprise',
          contactName: '王五',
          contactPhone: '13812341234',
          contactEmail: `p${newId().toLowerCase()}@example.cn`,
          intro: '检验检测行业的邻居单位',
        },
      }),
    );
    await ok(
      committee.POST('/community/partners/{partnerId}/approve', {
        params: { path: { partnerId: applied.partnerId } },
      }),
    );
    await settle();
    const partner = await signedIn(applied.partnerId);

    // A joint event with two places; the partner registers three people.
    const event = await ok(
      committee.POST('/community/events', {
        body: {
          title: '社区义诊 联合主题党日',
          kind: 'health-service',
          description: '与周边社区联合开展',
          location: '社区服务中心',
          capacity: 2,
          registrationOpensAt: '2026-11-20T09:00:00+08:00',
          registrationClosesAt: '2026-11-27T18:00:00+08:00',
          startsAt: '2026-11-28T09:00:00+08:00',
          endsAt: '2026-11-28T11:40:00+08:00',
        },
        ...at(SCHEDULING),
      }),
    );
    const eventId = event.jointEventId;
    await ok(
      committee.POST('/community/events/{eventId}/publish', {
        params: { path: { eventId } },
        ...at(SCHEDULING),
      }),
    );
    const placed = await ok(
      partner.POST('/community/events/{eventId}/registrations', {
        params: { path: { eventId } },
        body: {
          participants: [{ name: '刘志愿', phone: '13912345678' }, { name: '陈志愿' }, { name: '赵志愿' }],
          consent: true,
        },
        ...at(CHECK_IN),
      }),
    );
    expect(placed).toMatchObject({ confirmed: 2, waitlisted: 1 });

    // The insights: the member took part in the branch's one activity; the waitlist holds one.
    const participation = await ok(
      committee.GET('/activities/insights/participation', {
        params: { query: { branchId: branch.branchId } },
        ...at(AFTER_IT),
      }),
    );
    expect(participation).toMatchObject({ invited: 1, attended: 1, rate: 1 });
    expect(participation.members.map((m) => m.personId)).toEqual([person.personId]);
    const waitlist = await ok(
      committee.GET('/community/events/{eventId}/waitlist', { params: { path: { eventId } } }),
    );
    expect(waitlist.items).toHaveLength(1);
    // Three real sign-ins and four settles of the shared bus: seconds, more on a busy machine.
  }, 60_000);

  it('throws a refusal as Refused with its status and code, and tells a gateway answer from a service refusal', async () => {
    const unknown = newId();
    const refused = await ok(
      committee.GET('/activities/{activityId}', { params: { path: { activityId: unknown } } }),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Refused);
    expect(refused).toMatchObject({ status: 404, code: 'not-found' });

    // No token: API Gateway answers by itself, a bare message without a code.
    const anonymous = await clientFor().GET('/talent/branches');
    expect(anonymous.response.status).toBe(401);
    expect(isServiceRefusal(anonymous.error)).toBe(false);
    expect(codeOf(anonymous.error)).toBeUndefined();
  });
});
