import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { cursorKeyOf, lazyCursors, openCursor, sealCursor } from './cursor.js';

const key = cursorKeyOf(randomBytes(32).toString('base64url'));
const scope = { stage: 'prod', service: 'talent' };
const position = {
  gsi1pk: 'PEOPLE#BRANCH#01JBRANCH7Q',
  gsi1sk: 'Zhang San#01JPERSON',
  pk: 'PERSON#01JPERSON',
};
const sealed = sealCursor(key, scope, 'people', position);

/** The one answer to every cursor that does not open: the same code and message, no matter why. */
const refusal = (open: () => unknown) => {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const { kind, code, message } = error as DomainError;
    return { kind, code, message };
  }
  throw new Error('the cursor opened');
};
const invalid = {
  kind: 'invalid',
  code: 'invalid-cursor',
  message: 'The cursor is not one this API issued',
};

/** The cursor's bytes with one changed: `at` counts from the start of the base64url text's bytes. */
const flipped = (cursor: string, at: number) => {
  const bytes = Buffer.from(cursor.slice(3), 'base64url');
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return `v1.${bytes.toString('base64url')}`;
};

describe('paging cursors', () => {
  it('open to the position they sealed, on the list that sealed them', () => {
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(sealed.slice(3)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openCursor(key, scope, 'people', sealed)).toEqual(position);
    expect(
      openCursor(
        key,
        scope,
        'timeline',
        sealCursor(key, scope, 'timeline', { on: '2026-01-01', order: 'x' }),
      ),
    ).toEqual({ on: '2026-01-01', order: 'x' });
  });

  it('show nothing of the key: no attribute name, id or value, and never the same text twice', () => {
    const again = sealCursor(key, scope, 'people', position);
    expect(again).not.toBe(sealed);
    // Names of six characters or more: a shorter one turns up in random text by chance.
    const names = ['gsi1pk', 'gsi1sk', 'PERSON', 'PEOPLE', 'BRANCH', '01JBRANCH7Q', '01JPERSON', 'Zhang San'];
    for (const cursor of [sealed, again]) {
      const bytes = Buffer.from(cursor.slice(3), 'base64url');
      for (const form of [cursor, bytes.toString('latin1'), bytes.toString('utf8')]) {
        for (const name of names) expect(form).not.toContain(name);
      }
    }
  });

  it.each([
    ['a cursor of another list', () => openCursor(key, scope, 'branches', sealed)],
    [
      'a cursor of another service',
      () => openCursor(key, { ...scope, service: 'community' }, 'people', sealed),
    ],
    ['a cursor of another stage', () => openCursor(key, { ...scope, stage: 'staging' }, 'people', sealed)],
    ['a cursor under another key', () => openCursor(cursorKeyOf('k'.repeat(40)), scope, 'people', sealed)],
    ['a changed IV', () => openCursor(key, scope, 'people', flipped(sealed, 0))],
    ['a changed ciphertext', () => openCursor(key, scope, 'people', flipped(sealed, 14))],
    [
      'a changed tag',
      () =>
        openCursor(
          key,
          scope,
          'people',
          flipped(sealed, Buffer.from(sealed.slice(3), 'base64url').length - 1),
        ),
    ],
    ['a truncated cursor', () => openCursor(key, scope, 'people', sealed.slice(0, -4))],
    ['a cursor cut to its IV and tag', () => openCursor(key, scope, 'people', sealed.slice(0, 3 + 38))],
    ['a cursor with more at its end', () => openCursor(key, scope, 'people', `${sealed}AAAA`)],
    ['a valid cursor with a character base64url lacks', () => openCursor(key, scope, 'people', `${sealed}!`)],
    ['another version', () => openCursor(key, scope, 'people', `v2.${sealed.slice(3)}`)],
    ['no version', () => openCursor(key, scope, 'people', sealed.slice(3))],
    ['characters outside base64url', () => openCursor(key, scope, 'people', `${sealed.slice(0, -2)}=!`)],
    [
      'yesterday’s unsigned cursor',
      () => openCursor(key, scope, 'people', Buffer.from(JSON.stringify(position)).toString('base64url')),
    ],
    ['an empty cursor', () => openCursor(key, scope, 'people', '')],
    ['the prefix alone', () => openCursor(key, scope, 'people', 'v1.')],
  ])('refuse %s with the one 400', (_what, open) => {
    expect(refusal(open)).toEqual(invalid);
  });

  it('refuse a sealed value that is not a position, as any forgery', () => {
    // Sealed with the right key (a bug of ours, or a key that leaked), but not a position.
    for (const value of [{}, { pk: true }, ['pk']] as never[]) {
      expect(
        refusal(() => openCursor(key, scope, 'people', sealCursor(key, scope, 'people', value))),
      ).toEqual(invalid);
    }
  });

  it('read the secret once, at the first cursor, and again only after a failed read', async () => {
    let reads = 0;
    let fail = true;
    const cursors = lazyCursors(scope, async () => {
      reads += 1;
      if (fail) throw new Error('throttled');
      return 's'.repeat(40);
    });
    expect(reads).toBe(0);
    await expect(cursors.seal('people', position)).rejects.toThrow('throttled');
    fail = false;
    const cursor = await cursors.seal('people', position);
    expect(await cursors.open('people', cursor)).toEqual(position);
    await expect(cursors.open('branches', cursor)).rejects.toMatchObject({ code: 'invalid-cursor' });
    expect(reads).toBe(2);
  });

  it('refuse a secret too short to be the generated one', () => {
    expect(() => cursorKeyOf('short')).toThrow(/32 characters/);
  });
});
