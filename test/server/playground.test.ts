import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { newTimeline, newUser } from '../support/factories';
import { useTestServer } from './support';

/** Debian's `chromium` package (`apt-get install -y chromium`); nothing is downloaded by the test. */
const CHROMIUM = '/usr/bin/chromium';
const installed = existsSync(CHROMIUM);
const title = installed ? 'GraphiQL in headless Chromium' : `GraphiQL in headless Chromium — SKIPPED: ${CHROMIUM} is not installed (apt-get install -y chromium)`;
if (!installed) console.warn(`playground.test.ts skipped: ${CHROMIUM} is not installed; install it with: apt-get install -y chromium`);

describe.skipIf(!installed)(title, () => {
  const server = useTestServer({ config: { production: false } });
  const profile = mkdtempSync(join(tmpdir(), 'itimeline-chromium-'));
  let browser: BrowserContext | undefined;
  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('loads from this server alone and runs a query', async () => {
    const owner = await newUser(server);
    const timeline = await newTimeline(server, owner, { type: 'HASHTAG', name: `Playground${Date.now()}` });

    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage();
    const origin = new URL(server.url).origin;
    const elsewhere: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(server.url);
    await page.locator('.graphiql-container').waitFor({ timeout: 20_000 });
    // The default query lists hashtag timelines; run it with the toolbar's button.
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    await expect.poll(async () => result.textContent(), { timeout: 20_000 }).toContain(timeline.formattedName);

    // A query of one's own, typed into the editor.
    await page.evaluate((name) => {
      const editor = (globalThis as any).document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror;
      editor.setValue(`{ timelineByName(formattedName: "${name}") { id type } }`);
    }, timeline.formattedName);
    // GraphiQL picks up the edited document's operations after a debounce: run until it has.
    await expect
      .poll(
        async () => {
          await page.locator('.graphiql-execute-button').click();
          await page.waitForTimeout(300);
          return result.textContent();
        },
        { timeout: 20_000 },
      )
      .toContain(`"id": "${timeline.id}"`);

    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
