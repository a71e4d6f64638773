// The setup page writes the v2 connection file in JavaScript (an LWC cannot import TypeScript).
// Everything it builds must pass the contract's own parser, for every sign-in flow the page
// offers, and must hold no secret field: this is the file an admin e-mails to Tethr.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  CONNECTION_SCHEMA,
  CONNECTION_SECRET_FIELDS,
  FLOWS_FOR_APP,
  parseConnectionFile
} from '../../scripts/contracts/connection-file.ts';

const MODULE = path.resolve(
  import.meta.dirname,
  '../../force-app/main/default/lwc/tethrConnectionFile/tethrConnectionFile.js'
);
const page = (await import(pathToFileURL(MODULE).href)) as {
  CONNECTION_SCHEMA: string;
  AUTH_FLOWS: string[];
  DEFAULT_AUTH_FLOW: string;
  buildConnectionFile(facts: Record<string, unknown>): Record<string, unknown>;
  connectionFileText(file: Record<string, unknown>): string;
  connectionFileHref(text: string): string;
  missingPieces(facts: Record<string, unknown>): string[];
  isSandboxHost(hostname: string): boolean;
};

const FACTS = {
  orgId: '00DDn00000TethrAAA',
  instanceUrl: 'https://acme.my.salesforce.com',
  isSandbox: false,
  namespace: 'tethr',
  integrationUsername: 'tethr.integration@acme.example',
  channels: ['Case', 'MessagingSession'],
  createdAt: '2026-12-01T09:30:00.000Z'
};

describe('the connection file the setup page offers', () => {
  test('uses the contract schema name and offers exactly the packaged sign-in flows', () => {
    assert.equal(page.CONNECTION_SCHEMA, CONNECTION_SCHEMA);
    assert.deepEqual([...page.AUTH_FLOWS].sort(), [...FLOWS_FOR_APP.packaged].sort());
    assert.equal(page.DEFAULT_AUTH_FLOW, 'jwt_bearer');
  });

  for (const authFlow of FLOWS_FOR_APP.packaged) {
    test(`passes the contract parser with authFlow ${authFlow}`, () => {
      const text = page.connectionFileText(page.buildConnectionFile({ ...FACTS, authFlow }));
      const parsed = parseConnectionFile(JSON.parse(text), 'setup page download');
      assert.deepEqual(parsed, {
        schema: CONNECTION_SCHEMA,
        ...FACTS,
        app: 'packaged',
        authFlow,
        apiVersion: '66.0'
      });
    });
  }

  test('holds no secret field and nothing the contract does not define', () => {
    const file = page.buildConnectionFile({ ...FACTS, authFlow: 'jwt_bearer' });
    for (const secret of [...CONNECTION_SECRET_FIELDS, 'consumerKey'])
      assert.equal(secret in file, false, secret);
  });

  test('a sandbox file parses too', () => {
    const file = page.buildConnectionFile({
      ...FACTS,
      instanceUrl: 'https://acme--uat.sandbox.my.salesforce.com',
      isSandbox: true,
      authFlow: 'client_credentials'
    });
    assert.equal(parseConnectionFile(file, 'setup page download').isSandbox, true);
    assert.equal(page.isSandboxHost('acme--uat.sandbox.lightning.force.com'), true);
    assert.equal(page.isSandboxHost('acme.lightning.force.com'), false);
  });

  test('the download link carries exactly the shown text', () => {
    const text = page.connectionFileText(page.buildConnectionFile({ ...FACTS, authFlow: 'jwt_bearer' }));
    const href = page.connectionFileHref(text);
    assert.ok(href.startsWith('data:application/json;charset=utf-8,'));
    assert.equal(decodeURIComponent(href.slice(href.indexOf(',') + 1)), text);
  });

  test('names what is still missing instead of offering an incomplete file', () => {
    assert.deepEqual(
      page.missingPieces({ ...FACTS, orgId: undefined, integrationUsername: '', channels: [] }),
      ['orgId', 'integrationUsername', 'channels']
    );
    assert.deepEqual(page.missingPieces(FACTS), []);
  });
});
