import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../shared/auth.js';
import {
  audienceFor,
  canSee,
  checkNewResource,
  contentMatches,
  judgeUpload,
  listScope,
  resourceIdOfKey,
} from './library.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (s: string) => new TextEncoder().encode(s);

describe('content sniffing', () => {
  const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  it.each([
    ['application/pdf', text('%PDF-1.4\n...'), true],
    ['application/pdf', text('<html>'), false],
    ['image/png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), true],
    ['image/png', bytes(0xff, 0xd8, 0xff, 0xe0), false],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0), true],
    [docx, bytes(0x50, 0x4b, 0x03, 0x04, 0x14), true],
    [docx, bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), false],
    ['application/msword', bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), true],
    ['application/vnd.ms-excel', bytes(0x50, 0x4b, 0x03, 0x04), false],
    ['video/mp4', bytes(0, 0, 0, 0x20, ...text('ftypisom')), true],
    ['video/mp4', text('ftypisom'), false],
    ['audio/mpeg', text('ID3\u0004'), true],
    ['audio/mpeg', bytes(0xff, 0xfb, 0x90, 0x64), true],
    ['audio/mpeg', bytes(0xff, 0x0b), false],
    ['text/plain', text('学习笔记：不忘初心'), true],
    ['text/plain', bytes(0x61, 0x00, 0x62), false],
    ['text/plain', bytes(0xc3, 0x28), false],
    ['text/html', text('<html>'), false],
  ])('%s with %s → %s', (type, head, expected) => {
    expect(contentMatches(type, head, true)).toBe(expected);
  });

  it('accepts UTF-8 cut in the middle of a character only at the end of a partial read', () => {
    const cut = text('党建').subarray(0, 4); // the second character loses its last two bytes
    expect(contentMatches('text/plain', cut, false)).toBe(true);
    expect(contentMatches('text/plain', cut, true)).toBe(false);
  });
});

describe('judging a stored upload', () => {
  const pdf = { contentType: 'application/pdf', sizeBytes: 100 };
  const head = text('%PDF-1.7');
  it.each([
    [{ sizeBytes: 100, head, complete: false, contentType: 'application/pdf' }, 1000, { accepted: true }],
    [
      { sizeBytes: 100, head, complete: false, contentType: 'text/html' },
      1000,
      { accepted: false, reason: 'type-mismatch' },
    ],
    [
      { sizeBytes: 0, head: bytes(), complete: true, contentType: 'application/pdf' },
      1000,
      { accepted: false, reason: 'empty' },
    ],
    [
      { sizeBytes: 5000, head, complete: false, contentType: 'application/pdf' },
      1000,
      { accepted: false, reason: 'too-large' },
    ],
    [
      { sizeBytes: 99, head, complete: false, contentType: 'application/pdf' },
      1000,
      { accepted: false, reason: 'size-mismatch' },
    ],
    [
      { sizeBytes: 100, head: text('GIF89a'), complete: false, contentType: 'application/pdf' },
      1000,
      { accepted: false, reason: 'type-mismatch' },
    ],
  ])('%o within %d bytes → %o', (stored, limit, verdict) => {
    expect(judgeUpload(pdf, stored, limit)).toEqual(verdict);
  });
});

describe('announcing a resource', () => {
  it('takes allowed files within the limit and links with a url only', () => {
    expect(() =>
      checkNewResource({ title: 't', kind: 'document', contentType: 'application/pdf', sizeBytes: 10 }, 10),
    ).not.toThrow();
    expect(() => checkNewResource({ title: 't', kind: 'link', url: 'https://a.b/' }, 10)).not.toThrow();
    const code = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return (e as { code: string }).code;
      }
      return 'none';
    };
    expect(
      code(() =>
        checkNewResource({ title: 't', kind: 'document', contentType: 'application/pdf', sizeBytes: 11 }, 10),
      ),
    ).toBe('file-too-large');
    expect(
      code(() => checkNewResource({ title: 't', kind: 'audio', contentType: 'video/mp4', sizeBytes: 1 }, 10)),
    ).toBe('content-type-not-for-kind');
    expect(
      code(() =>
        checkNewResource({ title: 't', kind: 'document', contentType: 'image/gif', sizeBytes: 1 }, 10),
      ),
    ).toBe('unsupported-content-type');
    expect(
      code(() => checkNewResource({ title: 't', kind: 'link', url: 'https://a.b/', sizeBytes: 1 }, 10)),
    ).toBe('link-has-no-file');
    expect(code(() => checkNewResource({ title: 't', kind: 'document', url: 'https://a.b/' }, 10))).toBe(
      'url-only-for-links',
    );
  });

  it('takes only the listed types, not names an object inherits', () => {
    for (const contentType of ['constructor', '__proto__', 'tostring']) {
      expect(() => checkNewResource({ title: 't', kind: 'document', contentType, sizeBytes: 1 }, 10)).toThrow(
        expect.objectContaining({ code: 'unsupported-content-type' }),
      );
      expect(contentMatches(contentType, text('%PDF-1.7'), true)).toBe(false);
    }
  });
});

describe('who sees what', () => {
  const committee: Caller = { sub: 'c', roles: ['committee'], role: 'committee' };
  const secretary: Caller = { sub: 's', roles: ['secretary', 'member'], role: 'secretary', branchId: 'B1' };
  const member: Caller = { sub: 'm', roles: ['member'], role: 'member', branchId: 'B1' };
  const outsider: Caller = { sub: 'o', roles: ['member'], role: 'member', branchId: 'B2' };

  it('gives a secretary their own branch as audience, and the committee any', () => {
    expect(audienceFor(secretary, undefined)).toEqual({ branchIds: ['B1'] });
    expect(() => audienceFor(secretary, { branchIds: ['B1', 'B2'] })).toThrow(/Branch not found/);
    expect(audienceFor(committee, undefined)).toEqual({});
    expect(audienceFor(committee, { branchIds: ['B2', 'B2'] })).toEqual({ branchIds: ['B2'] });
  });

  it('shows available resources to their audience, and unchecked ones to their managers only', () => {
    const forB1 = { audience: { branchIds: ['B1'] }, status: 'available' as const };
    expect([committee, secretary, member, outsider].map((c) => canSee(c, forB1))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    const uploading = { ...forB1, status: 'uploading' as const };
    expect([committee, secretary, member, outsider].map((c) => canSee(c, uploading))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const everyone = { audience: {}, status: 'available' as const };
    expect(canSee(outsider, everyone)).toBe(true);
    expect(canSee(secretary, { ...everyone, status: 'uploading' })).toBe(false);
  });

  it('scopes lists', () => {
    expect(listScope(member, 'uploading')).toEqual({ kind: 'nothing' });
    expect(listScope(secretary, 'uploading')).toEqual({
      kind: 'audience',
      branchId: 'B1',
      includeEveryone: false,
    });
    expect(listScope(member, 'available')).toEqual({
      kind: 'audience',
      branchId: 'B1',
      includeEveryone: true,
    });
    expect(listScope(committee, 'archived')).toEqual({ kind: 'all' });
  });

  it('reads resource ids from object keys, and nothing else', () => {
    expect(resourceIdOfKey('library/01KB2X3Y4Z5A6B7C8D9E0F1G2H')).toBe('01KB2X3Y4Z5A6B7C8D9E0F1G2H');
    expect(resourceIdOfKey('library/01KB2X3Y4Z5A6B7C8D9E0F1G2H/x.pdf')).toBeUndefined();
    expect(resourceIdOfKey('other/01KB2X3Y4Z5A6B7C8D9E0F1G2H')).toBeUndefined();
  });
});
