/**
 * Where contact details (PIPL personal information) may go, checked on a runtime of its own
 * with every service at DEBUG: phone numbers and e-mails registered, changed and sent in
 * bad requests must never reach a log line, never ride an event that no consumer needs
 * them in, and never reach a response except the few whole views the roles may see
 * (a person's record to the committee, their own branch secretary and themselves; a
 * partner's application to the committee and the partner; a registration to its registrant
 * and the committee). Lists show them masked. No error answer carries a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from '../../infra/local/bus.js';
import { services } from '../../services/index.js';
import { newId } from '../../shared/ids.js';
import { maskEmail, maskPhone } from '../../shared/pii.js';
import { application, duringRegistration, eventDay, publishedEvent } from '../community/support.js';
import { as, request, settle } from '../support/api.js';
import { startOwnRuntime } from '../support/own-runtime.js';
import type { TestRuntime } from '../support/start.js';
import { newBranch, personBody, TODAY } from '../talent/support.js';

/** A mainland mobile number no other test uses: `1[3-9]` and nine random digits. */
const phone = () =>
  `1${3 + Math.floor(Math.random() * 7)}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
const email = (who: string) => `${who}.${newId().toLowerCase()}@example.cn`;

/** Every contact detail this file sends, by what it is. */
const pii = {
  personPhone: phone(),
  personEmail: email('zhangsan'),
  changedPhone: phone(),
  changedEmail: email('zhangsan.new'),
  secondPhone: phone(),
  secondEmail: email('lisi'),
  invalidPhone: phone(),
  invalidEmail: email('wangwu'),
  partnerPhone: phone(),
  partnerEmail: email('contact'),
  participantPhone: phone(),
  failedPhone: phone(),
  failedEmail: email('zhaoliu'),
  /** Typed where an id belongs: a path is never logged, only its route key. */
  pathPhone: phone(),
};
const allValues = Object.values(pii);

interface Seen {
  method: string;
  path: string;
  status: number;
  text: string;
  /** The whole values this answer may show (the caller may see them). */
  mayShow: string[];
}

let runtime: TestRuntime;
let stop: (() => Promise<void>) | undefined;
const serviceLines: string[] = [];
const runtimeLines: string[] = [];
const processLines: string[] = [];
const events: EventBridgeEvent[] = [];
const seen: Seen[] = [];
let mayShow: string[] = [];
const originalFetch = globalThis.fetch;
const originalStdout = process.stdout.write;
const originalStderr = process.stderr.write;

/** Runs one call whose answer may show these whole values (every other answer may show none). */
const showing = async <T>(values: string[], call: () => Promise<T>): Promise<T> => {
  mayShow = values;
  try {
    return await call();
  } finally {
    mayShow = [];
  }
};

beforeAll(async () => {
  // Anything printed straight to the process (a stray console.log of a body) counts as a log too.
  const tap =
    (stream: NodeJS.WriteStream, original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      processLines.push(
        typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
      );
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    };
  process.stdout.write = tap(process.stdout, originalStdout) as typeof process.stdout.write;
  process.stderr.write = tap(process.stderr, originalStderr) as typeof process.stderr.write;

  ({ runtime, stop } = await startOwnRuntime('exposure', {
    services,
    logLevel: 'DEBUG',
    serviceLog: (line) => serviceLines.push(line),
    log: (entry) => runtimeLines.push(JSON.stringify(entry)),
  }));
  runtime.bus.subscribe({
    name: 'exposure.every-event',
    pattern: { source: [{ prefix: 'dangjian.' }] },
    deliver: async (event) => {
      events.push(event);
    },
  });
  globalThis.fetch = async (input, init) => {
    const response = await originalFetch(input, init);
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (!url.pathname.startsWith('/__local/')) {
      seen.push({
        method: init?.method ?? 'GET',
        path: url.pathname + url.search,
        status: response.status,
        text: await response.clone().text(),
        mayShow,
      });
    }
    return response;
  };
});

afterAll(async () => {
  globalThis.fetch = originalFetch;
  process.stdout.write = originalStdout;
  process.stderr.write = originalStderr;
  await stop?.();
});

const leaksIn = (texts: string[], values: string[] = allValues) =>
  texts.flatMap((text) => values.filter((v) => text.includes(v)).map((v) => `${v} in ${text.slice(0, 300)}`));

describe('contact details stay where they belong', () => {
  it('drives the PII-heavy flows: people, partners, joint-event registrations, bad requests', async () => {
    const committee = await as({ roles: ['committee'] });
    const branch = await newBranch(committee);
    const other = await newBranch(committee);
    const secretary = await as({ roles: ['secretary', 'member'], branchId: branch.branchId });
    const otherSecretary = await as({ roles: ['secretary', 'member'], branchId: other.branchId });

    // talent: register, read, change, list.
    const registered = await committee.post(
      '/talent/people',
      personBody({ branchId: branch.branchId, phone: pii.personPhone, email: pii.personEmail }),
      { now: TODAY },
    );
    expect(registered.status, registered.text).toBe(201);
    const personId = registered.body.personId as string;
    expect(registered.body.phone).toBe(maskPhone(pii.personPhone));
    const person = await as({ roles: ['member'], personId: personId, branchId: branch.branchId });
    const second = await secretary.post(
      '/talent/people',
      personBody({ name: '李四', phone: pii.secondPhone, email: pii.secondEmail }),
      { now: TODAY },
    );
    expect(second.status, second.text).toBe(201);

    const whole = [pii.personPhone, pii.personEmail];
    for (const reader of [committee, secretary, person]) {
      const read = await showing(whole, () => reader.get(`/talent/people/${personId}`));
      expect(read.status).toBe(200);
      expect([read.body.phone, read.body.email]).toEqual(whole);
    }
    const me = await showing(whole, () => person.get('/talent/me'));
    expect(me.status).toBe(200);
    expect(me.text).toContain(pii.personPhone);
    for (const stranger of [otherSecretary, await as({ roles: ['member'], branchId: branch.branchId })]) {
      expect((await stranger.get(`/talent/people/${personId}`)).status).toBe(404);
    }

    const patched = await showing([pii.changedPhone, pii.changedEmail], () =>
      secretary.patch(
        `/talent/people/${personId}`,
        { version: registered.body.version, phone: pii.changedPhone, email: pii.changedEmail },
        { now: TODAY },
      ),
    );
    expect(patched.status, patched.text).toBe(200);
    const list = await committee.get(`/talent/people?branchId=${branch.branchId}`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(maskPhone(pii.changedPhone));
    expect(list.text).toContain(maskEmail(pii.secondEmail));

    // Bad requests carrying contact details in the wrong places: refused, and nothing echoed.
    const bad = await committee.post(
      '/talent/people',
      personBody({ birthDate: pii.invalidPhone, email: pii.invalidPhone, phone: pii.invalidEmail }),
    );
    expect(bad.status).toBe(400);
    const badPatch = await committee.patch(`/talent/people/${personId}`, {
      version: 99,
      phone: `${pii.invalidPhone}x`,
      email: `${pii.invalidEmail}@`,
    });
    expect(badPatch.status).toBe(400);
    expect((await committee.get(`/talent/people/${pii.pathPhone}`)).status).toBe(404);
    const badJson = await committee.post('/talent/people', undefined, {
      raw: `{"phone":"${pii.invalidPhone}","email":"${pii.invalidEmail}"`,
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    const badForm = await request(
      'POST',
      '/community/partners/applications',
      application({ contactPhone: `0${pii.invalidPhone}`, contactEmail: pii.invalidPhone, intro: 7 }),
    );
    expect(badForm.status).toBe(400);

    // community: a partner applies, is approved, registers named participants.
    const applied = await request(
      'POST',
      '/community/partners/applications',
      application({ contactPhone: pii.partnerPhone, contactEmail: pii.partnerEmail }),
    );
    expect(applied.status, applied.text).toBe(202);
    const partnerId = applied.body.partnerId as string;
    const contact = [pii.partnerPhone, pii.partnerEmail];
    // The committee may see the applicant's contact whole, in the decision's answer too.
    const approved = await showing(contact, () => committee.post(`/community/partners/${partnerId}/approve`));
    expect(approved.status).toBe(200);
    const partner = await as({ roles: ['partner'], orgId: partnerId });
    const otherPartner = await as({ roles: ['partner'], orgId: newId() });
    for (const reader of [committee, partner]) {
      const read = await showing(contact, () => reader.get(`/community/partners/${partnerId}`));
      expect(read.status).toBe(200);
      expect([read.body.contactPhone, read.body.contactEmail]).toEqual(contact);
    }
    expect((await otherPartner.get(`/community/partners/${partnerId}`)).status).toBe(404);
    const partners = await committee.get('/community/partners?status=approved');
    expect(partners.text).toContain(maskPhone(pii.partnerPhone));

    const { eventId, admin } = await publishedEvent({ capacity: 10 });
    const registrations = `/community/events/${eventId}/registrations`;
    const badRegistration = await partner.post(
      registrations,
      { participants: [{ name: '张三', phone: pii.invalidEmail }], consent: true },
      { now: duringRegistration },
    );
    expect(badRegistration.status).toBe(400);
    // The registrant gets back what it just sent.
    const placed = await showing([pii.participantPhone], () =>
      partner.post(
        registrations,
        { participants: [{ name: '张三', phone: pii.participantPhone }, { name: '李四' }], consent: true },
        { now: duringRegistration },
      ),
    );
    expect(placed.status, placed.text).toBe(201);
    const registrationId = placed.body.registrationId as string;
    expect((await person.post(registrations, {}, { now: duringRegistration })).status).toBe(201);
    for (const reader of [admin, partner]) {
      const read = await showing([pii.participantPhone], () =>
        reader.get(`${registrations}/${registrationId}`),
      );
      expect(read.status).toBe(200);
      expect(read.text).toContain(pii.participantPhone);
    }
    for (const reader of [admin, partner]) {
      const listed = await reader.get(`${registrations}?limit=100`);
      expect(listed.text).toContain(maskPhone(pii.participantPhone));
      expect((await reader.get(`${registrations}.csv`)).text).toContain(maskPhone(pii.participantPhone));
    }
    expect(
      (await admin.post(`/community/events/${eventId}/check-in`, { registrationId }, { now: eventDay }))
        .status,
    ).toBe(200);
    const completed = await admin.post(`/community/events/${eventId}/complete`, undefined, {
      now: '2027-03-12T12:00:00+08:00',
    });
    expect(completed.status, completed.text).toBe(200);

    await settle();
    // The flows now also post notices (a partner's approval, its registrations): more to settle.
  }, 60_000);

  it('keeps them out of every log line, at DEBUG, of the services and of the runtime', () => {
    // The capture works: the services' request lines are here.
    expect(serviceLines.length).toBeGreaterThan(30);
    expect(serviceLines.some((l) => l.includes('"message":"request"') && l.includes('/talent/people'))).toBe(
      true,
    );
    expect(serviceLines.some((l) => l.includes('/community/partners/applications'))).toBe(true);
    expect(leaksIn(serviceLines)).toEqual([]);
    expect(leaksIn(runtimeLines)).toEqual([]);
    expect(leaksIn(processLines)).toEqual([]);
  });

  it('sends them on no event, except the partner e-mail that partner-accounts signs in with', () => {
    const names = new Set(events.map((e) => `${e.source} ${e['detail-type']}`));
    for (const expected of [
      'dangjian.talent PersonRegistered',
      'dangjian.talent PersonUpdated',
      'dangjian.community PartnerApproved',
      'dangjian.community RegistrationConfirmed',
      'dangjian.community JointEventCompleted',
    ]) {
      expect(names).toContain(expected);
    }
    for (const event of events) {
      const text = JSON.stringify(event);
      const allowed = event['detail-type'] === 'PartnerApproved' ? [pii.partnerEmail] : [];
      expect(
        leaksIn(
          [text],
          allValues.filter((v) => !allowed.includes(v)),
        ),
        `${event.source} ${event['detail-type']}`,
      ).toEqual([]);
    }
    // Talent's contract: contact details never leave talent, not even masked; that they
    // changed (`changed: ['phone']`) may.
    const contactKeys = (value: unknown): string[] => {
      if (Array.isArray(value)) return value.flatMap(contactKeys);
      if (!value || typeof value !== 'object') return [];
      return Object.entries(value).flatMap(([key, inner]) => [
        ...(/phone|email|mobile|contact/i.test(key) ? [key] : []),
        ...contactKeys(inner),
      ]);
    };
    for (const event of events.filter((e) => e.source === 'dangjian.talent')) {
      expect(contactKeys(event.detail), event['detail-type']).toEqual([]);
    }
    for (const event of events.filter((e) => e['detail-type'] !== 'PartnerApproved')) {
      expect(contactKeys(event.detail), event['detail-type']).toEqual([]);
    }
  });

  it('shows them whole only to those who may see them; every error answer is free of stack traces', () => {
    expect(seen.length).toBeGreaterThan(30);
    for (const answer of seen) {
      const hidden = allValues.filter((v) => !answer.mayShow.includes(v));
      expect(leaksIn([answer.text], hidden), `${answer.method} ${answer.path} ${answer.status}`).toEqual([]);
      if (answer.status >= 400) {
        expect(answer.text, `${answer.method} ${answer.path}`).not.toMatch(
          /\n\s+at |\.[cm]?[jt]s:\d+|node_modules|\/work\//,
        );
      }
    }
  });

  it('keeps them out of logs and answers when the database is gone (503), with no stack trace', async () => {
    const committee = await as({ roles: ['committee'] });
    const before = serviceLines.length;
    await runtime.killDatabase();
    const answers = [
      await committee.post('/talent/people', personBody({ phone: pii.failedPhone, email: pii.failedEmail })),
      await request(
        'POST',
        '/community/partners/applications',
        application({ contactPhone: pii.failedPhone, contactEmail: pii.failedEmail }),
      ),
      await committee.get('/talent/people'),
    ];
    for (const answer of answers) {
      expect(answer.status, answer.text).toBe(503);
      expect(answer.body.error.code).toBeTypeOf('string');
      expect(answer.text).not.toMatch(/\n\s+at |\.[cm]?[jt]s:\d+|node_modules|ECONNREFUSED|127\.0\.0\.1/);
      expect(leaksIn([answer.text])).toEqual([]);
    }
    const failures = serviceLines.slice(before);
    expect(failures.some((l) => l.includes('"status":503'))).toBe(true);
    expect(leaksIn(failures)).toEqual([]);
    expect(leaksIn(runtimeLines)).toEqual([]);
    expect(leaksIn(processLines)).toEqual([]);
  });
});
