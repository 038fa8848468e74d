/**
 * What `npm run seed` prints while it works, driven by a hand-moved clock: no platform, no
 * waiting.
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, formatRemaining, type PhaseState, paceOf, remainingMs } from './estimate.js';
import { SEED_PHASES } from './institution.js';
import { createProgressReporter } from './progress.js';
import { TYPICAL_MS_PER_ITEM } from './timings.js';

describe('formatDuration and formatRemaining', () => {
  it('read as short durations', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(3_840_000)).toBe('1 h 04 min');
  });

  it('round an estimate of minutes to the minute and say when there is none', () => {
    expect(formatRemaining(undefined)).toBe('time left not known yet');
    expect(formatRemaining(400)).toBe('almost done');
    expect(formatRemaining(45_000)).toBe('about 45 s left');
    expect(formatRemaining(100_000)).toBe('about 1 min 40 s left');
    expect(formatRemaining(155_000)).toBe('about 3 min left');
    expect(formatRemaining(119_600)).toBe('about 2 min left');
  });
});

describe('remainingMs', () => {
  const prior = { people: 100, activities: 1000 };
  const planned = (): PhaseState[] => [
    { name: 'people', total: 10, done: 0 },
    { name: 'activities', total: 4, done: 0 },
  ];

  it('goes by the prior figures before anything has run', () => {
    expect(remainingMs(planned(), prior, 0)).toBe(10 * 100 + 4 * 1000);
  });

  it('is unknown while a phase to come has no figure and no progress', () => {
    expect(remainingMs(planned(), { people: 100 }, 0)).toBeUndefined();
  });

  it('trusts the running phase’s own rate more as it does more items', () => {
    const [people, activities] = planned() as [PhaseState, PhaseState];
    Object.assign(people, { startedAt: 0, done: 5 });
    // 1,000 ms an item observed, 100 prior, weighed half and half after five items.
    expect(remainingMs([people, activities], prior, 5000)).toBe(5 * 550 + 4 * 1000);
    // Without a prior figure, the observed rate alone.
    expect(remainingMs([people], {}, 5000)).toBe(5 * 1000);
  });

  it('scales the phases to come by how this run compares with the prior figures', () => {
    const phases = planned();
    Object.assign(phases[0] as PhaseState, { startedAt: 0, endedAt: 2000, done: 10 });
    expect(paceOf(phases, prior)).toBe(2);
    expect(remainingMs(phases, prior, 2000)).toBe(4 * 1000 * 2);
  });

  it('keeps the pace within bounds: a rerun that finds everything is fast, not instant', () => {
    const phases = planned();
    Object.assign(phases[0] as PhaseState, { startedAt: 0, endedAt: 1, done: 10 });
    expect(paceOf(phases, prior)).toBe(0.25);
  });

  it('counts phases side by side once: what is left is the longest chain still to finish', () => {
    const phases: PhaseState[] = [
      { name: 'branches', total: 1, done: 0, after: [] },
      { name: 'resources', total: 4, done: 0, after: [] },
      { name: 'people', total: 10, done: 0, after: ['branches'] },
      { name: 'assessment', total: 2, done: 0, after: ['resources', 'people'] },
    ];
    const figures = { branches: 500, resources: 1000, people: 100, assessment: 1000 };
    // Branches then people take 1.5 s, resources beside them 4 s; the assessment waits for both.
    expect(remainingMs(phases, figures, 0)).toBe(4000 + 2000);
    Object.assign(phases[2] as PhaseState, { startedAt: 0, endedAt: 1000, done: 10 });
    Object.assign(phases[0] as PhaseState, { startedAt: 0, endedAt: 1000, done: 1 });
    // People took as long as expected; resources' 4 s are still ahead of the assessment's 2 s.
    expect(remainingMs(phases, figures, 1000)).toBe(4000 + 2000);
  });

  it('takes no pace from a phase of a few items: its time is mostly waiting', () => {
    const phases: PhaseState[] = [
      { name: 'rooms', total: 3, done: 3, startedAt: 0, endedAt: 3000, after: [] },
      { name: 'people', total: 10, done: 0, after: [] },
    ];
    expect(paceOf(phases, { rooms: 100, people: 100 })).toBe(1);
  });

  it('has a typical figure for every phase the seed runs', () => {
    expect(SEED_PHASES.filter(({ name }) => !((TYPICAL_MS_PER_ITEM[name] ?? 0) > 0))).toEqual([]);
  });
});

const reporter = (tty: boolean, columns?: number) => {
  let now = 0;
  let out = '';
  const progress = createProgressReporter({
    write: (text) => {
      out += text;
    },
    tty,
    ...(columns ? { columns } : {}),
    now: () => now,
    prior: { people: 100, activities: 1000 },
  });
  progress.plan([
    { name: 'people', total: 100 },
    { name: 'activities', total: 4 },
  ]);
  return {
    progress,
    at: (ms: number) => {
      now = ms;
    },
    output: () => out,
    lines: () => out.split('\n').filter(Boolean),
  };
};

describe('the progress reporter, into a file or a pipe', () => {
  it('prints a line when a phase starts and ends, and between them one at most every 10 s', () => {
    const r = reporter(false);
    r.progress.start('people');
    for (let i = 1; i <= 100; i++) {
      r.at(i * 600);
      r.progress.advance('people');
      r.progress.tick();
    }
    r.progress.end('people', 100);
    r.at(60_000);
    expect(r.lines()).toEqual([
      'seed: people (1/2): 100 to do, about 14 s left',
      // 17 items in 10.2 s: 600 ms observed, 100 prior, weighed 17:5, for 83 more; then 4 × 1 s.
      'seed: people (1/2) 17/100, 10 s, about 44 s left',
      'seed: people (1/2) 34/100, 20 s, about 39 s left',
      'seed: people (1/2) 51/100, 31 s, about 31 s left',
      'seed: people (1/2) 68/100, 41 s, about 22 s left',
      'seed: people (1/2) 85/100, 51 s, about 13 s left',
      // People took six times their prior figure, so activities will be slow too: four times, at most.
      'seed: people (1/2) 100/100 in 1 min 00 s, 100 new; about 16 s left',
    ]);
    expect(r.output()).not.toContain('\r');
  });

  it('says nothing of time left after the last phase, and when it found everything', () => {
    const r = reporter(false);
    r.progress.start('people');
    r.progress.end('people', 0);
    expect(r.lines().at(-1)).toBe('seed: people (1/2) 100/100 in 0 ms, nothing new; about 1 s left');
    r.progress.start('activities');
    r.at(1500);
    r.progress.advance('activities', 4);
    r.progress.end('activities', 0);
    expect(r.lines().at(-1)).toBe('seed: activities (2/2) 4/4 in 2 s, nothing new');
  });
  it('counts nothing new for a phase that creates nothing countable', () => {
    const r = reporter(false);
    r.progress.start('people');
    r.progress.end('people', undefined);
    expect(r.lines().at(-1)).toBe('seed: people (1/2) 100/100 in 0 ms; about 1 s left');
  });
});

describe('the progress reporter, with phases side by side', () => {
  it('shows every running phase in one status line and ends each with its own line', () => {
    let now = 0;
    let out = '';
    const progress = createProgressReporter({
      write: (text) => {
        out += text;
      },
      tty: false,
      now: () => now,
      prior: { people: 100, rooms: 1000, activities: 1000 },
    });
    progress.plan([
      { name: 'people', total: 100, after: [] },
      { name: 'rooms', total: 3, after: [] },
      { name: 'activities', total: 4, after: ['people', 'rooms'] },
    ]);
    progress.start('people');
    progress.start('rooms');
    now = 10_000;
    progress.advance('people', 50);
    progress.advance('rooms');
    progress.end('rooms', 3);
    now = 20_000;
    progress.advance('people', 50);
    progress.end('people', 100);
    expect(out.split('\n').filter(Boolean)).toEqual([
      'seed: people (1/3): 100 to do, about 14 s left',
      'seed: rooms (2/3): 3 to do, about 14 s left',
      // People's 50 left at about 190 ms, then activities' 4 s: rooms' 3 s beside them do not add.
      'seed: people (1/3) 50/100, 10 s · rooms (2/3) 0/3, 10 s, about 14 s left',
      // Three rooms are too few to say how fast this machine is.
      'seed: rooms (2/3) 3/3 in 10 s, 3 new; about 14 s left',
      'seed: people (1/3) 100/100, 20 s, about 4 s left',
      // People took twice their figure: so will activities.
      'seed: people (1/3) 100/100 in 20 s, 100 new; about 8 s left',
    ]);
  });
});

describe('the progress reporter, on a terminal', () => {
  it('rewrites the running phase’s line in place and ends it with the phase', () => {
    const r = reporter(true);
    r.progress.start('people');
    r.at(100);
    r.progress.advance('people');
    r.at(300);
    r.progress.advance('people');
    expect(r.output()).not.toContain('\n');
    expect(r.output().split('\r\x1b[2K').filter(Boolean)).toEqual([
      'seed: people (1/2) 0/100, 0 ms, about 14 s left',
      // The first advance came within 250 ms of the last drawing: not drawn.
      'seed: people (1/2) 2/100, 300 ms, about 15 s left',
    ]);
    r.progress.end('people', 2);
    expect(
      r.output().endsWith('\r\x1b[2Kseed: people (1/2) 100/100 in 300 ms, 2 new; about 1 s left\n'),
    ).toBe(true);
  });

  it('keeps a rewritten line within the terminal, and closes an open line before an error', () => {
    const r = reporter(true, 30);
    r.progress.start('people');
    expect(r.output()).toBe('\r\x1b[2Kseed: people (1/2) 0/100, 0 …');
    r.progress.close();
    expect(r.output().endsWith('\n')).toBe(true);
    r.progress.close();
    expect(r.output().endsWith('…\n')).toBe(true);
  });
});
