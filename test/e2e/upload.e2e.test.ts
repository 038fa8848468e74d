/**
 * A study file uploaded the way a browser does it: a plain HTML form carrying the presigned
 * POST's fields and a file input, submitted by Chromium straight to the storage. The
 * platform checks the stored object, makes the resource available, and its download link
 * gives back the very same bytes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfFile } from '../../infra/local/seed/files.js';
import { api, launch, requirePlatform, tokenFor } from './browser.js';

let browser: Browser;
let server: Server | undefined;
beforeAll(async () => {
  await requirePlatform();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

const attr = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The form a front end would render from the API's answer: nothing but HTML. */
const uploadPage = (upload: { url: string; fields: Record<string, string> }) => `<!doctype html>
<html><head><meta charset="utf-8"><title>上传学习资料</title></head><body>
<form id="upload" action="${attr(upload.url)}" method="post" enctype="multipart/form-data">
${Object.entries(upload.fields)
  .map(([name, value]) => `  <input type="hidden" name="${attr(name)}" value="${attr(value)}">`)
  .join('\n')}
  <input type="file" name="file">
  <button type="submit">上传</button>
</form></body></html>`;

/** A page from a throwaway local server, as a front end would be served from its own origin. */
const serve = async (html: string): Promise<string> => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
};

describe('a study file uploaded from a browser form', () => {
  it('becomes available and downloads with the same bytes', async () => {
    const token = await tokenFor({ roles: ['committee'] });
    const bytes = pdfFile(['Browser upload check', new Date().toISOString()]);
    const created = await api<{
      resourceId: string;
      upload: { url: string; fields: Record<string, string> };
    }>('POST', '/resources', token, {
      title: `浏览器上传测试 ${new Date().toISOString()}`,
      kind: 'document',
      contentType: 'application/pdf',
      sizeBytes: bytes.length,
      tags: ['e2e'],
    });
    expect(created.status).toBe(201);
    const { resourceId, upload } = created.body;

    const page = await browser.newPage();
    await page.goto(await serve(uploadPage(upload)));
    await page.setInputFiles('input[type=file]', {
      name: 'study.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(bytes),
    });
    const [answer] = await Promise.all([
      page.waitForResponse((res) => res.url().startsWith(upload.url) && res.request().method() === 'POST'),
      page.click('button[type=submit]'),
    ]);
    expect(answer.status()).toBeLessThan(300);

    // The platform decides after the storage's event has gone round the bus: asked until then.
    await expect
      .poll(
        async () => (await api<{ status: string }>('GET', `/resources/${resourceId}`, token)).body.status,
        {
          timeout: 30_000,
          interval: 200,
        },
      )
      .toBe('available');

    const link = await api<{ url: string }>('GET', `/resources/${resourceId}/download`, token);
    expect(link.status).toBe(200);
    const downloaded = await page.context().request.get(link.body.url);
    expect(downloaded.status()).toBe(200);
    expect(Buffer.from(await downloaded.body()).equals(Buffer.from(bytes))).toBe(true);
  });
});
