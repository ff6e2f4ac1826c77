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
  const launch = async () =>
    (browser ??= await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    }));
  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('loads from this server alone and runs a query', async () => {
    const owner = await newUser(server);
    const timeline = await newTimeline(server, owner, { type: 'HASHTAG', name: `Playground${Date.now()}` });

    const page = await (await launch()).newPage();
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

  /** A playground tab with `headers` typed under Headers and `query` in the editor. */
  async function playgroundTab(headers: Record<string, string>, query: string, pageErrors: string[]) {
    const page = await (await launch()).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    await page.locator('.graphiql-container').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Headers' }).click();
    await page.evaluate(
      ({ headers, query }) => {
        const document = (globalThis as any).document;
        document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').CodeMirror.setValue(JSON.stringify(headers));
        document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(query);
      },
      { headers, query },
    );
    return page;
  }

  it('runs a subscription over graphql-ws: an event created in another tab arrives in it', async () => {
    const owner = await newUser(server);
    const community = await newTimeline(server, owner, { type: 'COMMUNITY', visibility: 'PRIVATE', name: `Live${Date.now()}` });
    const headers = { Authorization: `Bearer ${owner.token}` };
    const pageErrors: string[] = [];

    // The private community exists only for its members: the subscription needs the Authorization header.
    const watching = await playgroundTab(headers, `subscription Live { eventAdded(timelineId: "${community.id}") { id title } }`, pageErrors);
    const creating = await playgroundTab(headers, `mutation Post { createEvent(input: { title: "Live from the other tab", timelineId: "${community.id}" }) { id } }`, pageErrors);

    // Run the subscription until GraphiQL has picked up the edited document (it shows a stop button while subscribed).
    await expect
      .poll(
        async () => {
          if ((await watching.locator('.graphiql-execute-button[aria-label*="Stop"]').count()) === 0) {
            await watching.locator('.graphiql-execute-button').click();
            await watching.waitForTimeout(500);
          }
          return watching.locator('.graphiql-execute-button[aria-label*="Stop"]').count();
        },
        { timeout: 20_000 },
      )
      .toBe(1);

    // Post from the other tab until the event shows in the subscription's result (the socket connects lazily).
    const result = watching.locator('.result-window');
    await expect
      .poll(
        async () => {
          await creating.locator('.graphiql-execute-button').click();
          await creating.waitForTimeout(1000);
          return result.textContent();
        },
        { timeout: 30_000 },
      )
      .toContain('Live from the other tab');
    expect(await result.textContent()).toContain('"eventAdded"');
    expect(await creating.locator('.result-window').textContent()).toContain('"createEvent"');
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
