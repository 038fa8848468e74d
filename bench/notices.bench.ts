/**
 * Notices, as the people who wait for them and the bill feel them:
 *   1. delay from the write a person should hear about to the notice in their inbox: an
 *      announcement's publish (one hop: NoticePosted → deliver-notice writes every entry),
 *      and an activity's scheduling (two hops: ActivityScheduled → the notice → its entries);
 *   2. the cost of a notice per recipient at 10, 100 and 500 recipients: the publish and
 *      everything its consumers did until the platform settled, priced like the api bench.
 * The delay ends when the consumer that wrote the last entry returns, measured in this
 * process on the local runtime: it compares changes to our code, not what AWS would answer.
 */
import { newId } from '../shared/ids.js';
import { measureCost, type RouteCost } from './support/cost.js';
import { onDelivery, type Platform, pool, startPlatform } from './support/platform.js';
import { PRICES } from './support/prices.js';
import { ascending, percentile, printTable, round, saveResults } from './support/report.js';

const NOW = '2026-11-26T10:00:00+08:00';
/** Branch sizes the cost is measured at (party members, every one a recipient). */
const SIZES = [10, 100, 500] as const;
const COST_SAMPLES = 3;
const DELAY_SAMPLES = 100;
/** Announcements published at once while the delay is measured. */
const DELAY_LANES = 4;
const DELIVER = 'notices.deliver-notice';

const member = (branchId: string, i: number) => ({
  name: `通知基准${i}`,
  gender: i % 2 ? 'male' : 'female',
  birthDate: `19${60 + (i % 30)}-05-0${1 + (i % 9)}`,
  department: '基准检验室',
  branchId,
  politicalStatus: 'full',
  statusSince: '2015-07-01',
  // Full members arrive with their history, on the committee's authority.
  history: { evidence: { kind: 'party-file', reference: `通知基准档案${i}`, issuedOn: '2015-07-01' } },
});

interface Branch {
  branchId: string;
  members: number;
  secretary: string;
}

const branchOf = async (p: Platform, committee: string, members: number, offset: number): Promise<Branch> => {
  const made = await p.expect(201, 'POST', '/talent/branches', {
    token: committee,
    now: NOW,
    body: { name: `通知基准支部${members}` },
  });
  const branchId = made.body.branchId as string;
  await pool(members, 16, async (i) => {
    await p.expect(201, 'POST', '/talent/people', {
      token: committee,
      now: NOW,
      body: member(branchId, offset + i),
    });
  });
  return { branchId, members, secretary: await p.token({ roles: ['secretary', 'member'], branchId }) };
};

const draft = async (p: Platform, b: Branch): Promise<string> => {
  const drafted = await p.expect(201, 'POST', '/notices/announcements', {
    token: b.secretary,
    now: NOW,
    body: {
      title: `关于开展主题党日活动的通知 ${newId()}`,
      text: '各党员：\n本月主题党日定于周五下午举行，请准时参加。',
      audience: { kind: 'branches', branchIds: [b.branchId] },
    },
  });
  return drafted.body.announcementId as string;
};

/**
 * When deliver-notice had written the entries of the notice named; a delivery that came
 * before the question (the answer of a write may arrive after its effect) is remembered.
 */
const deliveries = () => {
  const seen = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const stop = onDelivery((d) => {
    if (d.target !== DELIVER) return;
    const id = d.event.detail.data?.noticeId as string | undefined;
    if (!id) return;
    seen.set(id, d.at);
    waiting.get(id)?.(d.at);
  });
  return {
    of: (noticeId: string) =>
      new Promise<number>((resolve) => {
        const at = seen.get(noticeId);
        if (at === undefined) waiting.set(noticeId, resolve);
        else resolve(at);
      }),
    stop,
  };
};

const summary = (delays: number[]) => {
  const sorted = ascending(delays);
  return {
    samples: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
};

const announcementDelay = async (p: Platform, b: Branch) => {
  const drafts = await Promise.all(Array.from({ length: DELAY_SAMPLES }, () => draft(p, b)));
  await p.runtime.settle();
  const delivered = deliveries();
  const delays: number[] = [];
  try {
    await pool(DELAY_SAMPLES, DELAY_LANES, async (i) => {
      const id = drafts[i] as string;
      await p.expect(200, 'POST', `/notices/announcements/${id}/publish`, { token: b.secretary, now: NOW });
      const answered = performance.now();
      delays.push((await delivered.of(id)) - answered);
    });
  } finally {
    delivered.stop();
  }
  return summary(delays);
};

const activityDelay = async (p: Platform, b: Branch) => {
  await p.runtime.settle();
  const delivered = deliveries();
  const delays: number[] = [];
  try {
    await pool(DELAY_SAMPLES, DELAY_LANES, async (i) => {
      const start = new Date(Date.parse('2026-12-01T09:00:00+08:00') + i * 3 * 3_600_000);
      const reply = await p.expect(201, 'POST', '/activities', {
        token: b.secretary,
        now: NOW,
        body: {
          branchId: b.branchId,
          type: 'branch-general-meeting',
          title: `基准 党员大会 ${i}`,
          startsAt: start.toISOString(),
          endsAt: new Date(start.getTime() + 3_600_000).toISOString(),
        },
      });
      const answered = performance.now();
      const at = await delivered.of(`${reply.body.activityId as string}-scheduled`);
      delays.push(at - answered);
    });
  } finally {
    delivered.stop();
  }
  return summary(delays);
};

export const run = async () => {
  const p = await startPlatform();
  try {
    const committee = await p.token({ roles: ['committee'] });
    const branches: Branch[] = [];
    let offset = 0;
    for (const size of SIZES) {
      branches.push(await branchOf(p, committee, size, offset));
      offset += size;
    }
    await p.runtime.settle();

    const costs: (RouteCost & { recipients: number })[] = [];
    for (const b of branches) {
      const drafts = await Promise.all(Array.from({ length: COST_SAMPLES }, () => draft(p, b)));
      const cost = await measureCost(
        p,
        {
          route: 'POST /notices/announcements/{announcementId}/publish',
          status: 200,
          invitees: b.members,
          request: (i) => ({
            method: 'POST',
            path: `/notices/announcements/${drafts[i]}/publish`,
            options: { token: b.secretary, now: NOW },
          }),
        },
        COST_SAMPLES,
      );
      costs.push({ ...cost, recipients: b.members });
    }

    const hundred = branches.find((b) => b.members === 100) as Branch;
    const delay = {
      announcement: await announcementDelay(p, hundred),
      activity: await activityDelay(p, hundred),
    };

    printTable(
      `1. Delay: the write's HTTP response → deliver-notice has written every entry (${DELAY_SAMPLES} notices to ${hundred.members} people, ${DELAY_LANES} at a time)`,
      ['write', 'hops', 'p50 ms', 'p99 ms', 'max ms'],
      [
        [
          'POST /notices/announcements/{id}/publish',
          1,
          delay.announcement.p50,
          delay.announcement.p99,
          delay.announcement.max,
        ],
        ['POST /activities (its invitees)', 2, delay.activity.p50, delay.activity.p99, delay.activity.max],
      ],
    );
    const perThousand = (c: RouteCost & { recipients: number }) =>
      (c.usdPerMillion.total / 1e6 / c.recipients) * 1000;
    printTable(
      `2. A notice per recipient on AWS (${PRICES.region} list prices as of ${PRICES.asOf}; publish + consumers until settled, ${COST_SAMPLES} samples each; e-mail not included: SES adds ${PRICES.sesPer1000Emails} USD per 1,000 e-mails)`,
      [
        'recipients',
        'publish ms',
        'WRU',
        'RRU',
        'consumers',
        'consumer ms',
        'WRU per recipient',
        'USD per 1,000 recipients',
      ],
      costs.map((c) => [
        c.recipients,
        c.latencyMs,
        round(c.sync.writeUnits + c.downstream.writeUnits, 1),
        round(c.sync.readUnits + c.downstream.readUnits, 1),
        round(c.deliveries, 1),
        c.consumerMs,
        round((c.sync.writeUnits + c.downstream.writeUnits) / c.recipients, 2),
        round(perThousand(c), 5),
      ]),
    );
    saveResults('notices', {
      now: NOW,
      delay,
      perRecipient: costs.map((c) => ({ ...c, usdPer1000Recipients: round(perThousand(c), 5) })),
      prices: PRICES,
    });
  } finally {
    await p.stop();
  }
};
