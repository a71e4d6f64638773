// The setup page in a real browser: compiled by the LWC compiler, styled by SLDS, fed by
// fixtures instead of an org. Proves the checklist renders and that "Send a test notification"
// ends with an event row, and leaves a screenshot under artifacts/ for people to look at.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { REPOSITORY_ROOT } from '../../scripts/preview/build.ts';
import { startPreview } from '../../scripts/preview/preview.ts';
import type { StaticServer } from '../../scripts/preview/static-server.ts';
import { launchChromium, type HeadlessChromium } from './chromium.ts';
import { ORG_MY_DOMAIN_URL, serveAsOrg } from './org-host.ts';

const ARTIFACTS = path.join(REPOSITORY_ROOT, 'artifacts', 'browser');
const TIMEOUT_MS = 20_000;

let server: StaticServer;
let chromium: HeadlessChromium;
let page: Page;

before(async () => {
  // One build for the whole file: it dominates the run time (30-45 s on 2 cores).
  server = await startPreview();
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Served as if from an org's Lightning host, so the handoff shows a real-looking My Domain URL.
  await page.goto(await serveAsOrg(chromium.context, server.url));
  await page.getByRole('heading', { level: 1, name: 'Tethr setup' }).waitFor({ timeout: TIMEOUT_MS });
  assert.deepEqual(pageErrors, [], 'the page loads without script errors');
});

after(async () => {
  await chromium?.close();
  await server?.close();
});

test('the OAuth checklist shows every policy with its exact value', async () => {
  const checklist = page.locator('ol.tethr-checklist > li');
  await checklist.first().waitFor({ timeout: TIMEOUT_MS });
  assert.equal(await checklist.count(), 6);
  const text = await page.locator('ol.tethr-checklist').innerText();
  assert.match(text, /Relax IP restrictions/);
  assert.match(text, /Admin approved users are pre-authorized/);
  assert.match(text, /Tethr_Integration_User/);
  // The run-as value is the integration user the page found.
  assert.match(text, /tethr\.integration@acme\.example/);
  assert.match(await page.locator('.tethr-checklist ~ pre').innerText(), /npx tethr-sf app-policies/);
});

test('sending a test notification produces an event row in the live list', async () => {
  await page.getByText('Listening for closed conversations.').waitFor({ timeout: TIMEOUT_MS });
  await page.getByRole('button', { name: 'Send a test notification' }).click();
  const row = page.locator('tr.tethr-event-row').first();
  await row.waitFor({ timeout: TIMEOUT_MS });
  assert.match(await row.innerText(), /500PV\w+\s+Case\s+Web/);
  await page.getByText('The notification arrived: the connection works.').waitFor({ timeout: TIMEOUT_MS });
  await page.getByText('The test case was deleted.').waitFor({ timeout: TIMEOUT_MS });

  // The handoff names the org's My Domain, derived from the Lightning host the page runs on.
  assert.equal(await page.locator('[data-item="myDomainUrl"] code').innerText(), ORG_MY_DOMAIN_URL);

  // Icons load as separate chunks: wait for them so the picture is complete.
  await page.locator('lightning-icon svg').nth(3).waitFor({ timeout: TIMEOUT_MS });
  await mkdir(ARTIFACTS, { recursive: true });
  const screenshot = path.join(ARTIFACTS, 'setup-page.png');
  await page.screenshot({ path: screenshot, fullPage: true, animations: 'disabled' });
  console.log(`Screenshot of the setup page: ${screenshot}`);
});
