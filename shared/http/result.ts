/** What a route handler returns; the HTTP stack turns it into an API Gateway response. */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A body that is already text (CSV); JSON bodies leave this out. */
  raw?: { contentType: string; text: string };
  /** A binary body (a workbook), sent base64-encoded as API Gateway's payload 2.0 expects. */
  binary?: { contentType: string; bytes: Uint8Array };
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

/** A file to save: `filename` may be Chinese, so it goes in RFC 6266's `filename*` beside an ASCII fallback. */
export const file = (contentType: string, bytes: Uint8Array, filename: string): HttpResult => ({
  status: 200,
  binary: { contentType, bytes },
  headers: { 'content-disposition': attachment(filename) },
});

export const attachment = (filename: string): string => {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
};

/** 303: the answer is elsewhere (a presigned GET of an export too large to answer directly). */
export const seeOther = (location: string): HttpResult => ({ status: 303, headers: { location } });
