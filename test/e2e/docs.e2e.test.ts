/**
 * The API docs page as a person sees it: Swagger UI, rendered by a real browser from the
 * running platform's /openapi.json, lists every route of every service description.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../services/index.js';
import { baseUrl, launch, requirePlatform } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  await requirePlatform();
  browser = await launch();
});
afterAll(async () => browser?.close());

describe('the docs page', () => {
  it('renders an operation for every route of every service', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${baseUrl}/docs`);
    // Swagger UI draws the operations after it has fetched and parsed /openapi.json.
    await page.locator('.opblock').first().waitFor({ state: 'visible', timeout: 30_000 });
    const rendered = await page.$$eval('.opblock', (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method} ${path}`;
      }),
    );
    const expected = services.flatMap((s) => s.routes.map((r) => `${r.method} ${r.path}`));
    expect(expected.length).toBeGreaterThan(50);
    expect(rendered.filter((op) => !expected.includes(op))).toEqual([]);
    expect(expected.filter((op) => !rendered.includes(op))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
