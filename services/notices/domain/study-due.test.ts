import { describe, expect, it } from 'vitest';
import { reminderAction } from './reminders.js';
import { stillToRemind, studyDeadline, studyDueNotice, studyDueTimes } from './study-due.js';

const dueOn = '2026-12-10';
const local = (iso: string) => new Date(`${iso}+08:00`);

describe('studyDueTimes', () => {
  it('three days and one day before the due date, at 09:00 in Shanghai', () => {
    expect(studyDueTimes(dueOn, local('2026-12-01T10:00:00'))).toEqual([
      { slot: '3d', dueAt: new Date('2026-12-07T01:00:00Z') },
      { slot: '1d', dueAt: new Date('2026-12-09T01:00:00Z') },
    ]);
  });

  it('leaves out a lead already past when the assignment arrives', () => {
    expect(studyDueTimes(dueOn, local('2026-12-07T09:00:00')).map((t) => t.slot)).toEqual(['1d']);
    expect(studyDueTimes(dueOn, local('2026-12-07T08:59:59')).map((t) => t.slot)).toEqual(['3d', '1d']);
    expect(studyDueTimes(dueOn, local('2026-12-09T12:00:00'))).toEqual([]);
    // Assigned on the due date itself: nothing to remind of.
    expect(studyDueTimes(dueOn, local('2026-12-10T08:00:00'))).toEqual([]);
  });

  it('crosses a month and a year by the local calendar', () => {
    expect(studyDueTimes('2027-01-02', local('2026-12-20T00:00:00'))).toEqual([
      { slot: '3d', dueAt: new Date('2026-12-30T01:00:00Z') },
      { slot: '1d', dueAt: new Date('2027-01-01T01:00:00Z') },
    ]);
  });

  it('never on or after the due date, whatever the leads', () => {
    const leads = [
      { slot: 'same-day', days: 0 },
      { slot: 'after', days: -1 },
    ];
    expect(studyDueTimes(dueOn, local('2026-12-01T10:00:00'), leads)).toEqual([
      { slot: 'same-day', dueAt: new Date('2026-12-10T01:00:00Z') },
    ]);
    expect(studyDueTimes(dueOn, local('2026-12-01T10:00:00'), [{ slot: 'late', days: -2 }])).toEqual([]);
  });
});

describe('studyDeadline', () => {
  it('is the end of the due date in Shanghai: a reminder found then is dropped, never sent late', () => {
    const deadline = studyDeadline(dueOn);
    expect(deadline.toISOString()).toBe('2026-12-10T16:00:00.000Z');
    const oneDay = { dueAt: new Date('2026-12-09T01:00:00Z'), until: deadline };
    expect(reminderAction(oneDay, local('2026-12-10T23:59:00'))).toBe('send');
    expect(reminderAction(oneDay, local('2026-12-11T00:00:00'))).toBe('drop');
  });
});

describe('studyDueNotice', () => {
  it('has a natural id per assignment, lead and due date', () => {
    const a = { assignmentId: 'A1', resourceId: 'R1', title: '党章', dueOn };
    expect(studyDueNotice(a, '3d', ['p1'])).toEqual({
      noticeId: 'A1-reminder-3d-20261210',
      kind: 'study-due',
      title: '学习任务即将到期：党章',
      summary: '2026-12-10 到期，请尽快完成学习',
      to: { personIds: ['p1'] },
      about: { resourceId: 'R1', assignmentId: 'A1', dueOn },
    });
    expect(studyDueNotice({ ...a, dueOn: '2026-12-11' }, '3d', []).noticeId).toBe('A1-reminder-3d-20261211');
  });
});

describe('stillToRemind', () => {
  it('leaves out those who completed, and names each once', () => {
    expect(stillToRemind(['a', 'b', 'a', 'c'], new Set(['b']))).toEqual(['a', 'c']);
    expect(stillToRemind(['a'], new Set(['a']))).toEqual([]);
  });
});
