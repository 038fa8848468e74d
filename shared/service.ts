/**
 * The one description of a service. The CDK app (infra/) and the local runtime
 * (infra/local/) read only this: a route, rule, table or bucket exists in both worlds or in
 * neither. Handlers are referenced directly so their request types follow from the schemas.
 */
import * as z from 'zod';
import type { Access, Caller, Role } from './auth.js';
import type { ServiceContext } from './context.js';
import type { SubscriptionHandler } from './events/consumer.js';
import type { EventContract } from './events/contract.js';
import { validatePattern } from './events/pattern.js';
import type { HttpResult } from './http/result.js';
import type { RefusalCode } from './refusals.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface IndexSpec {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
}

export interface TableSpec {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  /** Global secondary indexes, projecting all attributes. */
  indexes?: readonly IndexSpec[];
  /** Attribute holding an epoch-seconds expiry (DynamoDB TTL). */
  timeToLiveAttribute?: string;
}

export interface BucketSpec {
  /** Logical name; the physical name is per stage (see ServiceEnv.bucketName). */
  name: string;
  /** S3 sends "Object Created" events to the bus (on AWS: EventBridge notifications). */
  objectEvents: boolean;
  /**
   * Prefixes whose objects S3 deletes after so many days (lifecycle rules): exports waiting for
   * their download, imports' uploads. The local S3 server keeps them.
   */
  expiring?: readonly { prefix: string; days: number }[];
}

export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}

type Out<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

export interface HttpRequest<S extends RequestSchemas = RequestSchemas, A extends Access = Access> {
  body: Out<S['body'], undefined>;
  query: Out<S['query'], Record<string, never>>;
  params: Out<S['params'], Record<string, never>>;
  /** Present on every non-public route; public routes see the caller only if a token came along. */
  caller: A extends 'public' ? Caller | undefined : Caller;
  requestId: string;
  /** The time API Gateway received the request: the "now" every time rule takes. */
  now: Date;
  headers: Record<string, string | undefined>;
  /** The client's Idempotency-Key, on a route that takes one (`idempotent`), if it sent one. */
  idempotencyKey: string | undefined;
}

/**
 * The callers the access matrix (test/security) calls every route as. "Own" means of the
 * branch or organisation that owns the object the route acts on; `member` is a member of
 * that branch and, where a route concerns one person's own things (their registration,
 * study record, attempt), the person they belong to. `selfSecretary` is the owning branch's
 * secretary acting on their own person: their record, records, pool memberships and pipeline
 * (separation of duties: nobody manages their own record). On a route about no person of
 * their own it is simply that branch's secretary, as `ownSecretary`.
 */
export const personas = [
  'anonymous',
  'member',
  'ownSecretary',
  'selfSecretary',
  'otherSecretary',
  'committee',
  'ownPartner',
  'otherPartner',
] as const;
export type Persona = (typeof personas)[number];

/** The groups each persona's token carries (a secretary is also a member). */
export const personaRoles: Record<Persona, readonly Role[]> = {
  anonymous: [],
  member: ['member'],
  ownSecretary: ['secretary', 'member'],
  selfSecretary: ['secretary', 'member'],
  otherSecretary: ['secretary', 'member'],
  committee: ['committee'],
  ownPartner: ['partner'],
  otherPartner: ['partner'],
};

/**
 * What a persona gets from a route: `'allowed'` (a 2xx), or the refusal: 401 without a
 * token, 403 for a role the route does not admit, 404 for an object outside the caller's
 * scope (no existence leak).
 */
export type Outcome = 'allowed' | 401 | 403 | 404;
export type Outcomes = Readonly<Record<Persona, Outcome>>;

/** A success response: its JSON body schema, `'empty'` (204, 303, 304), or a non-JSON body (CSV, a workbook). */
export type ResponseSpec = z.ZodType | 'empty' | { contentType: string; description: string };
/**
 * Success statuses only (and 303, an export too large to answer directly, whose Location is a
 * presigned GET; and 304, the answer to a conditional GET whose copy is current); every error
 * has the one documented shape.
 */
export type Responses = Readonly<Partial<Record<200 | 201 | 202 | 204 | 303 | 304, ResponseSpec>>>;

export interface RouteSpec<S extends RequestSchemas = RequestSchemas, A extends Access = Access> {
  method: HttpMethod;
  path: string;
  /** `'POST /talent/people'`, as API Gateway names routes. */
  routeKey: string;
  access: A;
  /** Who gets what, declared next to the route so a route cannot ship without it. */
  outcomes: Outcomes;
  /** What a success looks like, for the OpenAPI document and the contract test. */
  responses: Responses;
  /** One line for the docs. */
  summary?: string;
  /** What differs per caller (who gets what, whose body is which), above the access lines in the docs. */
  description?: string;
  request: S;
  /** Bodies larger than this are refused with 413 before parsing. */
  maxBodyBytes?: number;
  /** The API's most restrictive throttle class (public application forms and the like). */
  throttle?: 'public' | 'default';
  /**
   * Item kinds a refusal of this route writes on purpose: the record of a refused attempt
   * (wrong check-in codes), without which the refusal could not become a limit. Any other
   * write on a 4xx is a bug, and the hostile-input test says so.
   */
  recordsRefusals?: readonly string[];
  /**
   * A create a client may retry: it takes an `Idempotency-Key` header (shared/idempotency.ts),
   * whose shape the HTTP stack checks and the OpenAPI document names.
   */
  idempotent?: boolean;
  /**
   * The refusals this route's own rules can answer, by code (shared/refusals.ts). Those the
   * HTTP stack answers for any route of its shape (validation, tokens, scope, idempotency,
   * outages) are implied (`refusalsOf` in shared/http/refusals.ts), not listed.
   */
  refusals?: readonly RefusalCode[];
  handler: (request: HttpRequest<S, A>, context: ServiceContext) => Promise<HttpResult>;
}

export interface SubscriptionSpec<Data = unknown> {
  /** Unique within the service; the rule's and the idempotency marker's name. */
  name: string;
  /** An EventBridge event pattern, validated when the description is built. */
  pattern: Record<string, unknown>;
  /**
   * The publisher's contract for dangjian events; `detail.data` is checked against it.
   * Omitted for AWS events (S3 "Object Created"), whose shape the handler checks itself.
   */
  contract?: EventContract<string, Data>;
  handler: SubscriptionHandler<Data>;
  /**
   * Sends e-mail with SES from the stage's sender, to the verified addresses of sign-in
   * accounts it reads (AdminGetUser): the CDK app grants this consumer exactly that, the local
   * runtime points the service at its SES endpoint and Cognito emulator (ServiceEnv.mail).
   */
  sendsMail?: boolean;
}

/**
 * Work a service does on a clock rather than on a request or an event: EventBridge Scheduler
 * on AWS, a timer (and the tests' `tick`) locally. The handler takes the scheduled time as
 * its "now", so a retried or redriven run decides as the run it replays would have.
 */
export interface ScheduleSpec {
  /** Unique within the service; the schedule's, its function's and its dead letters' name. */
  name: string;
  /** Whole minutes between runs (EventBridge Scheduler's `rate(n minutes)`). */
  every: number;
  handler: (at: Date, context: ServiceContext) => Promise<void>;
}

export interface ServiceDescription {
  name: string;
  table: TableSpec;
  routes: readonly RouteSpec<RequestSchemas, Access>[];
  subscriptions: readonly SubscriptionSpec[];
  publishes: readonly EventContract[];
  bucket?: BucketSpec;
  /** Absent or empty: the service runs nothing on a clock. */
  schedules?: readonly ScheduleSpec[];
}

const routeKeyPattern = /^(GET|POST|PUT|PATCH|DELETE) (\/[A-Za-z0-9._~{}/-]*)$/;

/** Declares one route; the types of `request.body`, `query` and `params` follow from the schemas. */
export const route = <const S extends RequestSchemas, const A extends Access>(
  routeKey: string,
  spec: {
    access: A;
    outcomes: Outcomes;
    responses: Responses;
    summary?: string;
    description?: string;
    request?: S;
    maxBodyBytes?: number;
    throttle?: 'public' | 'default';
    recordsRefusals?: readonly string[];
    idempotent?: boolean;
    refusals?: readonly RefusalCode[];
    handler: (request: HttpRequest<S, A>, context: ServiceContext) => Promise<HttpResult>;
  },
): RouteSpec<RequestSchemas, Access> => {
  const match = routeKeyPattern.exec(routeKey);
  if (!match) throw new Error(`Route key "${routeKey}" is not "METHOD /path"`);
  return {
    routeKey,
    method: match[1] as HttpMethod,
    path: match[2] as string,
    access: spec.access,
    outcomes: spec.outcomes,
    responses: spec.responses,
    ...(spec.summary === undefined ? {} : { summary: spec.summary }),
    ...(spec.description === undefined ? {} : { description: spec.description }),
    request: spec.request ?? ({} as S),
    ...(spec.maxBodyBytes === undefined ? {} : { maxBodyBytes: spec.maxBodyBytes }),
    ...(spec.throttle === undefined ? {} : { throttle: spec.throttle }),
    ...(spec.recordsRefusals === undefined ? {} : { recordsRefusals: spec.recordsRefusals }),
    ...(spec.idempotent ? { idempotent: true } : {}),
    ...(spec.refusals?.length ? { refusals: spec.refusals } : {}),
    handler: spec.handler as RouteSpec['handler'],
  };
};

export const subscription = <Data>(spec: SubscriptionSpec<Data>): SubscriptionSpec =>
  spec as unknown as SubscriptionSpec;

/** Unknown fields must be refused, not dropped into the table: object schemas must be strict. */
const assertStrict = (where: string, schema: z.ZodType | undefined): void => {
  // A body per caller (a union): each caller's own schema is strict.
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options) assertStrict(where, option as z.ZodType);
    return;
  }
  if (!(schema instanceof z.ZodObject)) return;
  const catchall = schema.def.catchall;
  if (!(catchall instanceof z.ZodNever)) {
    throw new Error(`${where} must be a strict object schema (z.strictObject) so unknown fields are refused`);
  }
};

/**
 * The outcomes must agree with the route's role rule: no token is 401 unless the route is
 * public, a persona none of whose groups the route admits is 403, and an admitted persona
 * is never 403 (its refusal, if any, is a 404 of scope).
 */
const checkOutcomes = (where: string, r: RouteSpec): void => {
  for (const persona of personas) {
    const outcome = r.outcomes[persona];
    const roles = personaRoles[persona];
    const admitted =
      r.access === 'public' ? true : roles.some((role) => (r.access as readonly Role[]).includes(role));
    if (persona === 'anonymous') {
      const expected = r.access === 'public' ? outcome !== 401 : outcome === 401;
      if (!expected)
        throw new Error(
          `${where}: anonymous is declared ${outcome}, but access is ${JSON.stringify(r.access)}`,
        );
      continue;
    }
    if (!admitted && outcome !== 403) {
      throw new Error(
        `${where}: ${persona} is not admitted by ${JSON.stringify(r.access)} and must be 403, not ${outcome}`,
      );
    }
    // The one admitted 403: the secretary on their own record (`own-record`, separation of duties).
    if (admitted && (outcome === 401 || (outcome === 403 && persona !== 'selfSecretary'))) {
      throw new Error(
        `${where}: ${persona} is admitted by ${JSON.stringify(r.access)}; declare 'allowed' or 404, not ${outcome}`,
      );
    }
  }
};

/**
 * A service pages a list when one of its routes takes a `cursor` (pageQuery): only such a
 * service's router is given the stage's cursor key, on AWS and locally alike.
 */
export const pagesLists = (description: ServiceDescription): boolean =>
  description.routes.some((r) => r.request.query instanceof z.ZodObject && 'cursor' in r.request.query.shape);

const pathParams = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);

export const defineService = <const D extends ServiceDescription>(description: D): D => {
  const { name } = description;
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`Service name "${name}" must be lower-case kebab`);
  const seen = new Set<string>();
  for (const r of description.routes) {
    if (seen.has(r.routeKey)) throw new Error(`${name}: route ${r.routeKey} is declared twice`);
    seen.add(r.routeKey);
    assertStrict(`${name} ${r.routeKey} body`, r.request.body);
    checkOutcomes(`${name} ${r.routeKey}`, r);
    assertStrict(`${name} ${r.routeKey} query`, r.request.query);
    const declared = pathParams(r.path);
    if (declared.length > 0 && !r.request.params) {
      throw new Error(`${name} ${r.routeKey}: path parameters ${declared.join(', ')} need a params schema`);
    }
  }
  const subs = new Set<string>();
  for (const s of description.subscriptions) {
    if (!/^[a-z][a-z0-9-]*$/.test(s.name))
      throw new Error(`${name}: subscription "${s.name}" must be kebab-case`);
    if (subs.has(s.name)) throw new Error(`${name}: subscription ${s.name} is declared twice`);
    subs.add(s.name);
    // A pattern EventBridge would refuse at PutRule fails here, in both runtimes, before any deploy.
    validatePattern(s.pattern);
  }
  const schedules = new Set<string>();
  for (const s of description.schedules ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(s.name))
      throw new Error(`${name}: schedule "${s.name}" must be kebab-case`);
    if (schedules.has(s.name)) throw new Error(`${name}: schedule ${s.name} is declared twice`);
    schedules.add(s.name);
    // Scheduler's rate expressions count whole minutes; a day is the longest a sweep may wait.
    if (!Number.isInteger(s.every) || s.every < 1 || s.every > 24 * 60) {
      throw new Error(`${name}: schedule ${s.name} runs every ${s.every} minutes; use whole minutes, 1-1440`);
    }
  }
  for (const contract of description.publishes) {
    if (contract.service !== name) {
      throw new Error(`${name} publishes ${contract.name}, which is ${contract.service}'s contract`);
    }
  }
  return description;
};
