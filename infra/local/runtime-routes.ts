/**
 * The routes the runtime serves itself, before the services': `/health`, `/openapi.json`
 * and the `/docs` page. None needs a token.
 */
import type { ServerResponse } from 'node:http';
import type { ServiceDescription } from '../../shared/service.js';
import { serveDocs } from './docs.js';
import type { ExtraRoutes } from './gateway.js';
import type { HealthReport } from './health.js';
import { openApiDocument } from './openapi.js';

export const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export const runtimeRoutes =
  (services: readonly ServiceDescription[], health: () => Promise<HealthReport>): ExtraRoutes =>
  async (req, res, url) => {
    if (req.method === 'GET' && url.pathname === '/health') {
      const report = await health();
      sendJson(res, report.status === 'up' ? 200 : 503, report);
      return true;
    }
    if (req.method === 'GET' && url.pathname === '/openapi.json') {
      sendJson(res, 200, openApiDocument(services, `http://${req.headers.host ?? 'localhost'}`));
      return true;
    }
    return serveDocs(req, res, url);
  };

/** The first of the route sets that answers. */
export const firstOf =
  (...sets: (ExtraRoutes | undefined)[]): ExtraRoutes =>
  async (req, res, url) => {
    for (const routes of sets) if (routes && (await routes(req, res, url))) return true;
    return false;
  };
