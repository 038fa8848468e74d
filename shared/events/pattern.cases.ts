/**
 * The matcher's case table: examples from the Amazon EventBridge user guide ("Event
 * patterns", "Content filtering", "Arrays", "null values and empty strings", "Comparison
 * operators") and aws/event-ruler's README, then the corners those sources leave to
 * event-ruler's behaviour. Each case is one pattern, one event and the expected answer.
 */

export interface MatchCase {
  name: string;
  pattern: unknown;
  event: unknown;
  expected: boolean;
}

/** event-ruler README's sample event (also the EventBridge guide's EC2 example). */
export const EC2 = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** The guide's "null values and empty strings" event. */
const AUTOSCALING = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

/** event-ruler README's array-consistency example. */
const EMPLOYEES = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};

const NESTED_EMPLOYEES = {
  employees: [
    [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
    ],
    [{ firstName: 'Peter', lastName: 'Jones' }],
  ],
};

/** A dangjian event, shaped like shared/events/contract.ts's envelope. */
const DUES = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'DuesPaid',
  source: 'dangjian.dues',
  account: '123456789012',
  time: '2026-03-14T08:21:45Z',
  region: 'cn-north-1',
  resources: ['arn:aws-cn:dangjian:cn-north-1:123456789012:branch/BR-0042'],
  detail: {
    eventId: '01JQ8X',
    occurredAt: '2026-03-14T16:21:45.000+08:00',
    version: 1,
    data: {
      memberId: 'M-004821',
      amount: 128.5,
      currency: 'CNY',
      channel: 'WeChat',
      file: 'reports/2026/03/minutes-0042.pdf',
      tags: ['党课', '学习'],
      attendees: [
        { memberId: 'M-000001', role: 'secretary', status: 'present', score: 95 },
        { memberId: 'M-000002', role: 'member', status: 'absent', score: 0 },
      ],
    },
  },
};

const at = (path: string, value: unknown): Record<string, unknown> => {
  const keys = path.split('/');
  let out: unknown = value;
  for (const key of keys.reverse()) out = { [key]: out };
  return out as Record<string, unknown>;
};

// Small helpers to keep one-field cases on one line: field "v" of the event holds the value.
const v = (value: unknown) => ({ v: value });
const p = (...values: unknown[]) => ({ v: values });

const docs: MatchCase[] = [
  // --- Event patterns / README "simple matching" ---------------------------------------
  {
    name: 'README: several fields, event array intersects pattern array',
    pattern: {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    },
    event: EC2,
    expected: true,
  },
  {
    name: 'guide: source + detail-type + detail.state, state differs',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    event: EC2,
    expected: false,
  },
  {
    name: 'guide: a field absent from the event fails the match',
    pattern: { detail: { missing: ['x'] } },
    event: EC2,
    expected: false,
  },
  {
    name: 'guide: fields not in the pattern are ignored',
    pattern: { source: ['aws.ec2'] },
    event: EC2,
    expected: true,
  },
  {
    name: 'guide: matching is case-sensitive',
    pattern: { source: ['AWS.EC2'] },
    event: EC2,
    expected: false,
  },
  {
    name: 'guide: no string normalisation (trailing space)',
    pattern: { source: ['aws.ec2 '] },
    event: EC2,
    expected: false,
  },
  {
    name: 'nesting must follow the event: source is not under detail',
    pattern: { detail: { source: ['aws.ec2'] } },
    event: EC2,
    expected: false,
  },
  {
    name: 'pattern given as a JSON string',
    pattern: JSON.stringify({ source: ['aws.ec2'] }),
    event: EC2,
    expected: true,
  },
  {
    name: 'non-object event never matches',
    pattern: { source: ['aws.ec2'] },
    event: 'aws.ec2',
    expected: false,
  },
  { name: 'array event never matches', pattern: { v: [{ exists: false }] }, event: [], expected: false },

  // --- Prefix ---------------------------------------------------------------------------
  {
    name: 'guide: prefix on time',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: EC2,
    expected: true,
  },
  {
    name: 'prefix that does not match',
    pattern: { time: [{ prefix: '2017-10-03' }] },
    event: EC2,
    expected: false,
  },
  { name: 'prefix is case-sensitive', pattern: { source: [{ prefix: 'AWS' }] }, event: EC2, expected: false },
  { name: 'prefix equal to the whole value', pattern: p({ prefix: 'abc' }), event: v('abc'), expected: true },
  { name: 'prefix longer than the value', pattern: p({ prefix: 'abcd' }), event: v('abc'), expected: false },
  {
    name: 'empty prefix matches any string',
    pattern: p({ prefix: '' }),
    event: v('anything'),
    expected: true,
  },
  { name: 'empty prefix matches the empty string', pattern: p({ prefix: '' }), event: v(''), expected: true },
  { name: 'empty prefix does not match a number', pattern: p({ prefix: '' }), event: v(5), expected: false },
  { name: 'prefix never matches a number', pattern: p({ prefix: '12' }), event: v(123), expected: false },
  { name: 'prefix never matches null', pattern: p({ prefix: 'n' }), event: v(null), expected: false },
  { name: 'prefix never matches a boolean', pattern: p({ prefix: 't' }), event: v(true), expected: false },
  {
    name: 'prefix over an event array: any element',
    pattern: p({ prefix: 'arn:aws:ec2' }),
    event: v(['x', 'arn:aws:ec2:1']),
    expected: true,
  },
  {
    name: 'guide: prefix ignore-case',
    pattern: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] },
    event: { service: 'eventbridge' },
    expected: true,
  },
  {
    name: 'prefix ignore-case, upper-case value',
    pattern: p({ prefix: { 'equals-ignore-case': 'eventb' } }),
    event: v('EVENTBRIDGE'),
    expected: true,
  },
  {
    name: 'prefix ignore-case that does not match',
    pattern: p({ prefix: { 'equals-ignore-case': 'eventc' } }),
    event: v('EventBridge'),
    expected: false,
  },

  // --- Suffix ---------------------------------------------------------------------------
  {
    name: 'guide: suffix .png',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'image.png' },
    expected: true,
  },
  {
    name: 'suffix is case-sensitive',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'image.PNG' },
    expected: false,
  },
  { name: 'README: suffix on source', pattern: { source: [{ suffix: 'ec2' }] }, event: EC2, expected: true },
  { name: 'suffix longer than the value', pattern: p({ suffix: 'xabc' }), event: v('abc'), expected: false },
  { name: 'suffix never matches a number', pattern: p({ suffix: '5' }), event: v(5), expected: false },
  { name: 'empty suffix matches any string', pattern: p({ suffix: '' }), event: v('x'), expected: true },
  {
    name: 'guide: suffix ignore-case',
    pattern: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] },
    event: { FileName: 'image.PNG' },
    expected: true,
  },
  {
    name: 'suffix ignore-case, mixed case',
    pattern: p({ suffix: { 'equals-ignore-case': 'tBridge' } }),
    event: v('EventBRIDGE'),
    expected: true,
  },
  {
    name: 'suffix ignore-case that does not match',
    pattern: p({ suffix: { 'equals-ignore-case': '.jpg' } }),
    event: v('a.png'),
    expected: false,
  },

  // --- Equals-ignore-case -----------------------------------------------------------------
  {
    name: 'README: equals-ignore-case EC2',
    pattern: { source: [{ 'equals-ignore-case': 'AWS.EC2' }] },
    event: EC2,
    expected: true,
  },
  {
    name: 'guide: equals-ignore-case on detail-type',
    pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    event: EC2,
    expected: true,
  },
  {
    name: 'equals-ignore-case is not a prefix match',
    pattern: p({ 'equals-ignore-case': 'alic' }),
    event: v('Alice'),
    expected: false,
  },
  {
    name: 'equals-ignore-case never matches a number',
    pattern: p({ 'equals-ignore-case': '5' }),
    event: v(5),
    expected: false,
  },
  {
    name: 'equals-ignore-case of the empty string',
    pattern: p({ 'equals-ignore-case': '' }),
    event: v(''),
    expected: true,
  },
  {
    name: 'equals-ignore-case on non-ASCII letters',
    pattern: p({ 'equals-ignore-case': 'ÉCOLE' }),
    event: v('école'),
    expected: true,
  },
  {
    name: 'equals-ignore-case: ß accepts its upper case SS (per character)',
    pattern: p({ 'equals-ignore-case': 'straße' }),
    event: v('STRASSE'),
    expected: true,
  },
  {
    name: 'equals-ignore-case is per character: SS does not accept ß',
    pattern: p({ 'equals-ignore-case': 'STRASSE' }),
    event: v('straße'),
    expected: false,
  },
  {
    name: 'equals-ignore-case: the Kelvin sign is not a k',
    pattern: p({ 'equals-ignore-case': 'k' }),
    event: v('\u212a'),
    expected: false,
  },
  {
    name: 'equals-ignore-case on CJK text',
    pattern: p({ 'equals-ignore-case': '党支部' }),
    event: v('党支部'),
    expected: true,
  },

  // --- Wildcard ---------------------------------------------------------------------------
  {
    name: 'README: wildcard Simple*Service',
    pattern: p({ wildcard: 'Simple*Service' }),
    event: v('SimpleNotificationService'),
    expected: true,
  },
  {
    name: 'guide: wildcard in an ARN',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus' },
    expected: true,
  },
  {
    name: 'guide: wildcard dir/*.png',
    pattern: { Filename: [{ wildcard: 'dir/*.png' }] },
    event: { Filename: 'dir/a.png' },
    expected: true,
  },
  {
    name: 'wildcard * spans slashes',
    pattern: { Filename: [{ wildcard: 'dir/*.png' }] },
    event: { Filename: 'dir/sub/a.png' },
    expected: true,
  },
  {
    name: 'wildcard matches zero characters',
    pattern: p({ wildcard: 'ab*c' }),
    event: v('abc'),
    expected: true,
  },
  {
    name: 'wildcard is anchored at both ends',
    pattern: p({ wildcard: 'b*c' }),
    event: v('abcd'),
    expected: false,
  },
  { name: 'lone * matches any string', pattern: p({ wildcard: '*' }), event: v('whatever'), expected: true },
  { name: 'lone * matches the empty string', pattern: p({ wildcard: '*' }), event: v(''), expected: true },
  { name: 'lone * does not match a number', pattern: p({ wildcard: '*' }), event: v(1), expected: false },
  {
    name: 'wildcard with no * is an exact match',
    pattern: p({ wildcard: 'abc' }),
    event: v('abc'),
    expected: true,
  },
  {
    name: 'wildcard \\* is a literal star',
    pattern: p({ wildcard: 'a\\*b' }),
    event: v('a*b'),
    expected: true,
  },
  {
    name: 'wildcard \\* does not match other characters',
    pattern: p({ wildcard: 'a\\*b' }),
    event: v('axb'),
    expected: false,
  },
  {
    name: 'wildcard \\\\ is a literal backslash',
    pattern: p({ wildcard: 'a\\\\*' }),
    event: v('a\\tail'),
    expected: true,
  },
  {
    name: 'wildcard with several stars in order',
    pattern: p({ wildcard: '*a*b*c*' }),
    event: v('xxaxxbxxcxx'),
    expected: true,
  },
  {
    name: 'wildcard stars out of order',
    pattern: p({ wildcard: '*a*b*c*' }),
    event: v('cba'),
    expected: false,
  },
  {
    name: 'wildcard overlapping prefix and suffix do not share characters',
    pattern: p({ wildcard: 'ab*ba' }),
    event: v('aba'),
    expected: false,
  },
  { name: 'wildcard is case-sensitive', pattern: p({ wildcard: 'A*' }), event: v('abc'), expected: false },
  {
    name: 'wildcard ? and [ are literal',
    pattern: p({ wildcard: 'a?[b]*' }),
    event: v('a?[b]c'),
    expected: true,
  },

  // --- Anything-but -----------------------------------------------------------------------
  {
    name: 'guide: anything-but a string',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: EC2,
    expected: true,
  },
  {
    name: 'anything-but the event value',
    pattern: { detail: { state: [{ 'anything-but': 'running' }] } },
    event: EC2,
    expected: false,
  },
  {
    name: 'guide: anything-but a number',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: EC2,
    expected: true,
  },
  {
    name: 'anything-but the number itself',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 301.8 }] } },
    event: EC2,
    expected: false,
  },
  {
    name: 'guide: anything-but a list of strings',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: EC2,
    expected: true,
  },
  {
    name: 'anything-but a list containing the value',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } },
    event: EC2,
    expected: false,
  },
  {
    name: 'guide: anything-but a list of numbers',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: EC2,
    expected: true,
  },
  {
    name: 'anything-but numbers compares by value',
    pattern: p({ 'anything-but': [300] }),
    event: v(3.0e2),
    expected: false,
  },
  {
    name: 'guide: anything-but prefix',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: EC2,
    expected: true,
  },
  {
    name: 'anything-but prefix that applies',
    pattern: p({ 'anything-but': { prefix: 'init' } }),
    event: v('initializing'),
    expected: false,
  },
  {
    name: 'guide: anything-but suffix',
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    event: { FileName: 'a.txt' },
    expected: true,
  },
  {
    name: 'anything-but suffix that applies',
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    event: { FileName: 'a.png' },
    expected: false,
  },
  {
    name: 'anything-but a prefix list',
    pattern: p({ 'anything-but': { prefix: ['us-', 'eu-'] } }),
    event: v('eu-west-1'),
    expected: false,
  },
  {
    name: 'anything-but a suffix list',
    pattern: p({ 'anything-but': { suffix: ['.png', '.jpg'] } }),
    event: v('a.gif'),
    expected: true,
  },
  {
    name: 'guide: anything-but ignore-case',
    pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
    event: { state: 'INITIALIZING' },
    expected: false,
  },
  {
    name: 'anything-but ignore-case list, other value',
    pattern: p({ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }),
    event: v('running'),
    expected: true,
  },
  {
    name: 'anything-but ignore-case list, listed value',
    pattern: p({ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }),
    event: v('overloaded'),
    expected: false,
  },
  {
    name: 'guide: anything-but wildcard',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: '/usr/bin/x' },
    expected: true,
  },
  {
    name: 'anything-but wildcard that applies',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: '/usr/lib/x' },
    expected: false,
  },
  {
    name: 'anything-but wildcard list',
    pattern: p({ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }),
    event: v('/usr/bin/x'),
    expected: false,
  },
  {
    name: 'anything-but never matches a missing field',
    pattern: p({ 'anything-but': 'x' }),
    event: { other: 'y' },
    expected: false,
  },
  {
    name: 'anything-but never matches an empty array',
    pattern: p({ 'anything-but': 'x' }),
    event: v([]),
    expected: false,
  },
  {
    name: 'anything-but never matches an object value',
    pattern: p({ 'anything-but': 'x' }),
    event: v({ a: 'y' }),
    expected: false,
  },
  {
    name: 'anything-but a string matches a number',
    pattern: p({ 'anything-but': 'x' }),
    event: v(5),
    expected: true,
  },
  {
    name: 'anything-but a string matches null',
    pattern: p({ 'anything-but': 'x' }),
    event: v(null),
    expected: true,
  },
  {
    name: 'anything-but a string matches a boolean',
    pattern: p({ 'anything-but': 'true' }),
    event: v(true),
    expected: true,
  },
  {
    name: 'anything-but "5" matches the number 5',
    pattern: p({ 'anything-but': '5' }),
    event: v(5),
    expected: true,
  },
  {
    name: 'anything-but 5 matches the string "5"',
    pattern: p({ 'anything-but': 5 }),
    event: v('5'),
    expected: true,
  },
  {
    name: 'anything-but numbers match a string',
    pattern: p({ 'anything-but': [1, 2] }),
    event: v('one'),
    expected: true,
  },
  {
    name: 'anything-but prefix matches a number',
    pattern: p({ 'anything-but': { prefix: '1' } }),
    event: v(123),
    expected: true,
  },
  {
    name: 'anything-but ignore-case matches null',
    pattern: p({ 'anything-but': { 'equals-ignore-case': 'null' } }),
    event: v(null),
    expected: true,
  },
  {
    name: 'anything-but over an array: one other element suffices',
    pattern: p({ 'anything-but': 'a' }),
    event: v(['a', 'b']),
    expected: true,
  },
  {
    name: 'anything-but over an array of only excluded values',
    pattern: p({ 'anything-but': ['a', 'b'] }),
    event: v(['a', 'b']),
    expected: false,
  },
  {
    name: 'SNS guide: anything-but [100, 500] over [100, 50]',
    pattern: { price: [{ 'anything-but': [100, 500] }] },
    event: { price: [100, 50] },
    expected: true,
  },
  {
    name: 'anything-but is case-sensitive',
    pattern: p({ 'anything-but': 'Running' }),
    event: v('running'),
    expected: true,
  },

  // --- Numeric ----------------------------------------------------------------------------
  {
    name: 'README: numeric c-count, d-count, x-limit all true',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: EC2,
    expected: true,
  },
  {
    name: 'numeric range upper bound is inclusive with <=',
    pattern: p({ numeric: ['>', 0, '<=', 5] }),
    event: v(5),
    expected: true,
  },
  {
    name: 'numeric range lower bound is exclusive with >',
    pattern: p({ numeric: ['>', 0, '<=', 5] }),
    event: v(0),
    expected: false,
  },
  {
    name: 'numeric >= includes the bound',
    pattern: p({ numeric: ['>=', 10] }),
    event: v(10),
    expected: true,
  },
  { name: 'numeric < excludes the bound', pattern: p({ numeric: ['<', 10] }), event: v(10), expected: false },
  {
    name: 'numeric <= includes the bound',
    pattern: p({ numeric: ['<=', 10] }),
    event: v(10),
    expected: true,
  },
  {
    name: 'numeric > with a negative value',
    pattern: p({ numeric: ['>', -10] }),
    event: v(-9.5),
    expected: true,
  },
  {
    name: 'numeric >= 0, < 1 with a fraction',
    pattern: p({ numeric: ['>=', 0, '<', 1] }),
    event: v(0.999999),
    expected: true,
  },
  {
    name: 'SNS guide: numeric = 301.5 matches 3.015e2',
    pattern: { price_usd: [{ numeric: ['=', 301.5] }] },
    event: { price_usd: 3.015e2 },
    expected: true,
  },
  {
    name: 'numeric never matches a numeric-looking string',
    pattern: p({ numeric: ['>', 0] }),
    event: v('5'),
    expected: false,
  },
  {
    name: 'numeric never matches a boolean',
    pattern: p({ numeric: ['>', 0] }),
    event: v(true),
    expected: false,
  },
  { name: 'numeric never matches null', pattern: p({ numeric: ['<', 1] }), event: v(null), expected: false },
  {
    name: 'numeric over an array: any element in range',
    pattern: p({ numeric: ['>', 10] }),
    event: v([1, 2, 30]),
    expected: true,
  },
  {
    name: 'numeric over an array: none in range',
    pattern: p({ numeric: ['>', 10] }),
    event: v([1, 2, 3]),
    expected: false,
  },
  {
    name: 'numeric compares past 5e9 (event-ruler ≥ 1.8 uses the full float64 range)',
    pattern: p({ numeric: ['>', 5e9] }),
    event: v(6e9),
    expected: true,
  },
  {
    name: 'numeric keeps precision beyond 6 decimals (1.0000001 > 1)',
    pattern: p({ numeric: ['>', 1] }),
    event: v(1.0000001),
    expected: true,
  },
  {
    name: 'numeric = is exact on doubles',
    pattern: p({ numeric: ['=', 0.1] }),
    event: v(0.10000000000000002),
    expected: false,
  },
  { name: 'numeric treats -0 as 0', pattern: p({ numeric: ['=', 0] }), event: v(-0), expected: true },

  // --- Exact numbers, booleans, null, empty string ---------------------------------------
  { name: 'numbers compare by value: 300 matches 3.0e2', pattern: p(300), event: v(3.0e2), expected: true },
  {
    name: 'numbers compare by value: 300 matches 300.0',
    pattern: JSON.parse('{"v":[300]}'),
    event: JSON.parse('{"v":300.0}'),
    expected: true,
  },
  {
    name: 'number pattern does not match the string "300"',
    pattern: p(300),
    event: v('300'),
    expected: false,
  },
  {
    name: 'string pattern "300" does not match the number 300',
    pattern: p('300'),
    event: v(300),
    expected: false,
  },
  {
    name: 'large integer (account id) matches exactly',
    pattern: p(123456789012),
    event: v(123456789012),
    expected: true,
  },
  { name: 'negative exact number', pattern: p(-1.5), event: v(-1.5), expected: true },
  { name: 'true matches only true', pattern: p(true), event: v(true), expected: true },
  { name: 'true does not match "true"', pattern: p(true), event: v('true'), expected: false },
  { name: 'false does not match 0', pattern: p(false), event: v(0), expected: false },
  {
    name: 'guide: null matches a JSON null',
    pattern: { detail: { responseElements: [null] } },
    event: AUTOSCALING,
    expected: true,
  },
  {
    name: 'null does not match a missing field',
    pattern: { detail: { missing: [null] } },
    event: AUTOSCALING,
    expected: false,
  },
  { name: 'null does not match "null"', pattern: p(null), event: v('null'), expected: false },
  { name: 'null does not match an empty array', pattern: p(null), event: v([]), expected: false },
  {
    name: 'guide: "" matches the empty string',
    pattern: { detail: { eventVersion: [''] } },
    event: AUTOSCALING,
    expected: true,
  },
  {
    name: '"" does not match null',
    pattern: { detail: { responseElements: [''] } },
    event: AUTOSCALING,
    expected: false,
  },
  {
    name: '"" does not match an empty array',
    pattern: { resources: [''] },
    event: AUTOSCALING,
    expected: false,
  },
  {
    name: 'a list mixing types matches any of them',
    pattern: p('a', 1, true, null),
    event: v(null),
    expected: true,
  },

  // --- IP addresses -----------------------------------------------------------------------
  {
    name: 'guide: cidr 10.0.0.0/24',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event: { detail: { sourceIPAddress: '10.0.0.255' } },
    expected: true,
  },
  {
    name: 'cidr outside the block',
    pattern: p({ cidr: '10.0.0.0/24' }),
    event: v('10.0.1.0'),
    expected: false,
  },
  {
    name: 'README: cidr 10.0.0.0/8 on the sample event',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } },
    event: EC2,
    expected: true,
  },
  {
    name: 'cidr floors host bits (10.0.0.5/24 covers 10.0.0.1)',
    pattern: p({ cidr: '10.0.0.5/24' }),
    event: v('10.0.0.1'),
    expected: true,
  },
  {
    name: 'cidr /0 covers every IPv4 address',
    pattern: p({ cidr: '0.0.0.0/0' }),
    event: v('255.255.255.255'),
    expected: true,
  },
  { name: 'cidr /31', pattern: p({ cidr: '192.168.1.2/31' }), event: v('192.168.1.3'), expected: true },
  {
    name: 'cidr IPv6',
    pattern: p({ cidr: '2001:db8::/32' }),
    event: v('2001:db8:85a3::8a2e:370:7334'),
    expected: true,
  },
  {
    name: 'cidr IPv6 outside the block',
    pattern: p({ cidr: '2001:db8::/32' }),
    event: v('2001:db9::1'),
    expected: false,
  },
  {
    name: 'cidr IPv6, upper-case hex in the event',
    pattern: p({ cidr: '2001:db8::/32' }),
    event: v('2001:DB8::1'),
    expected: true,
  },
  { name: 'cidr does not mix families', pattern: p({ cidr: '0.0.0.0/0' }), event: v('::1'), expected: false },
  {
    name: 'cidr reads octets as decimal even with leading zeros',
    pattern: p({ cidr: '10.0.0.0/24' }),
    event: v('010.000.000.010'),
    expected: true,
  },
  {
    name: 'cidr never matches a non-address string',
    pattern: p({ cidr: '10.0.0.0/8' }),
    event: v('10.0.0'),
    expected: false,
  },
  {
    name: 'cidr never matches a number',
    pattern: p({ cidr: '0.0.0.0/0' }),
    event: v(167772161),
    expected: false,
  },
  {
    name: 'an exact IP string matches the same address spelled differently',
    pattern: p('10.0.0.1'),
    event: v('010.0.0.001'),
    expected: true,
  },
  {
    name: 'an exact IPv6 string matches its expanded form',
    pattern: p('::1'),
    event: v('0:0:0:0:0:0:0:1'),
    expected: true,
  },
  {
    name: 'an IPv4-mapped IPv6 literal is its IPv4 address',
    pattern: p('1.2.3.4'),
    event: v('::ffff:102:304'),
    expected: true,
  },
  {
    name: '"exactly" does not read addresses',
    pattern: p({ exactly: '10.0.0.1' }),
    event: v('010.0.0.001'),
    expected: false,
  },

  // --- Exists -----------------------------------------------------------------------------
  {
    name: 'README: exists true',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: EC2,
    expected: true,
  },
  {
    name: 'exists true on a missing field',
    pattern: { detail: { 'e-count': [{ exists: true }] } },
    event: EC2,
    expected: false,
  },
  {
    name: 'README: exists false on a missing field',
    pattern: { detail: { 'e-count': [{ exists: false }] } },
    event: EC2,
    expected: true,
  },
  {
    name: 'exists false on a present field',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: EC2,
    expected: false,
  },
  {
    name: 'guide: exists false matches when the field is an object (not a leaf)',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: { detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } },
    expected: true,
  },
  {
    name: 'exists true does not match an object value',
    pattern: p({ exists: true }),
    event: v({ c1: 100 }),
    expected: false,
  },
  {
    name: 'exists true matches null (null is a leaf)',
    pattern: p({ exists: true }),
    event: v(null),
    expected: true,
  },
  {
    name: 'exists true matches the empty string',
    pattern: p({ exists: true }),
    event: v(''),
    expected: true,
  },
  { name: 'exists true matches false', pattern: p({ exists: true }), event: v(false), expected: true },
  {
    name: 'exists true does not match an empty array',
    pattern: p({ exists: true }),
    event: v([]),
    expected: false,
  },
  {
    name: 'exists false matches an empty array',
    pattern: p({ exists: false }),
    event: v([]),
    expected: true,
  },
  {
    name: 'exists true matches a non-empty array',
    pattern: p({ exists: true }),
    event: v([1]),
    expected: true,
  },
  {
    name: 'exists false matches a missing parent',
    pattern: { detail: { a: { b: [{ exists: false }] } } },
    event: EC2,
    expected: true,
  },
  {
    name: 'exists false matches a parent that is a string',
    pattern: { detail: { state: { x: [{ exists: false }] } } },
    event: EC2,
    expected: true,
  },
  {
    name: 'exists false matches an array of empty objects',
    pattern: p({ exists: false }),
    event: v([{}, []]),
    expected: true,
  },
  {
    name: 'exists false on the root of an empty event',
    pattern: { v: [{ exists: false }] },
    event: {},
    expected: true,
  },
  {
    name: 'exists false or a value: value present',
    pattern: p('x', { exists: false }),
    event: v('x'),
    expected: true,
  },
  {
    name: 'exists false or a value: field absent',
    pattern: p('x', { exists: false }),
    event: {},
    expected: true,
  },
  {
    name: 'exists false or a value: other value',
    pattern: p('x', { exists: false }),
    event: v('y'),
    expected: false,
  },

  // --- Arrays -----------------------------------------------------------------------------
  {
    name: 'guide: pattern array intersects event array',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    expected: true,
  },
  { name: 'disjoint arrays do not match', pattern: p('a', 'b'), event: v(['c', 'd']), expected: false },
  { name: 'an empty event array behaves as absent', pattern: p('x'), event: v([]), expected: false },
  { name: 'nested event arrays are flattened', pattern: p('x'), event: v([['a'], [['x']]]), expected: true },
  {
    name: 'README: array of objects, one field',
    pattern: { employees: { firstName: ['Anna'] } },
    event: EMPLOYEES,
    expected: true,
  },
  {
    name: 'README: two fields from the same element',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
    event: EMPLOYEES,
    expected: true,
  },
  {
    name: 'README: two fields from different elements never match',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    event: EMPLOYEES,
    expected: false,
  },
  {
    name: 'README: multi-level arrays are crushed out',
    pattern: { employees: { firstName: ['Peter'] } },
    event: NESTED_EMPLOYEES,
    expected: true,
  },
  {
    name: 'multi-level arrays keep consistency',
    pattern: { employees: { firstName: ['John'], lastName: ['Jones'] } },
    event: NESTED_EMPLOYEES,
    expected: false,
  },
  {
    name: 'multi-level arrays, same innermost element',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
    event: NESTED_EMPLOYEES,
    expected: true,
  },
  {
    name: 'consistency holds across nesting levels',
    pattern: { a: { id: ['1'], b: { c: ['y'] } } },
    event: {
      a: [
        { id: '1', b: [{ c: 'x' }] },
        { id: '2', b: [{ c: 'y' }] },
      ],
    },
    expected: false,
  },
  {
    name: 'inner arrays may use any element',
    pattern: { a: { id: ['2'], b: { c: ['y'] } } },
    event: {
      a: [
        { id: '1', b: [{ c: 'x' }] },
        { id: '2', b: [{ c: 'z' }, { c: 'y' }] },
      ],
    },
    expected: true,
  },
  {
    name: 'consistency with $or fields and fields outside it',
    pattern: { a: { x: ['1'] }, $or: [{ a: { y: ['2'] } }, { b: ['3'] }] },
    event: { a: [{ x: '1' }, { y: '2' }] },
    expected: false,
  },
  {
    name: 'consistency: same element satisfies both',
    pattern: { a: { x: ['1'] }, $or: [{ a: { y: ['2'] } }, { b: ['3'] }] },
    event: { a: [{ x: '1', y: '2' }] },
    expected: true,
  },
  {
    name: 'exists false is checked within the element chosen before it',
    pattern: { a: { k: ['1'], z: [{ exists: false }] } },
    event: { a: [{ k: '1' }, { k: '2', z: 'present' }] },
    expected: true,
  },
  {
    name: 'exists false sorted before the other fields sees every element (event-ruler order)',
    pattern: { a: { a0: [{ exists: false }], k: ['1'] } },
    event: { a: [{ k: '1' }, { a0: 'present' }] },
    expected: false,
  },
  {
    name: 'fields in separate arrays are independent',
    pattern: { a: { x: ['1'] }, b: { y: ['2'] } },
    event: { a: [{ x: '0' }, { x: '1' }], b: [{ y: '2' }] },
    expected: true,
  },
  {
    name: 'dangjian: an absent secretary',
    pattern: { detail: { data: { attendees: { role: ['secretary'], status: ['absent'] } } } },
    event: DUES,
    expected: false,
  },
  {
    name: 'dangjian: a present secretary with a high score',
    pattern: {
      detail: {
        data: { attendees: { role: ['secretary'], status: ['present'], score: [{ numeric: ['>=', 90] }] } },
      },
    },
    event: DUES,
    expected: true,
  },
  {
    name: 'a field whose value is an array of objects is not a leaf',
    pattern: { detail: { data: { attendees: ['x'] } } },
    event: DUES,
    expected: false,
  },

  // --- $or --------------------------------------------------------------------------------
  {
    name: 'guide: $or Location or Day, first branch',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    event: { Location: 'New York', Day: 'Friday' },
    expected: true,
  },
  {
    name: 'guide: $or Location or Day, second branch',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    event: { Location: 'Paris', Day: 'Monday' },
    expected: true,
  },
  {
    name: 'guide: $or Location or Day, neither',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    event: { Location: 'Paris', Day: 'Friday' },
    expected: false,
  },
  {
    name: 'README: normal $or with an outer field',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
    expected: true,
  },
  {
    name: 'README: the outer field still applies',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { source: 'aws.ec2', namespace: 'AWS/ES' },
    expected: false,
  },
  {
    name: 'README: parallel $or at two levels',
    pattern: {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    event: { metricName: 'ReadLatency', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
    expected: true,
  },
  {
    name: 'README: parallel $or needs both',
    pattern: {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    event: { metricName: 'ReadLatency', detail: { source: 'aws.ec2' } },
    expected: false,
  },
  {
    name: 'README: "Or" has an "And" inside',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'] },
        { scope: ['Service'] },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' },
    expected: true,
  },
  {
    name: 'README: the inner "And" needs both fields',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'] },
        { scope: ['Service'] },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType' },
    expected: false,
  },
  {
    name: 'README: nested "Or" and "And"',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    expected: true,
  },
  {
    name: 'a field set outside and inside $or keeps the value written last (matches the branch)',
    pattern: { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] },
    event: { a: '2' },
    expected: true,
  },
  {
    name: 'a field set outside and inside $or keeps the value written last (outer value lost)',
    pattern: { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] },
    event: { a: '1' },
    expected: false,
  },
  {
    name: 'written the other way round, the outer value wins',
    pattern: { $or: [{ a: ['2'] }, { b: ['3'] }], a: ['1'] },
    event: { a: '1' },
    expected: true,
  },
  {
    name: '$or that is not an array is read as an ordinary field (README backward compatibility)',
    pattern: { source: ['aws.cloudwatch'], $or: { metricType: ['MetricType'] } },
    event: { source: 'aws.cloudwatch', $or: { metricType: 'MetricType' } },
    expected: true,
  },
  {
    name: 'an $or of operators is read as a field named "$or" (README)',
    pattern: { $or: [{ prefix: 'abc' }, { suffix: 'xyz' }] },
    event: { $or: 'abcd' },
    expected: true,
  },

  // --- Field names --------------------------------------------------------------------------
  {
    name: 'a dotted pattern key equals the nested path',
    pattern: { 'detail.state': ['running'] },
    event: EC2,
    expected: true,
  },
  {
    name: 'a dotted event key is reached by a nested pattern',
    pattern: { detail: { state: ['x'] } },
    event: { 'detail.state': 'x' },
    expected: true,
  },
  {
    name: 'partly dotted keys on both sides',
    pattern: { 'a.b': { c: ['x'] } },
    event: { a: { 'b.c': 'x' } },
    expected: true,
  },
  {
    name: 'object-prototype names are ordinary fields',
    pattern: { constructor: [{ exists: false }] },
    event: {},
    expected: true,
  },
  { name: 'a field named toString', pattern: { toString: ['x'] }, event: { toString: 'x' }, expected: true },
  {
    name: 'a field named __proto__',
    pattern: JSON.parse('{"__proto__": ["x"]}'),
    event: JSON.parse('{"__proto__": "x"}'),
    expected: true,
  },
  {
    name: 'a missing __proto__ field',
    pattern: JSON.parse('{"__proto__": {"a": [{"exists": true}]}}'),
    event: {},
    expected: false,
  },
  {
    name: 'operator names outside $or are ordinary fields',
    pattern: { prefix: ['x'] },
    event: { prefix: 'x' },
    expected: true,
  },
  { name: 'the empty field name', pattern: { '': ['x'] }, event: { '': 'x' }, expected: true },

  // --- Complex ------------------------------------------------------------------------------
  {
    name: 'README: complex example',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    event: EC2,
    expected: true,
  },
  {
    name: 'complex example with one condition failing',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: { state: [{ 'anything-but': 'running' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
    },
    event: EC2,
    expected: false,
  },
  {
    name: 'dangjian: contract pattern (source + detail-type)',
    pattern: { source: ['dangjian.dues'], 'detail-type': ['DuesPaid'] },
    event: DUES,
    expected: true,
  },
  {
    name: 'dangjian: every operator kind together',
    pattern: {
      source: [{ prefix: 'dangjian.' }],
      'detail-type': [{ 'equals-ignore-case': 'duespaid' }],
      resources: [{ wildcard: '*:branch/BR-00*' }],
      detail: {
        version: [{ numeric: ['>=', 1] }],
        data: {
          file: [{ suffix: '.pdf' }],
          channel: [{ 'anything-but': ['Cash'] }],
          tags: ['党课'],
          refund: [{ exists: false }],
        },
      },
    },
    event: DUES,
    expected: true,
  },
  {
    name: 'dangjian: CJK values match exactly',
    pattern: at('detail/data/tags', ['学习']),
    event: DUES,
    expected: true,
  },
];

export const MATCH_CASES: MatchCase[] = docs;
