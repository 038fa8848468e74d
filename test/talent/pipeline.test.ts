/**
 * The development pipeline through the gateway: a person walked from masses to full member,
 * with the meetings learnt from activities' events and the committee's working-day calendar,
 * and every refusal answered as a 422 naming its rule. (The boundary days are unit-tested
 * beside the rules, in services/talent/domain/pipeline.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as, settle } from '../support/api.js';
import { type Client, committee, heldMeeting, newBranch, outbox, register } from './support.js';

let admin: Client;
let branchId: string;
let otherBranchId: string;
let introducerA: string;
let introducerB: string;

const transition = (personId: string, body: Record<string, unknown>, client: Client = admin) =>
  client.post(`/talent/people/${personId}/transitions`, body, { now: '2026-11-26T10:00:00+08:00' });

const expectRefusal = async (
  res: Awaited<ReturnType<typeof transition>>,
  code: string,
  status = code === 'not-found' ? 404 : 422,
) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(/.+/);
};

let meeting2025: string;
let meeting2026: string;
let otherBranchMeeting: string;
let partyLesson: string;

beforeAll(async () => {
  admin = await committee();
  branchId = (await newBranch(admin)).branchId;
  otherBranchId = (await newBranch(admin)).branchId;
  introducerA = (await register(admin, { branchId, politicalStatus: 'full', name: '介绍人甲' })).personId;
  introducerB = (await register(admin, { branchId, politicalStatus: 'full', name: '介绍人乙' })).personId;
  // 端午节 2025: Sat 05-31 to Mon 06-02 off.
  const calendar = await admin.put('/talent/calendar/2025', {
    holidays: ['2025-05-31', '2025-06-01', '2025-06-02'],
    workdays: [],
  });
  expect(calendar.status).toBe(200);
  meeting2025 = await heldMeeting(branchId, '2025-06-15');
  meeting2026 = await heldMeeting(branchId, '2026-06-20');
  otherBranchMeeting = await heldMeeting(otherBranchId, '2025-06-15');
  partyLesson = await heldMeeting(branchId, '2025-06-15', 'party-lesson' as never);
  await settle();
});

const probationaryEvidence = () => ({
  introducerIds: [introducerA, introducerB],
  politicalReviewOn: '2025-03-01',
  training: { days: 3, completedOn: '2025-04-01' },
  publicNotice: { from: '2025-06-02', to: '2025-06-09' },
  resolutionActivityId: meeting2025,
});

describe('a person walked through the pipeline', () => {
  it('masses → applicant → activist → candidate → probationary → full, each StageChanged with the new version', async () => {
    const p = (await register(admin, { branchId, birthDate: '1995-01-01', statusSince: '2020-01-01' }))
      .personId;
    expect((await transition(p, { to: 'applicant', effectiveOn: '2024-01-10' })).status).toBe(201);
    const activist = await transition(p, {
      to: 'activist',
      effectiveOn: '2024-02-15',
      evidence: { contactPersonIds: [introducerA] },
    });
    expect(activist.status).toBe(201);
    expect(activist.body.person).toMatchObject({
      politicalStatus: 'activist',
      contactPersonIds: [introducerA],
    });
    await expectRefusal(
      await transition(p, {
        to: 'candidate',
        effectiveOn: '2025-02-14',
        evidence: { branchCommitteeDecisionOn: '2025-02-10' },
      }),
      'activist-period-too-short',
    );
    expect(
      (
        await transition(p, {
          to: 'candidate',
          effectiveOn: '2025-02-15',
          evidence: { branchCommitteeDecisionOn: '2025-02-10' },
        })
      ).status,
    ).toBe(201);

    const probationary = await transition(p, {
      to: 'probationary',
      effectiveOn: '2025-07-01',
      evidence: probationaryEvidence(),
    });
    expect(probationary.status, JSON.stringify(probationary.body)).toBe(201);
    // Probation starts on the meeting's date, not on the approval.
    expect(probationary.body.person).toMatchObject({
      politicalStatus: 'probationary',
      statusSince: '2025-06-15',
      probation: { startedOn: '2025-06-15' },
    });
    expect(
      (
        await admin.post(
          `/talent/people/${p}/oath`,
          { takenOn: '2025-07-01' },
          { now: '2026-11-26T10:00:00+08:00' },
        )
      ).status,
    ).toBe(201);
    await expectRefusal(
      await admin.post(
        `/talent/people/${p}/oath`,
        { takenOn: '2025-07-02' },
        { now: '2026-11-26T10:00:00+08:00' },
      ),
      'oath-already-recorded',
      409,
    );

    await expectRefusal(
      await transition(p, {
        to: 'full',
        effectiveOn: '2026-06-14',
        evidence: { resolutionActivityId: meeting2026 },
      }),
      'probation-not-ended',
    );
    const full = await transition(p, {
      to: 'full',
      effectiveOn: '2026-06-20',
      evidence: { resolutionActivityId: meeting2026 },
    });
    expect(full.status).toBe(201);
    expect(full.body.person).toMatchObject({
      politicalStatus: 'full',
      statusSince: '2026-06-20',
      version: 7,
    });

    const events = await outbox(p);
    expect(events.map((e) => [e.type, e.detail.data.to ?? null, e.detail.data.person.version])).toEqual([
      ['PersonRegistered', null, 1],
      ['StageChanged', 'applicant', 2],
      ['StageChanged', 'activist', 3],
      ['StageChanged', 'candidate', 4],
      ['StageChanged', 'probationary', 5],
      ['PersonUpdated', null, 6],
      ['StageChanged', 'full', 7],
    ]);
    expect(events[4]?.detail.data).toMatchObject({ from: 'candidate', effectiveOn: '2025-07-01' });

    const timeline = await admin.get(`/talent/people/${p}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.items.map((e: any) => [e.type, e.on, e.to ?? null])).toEqual([
      ['stage', '2026-06-20', 'full'],
      // Same day: the later record first.
      ['oath', '2025-07-01', null],
      ['stage', '2025-07-01', 'probationary'],
      ['stage', '2025-02-15', 'candidate'],
      ['stage', '2024-02-15', 'activist'],
      ['stage', '2024-01-10', 'applicant'],
    ]);
  });
});

describe('refusals through the gateway, each naming its rule', () => {
  const candidate = async () =>
    (await register(admin, { branchId, politicalStatus: 'candidate', statusSince: '2025-01-01' })).personId;

  it.each<[string, (e: ReturnType<typeof probationaryEvidence>) => Record<string, unknown>, string?]>([
    ['introducers-required', (e) => ({ ...e, introducerIds: [introducerA] })],
    // Someone who is not on the register (or whom the caller may not see) is not found.
    ['not-found', (e) => ({ ...e, introducerIds: [introducerA, newId()] })],
    ['resolution-meeting-required', ({ resolutionActivityId: _r, ...e }) => e],
    ['resolution-meeting-unknown', (e) => ({ ...e, resolutionActivityId: otherBranchMeeting })],
    ['resolution-meeting-unknown', (e) => ({ ...e, resolutionActivityId: partyLesson })],
    ['resolution-meeting-unknown', (e) => ({ ...e, resolutionActivityId: newId() })],
    ['political-review-required', ({ politicalReviewOn: _p, ...e }) => e],
    ['political-review-expired', (e) => ({ ...e, politicalReviewOn: '2024-06-14' })],
    ['training-required', ({ training: _t, ...e }) => e],
    ['training-too-short', (e) => ({ ...e, training: { days: 2, classHours: 16 } })],
    ['public-notice-required', ({ publicNotice: _n, ...e }) => e],
    ['public-notice-too-short', (e) => ({ ...e, publicNotice: { from: '2025-06-02', to: '2025-06-06' } })],
    ['public-notice-not-ended', (e) => ({ ...e, publicNotice: { from: '2025-06-09', to: '2025-06-16' } })],
    [
      'working-day-calendar-missing',
      (e) => ({ ...e, publicNotice: { from: '2023-06-01', to: '2023-06-09' } }),
    ],
    ['approval-before-meeting', (e) => e, '2025-06-14'],
    ['approval-too-late', (e) => e, '2025-09-16'],
  ])('probationary: %s', async (code, evidence, effectiveOn = '2025-07-01') => {
    const p = await candidate();
    await expectRefusal(
      await transition(p, { to: 'probationary', effectiveOn, evidence: evidence(probationaryEvidence()) }),
      code,
    );
    const unchanged = await admin.get(`/talent/people/${p}`);
    expect(unchanged.body).toMatchObject({ version: 1, politicalStatus: 'candidate' });
  });

  it('the 公示 counts working days from the committee calendar: 4 over the holiday, 5 a day later', async () => {
    const p = await candidate();
    const short = await transition(p, {
      to: 'probationary',
      effectiveOn: '2025-07-01',
      evidence: { ...probationaryEvidence(), publicNotice: { from: '2025-05-30', to: '2025-06-05' } },
    });
    expect(short.body.error).toEqual({
      code: 'public-notice-too-short',
      message: 'public notice 2025-05-30..2025-06-05: 4 working days, 5 required',
    });
    const enough = await transition(p, {
      to: 'probationary',
      effectiveOn: '2025-07-01',
      evidence: { ...probationaryEvidence(), publicNotice: { from: '2025-05-30', to: '2025-06-06' } },
    });
    expect(enough.status).toBe(201);
  });

  it.each<[string, string, Record<string, unknown>, string?]>([
    ['transition-not-allowed', 'masses', { to: 'activist', effectiveOn: '2025-01-01' }],
    ['transition-not-allowed', 'activist', { to: 'applicant', effectiveOn: '2025-01-01' }],
    [
      'transition-not-allowed',
      'full',
      { to: 'masses', effectiveOn: '2025-01-01', evidence: { reason: 'x' } },
    ],
    ['effective-date-in-future', 'masses', { to: 'applicant', effectiveOn: '2026-11-27' }],
    ['effective-before-current-stage', 'masses', { to: 'applicant', effectiveOn: '2019-12-31' }],
    [
      'activist-not-after-application',
      'applicant',
      { to: 'activist', effectiveOn: '2020-01-01', evidence: { contactPersonIds: ['X'] } },
    ],
    ['contact-persons-required', 'applicant', { to: 'activist', effectiveOn: '2024-01-01' }],
    [
      'not-found',
      'applicant',
      { to: 'activist', effectiveOn: '2024-01-01', evidence: { contactPersonIds: [newId()] } },
    ],
    ['activist-period-too-short', 'activist', { to: 'candidate', effectiveOn: '2020-12-31' }],
    [
      'branch-committee-decision-required',
      'activist',
      { to: 'candidate', effectiveOn: '2024-01-01', evidence: { contactPersonIds: [] } },
    ],
    ['cancellation-reason-required', 'probationary', { to: 'masses', effectiveOn: '2024-01-01' }],
    ['resolution-meeting-required', 'probationary', { to: 'full', effectiveOn: '2024-01-01' }],
    [
      'resolution-before-probation-end',
      'probationary',
      { to: 'full', effectiveOn: '2026-07-01', evidence: { resolutionActivityId: 'MEETING2025' } },
      '2025-01-01',
    ],
    [
      'oath-not-recorded',
      'probationary',
      { to: 'full', effectiveOn: '2026-07-01', evidence: { resolutionActivityId: 'MEETING2026' } },
      '2025-01-01',
    ],
  ])('%s (from %s)', async (code, status, body, since = '2020-01-01') => {
    const p = (
      await register(admin, {
        branchId,
        politicalStatus: status,
        statusSince: since,
        birthDate: '1990-01-01',
      })
    ).personId;
    const evidence = (body.evidence ?? {}) as Record<string, unknown>;
    if (evidence.resolutionActivityId === 'MEETING2025') evidence.resolutionActivityId = meeting2025;
    if (evidence.resolutionActivityId === 'MEETING2026') evidence.resolutionActivityId = meeting2026;
    // A full member took the oath during probation; every refusal but its own has it on record.
    if (body.to === 'full' && code !== 'oath-not-recorded') {
      const oath = await admin.post(
        `/talent/people/${p}/oath`,
        { takenOn: since },
        { now: '2026-11-26T10:00:00+08:00' },
      );
      expect(oath.status, oath.text).toBe(201);
    }
    if (Array.isArray(evidence.contactPersonIds) && evidence.contactPersonIds.length === 0) {
      evidence.contactPersonIds = [introducerA];
    }
    await expectRefusal(await transition(p, { ...body, evidence }), code);
  });

  it('a malformed command is a 400 naming each bad field, and changes nothing', async () => {
    const p = (await register(admin, { branchId })).personId;
    const res = await transition(p, {
      to: 'member',
      effectiveOn: '2025-02-30',
      evidence: { introducers: ['x'], training: { days: -1 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: any) => f.field).sort()).toEqual([
      'body.effectiveOn',
      'body.evidence.introducers',
      'body.evidence.training.days',
      'body.to',
    ]);
    expect((await admin.get(`/talent/people/${p}`)).body.version).toBe(1);
  });

  it('contact persons and introducers are not the person themselves', async () => {
    const p = (await register(admin, { branchId, politicalStatus: 'applicant', statusSince: '2024-01-01' }))
      .personId;
    await expectRefusal(
      await transition(p, { to: 'activist', effectiveOn: '2024-02-01', evidence: { contactPersonIds: [p] } }),
      'contact-person-is-the-person',
    );
    const c = await candidate();
    await expectRefusal(
      await transition(c, {
        to: 'probationary',
        effectiveOn: '2025-07-01',
        evidence: { ...probationaryEvidence(), introducerIds: [introducerA, c] },
      }),
      'introducer-is-the-person',
    );
  });

  it('an applicant is 18 on the day of application', async () => {
    const p = (await register(admin, { branchId, birthDate: '2008-05-02', statusSince: '2024-01-01' }))
      .personId;
    const res = await transition(p, { to: 'applicant', effectiveOn: '2026-05-01' });
    expect(res.body.error).toEqual({
      code: 'applicant-under-age',
      message: 'born 2008-05-02: 17 on 2026-05-01, 18 required',
    });
    expect((await transition(p, { to: 'applicant', effectiveOn: '2026-05-02' })).status).toBe(201);
  });

  it('the branch committee decides no later than the step', async () => {
    const p = (await register(admin, { branchId, politicalStatus: 'activist', statusSince: '2024-01-01' }))
      .personId;
    await expectRefusal(
      await transition(p, {
        to: 'candidate',
        effectiveOn: '2025-01-01',
        evidence: { contactPersonIds: [introducerA], branchCommitteeDecisionOn: '2025-01-02' },
      }),
      'branch-committee-decision-after-effective',
    );
  });

  it('a secretary transitions only people of their own branch; a member not at all', async () => {
    const p = (await register(admin, { branchId, statusSince: '2020-01-01' })).personId;
    const other = await as({ roles: ['secretary'], branchId: otherBranchId });
    expect((await transition(p, { to: 'applicant', effectiveOn: '2024-01-01' }, other)).status).toBe(404);
    const self = await as({ roles: ['member'], branchId, personId: p });
    expect((await transition(p, { to: 'applicant', effectiveOn: '2024-01-01' }, self)).status).toBe(403);
    const own = await as({ roles: ['secretary'], branchId });
    expect((await transition(p, { to: 'applicant', effectiveOn: '2024-01-01' }, own)).status).toBe(201);
  });
});

describe('facts recorded along the way', () => {
  it('the recorded political review and meeting vote stand in for the evidence', async () => {
    const p = (await register(admin, { branchId, politicalStatus: 'candidate', statusSince: '2025-01-01' }))
      .personId;
    const now = { now: '2026-11-26T10:00:00+08:00' };
    const fact = (body: Record<string, unknown>) =>
      admin.post(`/talent/people/${p}/pipeline-events`, body, now);
    expect((await fact({ kind: 'political-review', on: '2025-03-01' })).status).toBe(201);
    expect(
      (await fact({ kind: 'branch-resolution', on: '2025-06-15', activityId: meeting2025 })).status,
    ).toBe(201);
    const { politicalReviewOn: _p, resolutionActivityId: _r, ...rest } = probationaryEvidence();
    const res = await transition(p, { to: 'probationary', effectiveOn: '2025-07-01', evidence: rest });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.transition.evidence).toMatchObject({
      politicalReviewOn: '2025-03-01',
      resolutionActivityId: meeting2025,
    });
    expect(res.body.person.pipeline.resolution).toBeUndefined();
  });
});

describe('probation: extension, cancellation, oath', () => {
  const probationary = async () =>
    (await register(admin, { branchId, politicalStatus: 'probationary', statusSince: '2026-01-10' }))
      .personId;
  const now = { now: '2026-11-26T10:00:00+08:00' };

  it('extends once by 6 to 12 months, and the end of probation moves with it', async () => {
    const p = await probationary();
    const extend = (body: Record<string, unknown>) =>
      admin.post(`/talent/people/${p}/probation-extension`, body, now);
    await expectRefusal(
      await extend({ months: 5, decidedOn: '2026-06-01', reason: '考察' }),
      'extension-out-of-range',
    );
    await expectRefusal(
      await extend({ months: 13, decidedOn: '2026-06-01', reason: '考察' }),
      'extension-out-of-range',
    );
    const ok = await extend({ months: 6, decidedOn: '2026-06-01', reason: '需继续考察' });
    expect(ok.status).toBe(201);
    expect(ok.body.person.probation).toEqual({
      startedOn: '2026-01-10',
      extensionMonths: 6,
      extendedOn: '2026-06-01',
    });
    await expectRefusal(
      await extend({ months: 6, decidedOn: '2026-07-01', reason: '再次' }),
      'probation-already-extended',
    );
    const later = await heldMeeting(branchId, '2027-01-20');
    await settle();
    const early = await admin.post(
      `/talent/people/${p}/transitions`,
      { to: 'full', effectiveOn: '2027-01-20', evidence: { resolutionActivityId: later } },
      { now: '2027-02-01T10:00:00+08:00' },
    );
    await expectRefusal(early, 'probation-not-ended');
    expect(early.body.error.message).toContain('ends 2027-07-10');
    const events = await outbox(p);
    expect(events.map((e) => [e.type, e.detail.data.person.version])).toEqual([
      ['PersonRegistered', 1],
      ['PersonUpdated', 2],
    ]);
  });

  it('refuses an extension outside the probation and for non-probationary people', async () => {
    const p = await probationary();
    await expectRefusal(
      await admin.post(
        `/talent/people/${p}/probation-extension`,
        { months: 6, decidedOn: '2026-01-09', reason: 'x' },
        now,
      ),
      'extension-outside-probation',
    );
    const masses = (await register(admin, { branchId })).personId;
    await expectRefusal(
      await admin.post(
        `/talent/people/${masses}/probation-extension`,
        { months: 6, decidedOn: '2026-06-01', reason: 'x' },
        now,
      ),
      'not-probationary',
    );
    await expectRefusal(
      await admin.post(`/talent/people/${masses}/oath`, { takenOn: '2026-06-01' }, now),
      'not-probationary',
    );
    await expectRefusal(
      await admin.post(`/talent/people/${p}/oath`, { takenOn: '2026-01-09' }, now),
      'oath-before-probation',
    );
  });

  it('cancels a probationary membership with a reason (probationary → masses)', async () => {
    const p = await probationary();
    const res = await transition(p, {
      to: 'masses',
      effectiveOn: '2026-06-01',
      evidence: { reason: '不履行党员义务' },
    });
    expect(res.status).toBe(201);
    expect(res.body.person).toMatchObject({ politicalStatus: 'masses', statusSince: '2026-06-01' });
    expect(res.body.person.probation).toBeUndefined();
    const events = await outbox(p);
    expect(events.at(-1)?.detail.data).toMatchObject({
      from: 'probationary',
      to: 'masses',
      effectiveOn: '2026-06-01',
    });
  });
});

describe('the working-day calendar', () => {
  it("is the committee's, and refuses dates outside its year", async () => {
    const secretary = await as({ roles: ['secretary'], branchId });
    expect((await secretary.put('/talent/calendar/2030', { holidays: [] })).status).toBe(403);
    const wrong = await admin.put('/talent/calendar/2030', { holidays: ['2031-01-01'] });
    expect(wrong.status).toBe(400);
    expect(
      (await admin.put('/talent/calendar/2030', { holidays: ['2030-01-01'], workdays: ['2030-01-05'] }))
        .status,
    ).toBe(200);
    expect((await secretary.get('/talent/calendar/2030')).body).toEqual({
      year: 2030,
      holidays: ['2030-01-01'],
      workdays: ['2030-01-05'],
    });
  });
});
