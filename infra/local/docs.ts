/**
 * The docs page: Swagger UI from the `swagger-ui-dist` package, served by the local runtime
 * itself (no CDN, works offline), rendering /openapi.json. No token needed to read it; its
 * local sign-in (infra/local/docs-sign-in.ts) signs in as an account of the local pool and
 * authorizes Swagger UI with the account's token, so "Try it out" calls the API as that account.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The only files the page needs; anything else under /docs/ is a 404. */
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const page = `<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8">
    <title>dangjian API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css">
    <link rel="stylesheet" href="/docs/index.css">
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
    <style>
      .local-sign-in { font-family: sans-serif; max-width: 1460px; margin: 12px auto 0; padding: 0 20px; }
      .local-sign-in select { max-width: 32em; }
    </style>
  </head>
  <body>
    <form id="local-sign-in" class="local-sign-in">
      <label>本地登录 Sign in locally as
        <select id="local-sign-in-account" name="username" required></select>
      </label>
      <button type="submit">Sign in and authorize</button>
      <output id="local-sign-in-status" aria-live="polite"></output>
    </form>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-ui-standalone-preset.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>`;

// In its own file rather than inline, so the page works under a strict Content-Security-Policy.
/**
 * One document per service in the page (a dropdown switches between them), talent's first:
 * Swagger UI 5 shows only the first few operations of one document holding all 147 (found
 * when the spreadsheet routes took the platform past about 140). `/openapi.json` stays whole.
 */
const initScript = (serviceNames: readonly string[]) => `let specLoaded;
const loaded = new Promise((resolve) => {
  specLoaded = resolve;
});
window.ui = SwaggerUIBundle({
  urls: ${JSON.stringify(serviceNames.map((name) => ({ url: `/openapi/${name}.json`, name })))},
  'urls.primaryName': ${JSON.stringify(serviceNames.includes('talent') ? 'talent' : serviceNames[0])},
  dom_id: '#swagger-ui',
  deepLinking: true,
  docExpansion: 'list',
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  onComplete: () => specLoaded(),
});

// The local sign-in: an account of the local pool, its ID token given to "Authorize".
const form = document.getElementById('local-sign-in');
const select = document.getElementById('local-sign-in-account');
const status = document.getElementById('local-sign-in-status');
const label = (a) =>
  [a.name ? a.name + ' (' + a.username + ')' : a.username, a.groups.join(', ') || 'no group', a.enabled ? '' : 'disabled']
    .filter(Boolean)
    .join(' · ');
const bearerScheme = () => {
  const schemes = window.ui.specSelectors.specJson().getIn(['components', 'securitySchemes']).toJS();
  return Object.keys(schemes).find((name) => schemes[name].type === 'http' && schemes[name].scheme === 'bearer');
};
fetch('/docs/accounts')
  .then((res) => res.json())
  .then(({ accounts }) => {
    for (const account of accounts) select.append(new Option(label(account), account.username));
  })
  .catch(() => {
    status.textContent = 'the local accounts could not be read';
  });
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  status.textContent = 'signing in…';
  const res = await fetch('/docs/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: select.value }),
  });
  const body = await res.json();
  if (!res.ok) {
    status.textContent = body.message;
    return;
  }
  await loaded;
  window.ui.preauthorizeApiKey(bearerScheme(), body.token);
  status.textContent =
    'signed in as ' + body.username + '; "Try it out" sends its token (valid until ' +
    new Date(body.expiresAt).toLocaleTimeString() + ')';
});`;

const headers = (contentType: string) => ({
  'content-type': contentType,
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
});

/** Serves /docs and its assets; false for any other path. */
export const serveDocs = async (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  serviceNames: readonly string[],
): Promise<boolean> => {
  if (req.method !== 'GET') return false;
  if (url.pathname === '/docs' || url.pathname === '/docs/') {
    res.writeHead(200, headers('text/html; charset=utf-8'));
    res.end(page);
    return true;
  }
  if (url.pathname === '/docs/init.js') {
    res.writeHead(200, headers('text/javascript; charset=utf-8'));
    res.end(initScript(serviceNames));
    return true;
  }
  const name = url.pathname.startsWith('/docs/') ? url.pathname.slice('/docs/'.length) : undefined;
  const contentType = name === undefined ? undefined : assets[name];
  if (name === undefined || contentType === undefined) return false;
  const body = await readFile(join(swaggerUiDir, name));
  res.writeHead(200, { ...headers(contentType), 'cache-control': 'public, max-age=3600' });
  res.end(body);
  return true;
};
