import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { politicalStatuses } from '../events.js';
import { countsByStatus, type Tallied, type TallyChange, tallyChanges, tallyOf } from './tallies.js';

const anna: Tallied = { birthDate: '1990-05-12', politicalStatus: 'activist', branchId: 'B1' };
const sorted = (changes: TallyChange[]) =>
  [...changes].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('which tallies a change of a person moves', () => {
  it('a registration counts the person in the institution and in their branch', () => {
    expect(sorted(tallyChanges(undefined, anna))).toEqual(
      sorted([
        { birthDate: '1990-05-12', politicalStatus: 'activist', delta: 1 },
        { branchId: 'B1', birthDate: '1990-05-12', politicalStatus: 'activist', delta: 1 },
      ]),
    );
  });

  it('someone without a branch counts in the institution only', () => {
    const { branchId: _none, ...unassigned } = anna;
    expect(tallyChanges(undefined, unassigned)).toEqual([
      { birthDate: '1990-05-12', politicalStatus: 'activist', delta: 1 },
    ]);
  });

  it('a change of name, phone or probation (nothing tallied) changes nothing', () => {
    expect(tallyChanges(anna, { ...anna })).toEqual([]);
  });

  it('a transition moves the person between statuses in both scopes', () => {
    expect(sorted(tallyChanges(anna, { ...anna, politicalStatus: 'candidate' }))).toEqual(
      sorted([
        { birthDate: '1990-05-12', politicalStatus: 'activist', delta: -1 },
        { birthDate: '1990-05-12', politicalStatus: 'candidate', delta: 1 },
        { branchId: 'B1', birthDate: '1990-05-12', politicalStatus: 'activist', delta: -1 },
        { branchId: 'B1', birthDate: '1990-05-12', politicalStatus: 'candidate', delta: 1 },
      ]),
    );
  });

  it('a branch move leaves the institution alone and moves the person between branches', () => {
    expect(sorted(tallyChanges(anna, { ...anna, branchId: 'B2' }))).toEqual(
      sorted([
        { branchId: 'B1', birthDate: '1990-05-12', politicalStatus: 'activist', delta: -1 },
        { branchId: 'B2', birthDate: '1990-05-12', politicalStatus: 'activist', delta: 1 },
      ]),
    );
  });

  it('a corrected birth date moves the person between days in both scopes', () => {
    expect(sorted(tallyChanges(anna, { ...anna, birthDate: '1991-01-02' }))).toEqual(
      sorted([
        { birthDate: '1990-05-12', politicalStatus: 'activist', delta: -1 },
        { birthDate: '1991-01-02', politicalStatus: 'activist', delta: 1 },
        { branchId: 'B1', birthDate: '1990-05-12', politicalStatus: 'activist', delta: -1 },
        { branchId: 'B1', birthDate: '1991-01-02', politicalStatus: 'activist', delta: 1 },
      ]),
    );
  });

  it('leaving the register uncounts the person', () => {
    expect(sorted(tallyChanges(anna, undefined))).toEqual(
      sorted([
        { birthDate: '1990-05-12', politicalStatus: 'activist', delta: -1 },
        { branchId: 'B1', birthDate: '1990-05-12', politicalStatus: 'activist', delta: -1 },
      ]),
    );
  });

  it('applied one after another, the changes add up to counting the last state from scratch', () => {
    const someone = fc.record(
      {
        birthDate: fc.constantFrom('1980-01-01', '1980-01-02', '1999-12-31'),
        politicalStatus: fc.constantFrom(...politicalStatuses),
        branchId: fc.constantFrom('B1', 'B2'),
      },
      { requiredKeys: ['birthDate', 'politicalStatus'] },
    );
    // Each person's history: a sequence of states, or gone (undefined) in between.
    const histories = fc.array(fc.array(fc.option(someone, { nil: undefined }), { maxLength: 6 }), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(histories, (people) => {
        const held = new Map<string, number>();
        const finals: Tallied[] = [];
        for (const history of people) {
          let before: Tallied | undefined;
          for (const after of history) {
            for (const c of tallyChanges(before, after)) {
              const key = `${c.branchId ?? '*'}|${c.birthDate}|${c.politicalStatus}`;
              held.set(key, (held.get(key) ?? 0) + c.delta);
            }
            before = after;
          }
          if (before) finals.push(before);
        }
        const expected = new Map<string, number>();
        for (const scope of ['*', 'B1', 'B2']) {
          const inScope = finals.filter((p) => scope === '*' || p.branchId === scope);
          for (const t of tallyOf(inScope))
            expected.set(`${scope}|${t.birthDate}|${t.politicalStatus}`, t.count);
        }
        expect(new Map([...held].filter(([, n]) => n !== 0))).toEqual(expected);
      }),
    );
  });
});

describe('tallies counted from scratch', () => {
  it('one tally per birth date and status, and the totals per status', () => {
    const tallies = tallyOf([
      anna,
      { ...anna, branchId: 'B2' },
      { ...anna, politicalStatus: 'full' },
      { birthDate: '1970-01-01', politicalStatus: 'full' },
    ]);
    expect(tallies).toEqual([
      { birthDate: '1990-05-12', politicalStatus: 'activist', count: 2 },
      { birthDate: '1990-05-12', politicalStatus: 'full', count: 1 },
      { birthDate: '1970-01-01', politicalStatus: 'full', count: 1 },
    ]);
    expect(countsByStatus(tallies)).toEqual({ activist: 2, full: 2 });
  });
});
