/**
 * Calling a route's handler as the gateway would, with a service context whose database
 * client a test can interpose on: for what DynamoDB Local never does by itself (cancel a
 * transaction for a conflict, lose an answer after a write landed).
 */
import type { ServiceContext } from '../../shared/context.js';
import type { HttpResult } from '../../shared/http/result.js';
import { newId } from '../../shared/ids.js';
import type { ServiceDescription } from '../../shared/service.js';

export const handlerOf = (service: ServiceDescription, key: string) => {
  const spec = service.routes.find((r) => r.routeKey === key);
  if (!spec) throw new Error(`no route ${key} in ${service.name}`);
  return spec.handler as (req: unknown, ctx: ServiceContext) => Promise<HttpResult>;
};

export const directRequest = ({
  body,
  params = {},
  query = {},
  roles = ['committee'],
  sub = newId(),
  now,
}: {
  body?: unknown;
  params?: Record<string, string>;
  query?: Record<string, string>;
  roles?: string[];
  sub?: string;
  now: Date | string;
}) => ({
  body,
  params,
  query,
  caller: { sub, roles, role: roles[0] },
  requestId: newId(),
  now: new Date(now),
  headers: {},
});

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
