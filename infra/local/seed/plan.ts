/**
 * What the demo institution looks like, decided without the platform: its branches, its
 * people (names, ages, pipeline stages) and its year of meetings. Pure and deterministic, so
 * a rerun plans exactly the same things and finds them already there.
 */
import { createHash } from 'node:crypto';
import { addDays, addMonths } from '../../../shared/time.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID-shaped id derived from a stable name: the same person gets the same id on every
 * run, so registering them again is the API's own 409, not a second person. The first
 * character stays within 0-7, as in a real ULID's time part.
 */
export const stableId = (name: string): string => {
  const hash = createHash('sha256').update(`dangjian-seed:${name}`).digest();
  let id = CROCKFORD[(hash[0] as number) % 8] as string;
  for (let i = 1; i < 26; i++) id += CROCKFORD[(hash[i] as number) % 32];
  return id;
};

export type Stage = 'masses' | 'applicant' | 'activist' | 'candidate' | 'probationary' | 'full';

export interface BranchPlan {
  key: string;
  name: string;
  department: string;
  partyGroups: [string, string];
  /** Its members have no one aged 35-44: the age-structure insight shows the gap (断层). */
  ageGap: boolean;
  /** It held no monthly meetings in these months back from now: compliance shows them missed. */
  missedMonthsBack: readonly number[];
}

export const DEFAULT_INSTITUTION = '药品检验研究院';

/** A name of the institution's: the demo's as it is, another institution's prefixed with its name. */
const namedFor = (institution: string) => (name: string) =>
  institution === DEFAULT_INSTITUTION ? name : `${institution}·${name}`;

/** The four working branches of a drug-testing institute (药品检验研究院). */
export const branchPlans = (institution: string): BranchPlan[] => {
  const named = namedFor(institution);
  return [
    {
      key: 'chemical',
      name: named('化学药品检验支部'),
      department: '化学药品检验所',
      partyGroups: ['第一党小组', '第二党小组'],
      ageGap: false,
      missedMonthsBack: [],
    },
    {
      key: 'tcm',
      name: named('中药检验支部'),
      department: '中药民族药检验所',
      partyGroups: ['第一党小组', '第二党小组'],
      ageGap: true,
      missedMonthsBack: [],
    },
    {
      key: 'biologics',
      name: named('生物制品检验支部'),
      department: '生物制品检验所',
      partyGroups: ['第一党小组', '第二党小组'],
      ageGap: false,
      missedMonthsBack: [2, 3, 5],
    },
    {
      key: 'admin',
      name: named('综合管理支部'),
      department: '综合业务处',
      partyGroups: ['机关党小组', '后勤党小组'],
      ageGap: false,
      missedMonthsBack: [],
    },
  ];
};

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐韩冯于董萧';
const GIVEN = [
  '海燕',
  '志强',
  '静',
  '晓东',
  '丽华',
  '建军',
  '秀英',
  '文博',
  '欣怡',
  '子涵',
  '俊杰',
  '雪梅',
  '宇航',
  '佳琪',
  '国庆',
  '婷婷',
  '明远',
  '思远',
  '红霞',
  '永刚',
  '晨曦',
  '立新',
  '慧敏',
  '振华',
  '雨桐',
  '浩然',
  '玉兰',
  '德明',
  '梦瑶',
  '春生',
  '嘉怡',
  '卫东',
  '淑珍',
  '博文',
  '一鸣',
  '若溪',
  '志伟',
  '秋菊',
  '天宇',
  '美玲',
];

/** Unique for the first 1,200 people; beyond that a number keeps names apart. */
export const personName = (index: number): string => {
  // Neighbours differ in both parts; (index mod 30, index + ⌊index/30⌋ mod 40) never repeats below 1,200.
  const given = (index + Math.floor(index / SURNAMES.length)) % GIVEN.length;
  const base = `${SURNAMES[index % SURNAMES.length]}${GIVEN[given]}`;
  const round = Math.floor(index / (SURNAMES.length * GIVEN.length));
  return round === 0 ? base : `${base}${round + 1}`;
};

/**
 * One branch's cycle of twenty: mostly full members across the ages, and someone at every
 * stage of the pipeline (发展党员). `since` is months before today; the dates make steps due
 * and overdue: an applicant not talked to within a month, an activist past the half-yearly
 * review, a probationary member whose year is up without a decision.
 */
const CYCLE: readonly { stage: Stage; age: number; since: number; gender: 'male' | 'female' }[] = [
  { stage: 'full', age: 52, since: 300, gender: 'male' },
  { stage: 'full', age: 47, since: 240, gender: 'female' },
  { stage: 'full', age: 58, since: 400, gender: 'male' },
  { stage: 'full', age: 44, since: 200, gender: 'female' },
  { stage: 'full', age: 39, since: 150, gender: 'male' },
  { stage: 'full', age: 36, since: 110, gender: 'female' },
  { stage: 'full', age: 33, since: 90, gender: 'female' },
  { stage: 'full', age: 31, since: 60, gender: 'male' },
  { stage: 'full', age: 29, since: 40, gender: 'female' },
  { stage: 'full', age: 55, since: 360, gender: 'male' },
  { stage: 'full', age: 41, since: 180, gender: 'male' },
  { stage: 'full', age: 27, since: 20, gender: 'female' },
  { stage: 'probationary', age: 28, since: 13, gender: 'male' },
  { stage: 'probationary', age: 32, since: 5, gender: 'female' },
  { stage: 'candidate', age: 26, since: 2, gender: 'female' },
  { stage: 'activist', age: 25, since: 14, gender: 'male' },
  { stage: 'activist', age: 30, since: 3, gender: 'female' },
  { stage: 'applicant', age: 24, since: 3, gender: 'male' },
  { stage: 'applicant', age: 23, since: 0, gender: 'female' },
  { stage: 'masses', age: 35, since: 120, gender: 'male' },
];

/** The slot in the cycle whose person is the branch secretary (支部书记). */
export const SECRETARY_SLOT = 0;
const OFTEN_ABSENT_SLOT = 10;

const TITLES = ['主任药师', '副主任药师', '主管药师', '药师'] as const;
const EDUCATIONS = ['doctorate', 'master', 'master', 'bachelor', 'bachelor'] as const;

export interface PersonPlan {
  key: string;
  personId: string;
  name: string;
  gender: 'male' | 'female';
  birthDate: string;
  workStartDate: string;
  department: string;
  branch: number;
  /** Index of the branch's party group, for party members only. */
  partyGroup?: 0 | 1;
  politicalStatus: Stage;
  statusSince: string;
  position: string;
  title: string;
  education: (typeof EDUCATIONS)[number];
  secretary: boolean;
  /** The one the participation insight flags: often absent from meetings. */
  oftenAbsent: boolean;
}

export const isMember = (p: { politicalStatus: Stage }) =>
  p.politicalStatus === 'full' || p.politicalStatus === 'probationary';

/** `count` people spread over the branches round-robin, planned on the local date `today`. */
export const peoplePlans = (
  institution: string,
  branches: readonly BranchPlan[],
  count: number,
  today: string,
): PersonPlan[] =>
  Array.from({ length: count }, (_, index) => {
    const branch = index % branches.length;
    const within = Math.floor(index / branches.length);
    const slot = within % CYCLE.length;
    const round = Math.floor(within / CYCLE.length);
    const shape = CYCLE[slot] as (typeof CYCLE)[number];
    const plan = branches[branch] as BranchPlan;
    // Later rounds of the cycle are a little older, so a big institution is not twenty clones.
    let age = shape.age + (round % 4);
    const member = shape.stage === 'full' || shape.stage === 'probationary';
    if (plan.ageGap && member && age >= 35 && age < 45) age += 11;
    const birthDate = addDays(addMonths(today, -12 * age), -((index * 37) % 300) - 1);
    const since =
      shape.stage === 'applicant' && shape.since === 0 ? addDays(today, -10) : addMonths(today, -shape.since);
    const workStartDate = addMonths(birthDate, 12 * 23 + 6);
    return {
      key: `person:${index}`,
      personId: stableId(`${institution}:person:${index}`),
      name: personName(index),
      gender: shape.gender,
      birthDate,
      workStartDate: [workStartDate, today].sort()[0] as string,
      department: plan.department,
      branch,
      ...(member ? { partyGroup: (within % 2) as 0 | 1 } : {}),
      politicalStatus: shape.stage,
      // Never before birth: a young full member joined at least at 18.
      statusSince: [since, addMonths(birthDate, 12 * 18)].sort()[1] as string,
      position: slot === SECRETARY_SLOT && round === 0 ? '所长' : age > 45 ? '室主任' : '检验员',
      title: TITLES[Math.min(3, Math.floor((60 - age) / 9))] as string,
      education: EDUCATIONS[index % EDUCATIONS.length] as PersonPlan['education'],
      secretary: slot === SECRETARY_SLOT && round === 0,
      oftenAbsent: slot === OFTEN_ABSENT_SLOT,
    };
  });

/** The party committee (院党委): two people outside the branches, whose tokens the seed uses. */
export const committeePlans = (institution: string, today: string): PersonPlan[] =>
  [
    { name: '欧阳振国', gender: 'male' as const, age: 56, position: '党委书记' },
    { name: '司马文华', gender: 'female' as const, age: 51, position: '党委副书记、纪委书记' },
  ].map((c, i) => {
    const birthDate = addDays(addMonths(today, -12 * c.age), -(i * 91) - 20);
    return {
      key: `committee:${i}`,
      personId: stableId(`${institution}:committee:${i}`),
      name: c.name,
      gender: c.gender,
      birthDate,
      workStartDate: addMonths(birthDate, 12 * 24),
      department: '院党委',
      branch: -1,
      politicalStatus: 'full',
      statusSince: addMonths(birthDate, 12 * 24),
      position: c.position,
      title: '主任药师',
      education: 'doctorate',
      secretary: false,
      oftenAbsent: false,
    };
  });

export type MeetingType =
  | 'branch-general-meeting'
  | 'branch-committee-meeting'
  | 'party-group-meeting'
  | 'party-lesson'
  | 'theme-day'
  | 'organizational-life-meeting'
  | 'democratic-evaluation';

export interface ActivityPlan {
  branch: number;
  type: MeetingType;
  partyGroup?: 0 | 1;
  /** Unique within the branch: the natural key a rerun finds the activity by. */
  title: string;
  startsAt: string;
  endsAt: string;
  /** Meetings the whole branch attends take a room when it is big enough. */
  wantsRoom: 'activity-room' | 'hall' | undefined;
  agenda: string;
  /** Ahead of today: scheduled by the branch's secretary, its invitees told, nothing recorded yet. */
  upcoming?: true;
}

const at = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`).toISOString();

const QUARTER_NAMES = ['一', '二', '三', '四'];

/**
 * The meetings (三会一课) of the `months` whole months before `today`'s month, and each
 * branch's next theme day a week or so ahead. Each month a
 * 支委会, a 主题党日 and a meeting of each party group; in the middle month of a quarter a
 * 支部党员大会 and a 党课; in January the 组织生活会 and 民主评议. A branch with missed months
 * held none of the monthly ones then.
 */
export const activityPlans = (
  branches: readonly BranchPlan[],
  months: number,
  today: string,
): ActivityPlan[] => {
  const plans: ActivityPlan[] = [];
  const thisMonth = `${today.slice(0, 7)}-01`;
  branches.forEach((branch, b) => {
    for (let back = months; back >= 1; back--) {
      const first = addMonths(thisMonth, -back);
      const [year, month] = [Number(first.slice(0, 4)), Number(first.slice(5, 7))];
      const day = (d: number) => addDays(first, d - 1);
      const label = `${year}年${month}月`;
      if (!branch.missedMonthsBack.includes(back)) {
        plans.push({
          branch: b,
          type: 'branch-committee-meeting',
          title: `${label}支委会`,
          startsAt: at(day(5 + b), '09:00'),
          endsAt: at(day(5 + b), '10:30'),
          wantsRoom: undefined,
          agenda: '研究本月党建工作安排；讨论发展党员工作；通报检验任务完成情况',
        });
        plans.push({
          branch: b,
          type: 'theme-day',
          title: `${label}主题党日`,
          startsAt: at(day(10 + b), '14:30'),
          endsAt: at(day(10 + b), '16:30'),
          wantsRoom: 'activity-room',
          agenda: '集中学习；“药检为民”志愿服务；交纳党费',
        });
        for (const group of [0, 1] as const) {
          plans.push({
            branch: b,
            type: 'party-group-meeting',
            partyGroup: group,
            title: `${label}${branch.partyGroups[group]}会`,
            startsAt: at(day(20 + b), group === 0 ? '09:00' : '15:00'),
            endsAt: at(day(20 + b), group === 0 ? '10:30' : '16:30'),
            wantsRoom: undefined,
            agenda: '学习交流；开展批评与自我批评',
          });
        }
      }
      if (month % 3 === 2) {
        const quarter = `${year}年第${QUARTER_NAMES[Math.floor((month - 1) / 3)]}季度`;
        plans.push({
          branch: b,
          type: 'branch-general-meeting',
          title: `${quarter}支部党员大会`,
          startsAt: at(day(15 + b), '14:00'),
          endsAt: at(day(15 + b), '16:00'),
          wantsRoom: 'hall',
          agenda: '传达上级会议精神；讨论接收预备党员；民主测评',
        });
        plans.push({
          branch: b,
          type: 'party-lesson',
          title: `${quarter}党课`,
          startsAt: at(day(25), b % 2 === 0 ? '09:00' : '14:30'),
          endsAt: at(day(25), b % 2 === 0 ? '11:00' : '16:30'),
          wantsRoom: b < 2 ? 'hall' : undefined,
          agenda: '支部书记讲党课：坚守药品安全底线，践行初心使命',
        });
      }
      if (month === 1) {
        plans.push({
          branch: b,
          type: 'organizational-life-meeting',
          title: `${year - 1}年度组织生活会`,
          startsAt: at(day(17 + b), '14:00'),
          endsAt: at(day(17 + b), '17:00'),
          wantsRoom: 'activity-room',
          agenda: '对照检查；开展批评与自我批评；整改落实',
        });
        plans.push({
          branch: b,
          type: 'democratic-evaluation',
          title: `${year - 1}年度民主评议党员`,
          startsAt: at(day(24 + b), '14:00'),
          endsAt: at(day(24 + b), '16:00'),
          wantsRoom: 'activity-room',
          agenda: '个人自评、党员互评、民主测评',
        });
      }
    }
    // The branch's next theme day, a week or so ahead: what members find in their inbox and calendar.
    const next = addDays(today, 7 + b);
    plans.push({
      branch: b,
      type: 'theme-day',
      title: `${Number(next.slice(0, 4))}年${Number(next.slice(5, 7))}月主题党日`,
      startsAt: at(next, '14:30'),
      endsAt: at(next, '16:30'),
      wantsRoom: 'activity-room',
      agenda: '集中学习；“药检为民”志愿服务；交纳党费',
      upcoming: true,
    });
  });
  return plans;
};

/** A stable pseudo-random number in [0, 1) for a key: who came to which meeting. */
export const chance = (key: string): number =>
  createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;

/**
 * The retired members' branch (离退休党支部), beside the four working ones: where retirements
 * go. It holds no meetings in the demo and has no secretary yet.
 */
export const retiredBranchPlan = (institution: string) => ({
  name: namedFor(institution)('离退休党支部'),
  partyGroups: ['离退休党小组'],
});

/** A member who leaves a working branch: transferred out, or retired into the retired members' branch. */
export interface LeavingPlan {
  person: PersonPlan;
  on: string;
}

export interface TransferOutPlan extends LeavingPlan {
  letterNumber: string;
  receivingOrganisation: string;
}

export interface RetirementPlan extends LeavingPlan {
  reason: string;
  authority: string;
}

/** A full member arriving from another organisation (组织关系转入), with their letter. */
export interface ArrivalPlan {
  name: string;
  gender: 'male' | 'female';
  birthDate: string;
  workStartDate: string;
  department: string;
  branch: number;
  statusSince: string;
  position: string;
  title: string;
  education: PersonPlan['education'];
  transfer: { letterNumber: string; issuedOn: string; sendingOrganisation: string };
}

export interface LifecyclePlan {
  transfersOut: TransferOutPlan[];
  retirements: RetirementPlan[];
  arrival: ArrivalPlan;
}

/**
 * Membership over a whole life (组织关系), in a handful of people of its own, apart from the
 * planned people the other phases invite, test and bill: two members transferred out to
 * organisations outside the institution, two older members retired into the retired members'
 * branch, and one member transferred in from another institute. Their dates are recent and
 * in the past.
 */
export const lifecyclePlans = (institution: string, branches: readonly BranchPlan[], today: string) => {
  const year = today.slice(0, 4);
  const leaver = (
    i: number,
    branch: number,
    shape: { name: string; gender: 'male' | 'female'; age: number; since: number; position: string },
  ): PersonPlan => {
    const birthDate = addDays(addMonths(today, -12 * shape.age), -(i * 53) - 11);
    return {
      key: `leaving:${i}`,
      personId: stableId(`${institution}:leaving:${i}`),
      name: shape.name,
      gender: shape.gender,
      birthDate,
      workStartDate: addMonths(birthDate, 12 * 23 + 6),
      department: (branches[branch] as BranchPlan).department,
      branch,
      politicalStatus: 'full',
      statusSince: addMonths(today, -shape.since),
      position: shape.position,
      title: shape.age > 50 ? '主任药师' : '主管药师',
      education: 'master',
      secretary: false,
      oftenAbsent: false,
    };
  };
  const plan: LifecyclePlan = {
    transfersOut: [
      {
        person: leaver(0, 0, { name: '陆海峰', gender: 'male', age: 34, since: 96, position: '检验员' }),
        on: addDays(today, -41),
        letterNumber: `京药检党转字〔${year}〕7号`,
        receivingOrganisation: '中共某某市药品监督管理局机关委员会',
      },
      {
        person: leaver(1, 2, { name: '闻慧君', gender: 'female', age: 38, since: 150, position: '检验员' }),
        on: addDays(today, -17),
        letterNumber: `京药检党转字〔${year}〕11号`,
        receivingOrganisation: '中共某某生物医药研究院委员会',
      },
    ],
    retirements: [
      {
        person: leaver(2, 1, { name: '姚振邦', gender: 'male', age: 60, since: 420, position: '室主任' }),
        on: addDays(today, -60),
        reason: '达到法定退休年龄，经党委研究，组织关系转入离退休党支部',
        authority: `院党委〔${year}〕9号`,
      },
      {
        person: leaver(3, 3, { name: '桂淑芬', gender: 'female', age: 56, since: 380, position: '科长' }),
        on: addDays(today, -24),
        reason: '达到法定退休年龄，经党委研究，组织关系转入离退休党支部',
        authority: `院党委〔${year}〕14号`,
      },
    ],
    arrival: {
      name: '简明哲',
      gender: 'male',
      birthDate: addDays(addMonths(today, -12 * 37), -140),
      workStartDate: addMonths(today, -12 * 13),
      department: (branches[0] as BranchPlan).department,
      branch: 0,
      statusSince: addMonths(today, -12 * 11),
      position: '检验员',
      title: '主管药师',
      education: 'doctorate',
      transfer: {
        letterNumber: `沪药检党转字〔${year}〕5号`,
        issuedOn: addDays(today, -9),
        sendingOrganisation: '中共某某市食品药品检验研究院委员会',
      },
    },
  };
  return plan;
};
