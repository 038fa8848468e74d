import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../shared/auth.js';
import { accept, type Result, unwrap } from '../../../shared/errors.js';
import {
  applyPatch,
  archive,
  audienceFor,
  canSee,
  checkNewResource,
  downloadableFile,
  listScope,
  newResource,
  objectCreatedFor,
  publishedKeyOf,
  publishUpload,
  type Resource,
  resourceIdOfKey,
  usableBy,
} from './library.js';

const committee: Caller = { sub: 'c', roles: ['committee'], role: 'committee' };
const secretary: Caller = { sub: 's', roles: ['secretary', 'member'], role: 'secretary', branchId: 'B1' };
const member: Caller = { sub: 'm', roles: ['member'], role: 'member', branchId: 'B1' };
const outsider: Caller = { sub: 'o', roles: ['member'], role: 'member', branchId: 'B2' };
const refusal = (r: Result<unknown>) => (r.ok ? 'accepted' : [r.error.kind, r.error.code]);

describe('announcing a resource', () => {
  it('takes allowed files within the limit and links with a url only', () => {
    expect(
      checkNewResource({ title: 't', kind: 'document', contentType: 'application/pdf', sizeBytes: 10 }, 10),
    ).toEqual(accept({ contentType: 'application/pdf', sizeBytes: 10 }));
    expect(checkNewResource({ title: 't', kind: 'link', url: 'https://a.b/' }, 10)).toEqual(
      accept({ url: 'https://a.b/' }),
    );
    expect(
      refusal(
        checkNewResource({ title: 't', kind: 'document', contentType: 'application/pdf', sizeBytes: 11 }, 10),
      ),
    ).toEqual(['invalid', 'file-too-large']);
    expect(
      refusal(checkNewResource({ title: 't', kind: 'audio', contentType: 'video/mp4', sizeBytes: 1 }, 10)),
    ).toEqual(['invalid', 'content-type-not-for-kind']);
    expect(
      refusal(checkNewResource({ title: 't', kind: 'document', contentType: 'image/gif', sizeBytes: 1 }, 10)),
    ).toEqual(['invalid', 'unsupported-content-type']);
    expect(
      refusal(checkNewResource({ title: 't', kind: 'link', url: 'https://a.b/', sizeBytes: 1 }, 10)),
    ).toEqual(['invalid', 'link-has-no-file']);
    expect(refusal(checkNewResource({ title: 't', kind: 'document', url: 'https://a.b/' }, 10))).toEqual([
      'invalid',
      'url-only-for-links',
    ]);
  });

  it('takes only the listed types, not names an object inherits', () => {
    for (const contentType of ['constructor', '__proto__', 'tostring']) {
      expect(
        refusal(checkNewResource({ title: 't', kind: 'document', contentType, sizeBytes: 1 }, 10)),
      ).toEqual(['invalid', 'unsupported-content-type']);
    }
  });

  it('makes a link available at once and a file wait for its upload under its own key', () => {
    const fresh = { resourceId: '01KB2X3Y4Z5A6B7C8D9E0F1G2H', at: '2026-11-26T01:00:00.000Z' };
    const link = newResource(
      { title: 't', kind: 'link', url: 'https://a.b/', tags: ['x', 'x'] },
      committee,
      fresh,
      10,
    );
    expect(link.ok && link.value).toMatchObject({
      url: 'https://a.b/',
      tags: ['x'],
      status: 'available',
      publishedAt: fresh.at,
      version: 1,
    });
    const file = newResource(
      { title: 't', kind: 'document', contentType: 'application/pdf', sizeBytes: 10 },
      committee,
      fresh,
      10,
    );
    expect(file.ok && file.value).toMatchObject({
      status: 'uploading',
      objectKey: `library/${fresh.resourceId}`,
    });
    expect(file.ok && file.value.publishedAt).toBeUndefined();
    // The file is judged before the audience.
    const both = newResource({ title: 't', kind: 'link' }, { ...secretary, branchId: undefined }, fresh, 10);
    expect(refusal(both)).toEqual(['invalid', 'url-required']);
  });
});

describe('changing a resource', () => {
  const held = unwrap(
    newResource(
      { title: 't', kind: 'link', url: 'https://a.b/' },
      committee,
      { resourceId: '01KB2X3Y4Z5A6B7C8D9E0F1G2H', at: '2026-11-26T01:00:00.000Z' },
      10,
    ),
  );
  const at = '2026-11-27T01:00:00.000Z';

  it('moves a patched or archived resource to its next version', () => {
    const patched = applyPatch(held, { title: 'u', estimatedMinutes: 30 }, undefined, at);
    expect(patched.ok && patched.value).toMatchObject({ title: 'u', estimatedMinutes: 30, version: 2 });
    expect(archive(held, at)).toEqual(
      accept({ ...held, status: 'archived', archivedAt: at, updatedAt: at, version: 2 }),
    );
  });

  it('refuses to change an archived or rejected resource, and to archive one twice', () => {
    const archived = { ...held, status: 'archived' as const };
    // One code, one status: changing an archived resource is the same conflict as archiving it again.
    expect(refusal(applyPatch(archived, { title: 'u' }, undefined, at))).toEqual([
      'conflict',
      'resource-archived',
    ]);
    expect(refusal(applyPatch({ ...held, status: 'rejected' }, {}, undefined, at))).toEqual([
      'conflict',
      'resource-rejected',
    ]);
    expect(refusal(archive(archived, at))).toEqual(['conflict', 'resource-archived']);
  });

  it('serves the checked copy only while the resource is available, never the upload, and a link never', () => {
    const { url: _url, ...unlinked } = held;
    const file = {
      ...unlinked,
      title: '党章',
      objectKey: 'library/x',
      publishedKey: 'published/x/e1',
      contentType: 'application/pdf',
      sizeBytes: 3,
    };
    expect(downloadableFile(member, file)).toEqual(
      accept({
        objectKey: 'published/x/e1',
        contentType: 'application/pdf',
        contentDisposition: `attachment; filename="__.pdf"; filename*=UTF-8''%E5%85%9A%E7%AB%A0.pdf`,
      }),
    );
    // Published before checked copies were kept: the upload key is never served.
    const { publishedKey: _p, ...uncopied } = file;
    expect(refusal(downloadableFile(member, uncopied))).toEqual(['rule', 'resource-not-available']);
    expect(refusal(downloadableFile(member, { ...file, status: 'uploading' }))).toEqual([
      'rule',
      'resource-not-available',
    ]);
    expect(refusal(downloadableFile(member, held))).toEqual(['rule', 'resource-is-a-link']);
    expect(refusal(usableBy(committee, { ...held, status: 'archived' }))).toEqual([
      'rule',
      'resource-not-available',
    ]);
  });
});

describe('who sees what', () => {
  it('gives a secretary their own branch as audience, and the committee any', () => {
    expect(audienceFor(secretary, undefined)).toEqual(accept({ branchIds: ['B1'] }));
    expect(refusal(audienceFor(secretary, { branchIds: ['B1', 'B2'] }))).toEqual(['not-found', 'not-found']);
    expect(refusal(audienceFor(secretary, { branchIds: [] }))).toEqual(['rule', 'audience-empty']);
    expect(audienceFor(committee, undefined)).toEqual(accept({}));
    expect(audienceFor(committee, { branchIds: ['B2', 'B2'] })).toEqual(accept({ branchIds: ['B2'] }));
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

describe('uploads and their published copies', () => {
  const id = '01KB2X3Y4Z5A6B7C8D9E0F1G2H';
  const uploading: Resource = {
    resourceId: id,
    title: '党章',
    kind: 'document',
    contentType: 'application/pdf',
    sizeBytes: 10,
    objectKey: `library/${id}`,
    tags: [],
    audience: {},
    status: 'uploading',
    createdBy: 'p',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  };

  it('checks only the upload a resource waits for, and takes nothing once it is decided', () => {
    expect(objectCreatedFor(uploading, `library/${id}`)).toMatchObject({ kind: 'check' });
    expect(objectCreatedFor(undefined, `library/${id}`)).toEqual({ kind: 'unusable' });
    expect(objectCreatedFor({ ...uploading, status: 'rejected' }, `library/${id}`)).toEqual({
      kind: 'unusable',
    });
    const available = publishUpload(uploading, '2026-01-02T00:00:00.000Z', publishedKeyOf(id, 'e1'));
    expect(available).toMatchObject({ status: 'available', publishedKey: `published/${id}/e1`, version: 2 });
    expect(objectCreatedFor(available, `library/${id}`)).toMatchObject({ kind: 'decided' });
    expect(objectCreatedFor({ ...uploading, status: 'archived' }, `library/${id}`)).toMatchObject({
      kind: 'decided',
    });
  });

  it('keeps published copies outside what upload forms target, one key per event', () => {
    const key = publishedKeyOf(id, '6a7e1f2c-1d2b-4c3a-9e8f-0a1b2c3d4e5f');
    expect(key).toBe(`published/${id}/6a7e1f2c-1d2b-4c3a-9e8f-0a1b2c3d4e5f`);
    expect(resourceIdOfKey(key)).toBeUndefined();
    expect(publishedKeyOf(id, '../x/y')).toBe(`published/${id}/---x-y`);
  });
});
