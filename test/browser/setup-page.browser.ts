// The setup page in a real browser: compiled by the LWC compiler, styled by SLDS, fed by
// fixtures instead of an org, rendered as the installed package (tethr namespace). Proves the
// sections render and work together (access, connection file, last step, test notification),
// that each preview state (?state=...) shows its design, and leaves a screenshot under artifacts/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseConnectionFile } from '../../scripts/contracts/connection-file.ts';
import { REPOSITORY_ROOT } from '../../scripts/preview/build.ts';
import { startPreview, type PreviewServer } from '../../scripts/preview/preview.ts';
import { launchChromium, type HeadlessChromium } from './chromium.ts';
import { ORG_MY_DOMAIN_URL, serveAsOrg } from './org-host.ts';

const ARTIFACTS = path.join(REPOSITORY_ROOT, 'artifacts', 'browser');
const TIMEOUT_MS = 20_000;

let server: PreviewServer;
let chromium: HeadlessChromium;
let orgUrl: string;

/** The objects the access section lists, in order. */
async function objectsListed(page: Page): Promise<(string | null)[]> {
  const rows = await page.locator('tr.tethr-access-row').all();
  return Promise.all(rows.map((row) => row.getAttribute('data-object')));
}

/** A fresh page on the pretend org's host, in the given preview state, loaded without script errors. */
async function openPage(state?: string): Promise<Page> {
  const page = await chromium.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(state ? `${orgUrl}?state=${state}` : orgUrl);
  await page.getByRole('heading', { level: 1, name: 'Tethr setup' }).waitFor({ timeout: TIMEOUT_MS });
  assert.deepEqual(pageErrors, [], 'the page loads without script errors');
  return page;
}

before(async () => {
  // One build for the whole file: it dominates the run time (startPreview reports it as buildMs).
  server = await startPreview();
  assert.ok(server.buildMs > 0, 'the preview measures its build instead of announcing a guess');
  chromium = await launchChromium();
  // Served as if from an org's Lightning host, so the handoff shows a real-looking My Domain URL.
  orgUrl = await serveAsOrg(chromium.context, server.url);
});

after(async () => {
  await chromium?.close();
  await server?.close();
});

describe('the ready org (default state)', () => {
  let page: Page;
  before(async () => {
    page = await openPage();
  });

  test('the OAuth checklist shows every policy with its exact value and the sf plugin command', async () => {
    const checklist = page.locator('ol.tethr-checklist > li');
    await checklist.first().waitFor({ timeout: TIMEOUT_MS });
    assert.equal(await checklist.count(), 6);
    const text = await page.locator('ol.tethr-checklist').innerText();
    assert.match(text, /Relax IP restrictions/);
    assert.match(text, /Admin approved users are pre-authorized/);
    assert.match(text, /Tethr_Integration_Access/);
    // The run-as value is the integration user the page found.
    assert.match(text, /tethr\.integration@acme\.example/);
    assert.equal(
      await page.locator('.tethr-checklist ~ pre.tethr-cli').innerText(),
      'sf plugins install @tethr/plugin-salesforce\nsf tethr app-policies --target-org <alias>'
    );
  });

  test('the access section lists the objects of this org and finds them all granted', async () => {
    await page.getByText('The integration user can read everything Tethr needs in this org.').waitFor({
      timeout: TIMEOUT_MS
    });
    const objects = await objectsListed(page);
    assert.deepEqual(objects, [
      'Case',
      'Contact',
      'EmailMessage',
      'CaseComment',
      'MessagingSession',
      'Conversation',
      'MessagingEndUser'
    ]);
  });

  test('the connection file is a valid packaged v2 file, and the download holds exactly that text', async () => {
    const pre = page.locator('pre.tethr-connection-file');
    await page.getByRole('link', { name: /Download tethr-connection-00D/ }).waitFor({ timeout: TIMEOUT_MS });
    const text = await pre.innerText();
    const file = parseConnectionFile(JSON.parse(text), 'the setup page');
    assert.equal(file.app, 'packaged');
    assert.equal(file.authFlow, 'jwt_bearer');
    assert.equal(file.instanceUrl, ORG_MY_DOMAIN_URL);
    assert.equal(file.namespace, 'tethr');
    assert.deepEqual(file.channels, ['Case', 'MessagingSession']);
    assert.equal('consumerSecret' in file, false);
    const href = (await page.locator('a.tethr-download').getAttribute('href')) ?? '';
    assert.equal(decodeURIComponent(href.slice(href.indexOf(',') + 1)).trim(), text.trim());

    await page.getByText('Client credentials (only if Tethr asked for it)').click();
    assert.equal(JSON.parse(await pre.innerText()).authFlow, 'client_credentials');
    await page.getByText('JWT bearer (recommended', { exact: false }).click();
  });

  test("the last step names what Tethr runs to verify delivery, with this org's file", async () => {
    const command = await page.locator('pre.tethr-verify').innerText();
    assert.match(
      command,
      /^sf tethr verify --connection tethr-connection-00DDn00000TethrAAA\.json --since \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/
    );
  });

  test('sending a test notification produces an event row in the live list', async () => {
    await page.getByText('Listening for closed conversations.').waitFor({ timeout: TIMEOUT_MS });
    await page.getByRole('button', { name: 'Send a test notification' }).click();
    const row = page.locator('tr.tethr-event-row').first();
    await row.waitFor({ timeout: TIMEOUT_MS });
    assert.match(await row.innerText(), /500PV\w+\s+Case\s+Web/);
    await page.getByText('The notification arrived: the connection works.').waitFor({ timeout: TIMEOUT_MS });
    await page.getByText('The test case was deleted.').waitFor({ timeout: TIMEOUT_MS });

    // Icons load as separate chunks: wait for them so the picture is complete.
    await page.locator('lightning-icon svg').nth(3).waitFor({ timeout: TIMEOUT_MS });
    await mkdir(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, 'setup-page.png');
    await page.screenshot({ path: screenshot, fullPage: true, animations: 'disabled' });
    console.log(`Screenshot of the setup page: ${screenshot}`);
  });
});

describe('preview states (?state=...)', () => {
  test('no-integration-user: the setup flow creates the user, then both sections check again', async () => {
    const page = await openPage('no-integration-user');
    await page.getByText('No user holds the Tethr Integration User permission set yet.').waitFor({
      timeout: TIMEOUT_MS
    });
    await page
      .getByText('There is no integration user yet.', { exact: false })
      .waitFor({ timeout: TIMEOUT_MS });
    assert.match(
      await page.locator('.tethr-incomplete').innerText(),
      /the integration username: create the integration user first/
    );
    await page.getByRole('button', { name: 'Run the Tethr setup flow' }).click();
    assert.match(
      await page.locator('.tethr-preview-flow').innerText(),
      /Tethr_Set_Up_Integration_User \(preview\): sets up a new API-only user with read access to 7 objects/
    );
    await page.getByRole('button', { name: 'Finish' }).click();
    await page
      .getByText('The setup flow finished for tethr.integration@acme.example.', { exact: false })
      .waitFor({
        timeout: TIMEOUT_MS
      });
    await page.getByText('An active API-only integration user is ready.').waitFor({ timeout: TIMEOUT_MS });
    await page.getByText('The integration user can read everything Tethr needs in this org.').waitFor({
      timeout: TIMEOUT_MS
    });
    await page.close();
  });

  test('flow-fails: the page names the step that failed and keeps the click path', async () => {
    const page = await openPage('flow-fails');
    await page.getByRole('button', { name: 'Run the Tethr setup flow' }).click();
    await page.getByRole('button', { name: 'Finish' }).click();
    await page
      .getByText('The setup flow stopped at "Create the integration user"', { exact: false })
      .waitFor({ timeout: TIMEOUT_MS });
    await page.getByText('Or do it by hand in Setup').click();
    assert.ok((await page.locator('li.tethr-manual-step').count()) >= 5);
    await page.close();
  });

  test('case-only: no Messaging or Chat object is asked for, and the file names Case only', async () => {
    const page = await openPage('case-only');
    await page.getByText('The integration user can read everything Tethr needs in this org.').waitFor({
      timeout: TIMEOUT_MS
    });
    const objects = await objectsListed(page);
    assert.deepEqual(objects, ['Case', 'Contact', 'EmailMessage', 'CaseComment']);
    assert.deepEqual(JSON.parse(await page.locator('pre.tethr-connection-file').innerText()).channels, [
      'Case'
    ]);
    await page.close();
  });

  test('access-missing: lists what is missing', async () => {
    const page = await openPage('access-missing');
    await page.getByText('The integration user cannot read everything Tethr needs yet:').waitFor({
      timeout: TIMEOUT_MS
    });
    assert.match(await page.locator('.tethr-missing').innerText(), /No read access to EmailMessage\./);
    await page.close();
  });

  test('cannot-check: says it cannot tell, and asks for the org id', async () => {
    const page = await openPage('cannot-check');
    await page.getByText('This page could not read permission set assignments', { exact: false }).waitFor({
      timeout: TIMEOUT_MS
    });
    await page.getByLabel('Organization ID').fill('00DDn00000TypedAAA');
    await page.getByLabel('Organization ID').blur();
    assert.match(await page.locator('.tethr-incomplete').innerText(), /the integration username/);
    assert.doesNotMatch(await page.locator('.tethr-incomplete').innerText(), /organization ID/);
    await page.close();
  });

  test('an unknown state says which states exist', async () => {
    const page = await openPage('no-such-state');
    assert.match(await page.getByRole('alert').first().innerText(), /no state "no-such-state".*case-only/);
    await page.close();
  });
});
