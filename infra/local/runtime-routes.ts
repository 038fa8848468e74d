/**
 * The routes the runtime serves itself, before the services': `/health`, `/openapi.json`,
 * the `/docs` page and its local sign-in. None needs a token.
 */
import type { ServerResponse } from 'node:http';
import type { ServiceDescription } from '../../shared/service.js';
import type { LocalCognitoInfo } from './cognito.js';
import { serveDocs } from './docs.js';
import { docsSignIn } from './docs-sign-in.js';
import type { ExtraRoutes } from './gateway.js';
import type { HealthReport } from './health.js';
import { openApiDocument } from './openapi.js';

export const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export interface RuntimeRoutesOptions {
  services: readonly ServiceDescription[];
  health: () => Promise<HealthReport>;
  /** The local pool the docs page signs in to, and the data folder holding its passwords. */
  identity: LocalCognitoInfo;
  dataDir: string;
}

export const runtimeRoutes = ({ services, health, identity, dataDir }: RuntimeRoutesOptions): ExtraRoutes => {
  const signIn = docsSignIn(identity, dataDir);
  return async (req, res, url) => {
    if (req.method === 'GET' && url.pathname === '/health') {
      const report = await health();
      sendJson(res, report.status === 'up' ? 200 : 503, report);
      return true;
    }
    if (req.method === 'GET' && url.pathname === '/openapi.json') {
      sendJson(res, 200, openApiDocument(services, `http://${req.headers.host ?? 'localhost'}`));
      return true;
    }
    // One service's part, for the docs page.
    const one = /^\/openapi\/([a-z]+)\.json$/.exec(url.pathname)?.[1];
    const service = services.find((s) => s.name === one);
    if (req.method === 'GET' && service) {
      sendJson(res, 200, openApiDocument([service], `http://${req.headers.host ?? 'localhost'}`));
      return true;
    }
    return (
      (await signIn(req, res, url)) ||
      serveDocs(
        req,
        res,
        url,
        services.map((s) => s.name),
      )
    );
  };
};

/** The first of the route sets that answers. */
export const firstOf =
  (...sets: (ExtraRoutes | undefined)[]): ExtraRoutes =>
  async (req, res, url) => {
    for (const routes of sets) if (routes && (await routes(req, res, url))) return true;
    return false;
  };
