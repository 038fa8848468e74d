/**
 * A tiny test-only service that exercises the platform end to end before (and beside) the
 * real services: routes with validation and access rules, a write with its event (outbox),
 * an idempotent subscriber, and a subscriber that fails until it is "repaired" (for the
 * retry and dead-letter paths). It is never deployed: only the test runtime loads it.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { hasRole } from '../../shared/auth.js';
import type { ServiceContext } from '../../shared/context.js';
import { conflict, notFound } from '../../shared/errors.js';
import { defineEvent, patternFor } from '../../shared/events/contract.js';
import { pageQuery } from '../../shared/http/paging.js';
import { created, ok } from '../../shared/http/result.js';
import { newId } from '../../shared/ids.js';
import { defineService, route, subscription } from '../../shared/service.js';
import { queryPage } from '../../shared/store/query.js';
import { singleTable, transactionOn } from '../../shared/store/table.js';
import { anySuccess, roleOutcomes } from '../support/outcomes.js';

const NOTES = 'notes';

export const NoteCreated = defineEvent(
  NOTES,
  'NoteCreated',
  z.object({ noteId: z.string(), ownerId: z.string(), title: z.string() }),
);

export const NoteRevised = defineEvent(
  NOTES,
  'NoteRevised',
  z.object({ noteId: z.string(), revision: z.number().int() }),
);

const table = singleTable(1);

const tx = (ctx: ServiceContext) => transactionOn(ctx, table);

const noteKey = (noteId: string) => ({ pk: `NOTE#${noteId}`, sk: 'NOTE' });
const counterKey = (name: string) => ({ pk: `COUNTER#${name}`, sk: 'COUNTER' });

const readCounter = async (ctx: ServiceContext, name: string): Promise<number> => {
  const { Item } = await ctx.db.send(new GetCommand({ TableName: ctx.env.tableName, Key: counterKey(name) }));
  return (Item?.count as number | undefined) ?? 0;
};

const noteBody = z.strictObject({
  noteId: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    .optional(),
  title: z.string().trim().min(1).max(100),
  text: z.string().max(1000).default(''),
  tags: z.array(z.string().min(1).max(20)).max(5).optional(),
});

export const notesService = defineService({
  name: NOTES,
  table,
  publishes: [NoteCreated, NoteRevised],
  routes: [
    route('POST /notes', {
      access: ['member', 'committee'],
      outcomes: roleOutcomes(['member', 'committee']),
      responses: anySuccess,
      request: { body: noteBody },
      handler: async ({ body, caller, now }, ctx) => {
        const noteId = body.noteId ?? newId();
        const note = {
          noteId,
          ownerId: caller.sub,
          title: body.title,
          text: body.text,
          tags: body.tags ?? [],
          createdAt: now.toISOString(),
        };
        const t = tx(ctx);
        t.create(
          {
            ...noteKey(noteId),
            gsi1pk: `OWNER#${caller.sub}`,
            gsi1sk: `NOTE#${noteId}`,
            kind: 'note',
            ...note,
          },
          () => conflict('conflict', `Note ${noteId} already exists`),
        );
        t.publish(
          NoteCreated,
          { noteId, ownerId: caller.sub, title: body.title },
          { key: noteId, occurredAt: now },
        );
        await t.commit();
        return created(note, `/notes/${noteId}`);
      },
    }),
    route('GET /notes', {
      access: ['member', 'committee'],
      outcomes: roleOutcomes(['member', 'committee']),
      responses: anySuccess,
      request: { query: z.strictObject({ ...pageQuery }) },
      handler: async ({ query, caller }, ctx) => {
        const owner = `OWNER#${caller.sub}`;
        const page = await queryPage(
          ctx,
          {
            TableName: ctx.env.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :owner',
            ExpressionAttributeValues: { ':owner': owner },
          },
          {
            list: 'notes',
            partition: { name: 'gsi1pk', value: owner },
            limit: query.limit,
            cursor: query.cursor,
          },
          ({ noteId, title, createdAt }) => ({ noteId, title, createdAt }),
        );
        return ok(page);
      },
    }),
    route('GET /notes/stats', {
      access: ['member', 'committee'],
      outcomes: roleOutcomes(['member', 'committee']),
      responses: anySuccess,
      handler: async (_request, ctx) =>
        ok({
          counted: await readCounter(ctx, 'count-notes'),
          poisonApplied: await readCounter(ctx, 'poison'),
          flakyApplied: await readCounter(ctx, 'flaky'),
        }),
    }),
    route('GET /notes/{noteId}', {
      access: ['member', 'committee'],
      outcomes: roleOutcomes(['member', 'committee']),
      responses: anySuccess,
      request: { params: z.strictObject({ noteId: z.string().min(1).max(40) }) },
      handler: async ({ params, caller }, ctx) => {
        const { Item } = await ctx.db.send(
          new GetCommand({ TableName: ctx.env.tableName, Key: noteKey(params.noteId) }),
        );
        // Someone else's note does not exist, as far as the caller can tell.
        if (!Item || (Item.ownerId !== caller.sub && !hasRole(caller, 'committee'))) throw notFound('Note');
        const { noteId, ownerId, title, text, tags, createdAt } = Item;
        return ok({ noteId, ownerId, title, text, tags, createdAt });
      },
    }),
    route('POST /notes/{noteId}/revisions', {
      access: ['member', 'committee'],
      outcomes: roleOutcomes(['member', 'committee']),
      responses: anySuccess,
      request: { params: z.strictObject({ noteId: z.string().min(1).max(40) }) },
      handler: async ({ params, caller, now }, ctx) => {
        const { Item } = await ctx.db.send(
          new GetCommand({ TableName: ctx.env.tableName, Key: noteKey(params.noteId), ConsistentRead: true }),
        );
        if (!Item || Item.ownerId !== caller.sub) throw notFound('Note');
        const revision = ((Item.revision as number | undefined) ?? 0) + 1;
        const t = tx(ctx);
        t.update(
          noteKey(params.noteId),
          {
            expression: 'SET #revision = :next',
            names: { '#revision': 'revision' },
            values: { ':next': revision },
          },
          {
            condition: 'attribute_not_exists(#revision) OR #revision = :current',
            values: { ':current': revision - 1 },
            onConditionFailed: () => conflict('version-conflict', 'The note changed meanwhile'),
          },
        );
        t.publish(NoteRevised, { noteId: params.noteId, revision }, { key: params.noteId, occurredAt: now });
        await t.commit();
        return ok({ noteId: params.noteId, revision });
      },
    }),
    route('PUT /notes/repair', {
      access: ['committee'],
      outcomes: roleOutcomes(['committee']),
      responses: anySuccess,
      handler: async (_request, ctx) => {
        await tx(ctx).put({ pk: 'REPAIRED', sk: 'REPAIRED', kind: 'flag' }).commit();
        return ok({ repaired: true });
      },
    }),
    route('GET /notes/public/ping', {
      access: 'public',
      outcomes: roleOutcomes('public'),
      responses: anySuccess,
      request: { query: z.strictObject({ echo: z.string().max(20).optional() }) },
      handler: async ({ query, caller }) => ok({ pong: query.echo ?? true, signedIn: caller !== undefined }),
    }),
    route('POST /notes/crash', {
      access: ['member'],
      outcomes: roleOutcomes(['member']),
      responses: anySuccess,
      handler: async () => {
        throw new Error('secret internal detail: table dangjian-notes exploded');
      },
    }),
  ],
  subscriptions: [
    subscription({
      name: 'count-notes',
      pattern: patternFor(NoteCreated),
      contract: NoteCreated,
      handler: async (_event, t) => {
        t.update(counterKey('count-notes'), {
          expression: 'ADD #count :one',
          names: { '#count': 'count' },
          values: { ':one': 1 },
        });
      },
    }),
    subscription({
      // Fails its first two deliveries of each event, then succeeds: the retry path.
      name: 'flaky-twice',
      pattern: { ...patternFor(NoteCreated), detail: { data: { title: [{ prefix: 'flaky' }] } } },
      contract: NoteCreated,
      handler: async (event, t, ctx) => {
        const { Attributes } = await ctx.db.send(
          new UpdateCommand({
            TableName: ctx.env.tableName,
            Key: { pk: `ATTEMPTS#${event.eventId}`, sk: 'ATTEMPTS' },
            UpdateExpression: 'ADD #count :one',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':one': 1 },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        if ((Attributes?.count as number) <= 2)
          throw new Error(`flaky: attempt ${Attributes?.count} fails on purpose`);
        t.update(counterKey('flaky'), {
          expression: 'ADD #count :one',
          names: { '#count': 'count' },
          values: { ':one': 1 },
        });
      },
    }),
    subscription({
      name: 'apply-poison',
      pattern: { ...patternFor(NoteCreated), detail: { data: { title: [{ prefix: 'poison' }] } } },
      contract: NoteCreated,
      handler: async (_event, t, ctx) => {
        const { Item } = await ctx.db.send(
          new GetCommand({
            TableName: ctx.env.tableName,
            Key: { pk: 'REPAIRED', sk: 'REPAIRED' },
            ConsistentRead: true,
          }),
        );
        if (!Item) throw new Error('poison note: the consumer is not repaired yet');
        t.update(counterKey('poison'), {
          expression: 'ADD #count :one',
          names: { '#count': 'count' },
          values: { ':one': 1 },
        });
      },
    }),
  ],
});
