import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { readConnection } from '../../scripts/org/connection-files.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { addIntegrationUser } from './fake-org.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { startShapedOrg, type ShapedOrg } from './shaped-org.ts';
import { runCommand } from './run-command.ts';

const env = await useTemporarySfHome();
const { default: Connection } = await import('../../scripts/commands/connection.ts');
const { default: Credentials } = await import('../../scripts/commands/credentials.ts');
after(() => env.restore());

const connectionMessages = loadMessages('connection');
const consumerMessages = loadMessages('org-app-consumer');
const SECRET = 'ECA-S3CR3T-must-not-leak-4a5b6c';
const KEY = '3MVG9ECAKEY-0123456789abcdef';
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-connection-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('tethr-sf connection, package installed', () => {
  let org: ShapedOrg;
  before(async () => {
    org = await startShapedOrg('messaging', { installed: { messagingExtension: true } });
    addIntegrationUser(org.fake);
  });
  after(() => org.fake.stop());

  it('writes a file with no secret field and never asks the org for the packaged consumer', async () => {
    const output = join(dir, 'packaged.json');
    const run = await runCommand(Connection, ['--target-org', org.username, '--output', output, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    const file = JSON.parse(await readFile(output, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(
      { ...file, createdAt: 'x' },
      {
        schema: 'tethr-salesforce-connection/v2',
        orgId: '00D000000000001EAA',
        instanceUrl: org.fake.url,
        isSandbox: false,
        namespace: 'tethr',
        integrationUsername: 'tethr.integration@acme.example',
        channels: ['Case', 'MessagingSession'],
        app: 'packaged',
        authFlow: 'jwt_bearer',
        apiVersion: '66.0',
        createdAt: 'x'
      }
    );
    assert.equal(org.fake.server.find(/\/apps\/oauth\/credentials\//).length, 0);
  });

  it('says in one sentence why there is no secret, and takes --auth-flow client_credentials', async () => {
    const output = join(dir, 'packaged-cc.json');
    const run = await runCommand(Connection, [
      '--target-org',
      org.username,
      '--output',
      output,
      '--auth-flow',
      'client_credentials'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.stdout.includes(connectionMessages.getMessage('packaged')));
    assert.equal((await readConnection(output)).authFlow, 'client_credentials');
  });

  it('leaves switched-off channels out', async () => {
    org.fake.org
      .all('tethr__Tethr_Channel__mdt')
      .find((r) => r.DeveloperName === 'MessagingSession')!.tethr__Enabled__c = false;
    try {
      const output = join(dir, 'switched.json');
      const run = await runCommand(Connection, ['--target-org', org.username, '--output', output]);
      assert.equal(run.error, undefined, run.error?.message);
      assert.deepEqual((await readConnection(output)).channels, ['Case']);
    } finally {
      org.fake.org
        .all('tethr__Tethr_Channel__mdt')
        .find((r) => r.DeveloperName === 'MessagingSession')!.tethr__Enabled__c = true;
    }
  });

  it('keeps `credentials` as an alias that says what it now does', async () => {
    const output = join(dir, 'alias.json');
    const run = await runCommand(Credentials, ['--target-org', org.username, '--output', output]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.stderr.includes('is now `sf tethr connection`'), run.stderr);
    assert.equal((await readConnection(output)).app, 'packaged');
  });
});

describe('tethr-sf connection, org-local app', () => {
  let org: ShapedOrg;
  before(async () => {
    org = await startShapedOrg('case-only');
    addIntegrationUser(org.fake);
    const app = org.fake.org.add('ExternalClientApplication', {
      DeveloperName: 'Tethr_Integration',
      NamespacePrefix: null
    });
    org.fake.connect.consumers.set(app.Id, [
      { id: '0HxCONSUMER000001', name: 'Tethr_Integration', key: KEY, secret: SECRET }
    ]);
  });
  after(() => org.fake.stop());
  beforeEach(() => {
    org.fake.connect.secretAccessEnabled = true;
    org.fake.server.clearLog();
  });

  it('reads the org own key and secret through Connect REST into a 0600 file, printing neither', async () => {
    const output = join(dir, 'local.json');
    const run = await runCommand(Connection, ['--target-org', org.username, '--output', output, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    assert.equal((await stat(output)).mode & 0o777, 0o600);
    const connection = await readConnection(output);
    assert.equal(connection.app, 'local');
    assert.equal(connection.authFlow, 'client_credentials');
    assert.deepEqual(connection.fileSecrets, { consumerKey: KEY, consumerSecret: SECRET });
    assert.equal(org.fake.server.find('connect.credentials.get')[0]?.query.part, 'keyandsecret');
    assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET), 'secret leaked');
    assert.ok(!`${run.stdout}${run.stderr}`.includes(KEY), 'full consumer key leaked');
  });

  it('refuses JWT bearer for the org-local app before reading its secret, and writes nothing', async () => {
    const output = join(dir, 'local-jwt.json');
    const run = await runCommand(Connection, [
      '--target-org',
      org.username,
      '--output',
      output,
      '--auth-flow',
      'jwt_bearer'
    ]);
    assert.equal(
      run.error?.message,
      loadMessages('connection-builder').getMessage('error.FlowNotForApp', [
        'jwt_bearer',
        'local',
        'client_credentials'
      ])
    );
    assert.equal(org.fake.server.find(/\/apps\/oauth\/credentials\//).length, 0);
    await assert.rejects(stat(output), { code: 'ENOENT' });
  });

  it('prints the secret only with --show-secrets', async () => {
    const run = await runCommand(Connection, [
      '--target-org',
      org.username,
      '--output',
      join(dir, 'shown.json'),
      '--show-secrets'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.stdout.includes(SECRET));
  });

  it('age-encrypts with --encrypt-to', async () => {
    const identity = await generateIdentity();
    const output = join(dir, 'local.json.age');
    const run = await runCommand(Connection, [
      '--target-org',
      org.username,
      '--output',
      output,
      '--encrypt-to',
      await identityToRecipient(identity)
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(!(await readFile(output, 'utf8')).includes(SECRET));
    assert.equal((await readConnection(output, { identity })).fileSecrets?.consumerSecret, SECRET);
  });

  it('refuses a bad --encrypt-to before reading the secret, and writes nothing', async () => {
    const output = join(dir, 'bad.json.age');
    const run = await runCommand(Connection, [
      '-o',
      org.username,
      '-f',
      output,
      '--encrypt-to',
      'age1notarecipient',
      '--json'
    ]);
    assert.equal(run.error?.name, 'MalformedAgeRecipientError');
    assert.ok(run.error?.message.startsWith('--encrypt-to: '));
    assert.equal(run.exitCode, 1);
    assert.equal(org.fake.server.find('connect.credentials.get').length, 0);
    await assert.rejects(stat(output));
  });

  it('explains what to turn on when Salesforce hides the secret', async () => {
    org.fake.connect.secretAccessEnabled = false;
    const run = await runCommand(Connection, [
      '--target-org',
      org.username,
      '--output',
      join(dir, 'hidden.json')
    ]);
    assert.equal(run.error?.name, 'ConsumerSecretForbiddenError');
    assert.deepEqual(
      run.error?.actions,
      consumerMessages.getMessages('error.ConsumerSecretForbidden.actions', ['Tethr_Integration'])
    );
  });

  it('LEGACY: lists what the admin must copy by hand for the Connected App, then writes it', async () => {
    org.fake.metadata.seed(
      'ConnectedApp',
      'Tethr_Connected_App',
      '<label>Tethr Connected App</label><oauthConfig><callbackUrl>https://x</callbackUrl><consumerKey>3MVG9LEGACYKEY</consumerKey></oauthConfig>'
    );
    const missing = await runCommand(Connection, [
      '--target-org',
      org.username,
      '--legacy-connected-app',
      '--output',
      join(dir, 'legacy.json')
    ]);
    assert.equal(missing.error?.name, 'LegacyCredentialsNeedAdminError');
    assert.match(missing.error!.message, /TETHR_CONSUMER_SECRET: Setup > App Manager > Tethr_Connected_App/);
    assert.match(missing.error!.message, /TETHR_INTEGRATION_PASSWORD/);
    assert.match(missing.error!.message, /TETHR_SECURITY_TOKEN/);
    Object.assign(process.env, {
      TETHR_CONSUMER_SECRET: 'LEGACY-SECRET-x1',
      TETHR_INTEGRATION_PASSWORD: 'LEGACY-PASS-x2',
      TETHR_SECURITY_TOKEN: 'LEGACY-TOKEN-x3'
    });
    try {
      const output = join(dir, 'legacy.json');
      const run = await runCommand(Connection, [
        '--target-org',
        org.username,
        '--legacy-connected-app',
        '--output',
        output
      ]);
      assert.equal(run.error, undefined, run.error?.message);
      const connection = await readConnection(output);
      assert.equal(connection.app, 'legacy-connected-app');
      assert.equal(connection.authFlow, 'password');
      assert.equal(connection.fileSecrets?.password, 'LEGACY-PASS-x2');
    } finally {
      delete process.env.TETHR_CONSUMER_SECRET;
      delete process.env.TETHR_INTEGRATION_PASSWORD;
      delete process.env.TETHR_SECURITY_TOKEN;
    }
  });
});
