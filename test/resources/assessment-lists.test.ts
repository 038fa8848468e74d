/**
 * Finding assessments (考核): the list and the single read show each caller exactly what
 * they may take (the committee all; everyone else the institution's and their branch's),
 * newest first, in pages that neither skip nor repeat across the two lists a member reads,
 * and with the caller's attempts used and left. Never a question or an answer: the contract
 * check holds every body to the strict schemas.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { asPeople } from '../activities/support.js';
import { as } from '../support/api.js';
import { expectStatus } from './support.js';

type Client = Awaited<ReturnType<typeof as>>;
type Listing = { assessmentId: string; title: string; attemptsUsed: number; attemptsLeft: number };

const bank = (title: string, overrides: Record<string, unknown> = {}) => ({
  title,
  passMark: 60,
  timeLimitMinutes: 20,
  maxAttempts: 3,
  questions: [
    { kind: 'true-false', prompt: '党的最高领导机关是全国代表大会', answer: true },
    { kind: 'single', prompt: '党的根本宗旨是？', options: ['全心全意为人民服务', '发展经济'], answer: 0 },
  ],
  ...overrides,
});

const assessmentBy = async (who: Client, title: string, overrides: Record<string, unknown> = {}) => {
  const res = await who.post('/resources/assessments', bank(title, overrides));
  expectStatus(res, 201);
  return res.body.assessmentId as string;
};

const linkFor = async (who: Client, audience: Record<string, unknown>) => {
  const res = await who.post('/resources', {
    title: '党章学习链接',
    kind: 'link',
    url: 'https://example.org/dangzhang',
    audience,
  });
  expectStatus(res, 201);
  return res.body.resourceId as string;
};

/** Every page of the caller's list, following the cursors; each page holds at most `limit`. */
const listAll = async (who: Client, query: string, limit = 100): Promise<Listing[]> => {
  const items: Listing[] = [];
  let cursor: string | undefined;
  do {
    const res = await who.get(
      `/resources/assessments?limit=${limit}${query ? `&${query}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expectStatus(res, 200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
};

const ids = (items: Listing[]) => items.map((i) => i.assessmentId);

const twoBranches = async () => {
  const a = newId();
  const b = newId();
  // The members are people of the register: they take assessments.
  const [memberA, memberB] = await asPeople(
    { roles: ['member'], branchId: a },
    { roles: ['member'], branchId: b },
  );
  return {
    a,
    b,
    committee: await as({ roles: ['committee', 'member'] }),
    secretaryA: await as({ roles: ['secretary', 'member'], branchId: a }),
    memberA,
    secretaryB: await as({ roles: ['secretary', 'member'], branchId: b }),
    memberB,
  };
};

/**
 * The caller's listing of one assessment, reading pages (newest first) only until it shows:
 * the suite shares one database, so the whole institution list grows with every test file.
 */
const findListed = async (who: Client, assessmentId: string): Promise<Listing | undefined> => {
  let cursor: string | undefined;
  do {
    const res = await who.get(
      `/resources/assessments?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expectStatus(res, 200);
    const found = (res.body.items as Listing[]).find((i) => i.assessmentId === assessmentId);
    if (found) return found;
    cursor = res.body.nextCursor;
  } while (cursor);
  return undefined;
};

describe('listing assessments', () => {
  it('shows each caller what they may take: the committee all, others their branch and the institution', async () => {
    const w = await twoBranches();
    const ofA = await assessmentBy(w.secretaryA, '第一支部考核');
    const forEveryone = await assessmentBy(w.committee, '全院考核');
    const ofB = await assessmentBy(w.secretaryB, '第二支部考核');
    const sharedResource = await linkFor(w.committee, { branchIds: [w.a, w.b] });
    const forBoth = await assessmentBy(w.committee, '两支部联合考核', { resourceId: sharedResource });
    const mine = [ofA, forEveryone, ofB, forBoth];

    const seenBy = async (who: Client) => ids(await listAll(who, '')).filter((id) => mine.includes(id));
    // Newest first: ids are minted in creation order.
    expect(await seenBy(w.committee)).toEqual([forBoth, ofB, forEveryone, ofA]);
    expect(await seenBy(w.secretaryA)).toEqual([forBoth, forEveryone, ofA]);
    expect(await seenBy(w.memberA)).toEqual([forBoth, forEveryone, ofA]);
    expect(await seenBy(w.secretaryB)).toEqual([forBoth, ofB, forEveryone]);
    expect(await seenBy(w.memberB)).toEqual([forBoth, ofB, forEveryone]);
    // Someone in no branch (yet) still has the institution's.
    expect(await seenBy(await as({ roles: ['member'] }))).toEqual([forEveryone]);

    const listed = await findListed(w.memberA, ofA);
    expect(listed).toMatchObject({
      title: '第一支部考核',
      passMark: 60,
      timeLimitMinutes: 20,
      maxAttempts: 3,
      questionCount: 2,
      audience: { branchIds: [w.a] },
      attemptsUsed: 0,
      attemptsLeft: 3,
    });
    expect(JSON.stringify(listed)).not.toMatch(/answer|question"|prompt|全心全意/);

    expectStatus(await (await as({ roles: ['partner'], orgId: newId() })).get('/resources/assessments'), 403);
  });

  it('pages across the institution list and the branch list without skipping or repeating', async () => {
    const branch = newId();
    const committee = await as({ roles: ['committee', 'member'] });
    const secretary = await as({ roles: ['secretary', 'member'], branchId: branch });
    // One institution-wide resource keeps this test's assessments apart from every other test's.
    const resourceId = await linkFor(committee, {});
    const on = { resourceId };
    // Institution-wide assessments on other things sit between them: the institution list
    // then stops at ids this list does not show, below which the branch list must wait.
    const noise = { title: '其他考核' };
    const created: string[] = [];
    for (const [who, title] of [
      [committee, '全院一'],
      [secretary, '支部一'],
      [committee, noise],
      [committee, noise],
      [committee, noise],
      [committee, noise],
      [secretary, '支部二'],
      [secretary, '支部三'],
      [committee, '全院二'],
      [committee, '全院三'],
    ] as const) {
      if (typeof title === 'string') created.push(await assessmentBy(who, title, on));
      else await assessmentBy(who, title.title);
    }
    const newestFirst = [...created].reverse();

    const member = await as({ roles: ['member'], branchId: branch });
    for (const limit of [1, 2, 3, 4, 100]) {
      expect(ids(await listAll(member, `resourceId=${resourceId}`, limit))).toEqual(newestFirst);
    }
    // Another branch's member has only the institution's three.
    const outsider = await as({ roles: ['member'], branchId: newId() });
    expect((await listAll(outsider, `resourceId=${resourceId}`, 2)).map((i) => i.title)).toEqual([
      '全院三',
      '全院二',
      '全院一',
    ]);

    expectStatus(await member.get('/resources/assessments?cursor=not-a-cursor'), 400);
    // A cursor of another list (here a library key) is not one of this list's.
    const foreign = Buffer.from(JSON.stringify({ pk: 'RESOURCE#x', sk: 'RESOURCE' })).toString('base64url');
    expectStatus(await member.get(`/resources/assessments?cursor=${foreign}`), 400);
  });
});

describe('reading an assessment', () => {
  it('shows its terms and the caller’s attempts, and does not exist outside its audience', async () => {
    const w = await twoBranches();
    const assessmentId = await assessmentBy(w.secretaryA, '第一支部考核', { maxAttempts: 2 });
    const path = `/resources/assessments/${assessmentId}`;

    const before = await w.memberA.get(path);
    expectStatus(before, 200);
    expect(before.body).toMatchObject({
      assessmentId,
      title: '第一支部考核',
      questionCount: 2,
      attemptsUsed: 0,
      attemptsLeft: 2,
    });
    expect(JSON.stringify(before.body)).not.toMatch(/answer|prompt|全心全意/);

    expectStatus(
      await w.memberA.post(`${path}/attempts`, undefined, { now: '2026-11-26T09:00:00+08:00' }),
      201,
    );
    expect((await w.memberA.get(path)).body).toMatchObject({ attemptsUsed: 1, attemptsLeft: 1 });
    const listed = await findListed(w.memberA, assessmentId);
    expect(listed).toMatchObject({ attemptsUsed: 1, attemptsLeft: 1 });
    // Counts are each caller's own.
    expect((await w.secretaryA.get(path)).body).toMatchObject({ attemptsUsed: 0, attemptsLeft: 2 });
    expectStatus(await w.committee.get(path), 200);

    expectStatus(await w.memberB.get(path), 404);
    expectStatus(await w.secretaryB.get(path), 404);
    expectStatus(await w.memberA.get(`/resources/assessments/${newId()}`), 404);
  });
});
