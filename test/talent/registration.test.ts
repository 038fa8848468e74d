/**
 * The pipeline cannot be skipped or back-dated: an ordinary registration starts at its
 * beginning, a person with a history comes in only on the committee's authority with the
 * evidence, and every step is judged as of its own effective date (the people it names, the
 * person's registration, the meeting, the oath). Text fields hold one line, or free text,
 * without control or bidi-override characters.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { as, settle } from '../support/api.js';
import {
  type Client,
  committee,
  heldMeeting,
  historyOf,
  newBranch,
  personBody,
  register,
  TODAY,
} from './support.js';

let admin: Client;
let secretary: Client;
let branchId: string;

beforeAll(async () => {
  admin = await committee();
  branchId = (await newBranch(admin)).branchId;
  secretary = await as({ roles: ['secretary', 'member'], branchId });
});

const post = (client: Client, body: Record<string, unknown>, now = TODAY) =>
  client.post('/talent/people', personBody({ branchId, ...body }), { now });

const expectCode = (res: { status: number; text: string; body: any }, status: number, code: string) => {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.code).toBe(code);
};

describe('registration', () => {
  it('an ordinary one starts at the beginning of the pipeline, with a recent application', async () => {
    for (const politicalStatus of ['activist', 'candidate', 'probationary', 'full']) {
      expectCode(
        await post(secretary, { politicalStatus, statusSince: '2025-06-01', history: undefined }),
        422,
        'registration-not-at-pipeline-start',
      );
    }
    expectCode(
      await post(secretary, { politicalStatus: 'applicant', statusSince: '2025-11-25' }),
      422,
      'application-too-old',
    );
    expect((await post(secretary, { politicalStatus: 'applicant', statusSince: '2025-11-26' })).status).toBe(
      201,
    );
    expectCode(
      await post(secretary, { politicalStatus: 'applicant', statusSince: '2026-11-27' }),
      422,
      'status-since-out-of-range',
    );
    expectCode(
      await post(secretary, {
        politicalStatus: 'applicant',
        birthDate: '2008-12-01',
        statusSince: '2026-11-01',
      }),
      422,
      'applicant-under-age',
    );
  });

  it('a history is the committee’s path: marked on the record and in the audit log', async () => {
    const evidence = historyOf('2019-07-01');
    expectCode(
      await post(secretary, { politicalStatus: 'full', statusSince: '2019-07-01', history: evidence }),
      403,
      'history-committee-only',
    );
    expectCode(
      await post(admin, {
        politicalStatus: 'full',
        statusSince: '2019-07-01',
        history: historyOf('2019-06-30'),
      }),
      422,
      'history-evidence-before-stage',
    );
    expectCode(
      await post(admin, {
        politicalStatus: 'full',
        statusSince: '2019-07-01',
        history: historyOf('2026-11-27'),
      }),
      422,
      'history-evidence-in-future',
    );
    const res = await post(admin, { politicalStatus: 'full', statusSince: '2019-07-01', history: evidence });
    expect(res.status, res.text).toBe(201);
    const record = await admin.get(`/talent/people/${res.body.personId}`);
    expect(record.body.arrivedWith).toEqual({
      history: true,
      stage: 'full',
      since: '2019-07-01',
      evidence: evidence.evidence,
      recordedBy: admin.personId,
    });
    const audit = await admin.get(`/talent/audit/people/${res.body.personId}`);
    expect(audit.body.items.at(-1)).toMatchObject({ action: 'person.register-with-history' });
  });
});

/** A branch general meeting of the branch, known to talent once this returns. */
const meeting = async (heldOn: string) => {
  const activityId = await heldMeeting(branchId, heldOn);
  await settle();
  return activityId;
};

const step = (personId: string, body: Record<string, unknown>, client: Client = admin) =>
  client.post(`/talent/people/${personId}/transitions`, body, { now: TODAY });

describe('every step as of its own effective date', () => {
  it('a chain cannot be back-dated before the registration', async () => {
    const p = (await post(admin, { statusSince: '2000-01-01' })).body.personId;
    expectCode(
      await step(p, { to: 'applicant', effectiveOn: '2000-06-01' }),
      422,
      'effective-before-registration',
    );
    expectCode(
      await step(p, { to: 'applicant', effectiveOn: '2026-11-25' }),
      422,
      'effective-before-registration',
    );
    expect((await step(p, { to: 'applicant', effectiveOn: '2026-11-26' })).status).toBe(201);
  });

  it('a contact person was a full member on the effective date, not only seconds ago', async () => {
    const contact = (
      await register(
        admin,
        { branchId, politicalStatus: 'probationary', statusSince: '2025-06-01' },
        '2025-06-02T10:00:00+08:00',
      )
    ).personId;
    const oath = await admin.post(
      `/talent/people/${contact}/oath`,
      { takenOn: '2025-06-10' },
      { now: TODAY },
    );
    expect(oath.status, oath.text).toBe(201);
    const vote = await meeting('2026-06-05');
    const full = await step(contact, {
      to: 'full',
      effectiveOn: '2026-06-10',
      evidence: { resolutionActivityId: vote },
    });
    expect(full.status, full.text).toBe(201);

    const applicant = (
      await register(
        admin,
        { branchId, politicalStatus: 'applicant', statusSince: '2026-01-10' },
        '2026-01-10T10:00:00+08:00',
      )
    ).personId;
    expectCode(
      await step(applicant, {
        to: 'activist',
        effectiveOn: '2026-06-09',
        evidence: { contactPersonIds: [contact] },
      }),
      422,
      'contact-person-not-full-member',
    );
    expect(
      (
        await step(applicant, {
          to: 'activist',
          effectiveOn: '2026-06-10',
          evidence: { contactPersonIds: [contact] },
        })
      ).status,
    ).toBe(201);
  });

  it('no full membership without the oath, nor on a meeting held before the registration', async () => {
    // Registered today as probationary since last year: the attacker's case.
    const p = (
      await post(admin, {
        politicalStatus: 'probationary',
        statusSince: '2025-06-01',
        history: historyOf('2025-06-01'),
      })
    ).body.personId;
    const before = await meeting('2026-07-01');
    expectCode(
      await step(p, { to: 'full', effectiveOn: '2026-11-26', evidence: { resolutionActivityId: before } }),
      422,
      'oath-not-recorded',
    );
    const oath = await admin.post(`/talent/people/${p}/oath`, { takenOn: '2025-06-15' }, { now: TODAY });
    expect(oath.status, oath.text).toBe(201);
    expectCode(
      await step(p, { to: 'full', effectiveOn: '2026-11-26', evidence: { resolutionActivityId: before } }),
      422,
      'resolution-before-registration',
    );
    const after = await meeting('2026-11-26');
    expect(
      (await step(p, { to: 'full', effectiveOn: '2026-11-26', evidence: { resolutionActivityId: after } }))
        .status,
    ).toBe(201);
  });
});

describe('text fields', () => {
  it.each([
    ['NUL', '\u0000'],
    ['tab', '\t'],
    ['CR', '\r'],
    ['LF', '\n'],
    ['right-to-left override', '\u202E'],
  ])('a name with %s is a 400, on registration and on correction', async (_what, bad) => {
    const res = await post(admin, { name: `张${bad}三` });
    expectCode(res, 400, 'validation-failed');
    expect(res.body.error.details.fields.map((f: any) => f.field)).toEqual(['body.name']);
    const p = (await post(admin, {})).body;
    const patch = await admin.patch(`/talent/people/${p.personId}`, {
      version: p.version,
      name: `李${bad}四`,
    });
    expectCode(patch, 400, 'validation-failed');
  });

  it('a withdrawal’s reason may span lines, but holds no other control character', async () => {
    const p = (await post(admin, {})).body.personId;
    const rec = await admin.post(`/talent/people/${p}/records`, {
      kind: 'training',
      date: '2026-11-01',
      title: '培训',
    });
    const path = `/talent/people/${p}/records/${rec.body.recordId}/withdrawal`;
    expectCode(await admin.post(path, { reason: '录错\u0000了' }), 400, 'validation-failed');
    expect((await admin.post(path, { reason: '录错了\n重新录入' })).status).toBe(200);
  });
});
