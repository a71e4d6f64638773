import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { readBundle } from '../../scripts/org/credentials-bundle.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { addIntegrationUser, useAuthenticatedFakeOrg } from './fake-org.ts';
import { runCommand } from './run-command.ts';

const env = await useTemporarySfHome();
const { default: Credentials } = await import('../../scripts/commands/credentials.ts');
const { fake, username } = await useAuthenticatedFakeOrg(env);

const SECRET = 'ECA-S3CR3T-must-not-leak-4a5b6c';
const KEY = '3MVG9ECAKEY-0123456789abcdef';
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-credentials-'));
  addIntegrationUser(fake);
  const app = fake.org.add('ExternalClientApplication', {
    DeveloperName: 'Tethr_Integration',
    NamespacePrefix: null
  });
  fake.connect.consumers.set(app.Id, [
    { id: '0HxCONSUMER000001', name: 'Tethr_Integration', key: KEY, secret: SECRET }
  ]);
  fake.org.add('Tethr_Channel__mdt', { DeveloperName: 'Case', Enabled__c: true });
  fake.org.add('Tethr_Channel__mdt', { DeveloperName: 'MessagingSession', Enabled__c: true });
  fake.org.add('Tethr_Channel__mdt', { DeveloperName: 'LiveChatTranscript', Enabled__c: false });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.connect.secretAccessEnabled = true;
  fake.server.clearLog();
});

describe('tethr-sf credentials', () => {
  it('reads key and secret through Connect REST and writes a 0600 bundle without printing the secret', async () => {
    const output = join(dir, 'plain.credentials.json');
    const run = await runCommand(Credentials, ['--target-org', username, '--output', output, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    assert.equal((await stat(output)).mode & 0o777, 0o600);
    const bundle = await readBundle(output);
    assert.deepEqual(
      { ...bundle, createdAt: 'x' },
      {
        schema: 'tethr-salesforce-credentials/v1',
        orgId: '00D000000000001EAA',
        myDomainUrl: fake.url,
        authFlow: 'client_credentials',
        consumerKey: KEY,
        consumerSecret: SECRET,
        integrationUsername: 'tethr.integration@acme.example',
        namespace: '',
        eventTopic: '/event/Conversation_Closed__e',
        apiVersion: '66.0',
        channels: ['Case', 'MessagingSession'],
        createdAt: 'x'
      }
    );
    const [detail] = fake.server.find('connect.credentials.get');
    assert.equal(detail?.query.part, 'keyandsecret');
    assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET), 'secret leaked to output');
    assert.ok(!`${run.stdout}${run.stderr}`.includes(KEY), 'full consumer key leaked to output');
  });

  it('prints the secret only with --show-secrets', async () => {
    const run = await runCommand(Credentials, [
      '--target-org',
      username,
      '--output',
      join(dir, 'shown.credentials.json'),
      '--show-secrets'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.stdout.includes(SECRET));
  });

  it('age-encrypts the bundle with --encrypt-to', async () => {
    const identity = await generateIdentity();
    const output = join(dir, 'enc.credentials.json.age');
    const run = await runCommand(Credentials, [
      '--target-org',
      username,
      '--output',
      output,
      '--encrypt-to',
      await identityToRecipient(identity)
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(!(await readFile(output, 'utf8')).includes(SECRET));
    assert.equal((await readBundle(output, { identity })).consumerSecret, SECRET);
  });

  it('refuses a bad --encrypt-to before reading the secret, and writes nothing', async () => {
    fake.server.clearLog();
    const output = join(dir, 'bad-recipient.credentials.json.age');
    const args = ['-o', username, '-f', output, '--encrypt-to', 'age1notarecipient', '--json'];
    const run = await runCommand(Credentials, args);
    assert.equal(run.error?.name, 'MalformedAgeRecipientError');
    assert.equal(run.exitCode, 1);
    assert.ok(run.error?.actions?.length);
    assert.equal(fake.server.find('connect.credentials.get').length, 0);
    await assert.rejects(stat(output));
  });

  it('explains what to turn on when Salesforce hides the secret', async () => {
    fake.connect.secretAccessEnabled = false;
    const run = await runCommand(Credentials, [
      '--target-org',
      username,
      '--output',
      join(dir, 'no.credentials.json')
    ]);
    assert.equal(run.error?.name, 'ConsumerSecretForbidden');
    assert.ok(run.error?.actions?.some((a) => a.includes('tethr-sf app-policies')));
  });

  it('lists what the admin must copy by hand for the legacy Connected App', async () => {
    fake.metadata.seed(
      'ConnectedApp',
      'Tethr_Connected_App',
      '<label>Tethr Connected App</label><oauthConfig><callbackUrl>https://x</callbackUrl><consumerKey>3MVG9LEGACYKEY</consumerKey></oauthConfig>'
    );
    const missing = await runCommand(Credentials, [
      '--target-org',
      username,
      '--legacy-connected-app',
      '--output',
      join(dir, 'legacy.credentials.json')
    ]);
    assert.equal(missing.error?.name, 'LegacyCredentialsNeedAdmin');
    assert.match(missing.error!.message, /TETHR_CONSUMER_SECRET: Setup > App Manager > Tethr_Connected_App/);
    assert.match(missing.error!.message, /TETHR_INTEGRATION_PASSWORD/);
    assert.match(missing.error!.message, /TETHR_SECURITY_TOKEN/);

    Object.assign(process.env, {
      TETHR_CONSUMER_SECRET: 'LEGACY-SECRET-x1',
      TETHR_INTEGRATION_PASSWORD: 'LEGACY-PASS-x2',
      TETHR_SECURITY_TOKEN: 'LEGACY-TOKEN-x3'
    });
    try {
      const output = join(dir, 'legacy.credentials.json');
      const run = await runCommand(Credentials, [
        '--target-org',
        username,
        '--legacy-connected-app',
        '--output',
        output
      ]);
      assert.equal(run.error, undefined, run.error?.message);
      const bundle = await readBundle(output);
      assert.equal(bundle.authFlow, 'password');
      assert.equal(bundle.consumerKey, '3MVG9LEGACYKEY');
      assert.equal(bundle.password, 'LEGACY-PASS-x2');
      for (const secret of ['LEGACY-SECRET-x1', 'LEGACY-PASS-x2', 'LEGACY-TOKEN-x3'])
        assert.ok(!`${run.stdout}${run.stderr}`.includes(secret));
    } finally {
      delete process.env.TETHR_CONSUMER_SECRET;
      delete process.env.TETHR_INTEGRATION_PASSWORD;
      delete process.env.TETHR_SECURITY_TOKEN;
    }
  });
});
