/**
 * The pattern matcher measured the way aws/event-ruler's README measures itself: a stream
 * of ~900-byte JSON events, parsing included, against 5 rules of one kind at a time,
 * reported as events per second on one core. Then the same with 500 rules of each kind,
 * the cost of compiling a pattern, and JSON.parse alone as the floor nothing can beat.
 *
 * Side by side: with EVENT_RULER_CLASSPATH naming an event-ruler build and its Jackson jars
 * (README, Benchmarks), event-ruler's Machine runs the same events against the same rules in
 * the same run (support/ruler/RulerBench.java), and every event's matches are compared rule
 * by rule. Without it, event-ruler's own published figures are shown, labelled as quoted:
 * they come from another machine, and no lead over them is claimed.
 *
 * The events are the kind this platform emits (EventBridge envelope, `detail` as in
 * shared/events/contract.ts), generated from a fixed seed so every run sees the same data.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePattern } from '../shared/events/pattern.js';
import { saveResults } from './support/report.js';

const EVENT_COUNT = 20_000;
/** How long each measurement runs. */
const MEASURE_MS = 1_500;
/** Each side is measured this many times, taking turns; the better figure counts. */
const ROUNDS = 3;

// ---------------------------------------------------------------------------------------
// Deterministic data
// ---------------------------------------------------------------------------------------

/** mulberry32: small, fast, and the same sequence everywhere for a given seed. */
const random = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const rand = random(20_240_611);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');

const SERVICES = ['members', 'dues', 'meetings', 'study', 'volunteer'] as const;
const TYPES: Record<(typeof SERVICES)[number], readonly string[]> = {
  members: ['MemberJoined', 'MemberTransferred', 'MemberProfileUpdated'],
  dues: ['DuesPaid', 'DuesReminderSent', 'DuesRefunded'],
  meetings: ['MeetingScheduled', 'MeetingHeld', 'AttendanceRecorded'],
  study: ['CourseCompleted', 'QuizSubmitted', 'StudyHoursLogged'],
  volunteer: ['ActivityPublished', 'ActivityCompleted', 'HoursCredited'],
};
const CITIES = [
  'Hangzhou',
  'Ningbo',
  'Wenzhou',
  'Shaoxing',
  'Jiaxing',
  'Huzhou',
  'Jinhua',
  'Taizhou',
  'Lishui',
  'Zhoushan',
];
const COMMITTEES = ['机关党委', '教育工委', '企业党委', '社区党委', '高校党委'];
const CHANNELS = ['WeChat', 'Alipay', 'UnionPay', 'Cash', 'BankTransfer'];
const ROLES = ['secretary', 'deputy', 'organizer', 'member', 'observer'];
const STATUSES = ['present', 'absent', 'late', 'excused'];
const FILE_TYPES = ['pdf', 'docx', 'xlsx', 'png', 'mp4'];
const TAGS = ['学习', '会议', '志愿', '党课', '主题党日', '组织生活', '民主评议'];
const NAMES = ['zhang.wei', 'wang.fang', 'li.na', 'liu.yang', 'chen.jie', 'yang.min', 'zhao.lei', 'huang.li'];
const DOMAINS = ['party.gov.cn', 'example.cn', 'zju.edu.cn', 'corp.example.com'];

const makeEvent = (n: number) => {
  const service = pick(SERVICES);
  const branch = int(500);
  const memberId = `M-${pad(int(100_000), 6)}`;
  return {
    version: '0',
    id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
    'detail-type': pick(TYPES[service]),
    source: `dangjian.${service}`,
    account: '123456789012',
    time: `2026-${pad(1 + int(12), 2)}-${pad(1 + int(28), 2)}T${pad(int(24), 2)}:${pad(int(60), 2)}:${pad(int(60), 2)}Z`,
    region: pick(['cn-north-1', 'cn-northwest-1']),
    resources: [`arn:aws-cn:dangjian:cn-north-1:123456789012:branch/BR-${pad(branch, 4)}`],
    detail: {
      eventId: `01J${hex(23).toUpperCase()}`,
      occurredAt: `2026-03-${pad(1 + int(28), 2)}T08:${pad(int(60), 2)}:00.000+08:00`,
      version: 1 + int(3),
      data: {
        memberId,
        email: `${pick(NAMES)}${int(100)}@${pick(DOMAINS)}`,
        branch: {
          id: `BR-${pad(branch, 4)}`,
          committee: pick(COMMITTEES),
          city: pick(CITIES),
          size: 3 + int(60),
        },
        amount: Math.round(rand() * 50_000) / 100,
        currency: 'CNY',
        channel: pick(CHANNELS),
        clientIp: `10.${int(256)}.${int(256)}.${int(256)}`,
        file: `reports/2026/${pad(1 + int(12), 2)}/minutes-${pad(n % 10_000, 4)}.${pick(FILE_TYPES)}`,
        tags: Array.from({ length: 1 + int(3) }, () => pick(TAGS)),
        attendees: Array.from({ length: 2 + int(4) }, () => ({
          memberId: `M-${pad(int(100_000), 6)}`,
          role: pick(ROLES),
          status: pick(STATUSES),
          score: int(101),
        })),
      },
    },
  };
};

// ---------------------------------------------------------------------------------------
// Rules of each kind: 5 hand-written ones, and a generator for 500
// ---------------------------------------------------------------------------------------

const inData = (data: Record<string, unknown>) => ({ detail: { data } });

interface Kind {
  name: string;
  /**
   * event-ruler's own figure for the kind, events/s, as its README publishes it (measured on
   * another machine, with its CityLots data): quoted, never a comparison.
   */
  quoted: number;
  five: unknown[];
  many: (i: number) => unknown;
}

const KINDS: Kind[] = [
  {
    name: 'exact',
    quoted: 220_000,
    five: [
      { source: ['dangjian.dues'], 'detail-type': ['DuesPaid'] },
      inData({ branch: { city: ['Hangzhou'] } }),
      inData({ channel: ['Alipay'], currency: ['CNY'] }),
      inData({ branch: { committee: ['高校党委'] } }),
      { region: ['cn-northwest-1'], detail: { version: [2] } },
    ],
    many: (i) => inData({ branch: { id: [`BR-${pad(i, 4)}`] } }),
  },
  {
    name: 'prefix',
    quoted: 220_000,
    five: [
      { time: [{ prefix: '2026-03' }] },
      inData({ memberId: [{ prefix: 'M-0001' }] }),
      inData({ file: [{ prefix: 'reports/2026/12/' }] }),
      inData({ clientIp: [{ prefix: '10.1.' }] }),
      { resources: [{ prefix: 'arn:aws-cn:dangjian:cn-north-1:123456789012:branch/BR-04' }] },
    ],
    many: (i) => inData({ memberId: [{ prefix: `M-${pad(i, 3)}` }] }),
  },
  {
    name: 'suffix',
    quoted: 220_000,
    five: [
      inData({ file: [{ suffix: '.pdf' }] }),
      inData({ email: [{ suffix: '@party.gov.cn' }] }),
      inData({ clientIp: [{ suffix: '.1' }] }),
      { 'detail-type': [{ suffix: 'Completed' }] },
      { resources: [{ suffix: '/BR-0042' }] },
    ],
    many: (i) => inData({ file: [{ suffix: `-${pad(i, 4)}.pdf` }] }),
  },
  {
    name: 'equals-ignore-case',
    quoted: 200_000,
    five: [
      inData({ channel: [{ 'equals-ignore-case': 'WECHAT' }] }),
      inData({ branch: { city: [{ 'equals-ignore-case': 'ningbo' }] } }),
      { 'detail-type': [{ 'equals-ignore-case': 'duespaid' }] },
      { source: [{ 'equals-ignore-case': 'DANGJIAN.STUDY' }] },
      inData({ currency: [{ 'equals-ignore-case': 'cny' }] }),
    ],
    many: (i) => inData({ branch: { id: [{ 'equals-ignore-case': `br-${pad(i, 4)}` }] } }),
  },
  {
    name: 'wildcard',
    quoted: 170_000,
    five: [
      inData({ file: [{ wildcard: 'reports/*/03/*.pdf' }] }),
      inData({ email: [{ wildcard: 'zhang*@*.cn' }] }),
      { resources: [{ wildcard: 'arn:aws-cn:dangjian:*:branch/BR-00*' }] },
      { time: [{ wildcard: '2026-*-01T*' }] },
      inData({ clientIp: [{ wildcard: '10.*.1.*' }] }),
    ],
    many: (i) => inData({ file: [{ wildcard: `reports/*/minutes-${pad(i, 4)}.*` }] }),
  },
  {
    name: 'anything-but',
    quoted: 150_000,
    five: [
      inData({ channel: [{ 'anything-but': ['Cash', 'BankTransfer'] }] }),
      inData({ branch: { city: [{ 'anything-but': 'Hangzhou' }] } }),
      { 'detail-type': [{ 'anything-but': { prefix: 'Member' } }] },
      inData({ file: [{ 'anything-but': { suffix: '.mp4' } }] }),
      { detail: { version: [{ 'anything-but': [1, 2] }] } },
    ],
    many: (i) => inData({ branch: { id: [{ 'anything-but': [`BR-${pad(i, 4)}`, `BR-${pad(i + 1, 4)}`] }] } }),
  },
  {
    name: 'numeric',
    quoted: 120_000,
    five: [
      inData({ amount: [{ numeric: ['>', 100, '<=', 200] }] }),
      inData({ amount: [{ numeric: ['>=', 450] }] }),
      inData({ branch: { size: [{ numeric: ['<', 10] }] } }),
      { detail: { version: [{ numeric: ['=', 3] }] } },
      inData({ amount: [{ numeric: ['>', 0, '<', 1] }] }),
    ],
    many: (i) => inData({ amount: [{ numeric: ['>=', i, '<', i + 1] }] }),
  },
  {
    name: 'arrays of objects',
    quoted: 2_500,
    five: [
      inData({ attendees: { role: ['secretary'], status: ['absent'] } }),
      inData({ attendees: { status: ['late'], score: [{ numeric: ['>=', 90] }] } }),
      {
        source: ['dangjian.meetings'],
        detail: { data: { attendees: { role: ['deputy'], status: ['excused'] } } },
      },
      inData({ attendees: { memberId: [{ prefix: 'M-000' }], role: [{ 'anything-but': 'observer' }] } }),
      inData({ attendees: { role: ['organizer'], score: [{ numeric: ['<', 5] }], status: ['present'] } }),
    ],
    many: (i) =>
      inData({ attendees: { role: [pick(ROLES)], score: [{ numeric: ['>=', i % 101] }], status: ['late'] } }),
  },
];

// ---------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------

type Predicate = (event: unknown) => boolean;

/** Parses events round-robin and runs every predicate on each, for about MEASURE_MS. */
const measure = (events: readonly string[], predicates: readonly Predicate[]) => {
  let processed = 0;
  let matched = 0;
  let next = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MEASURE_MS) {
    // Check the clock every 256 events, not every event.
    for (let batch = 0; batch < 256; batch++) {
      const event: unknown = JSON.parse(events[next] as string);
      next = next + 1 === events.length ? 0 : next + 1;
      for (const predicate of predicates) if (predicate(event)) matched++;
    }
    processed += 256;
    elapsed = performance.now() - start;
  }
  return { perSecond: (processed / elapsed) * 1000, matched, processed };
};

/** Which rules each event matches, as the Java side writes it: `[0, 3]`. */
const matchesOf = (events: readonly string[], predicates: readonly Predicate[]): string[] =>
  events.map((text) => {
    const event: unknown = JSON.parse(text);
    const hit: number[] = [];
    predicates.forEach((predicate, i) => {
      if (predicate(event)) hit.push(i);
    });
    return `[${hit.join(', ')}]`;
  });

interface RuleSet {
  name: string;
  rules: unknown[];
}

interface RulerFigures {
  perSecond: Map<string, number>;
  /** Per set, the events whose matches differ from the Node matcher's. */
  differing: Map<string, number>;
  java: string;
}

/**
 * event-ruler on the same events and rule sets, in a JVM of its own; undefined when no
 * build is named (EVENT_RULER_CLASSPATH) or Java is missing.
 */
const measureRuler = (
  events: readonly string[],
  sets: readonly RuleSet[],
  ours: Map<string, string[]>,
): RulerFigures | undefined => {
  const classpath = process.env.EVENT_RULER_CLASSPATH;
  if (!classpath) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dangjian-ruler-'));
  try {
    // `java -version` answers on stderr.
    const version = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0]?.trim() ?? '';
    execFileSync('javac', [
      '-nowarn',
      '-Xlint:none',
      '-d',
      dir,
      '-cp',
      classpath,
      join(import.meta.dirname, 'support', 'ruler', 'RulerBench.java'),
    ]);
    writeFileSync(join(dir, 'events.jsonl'), `${events.join('\n')}\n`);
    writeFileSync(join(dir, 'sets.jsonl'), `${sets.map((set) => JSON.stringify(set)).join('\n')}\n`);
    const out = execFileSync(
      'java',
      [
        '-cp',
        `${dir}:${classpath}`,
        'RulerBench',
        join(dir, 'events.jsonl'),
        join(dir, 'sets.jsonl'),
        String(MEASURE_MS),
        join(dir, 'matches.tsv'),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    const perSecond = new Map<string, number>();
    for (const line of out.trim().split('\n')) {
      const [name, rate] = line.split('\t');
      perSecond.set(name as string, Number(rate));
    }
    const differing = new Map<string, number>();
    const lines = readFileSync(join(dir, 'matches.tsv'), 'utf8').trim().split('\n');
    lines.forEach((line, i) => {
      const tab = line.indexOf('\t');
      const name = line.slice(0, tab);
      const theirs = line.slice(tab + 1);
      const mine = ours.get(name)?.[i % events.length];
      if (mine !== theirs) differing.set(name, (differing.get(name) ?? 0) + 1);
      else if (!differing.has(name)) differing.set(name, 0);
    });
    return { perSecond, differing, java: version };
  } catch (error) {
    // A build that does not load is reported, not hidden behind quoted figures.
    throw new Error(
      `event-ruler side by side failed (EVENT_RULER_CLASSPATH=${classpath}): ${(error as Error).message}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const format = (n: number): string => Math.round(n).toLocaleString('en-US');
const ratio = (ours: number, theirs: number | undefined) =>
  theirs === undefined ? '–' : `${(ours / theirs).toFixed(2)}×`;

const printRows = (header: string[], rows: string[][]) => {
  const table = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  console.log();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log();
};

export const run = (): void => {
  const events = Array.from({ length: EVENT_COUNT }, (_, i) => JSON.stringify(makeEvent(i)));
  const averageBytes = events.reduce((sum, e) => sum + Buffer.byteLength(e), 0) / events.length;
  const loadBefore = loadavg()[0] ?? 0;
  console.log(
    `${format(EVENT_COUNT)} events, ${Math.round(averageBytes)} bytes on average, ${MEASURE_MS} ms a measurement, load average ${loadBefore.toFixed(1)}`,
  );

  const sets: RuleSet[] = KINDS.flatMap((kind) => [
    { name: `${kind.name}/5`, rules: kind.five },
    { name: `${kind.name}/500`, rules: Array.from({ length: 500 }, (_, i) => kind.many(i)) },
  ]);
  const ours = new Map(sets.map((set) => [set.name, matchesOf(events, set.rules.map(compilePattern))]));

  // Warm the JIT on every kind before measuring anything.
  const warmup = KINDS.flatMap((kind) => kind.five.map(compilePattern));
  for (let i = 0; i < 20_000; i++) {
    const event: unknown = JSON.parse(events[i % events.length] as string);
    for (const predicate of warmup) predicate(event);
  }

  let compiled = 0;
  let compileMs = 0;
  const compiledKinds = KINDS.map((kind) => {
    const sources = Array.from({ length: 500 }, (_, i) => kind.many(i));
    const started = performance.now();
    const many = sources.map(compilePattern);
    compileMs += performance.now() - started;
    compiled += sources.length;
    return { kind, five: kind.five.map(compilePattern), many };
  });
  const measureOurs = () =>
    compiledKinds.map(({ kind, five, many }) => {
      const a = measure(events, five);
      const b = measure(events, many);
      return {
        kind: kind.name,
        five: a.perSecond,
        matchesPerEvent: a.matched / a.processed,
        many: b.perSecond,
      };
    });
  // Each side twice, taking turns, and the better of its two: other work on the machine
  // then weighs on both alike.
  const rulerRounds: RulerFigures[] = [];
  const oursRounds: ReturnType<typeof measureOurs>[] = [];
  const floors: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = measureRuler(events, sets, ours);
    if (r) rulerRounds.push(r);
    oursRounds.push(measureOurs());
    floors.push(measure(events, []).perSecond);
  }
  const ruler = rulerRounds[0] && {
    ...rulerRounds[0],
    perSecond: new Map(
      sets.map((set) => [set.name, Math.max(...rulerRounds.map((r) => r.perSecond.get(set.name) ?? 0))]),
    ),
  };
  const floor = { perSecond: Math.max(...floors) };
  const measured = (oursRounds[0] ?? []).map((first, i) => ({
    ...first,
    five: Math.max(...oursRounds.map((r) => r[i]?.five ?? 0)),
    many: Math.max(...oursRounds.map((r) => r[i]?.many ?? 0)),
  }));

  // Compile time on its own, over a mixed set of patterns (JIT warm by now).
  const mixed = KINDS.flatMap((kind) => [
    ...kind.five,
    ...Array.from({ length: 20 }, (_, i) => kind.many(i)),
  ]);
  const rounds = 50;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) for (const pattern of mixed) compilePattern(pattern);
  const compileMicros = ((performance.now() - started) * 1000) / (rounds * mixed.length);
  const loadAfter = loadavg()[0] ?? 0;

  if (ruler) {
    printRows(
      [
        'kind',
        '5 rules: ours ev/s',
        'event-ruler ev/s',
        'ours/ruler',
        '500 rules: ours ev/s',
        'event-ruler ev/s',
        'ours/ruler',
        'events matched differently',
      ],
      measured.map((m) => [
        m.kind,
        format(m.five),
        format(ruler.perSecond.get(`${m.kind}/5`) ?? Number.NaN),
        ratio(m.five, ruler.perSecond.get(`${m.kind}/5`)),
        format(m.many),
        format(ruler.perSecond.get(`${m.kind}/500`) ?? Number.NaN),
        ratio(m.many, ruler.perSecond.get(`${m.kind}/500`)),
        `${ruler.differing.get(`${m.kind}/5`) ?? '?'} / ${ruler.differing.get(`${m.kind}/500`) ?? '?'} of ${format(EVENT_COUNT)}`,
      ]),
    );
    console.log(
      `Side by side on this machine in this run, each side ${ROUNDS} times taking turns, the better figure of each: event-ruler in ${ruler.java} (a JVM of its own, JIT warmed the same way), the matcher in Node ${process.version}.`,
    );
  } else {
    printRows(
      ['kind', '5 rules ev/s', 'matches/event', '500 rules ev/s', "event-ruler's README (quoted)"],
      measured.map((m) => [
        m.kind,
        format(m.five),
        m.matchesPerEvent.toFixed(2),
        format(m.many),
        format(KINDS.find((k) => k.name === m.kind)?.quoted ?? Number.NaN),
      ]),
    );
    console.log(
      'event-ruler was not run here (set EVENT_RULER_CLASSPATH to a build of it and its Jackson jars): its figures above are quoted from its README, measured on another machine with other data, and compare with nothing in this table.',
    );
  }
  console.log(`JSON.parse alone (the floor): ${format(floor.perSecond)} events/s`);
  console.log(
    'Each rule is its own compiled predicate, so 500 rules cost 100 times 5 (event-ruler merges rules into one machine).',
  );
  console.log(
    `compilePattern: ${compileMicros.toFixed(1)} µs a pattern (mixed kinds); 500 rules of each kind compiled in ${(compileMs / KINDS.length).toFixed(1)} ms on average (${format(compiled)} patterns)`,
  );
  saveResults('pattern', {
    events: EVENT_COUNT,
    averageEventBytes: Math.round(averageBytes),
    measureMs: MEASURE_MS,
    loadAverage: { before: Math.round(loadBefore * 10) / 10, after: Math.round(loadAfter * 10) / 10 },
    jsonParseFloorPerSecond: Math.round(floor.perSecond),
    compileMicrosPerPattern: Math.round(compileMicros * 10) / 10,
    kinds: measured.map((m) => ({
      kind: m.kind,
      fiveRulesPerSecond: Math.round(m.five),
      matchesPerEvent: Math.round(m.matchesPerEvent * 100) / 100,
      fiveHundredRulesPerSecond: Math.round(m.many),
      eventRuler: ruler
        ? {
            sideBySide: true,
            fiveRulesPerSecond: Math.round(ruler.perSecond.get(`${m.kind}/5`) ?? Number.NaN),
            fiveHundredRulesPerSecond: Math.round(ruler.perSecond.get(`${m.kind}/500`) ?? Number.NaN),
            eventsMatchedDifferently: {
              fiveRules: ruler.differing.get(`${m.kind}/5`),
              fiveHundredRules: ruler.differing.get(`${m.kind}/500`),
            },
          }
        : { sideBySide: false, quotedFromItsReadme: KINDS.find((k) => k.name === m.kind)?.quoted },
    })),
    ...(ruler ? { eventRulerJava: ruler.java } : {}),
  });
};
