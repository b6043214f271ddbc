import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPage } from './support/browser.ts';
import { startSystem, type System } from './support/system.ts';

let system: System;
let browser: Browser;
beforeAll(async () => {
  system = await startSystem(['server/test-data.json']);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

it('smoke', async () => {
  const { page, context } = await newPage(browser);
  page.on('console', (m) => console.log('console:', m.text()));
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await page.goto(system.client);
  await page.getByRole('searchbox', { name: 'Search periods' }).fill('iron');
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'found' }).textContent(), { timeout: 20000 }).toMatch(/period/);
  console.log(await page.locator('main').innerText());
  await context.close();
});
