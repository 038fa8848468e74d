/**
 * The platform through the local runtime, with the test-only notes service: the gateway,
 * validation, the outbox, the bus, idempotent consumers, dead letters and tokens.
 * One file, run in order, because it reads the notes service's counters.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { NoteCreated } from '../notes/service.js';
import { as, minter, publish, request, runtime, settle, tableClient, tokenFor } from '../support/api.js';
import { createMinter } from '../support/tokens.js';

const notesTable = () => runtime().tableNames.notes as string;

const itemsOf = async (pk: string) => {
  const out = await tableClient().send(
    new QueryCommand({
      TableName: notesTable(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  return out.Items ?? [];
};

const busAdmin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${runtime().busEndpoint}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

const stats = async () => {
  const admin = await as({ roles: ['committee'] });
  const res = await admin.get('/notes/stats');
  expect(res.status).toBe(200);
  return res.body as { counted: number; poisonApplied: number };
};

describe('a request through the gateway', () => {
  it('creates and reads back a note, with the caller from the token', async () => {
    const alice = await as({ roles: ['member'], branchId: 'B1' });
    const created = await alice.post('/notes', { title: '  学习笔记  ', text: '三会一课' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/notes/${created.body.noteId}`);
    expect(created.headers.get('x-request-id')).toMatch(/.+/);
    expect(created.body).toMatchObject({ ownerId: alice.sub, title: '学习笔记', text: '三会一课' });

    const read = await alice.get(`/notes/${created.body.noteId}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...created.body, tags: [] });
  });

  it("hides another member's note behind a 404, but shows it to the committee", async () => {
    const alice = await as({ roles: ['member'] });
    const bob = await as({ roles: ['member'] });
    const note = await alice.post('/notes', { title: 'mine' });
    expect((await bob.get(`/notes/${note.body.noteId}`)).body).toEqual({
      error: { code: 'not-found', message: 'Note not found' },
    });
    expect((await (await as({ roles: ['committee'] })).get(`/notes/${note.body.noteId}`)).status).toBe(200);
  });

  it('serves a public route without a token, and never passes claims to it', async () => {
    const res = await request('GET', '/notes/public/ping?echo=hi');
    expect(res).toMatchObject({ status: 200, body: { pong: 'hi', signedIn: false } });
    const withToken = await request('GET', '/notes/public/ping', undefined, {
      token: await tokenFor({ roles: ['member'] }),
    });
    expect(withToken.body.signedIn).toBe(false);
  });

  it('answers an unknown route with 404', async () => {
    expect((await request('GET', '/nowhere')).status).toBe(404);
  });

  it('serves API docs generated from the descriptions', async () => {
    const doc = await request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const post = doc.body.paths['/notes'].post;
    expect(post.requestBody.content['application/json'].schema.properties.title).toMatchObject({
      type: 'string',
    });
    expect(post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(doc.body.paths['/notes/public/ping'].get.security).toEqual([]);
    expect((await request('GET', '/docs')).text).toContain('/docs/swagger-ui-bundle.js');
  });

  it('reports health without a token', async () => {
    const res = await request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('up');
    expect(Object.keys(res.body.parts)).toEqual(
      expect.arrayContaining(['database', 'storage', 'bus', 'relays', 'mail']),
    );
  });
});

describe('bad input', () => {
  it('is a 400 naming each bad field, and writes nothing', async () => {
    const carol = await as({ roles: ['member'] });
    const res = await carol.post('/notes', { title: '', text: 7, tags: ['ok', ''], extra: true, more: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation-failed');
    const fields = (res.body.error.details.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['body.extra', 'body.more', 'body.tags.1', 'body.text', 'body.title']);
    expect((await carol.get('/notes')).body.items).toEqual([]);
  });

  it('refuses a body on a route that takes none, whatever its type, before the handler runs', async () => {
    const gus = await as({ roles: ['member'] });
    for (const [raw, type] of [
      ['x', 'text/plain'],
      ['{"force":true}', 'application/json'],
      ['a=1', 'application/x-www-form-urlencoded'],
    ] as const) {
      const res = await gus.post('/notes/crash', undefined, { raw, headers: { 'content-type': type } });
      expect([res.status, res.body.error.code, res.body.error.details]).toEqual([
        400,
        'validation-failed',
        { fields: [{ field: 'body', message: 'This route takes no body' }] },
      ]);
    }
    // `{}` is no body: the handler runs (and this one fails on purpose).
    const empty = await gus.post('/notes/crash', undefined, {
      raw: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(500);
  });

  it('refuses malformed JSON with 400, a non-JSON body with 415, a huge body with 413', async () => {
    const dave = await as({ roles: ['member'] });
    const malformed = await dave.post('/notes', undefined, {
      raw: '{"title": "x",',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid-json');
    const text = await dave.post('/notes', undefined, {
      raw: 'title=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported-media-type');
    const huge = await dave.post('/notes', { title: 'x', text: 'y'.repeat(70 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload-too-large');
    expect((await dave.get('/notes')).body.items).toEqual([]);
  });

  it('ignores query parameters a route does not list, and refuses bad listed ones and a forged cursor', async () => {
    const erin = await as({ roles: ['member'] });
    const unknown = await erin.get('/notes?limit=5&sort=desc&_=1733480000');
    expect([unknown.status, unknown.body.items]).toEqual([200, []]);
    const badLimit = await erin.get('/notes?limit=0&_=1733480000');
    expect([
      badLimit.status,
      badLimit.body.error.details.fields.map((f: { field: string }) => f.field),
    ]).toEqual([400, ['query.limit']]);
    expect((await erin.get('/notes?cursor=not-a-cursor')).body.error.code).toBe('invalid-cursor');
    const forged = Buffer.from(
      JSON.stringify({ pk: 'NOTE#X', sk: 'NOTE', gsi1pk: 'OWNER#someone-else', gsi1sk: 'x' }),
    ).toString('base64url');
    const res = await erin.get(`/notes?cursor=${forged}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid-cursor');
  });

  it('pages a list with limit and cursor', async () => {
    const fay = await as({ roles: ['member'] });
    for (const title of ['a', 'b', 'c']) expect((await fay.post('/notes', { title })).status).toBe(201);
    const first = await fay.get('/notes?limit=2');
    expect(first.body.items.map((n: { title: string }) => n.title)).toEqual(['a', 'b']);
    const second = await fay.get(`/notes?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((n: { title: string }) => n.title)).toEqual(['c']);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('answers a bug with a 500 that reveals only a request id', async () => {
    const gus = await as({ roles: ['member'] });
    const res = await gus.post('/notes/crash');
    expect(res.status).toBe(500);
    const requestId = res.headers.get('x-request-id');
    expect(res.body).toEqual({
      error: {
        code: 'internal',
        message: `Something went wrong; quote request id ${requestId}`,
        details: { requestId },
      },
    });
    expect(res.text).not.toContain('secret');
  });
});

describe('tokens and roles', () => {
  it('refuses a missing, malformed, expired, foreign or wrong-audience token with 401', async () => {
    const expired = await (await minter()).mint({
      roles: ['member'],
      issuedAt: new Date(Date.now() - 3 * 3600_000),
      expiresInSeconds: 3600,
    });
    // The emulator's key, but another pool's issuer, or another client's audience.
    const { issuer, clientId } = runtime().identity;
    const foreign = await (await createMinter({ issuer: `${issuer}x`, audience: clientId })).mint({
      roles: ['committee'],
    });
    const otherClient = await (await createMinter({ issuer, audience: 'another-client' })).mint({
      roles: ['committee'],
    });
    for (const token of [undefined, 'garbage', expired, foreign, otherClient]) {
      const res = await request('GET', '/notes', undefined, { token: token ?? null });
      expect(res.status, String(token)).toBe(401);
    }
    const basic = await request('GET', '/notes', undefined, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);
  });

  it('refuses a role the route does not allow, with 403', async () => {
    const partner = await as({ roles: ['partner'], orgId: 'ORG1' });
    expect((await partner.post('/notes', { title: 'x' })).body.error.code).toBe('forbidden');
    const member = await as({ roles: ['member'] });
    expect((await member.put('/notes/repair')).status).toBe(403);
  });
});

describe('events', () => {
  it('commits a write together with its outbox item, and a refused write with neither', async () => {
    const hal = await as({ roles: ['member'] });
    const noteId = newId();
    expect((await hal.post('/notes', { noteId, title: 'outbox' })).status).toBe(201);
    const again = await hal.post('/notes', { noteId, title: 'outbox again' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');

    const outbox = await itemsOf(`OUTBOX#${noteId}`);
    expect(outbox).toHaveLength(1);
    const detail = JSON.parse(outbox[0]?.detail as string);
    expect(outbox[0]).toMatchObject({ kind: 'outbox', source: 'dangjian.notes', detailType: 'NoteCreated' });
    expect(detail).toMatchObject({ version: 1, data: { noteId, ownerId: hal.sub, title: 'outbox' } });
    expect(detail.eventId).toMatch(/^[0-9A-Z]{26}$/);
    expect((await itemsOf(`NOTE#${noteId}`))[0]?.title).toBe('outbox');
  });

  it('keeps a failing subscriber’s event as a dead letter, and a redrive applies it once', async () => {
    const jo = await as({ roles: ['member'] });
    const note = await jo.post('/notes', { title: 'poison pill' });
    expect(note.status).toBe(201);
    await settle();

    const letters = (await busAdmin('GET', '/dead-letters')).body as any[];
    const letter = (Array.isArray(letters) ? letters : (letters as any).items).find(
      (l: any) => l.event.detail.data.noteId === note.body.noteId,
    );
    expect(letter).toMatchObject({ target: 'notes.apply-poison', attempts: 3 });
    expect(letter.error.message).toContain('not repaired');
    expect((await stats()).poisonApplied).toBe(0);
    // The other subscriber of the same event was not held back by the failing one.
    expect((await stats()).counted).toBeGreaterThan(0);

    const committee = await as({ roles: ['committee'] });
    expect((await committee.put('/notes/repair')).status).toBe(200);
    expect((await busAdmin('POST', '/dead-letters/redrive', { id: letter.id })).status).toBe(200);
    await settle();
    expect((await stats()).poisonApplied).toBe(1);
    const remaining = (await busAdmin('GET', '/dead-letters')).body;
    expect(JSON.stringify(remaining)).not.toContain(letter.id);
    // Redriving the same letter again finds nothing to apply.
    expect((await busAdmin('POST', '/dead-letters/redrive', { id: letter.id })).status).toBe(404);
    await settle();
    expect((await stats()).poisonApplied).toBe(1);
  });

  it('takes events put on the bus from outside, once even when the same event is put twice', async () => {
    await settle();
    const before = await stats();
    const envelope = await publish(NoteCreated, { noteId: newId(), ownerId: 'someone', title: 'from afar' });
    await publish(NoteCreated, envelope.data, { envelope });
    await settle();
    expect((await stats()).counted - before.counted).toBe(1);
  });
});
