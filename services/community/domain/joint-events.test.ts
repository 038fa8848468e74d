import { describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/errors.js';
import { toCsv } from './csv.js';
import {
  allocatePlaces,
  creditedHours,
  participation,
  planPromotions,
  requireCancellable,
  requireCheckIn,
  requireEventDay,
  requireRegistrationAhead,
  requireRegistrationOpen,
  requireStatus,
  signInOrder,
  validateQuota,
  validateSchedule,
  withdrawnByDeparture,
} from './joint-events.js';

const schedule = {
  registrationOpensAt: '2026-12-01T09:00:00+08:00',
  registrationClosesAt: '2026-12-10T18:00:00+08:00',
  startsAt: '2026-12-12T09:00:00+08:00',
  endsAt: '2026-12-12T11:40:00+08:00',
};

/** What a rule says: 'passed', or the code of its refusal. */
const code = (result: Result<unknown>) => (result.ok ? 'passed' : result.error.code);

describe('joint event rules', () => {
  it('accepts a schedule that fits and names each field that does not', () => {
    expect(code(validateSchedule(schedule))).toBe('passed');
    expect(code(validateSchedule({ ...schedule, endsAt: schedule.startsAt }))).toBe('validation-failed');
    expect(code(validateSchedule({ ...schedule, registrationClosesAt: '2026-12-12T10:00:00+08:00' }))).toBe(
      'validation-failed',
    );
    expect(code(validateSchedule({ ...schedule, registrationOpensAt: schedule.registrationClosesAt }))).toBe(
      'validation-failed',
    );
    expect(code(validateSchedule({ ...schedule, endsAt: '9999-12-31T23:00:00Z' }))).toBe('validation-failed');
    expect(code(validateSchedule({ ...schedule, registrationOpensAt: '0000-01-01T00:00:00Z' }))).toBe(
      'validation-failed',
    );
  });

  it('refuses as values, each of its kind: a malformed request, a state, a rule', () => {
    expect(validateQuota(10, 11)).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'invalid', code: 'validation-failed' }),
    });
    expect(validateQuota(10, 10)).toEqual({ ok: true, value: 10 });
    expect(requireStatus('draft', ['published'], 'registered for')).toEqual({
      ok: false,
      error: expect.objectContaining({
        kind: 'conflict',
        code: 'event-status-conflict',
        details: { status: 'draft' },
      }),
    });
    expect(requireStatus('published', ['published'], 'registered for')).toEqual({
      ok: true,
      value: 'published',
    });
    expect(requireRegistrationOpen(schedule, new Date('2026-12-10T18:00:00+08:00'))).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'rule', code: 'registration-closed' }),
    });
  });

  it('opens registration at the window start and closes it at its end', () => {
    expect(code(requireRegistrationOpen(schedule, new Date('2026-12-01T08:59:59+08:00')))).toBe(
      'registration-not-open',
    );
    expect(code(requireRegistrationOpen(schedule, new Date('2026-12-01T09:00:00+08:00')))).toBe('passed');
    expect(code(requireRegistrationOpen(schedule, new Date('2026-12-10T18:00:00+08:00')))).toBe(
      'registration-closed',
    );
  });

  it('publishes only while registration is still ahead', () => {
    expect(code(requireRegistrationAhead(schedule, new Date('2026-12-10T17:59:59+08:00')))).toBe('passed');
    expect(code(requireRegistrationAhead(schedule, new Date('2026-12-10T18:00:00+08:00')))).toBe(
      'registration-window-past',
    );
  });

  it('checks in an active registration with a confirmed place, once', () => {
    const member = { kind: 'member', personId: 'm' } as const;
    const held = { status: 'active', registrant: member, participants: [{ status: 'confirmed' }] } as const;
    expect(code(requireCheckIn(held))).toBe('passed');
    expect(code(requireCheckIn({ ...held, checkedInAt: '2026-12-12T09:00:00+08:00' }))).toBe(
      'already-checked-in',
    );
    expect(code(requireCheckIn({ ...held, participants: [{ status: 'waitlisted' }] }))).toBe(
      'no-confirmed-place',
    );
    expect(code(requireCheckIn({ ...held, status: 'cancelled' }))).toBe('no-confirmed-place');
  });

  it('counts as taking part only checked-in registrations holding places', () => {
    const at = '2026-12-12T09:00:00+08:00';
    const partner = { kind: 'partner', partnerId: 'P' } as const;
    const confirmed = { status: 'confirmed' } as const;
    const waiting = { status: 'waitlisted' } as const;
    expect(
      participation(
        [
          {
            status: 'active',
            checkedInAt: at,
            registrant: { kind: 'member', personId: 'a' },
            participants: [confirmed],
          },
          { status: 'active', registrant: { kind: 'member', personId: 'b' }, participants: [confirmed] },
          {
            status: 'active',
            checkedInAt: at,
            registrant: { kind: 'member', personId: 'c' },
            participants: [waiting],
          },
          {
            status: 'cancelled',
            checkedInAt: at,
            registrant: { kind: 'member', personId: 'd' },
            participants: [confirmed],
          },
          {
            status: 'active',
            checkedInAt: at,
            registrant: partner,
            participants: [confirmed, waiting, confirmed],
          },
          { status: 'active', registrant: partner, participants: [confirmed] },
        ],
        2.5,
      ),
    ).toEqual({ members: [{ personId: 'a', hours: 2.5 }], partnerParticipants: 2 });
  });

  it('allows cancelling until 24 hours before the start', () => {
    expect(code(requireCancellable(schedule, new Date('2026-12-11T09:00:00+08:00')))).toBe('passed');
    expect(code(requireCancellable(schedule, new Date('2026-12-11T09:00:01+08:00')))).toBe(
      'cancellation-deadline-passed',
    );
  });

  it('gives up a departed member’s place in an event still to start, even inside the deadline', () => {
    const published = { ...schedule, status: 'published' as const };
    const active = { status: 'active' as const };
    const hourBefore = new Date('2026-12-12T08:00:00+08:00');
    expect(withdrawnByDeparture(published, active, hourBefore)).toBe(true);
    expect(withdrawnByDeparture(published, active, new Date('2026-12-12T09:00:00+08:00'))).toBe(false);
    expect(withdrawnByDeparture({ ...published, status: 'cancelled' }, active, hourBefore)).toBe(false);
    expect(withdrawnByDeparture(published, { status: 'cancelled' }, hourBefore)).toBe(false);
    expect(
      withdrawnByDeparture(published, { ...active, checkedInAt: '2026-12-12T07:50:00+08:00' }, hourBefore),
    ).toBe(false);
  });

  it('checks in on the local day of the event only', () => {
    expect(code(requireEventDay(schedule, new Date('2026-12-11T16:00:00Z')))).toBe('passed'); // 00:00 +08
    expect(code(requireEventDay(schedule, new Date('2026-12-11T15:59:59Z')))).toBe('not-event-day');
  });

  it('credits the duration rounded to half hours', () => {
    expect(creditedHours(schedule)).toBe(2.5); // 2h40
    expect(creditedHours({ ...schedule, endsAt: '2026-12-12T10:10:00+08:00' })).toBe(1); // 1h10
    expect(creditedHours({ ...schedule, endsAt: '2026-12-12T10:15:00+08:00' })).toBe(1.5);
  });

  it('confirms in order up to capacity and quota, and puts the rest on the waitlist', () => {
    expect(allocatePlaces(5, { capacity: 10, confirmed: 7, confirmedForPartner: 0 })).toEqual({
      confirm: 3,
      wait: 2,
    });
    expect(allocatePlaces(5, { capacity: 10, confirmed: 0, quota: 4, confirmedForPartner: 3 })).toEqual({
      confirm: 1,
      wait: 4,
    });
    expect(allocatePlaces(1, { capacity: 10, confirmed: 10, confirmedForPartner: 0 })).toEqual({
      confirm: 0,
      wait: 1,
    });
  });

  it('promotes the waitlist in order, skipping partners at their quota', () => {
    const waitlist = [
      { position: 3, registrationId: 'a', participantIndex: 0, partnerId: 'P' },
      { position: 5, registrationId: 'b', participantIndex: 0 },
      { position: 8, registrationId: 'c', participantIndex: 0, partnerId: 'Q' },
      { position: 9, registrationId: 'c', participantIndex: 1, partnerId: 'Q' },
    ];
    const used = (p: string) => (p === 'P' ? 2 : 1);
    expect(planPromotions(waitlist, 2, 2, used).map((w) => w.position)).toEqual([5, 8]);
    expect(planPromotions(waitlist, 10, 2, used).map((w) => w.position)).toEqual([5, 8]);
    expect(planPromotions(waitlist, 10, undefined, used).map((w) => w.position)).toEqual([3, 5, 8, 9]);
    expect(planPromotions(waitlist, 0, undefined, used)).toEqual([]);
  });
});

describe('CSV export', () => {
  it('starts with a BOM and quotes what needs quoting', () => {
    const csv = toCsv(
      ['name', 'note'],
      [
        ['张三', 'a,"b"'],
        ['=cmd', 'x\ny'],
      ],
    );
    expect(csv).toBe('\uFEFFname,note\r\n张三,"a,""b"""\r\n\'=cmd,"x\ny"\r\n');
  });
});

describe('the sign-in sheet', () => {
  it('lists places held, then the waitlist, each in arrival order, and no cancelled place', () => {
    const row = (status: 'confirmed' | 'waitlisted' | 'cancelled', position: number) => ({
      participant: { status, position },
    });
    expect(
      signInOrder([
        row('waitlisted', 7),
        row('confirmed', 3),
        row('cancelled', 1),
        row('confirmed', 2),
        row('waitlisted', 5),
      ]).map((r) => `${r.participant.status}:${r.participant.position}`),
    ).toEqual(['confirmed:2', 'confirmed:3', 'waitlisted:5', 'waitlisted:7']);
  });
});
