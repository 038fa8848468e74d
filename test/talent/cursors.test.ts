/**
 * Paging cursors through the gateway: a real list paged with the opaque cursor it hands out,
 * and every cursor it did not hand out for that list refused with the same 400.
 */
import { describe, expect, it } from 'vitest';
import { type Client, committee, newBranch, register } from './support.js';

const peoplePath = (branchId: string, cursor?: string) =>
  `/talent/people?branchId=${branchId}&limit=2${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;

/** A branch of three people, and its list's first page. */
const branchOfThree = async (admin: Client) => {
  const { branchId } = await newBranch(admin);
  const personIds: string[] = [];
  for (let i = 0; i < 3; i++) personIds.push((await register(admin, { branchId })).personId);
  const first = await admin.get(peoplePath(branchId));
  expect(first.status).toBe(200);
  expect(first.body.items).toHaveLength(2);
  return { branchId, personIds, first, cursor: first.body.nextCursor as string };
};

const idsOf = (res: { body: { items: { personId: string }[] } }) => res.body.items.map((p) => p.personId);

describe('paging cursors', () => {
  it('page a branch’s people with a cursor that shows nothing of the key behind it', async () => {
    const admin = await committee();
    const { branchId, personIds, first, cursor } = await branchOfThree(admin);
    expect(cursor).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    const bytes = Buffer.from(cursor.slice(3), 'base64url');
    for (const form of [cursor, bytes.toString('latin1'), bytes.toString('utf8')]) {
      for (const secret of ['gsi1pk', 'gsi1sk', 'PEOPLE', 'BRANCH', 'PERSON', branchId, ...personIds]) {
        expect(form).not.toContain(secret);
      }
    }
    const second = await admin.get(peoplePath(branchId, cursor));
    expect(second.status).toBe(200);
    expect(second.body.nextCursor).toBeUndefined();
    expect([...idsOf(first), ...idsOf(second)].sort()).toEqual([...personIds].sort());
  });

  it('refuse a tampered, truncated, forged, other list’s or other service’s cursor with the one 400, and page on after', async () => {
    const admin = await committee();
    const { branchId, first, cursor } = await branchOfThree(admin);
    const other = await branchOfThree(admin);
    await newBranch(admin);
    const branchesCursor = (await admin.get('/talent/branches?limit=1')).body.nextCursor as string;
    expect(branchesCursor).toMatch(/^v1\./);

    const mid = Math.floor(cursor.length / 2);
    const flipped = `${cursor.slice(0, mid)}${cursor[mid] === 'A' ? 'B' : 'A'}${cursor.slice(mid + 1)}`;
    const unsigned = Buffer.from(
      JSON.stringify({ pk: `PERSON#${first.body.items[1].personId}`, gsi1pk: `PEOPLE#BRANCH#${branchId}` }),
    ).toString('base64url');
    const refused = await admin.get(peoplePath(branchId, 'not-a-cursor'));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: { code: 'invalid-cursor', message: 'The cursor is not one this API issued' },
    });
    const variants: [string, string][] = [
      ['a changed character', peoplePath(branchId, flipped)],
      ['a truncated cursor', peoplePath(branchId, cursor.slice(0, -6))],
      ['a cursor with more at its end', peoplePath(branchId, `${cursor}AAAA`)],
      ['an unsigned key, as cursors were', peoplePath(branchId, unsigned)],
      ['another branch’s cursor of the same list', peoplePath(branchId, other.cursor)],
      ['the branches list’s cursor', peoplePath(branchId, branchesCursor)],
      ['a people cursor on the branches list', `/talent/branches?limit=1&cursor=${cursor}`],
      ['a talent cursor on activities’ rooms', `/activities/rooms?limit=1&cursor=${cursor}`],
    ];
    for (const [what, path] of variants) {
      const res = await admin.get(path);
      expect({ what, status: res.status, body: res.body }).toEqual({ what, status: 400, body: refused.body });
    }
    // Nothing moved: the cursor handed out still gives the rest of the list.
    const second = await admin.get(peoplePath(branchId, cursor));
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(idsOf(second)).not.toContain(idsOf(first)[0]);
  });
});
