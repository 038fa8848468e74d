/**
 * The dangjian API for a TypeScript front end: openapi-fetch over the types generated from
 * the OpenAPI document (`schema.ts`), with the caller's ID token on every request and the
 * one error shape of the services made easy to switch on.
 *
 *   const api = createDangjianClient({ baseUrl: 'http://localhost:3000', token: () => session.idToken });
 *   const { data, error } = await api.GET('/talent/branches');
 *   if (error) console.warn(codeOf(error));   // a code the operation documents, or undefined
 *
 * Paths, parameters, bodies and answers are checked against the document at compile time.
 */
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };

/** A refusal by a service: `{ error: { code, message, details? } }`. */
export interface ServiceRefusal {
  error: { code: string; message: string; details?: unknown };
}

/** What API Gateway answers by itself, before any service runs (a bad token, throttling, a body too large). */
export type GatewayRefusal = components['schemas']['GatewayError'];

/** The codes an operation's error body can carry: as precise as the document says. */
export type ErrorCode<E> = E extends { error: { code: infer C } } ? C : never;

/** The ID token: fixed, or asked for before each request (so a refreshed token is picked up). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface DangjianClientOptions extends ClientOptions {
  /** Where the API is, e.g. `http://localhost:3000` for `npm start`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; leave it out for public routes. */
  token?: TokenSource;
}

export type DangjianClient = Client<paths>;

const bearer = (token: TokenSource): Middleware => ({
  async onRequest({ request }) {
    const value = typeof token === 'string' ? token : await token();
    if (value) request.headers.set('authorization', `Bearer ${value}`);
    return request;
  },
});

export const createDangjianClient = ({ token, ...options }: DangjianClientOptions): DangjianClient => {
  const client = createClient<paths>(options);
  if (token !== undefined) client.use(bearer(token));
  return client;
};

/** The error body came from a service (it has a code), not from API Gateway (a bare message). */
export const isServiceRefusal = <E>(error: E): error is Extract<E, ServiceRefusal> =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as Partial<ServiceRefusal>).error?.code === 'string';

/** The refusal's code, or undefined when API Gateway answered (e.g. 401 `Unauthorized`). */
export const codeOf = <E>(error: E): ErrorCode<E> | undefined =>
  isServiceRefusal(error) ? (error.error.code as ErrorCode<E>) : undefined;

/** A refusal thrown by `ok`, for code that would rather catch than branch on `error`. */
export class Refused<E = ServiceRefusal | GatewayRefusal> extends Error {
  override readonly name = 'Refused';
  readonly code: ErrorCode<E> | undefined;
  constructor(
    readonly status: number,
    readonly body: E,
  ) {
    const code = codeOf(body);
    super(
      isServiceRefusal(body)
        ? `${status} ${body.error.code}: ${body.error.message}`
        : `${status} ${(body as Partial<GatewayRefusal>).message ?? 'refused'}`,
    );
    this.code = code;
  }
}

/**
 * The success body of a call, or a `Refused` thrown with the status and the typed error body:
 *   const branch = await ok(api.POST('/talent/branches', { body }));
 */
export const ok = async <D, E>(call: Promise<{ data?: D; error?: E; response: Response }>): Promise<D> => {
  const { data, error, response } = await call;
  if (error !== undefined) throw new Refused<E>(response.status, error);
  return data as D;
};
