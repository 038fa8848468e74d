import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../shared/auth.js';
import { accept, type Result } from '../../../shared/errors.js';
import { toLocalIso } from '../../../shared/time.js';
import {
  type Assignment,
  canSeeAssignment,
  checkAssignmentScope,
  checkDueOn,
  checkProgress,
  completionList,
  newAssignment,
  studySummary,
} from './study.js';

const refused = (r: Result<unknown>) => (r.ok ? undefined : r.error);

const assignment: Assignment = {
  assignmentId: 'A',
  resourceId: 'R',
  title: 't',
  dueOn: '2026-12-10',
  branchIds: ['B1'],
  personIds: ['x'],
  assignedBy: 's',
  assignedAt: '2026-12-01T00:00:00.000Z',
};

describe('completion lists', () => {
  const people = [{ personId: 'p1' }, { personId: 'p2' }, { personId: 'p1' }];
  const done = new Map([['p1', '2026-12-05T00:00:00.000Z']]);
  it('splits people once each into completed and not completed', () => {
    const list = completionList(assignment, people, done, new Date('2026-12-10T15:59:59Z'));
    expect(list.completed).toEqual([{ personId: 'p1', completedAt: '2026-12-05T00:00:00.000Z' }]);
    expect(list.notCompleted).toEqual([{ personId: 'p2', overdue: false }]);
    expect(list).toMatchObject({ total: 2, overdue: false });
  });
  it('flags overdue from the next day in Shanghai', () => {
    const list = completionList(assignment, people, done, new Date('2026-12-10T16:00:00Z'));
    expect(list.notCompleted).toEqual([{ personId: 'p2', overdue: true }]);
    expect(list.overdue).toBe(true);
    expect(completionList(assignment, [{ personId: 'p1' }], done, new Date('2027-01-01')).overdue).toBe(
      false,
    );
  });
});

describe('assignment scope', () => {
  const secretary: Caller = { sub: 's', roles: ['secretary'], role: 'secretary', branchId: 'B1' };
  const branches = new Map([
    ['p1', 'B1'],
    ['p2', 'B2'],
  ]);
  it('lets a secretary assign their own branch and its people only', () => {
    const scope = (branchIds: string[], personIds: string[]) =>
      checkAssignmentScope(secretary, { branchIds, personIds }, (p) => branches.get(p));
    expect(scope(['B1'], ['p1'])).toEqual(accept({ branchIds: ['B1'], personIds: ['p1'] }));
    expect(refused(scope(['B2'], []))).toMatchObject({ kind: 'not-found', message: 'Branch not found' });
    expect(refused(scope([], ['p2']))).toMatchObject({ kind: 'not-found', message: 'Person not found' });
    expect(refused(scope([], []))).toMatchObject({ kind: 'invalid', code: 'nobody-assigned' });
  });

  it("makes a secretary's assignment their branch's, due on a day not yet past", () => {
    const now = new Date('2026-12-01T01:00:00Z');
    const made = newAssignment(
      secretary,
      { resourceId: 'R', title: 't' },
      { branchIds: [], personIds: ['p1'], dueOn: '2026-12-01' },
      { assignmentId: 'A', now },
      (p) => branches.get(p),
    );
    expect(made).toEqual(
      accept({
        assignmentId: 'A',
        resourceId: 'R',
        title: 't',
        dueOn: '2026-12-01',
        branchIds: [],
        personIds: ['p1'],
        assignedBy: 's',
        assignedAt: toLocalIso(now),
        assignerBranchId: 'B1',
      }),
    );
    expect(refused(checkDueOn('2026-11-30', now))).toMatchObject({ kind: 'rule', code: 'due-date-passed' });
  });
});

describe('progress reports', () => {
  it('bring minutes, a completion or both', () => {
    expect(checkProgress({ minutes: 0, completed: true })).toEqual(accept({ minutes: 0, completed: true }));
    expect(checkProgress({ minutes: 5 })).toEqual(accept({ minutes: 5, completed: false }));
    expect(refused(checkProgress({ minutes: 0 }))).toMatchObject({
      kind: 'invalid',
      code: 'nothing-to-record',
    });
  });
});

describe('who sees an assignment', () => {
  const secretary: Caller = { sub: 's', roles: ['secretary'], role: 'secretary', branchId: 'B1' };
  it("shows a secretary their branch's assignments, also those naming people only", () => {
    expect(canSeeAssignment(secretary, assignment)).toBe(true);
    expect(canSeeAssignment(secretary, { ...assignment, branchIds: [] })).toBe(false);
    expect(canSeeAssignment(secretary, { ...assignment, branchIds: [], assignerBranchId: 'B1' })).toBe(true);
    expect(canSeeAssignment({ ...secretary, branchId: 'B2' }, assignment)).toBe(false);
  });
});

describe('my study', () => {
  it('counts the minutes of the year asked for and its completions', () => {
    const summary = studySummary(
      [
        {
          resourceId: 'a',
          title: 'A',
          minutes: 90,
          yearMinutes: { '2025': 60, '2026': 30 },
          completedAt: '2026-01-02T00:00:00.000Z',
          lastStudiedAt: 'x',
        },
        { resourceId: 'b', title: 'B', minutes: 20, yearMinutes: { '2025': 20 }, lastStudiedAt: 'x' },
      ],
      2026,
    );
    expect(summary).toMatchObject({ year: 2026, minutes: 30, completions: 1 });
    expect(summary.items.map((i) => i.resourceId)).toEqual(['a']);
  });

  it('counts a completion in the Shanghai year it happened, like its minutes', () => {
    // 2026-12-31T20:00Z is already 2027-01-01 04:00 in Shanghai.
    const record = {
      resourceId: 'a',
      title: 'A',
      minutes: 30,
      yearMinutes: { '2027': 30 },
      completedAt: '2026-12-31T20:00:00.000Z',
      lastStudiedAt: '2026-12-31T20:00:00.000Z',
    };
    expect(studySummary([record], 2027)).toMatchObject({ minutes: 30, completions: 1 });
    expect(studySummary([record], 2026)).toMatchObject({ minutes: 0, completions: 0, items: [] });
  });
});
