/**
 * A service context whose database client a test can interpose on: for what DynamoDB Local
 * never does by itself (cancel a transaction for a conflict, lose an answer after a write
 * landed). Requests reach it through the whole HTTP stack with `invoke` (http-event.ts).
 */
import type { ServiceContext } from '../../shared/context.js';

type Send = ServiceContext['db']['send'];

/** The context with every database call passed through `intercept`, which may call `send` or not. */
export const interposed = (
  ctx: ServiceContext,
  intercept: (command: unknown, send: (command: unknown) => Promise<unknown>) => Promise<unknown>,
): ServiceContext => {
  const send = ctx.db.send.bind(ctx.db) as (command: unknown) => Promise<unknown>;
  const db = Object.create(ctx.db) as ServiceContext['db'];
  db.send = ((command: unknown) => intercept(command, send)) as Send;
  return { ...ctx, db };
};
