/** What a route handler returns; the HTTP stack turns it into an API Gateway response. */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A body that is already text (CSV); JSON bodies leave this out. */
  raw?: { contentType: string; text: string };
}

export const ok = (body: unknown, headers?: Record<string, string>): HttpResult => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});
export const created = (body: unknown, location?: string): HttpResult => ({
  status: 201,
  body,
  ...(location ? { headers: { location } } : {}),
});
export const accepted = (body: unknown): HttpResult => ({ status: 202, body });
export const noContent = (): HttpResult => ({ status: 204 });
export const text = (contentType: string, body: string, headers?: Record<string, string>): HttpResult => ({
  status: 200,
  raw: { contentType, text: body },
  ...(headers ? { headers } : {}),
});
