import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { tethrAppCredentialFromEnv } from '../../scripts/org/app-credential.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { useAuthenticatedFakeOrg } from './fake-org.ts';
import { runCommand } from './run-command.ts';

// Tethr's Dev Hub side of the packaged app: the JWT key pair, the certificate on the app's global
// OAuth settings (without ever changing its one consumer), and reading that consumer once.

const env = await useTemporarySfHome();
const { default: Create } = await import('../../scripts/commands/app-certificate-create.ts');
const { default: Deploy } = await import('../../scripts/commands/app-certificate-deploy.ts');
const { default: Credential } = await import('../../scripts/commands/app-credential.ts');
const { fake, username } = await useAuthenticatedFakeOrg(env);
const messages = loadMessages('devhub-app');

const KEY = '3MVG9DEVHUBKEY000000000000000000000000';
const SECRET = 'PUBLISHER-SECRET-of-the-devhub-app-99';
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-devhub-'));
  fake.metadata.seed(
    'ExtlClntAppGlobalOauthSettings',
    'Tethr_Integration',
    `<callbackUrl>https://login.salesforce.com/services/oauth2/success</callbackUrl><consumerKey>${KEY}</consumerKey><consumerSecret>${SECRET}</consumerSecret><externalClientApplication>Tethr_Integration</externalClientApplication><isClientCredentialsFlowEnabled>true</isClientCredentialsFlowEnabled><isConsumerSecretOptional>false</isConsumerSecretOptional><label>Tethr Integration Global OAuth Settings</label>`
  );
  const app = fake.org.add('ExternalClientApplication', {
    DeveloperName: 'Tethr_Integration',
    NamespacePrefix: null
  });
  fake.connect.consumers.set(app.Id, [
    { id: '0HxDEVHUB0000001', name: 'Tethr_Integration', key: KEY, secret: SECRET }
  ]);
});
after(() => rm(dir, { recursive: true, force: true }));

describe('tethr-sf app-certificate and app-credential (Dev Hub)', () => {
  it('creates a key pair: the private key 0600 and never printed, the certificate valid for it', async () => {
    const run = await runCommand(Create, ['--output-dir', dir, '--days', '30', '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    const result = (
      JSON.parse(run.stdout) as {
        result: { privateKeyFile: string; certificateFile: string; fingerprint: string };
      }
    ).result;
    assert.equal((await stat(result.privateKeyFile)).mode & 0o777, 0o600);
    const certificate = new X509Certificate(await readFile(result.certificateFile, 'utf8'));
    assert.equal(certificate.fingerprint256, result.fingerprint);
    assert.ok(!run.stdout.includes('PRIVATE KEY'));
    // The key works as Tethr's JWT key.
    const credential = tethrAppCredentialFromEnv({
      TETHR_SF_CONSUMER_KEY: KEY,
      TETHR_SF_JWT_KEY_FILE: result.privateKeyFile
    });
    assert.ok(certificate.checkPrivateKey(credential!.jwtKey!));
  });

  it('never overwrites an existing key pair', async () => {
    const run = await runCommand(Create, ['--output-dir', dir]);
    assert.equal(run.error?.message, messages.getMessage('error.OutputExists', [join(dir, 'tethr-jwt.key')]));
  });

  it('deploys the certificate with the same consumer key, and then finds nothing to change', async () => {
    const certificate = join(dir, 'tethr-jwt.crt');
    const run = await runCommand(Deploy, [
      '--target-dev-hub',
      username,
      '--certificate',
      certificate,
      '--json'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    const settings = fake.metadata.deploys
      .at(-1)!
      .components.find((c) => c.type === 'ExtlClntAppGlobalOauthSettings')!;
    assert.match(settings.content, new RegExp(`<consumerKey>${KEY}</consumerKey>`));
    assert.match(settings.content, new RegExp(`<consumerSecret>${SECRET}</consumerSecret>`));
    assert.match(settings.content, /<certificate>-----BEGIN CERTIFICATE-----/);
    assert.match(settings.content, /<isClientCredentialsFlowEnabled>true</);
    const again = await runCommand(Deploy, [
      '--target-dev-hub',
      username,
      '--certificate',
      certificate,
      '--json'
    ]);
    assert.equal((JSON.parse(again.stdout) as { result: { unchanged: boolean } }).result.unchanged, true);
  });

  // Settings that hide the consumer key (a deploy would replace the consumer) or the secret (it
  // could rotate the one secret of every customer): refused, and nothing deployed.
  for (const { title, settingsName, seeded, errorKey } of [
    {
      title: 'refuses to deploy when the Dev Hub hides the consumer key, which would replace the consumer',
      settingsName: 'Hidden_Key',
      seeded: '<externalClientApplication>Tethr_Integration</externalClientApplication>',
      errorKey: 'error.ConsumerKeyHidden'
    },
    {
      title:
        'refuses as well when the Dev Hub hides the secret, which could rotate the one secret of every customer',
      settingsName: 'Hidden_Secret',
      seeded: `<consumerKey>${KEY}</consumerKey><externalClientApplication>Tethr_Integration</externalClientApplication>`,
      errorKey: 'error.ConsumerSecretHidden'
    }
  ]) {
    it(title, async () => {
      fake.metadata.seed('ExtlClntAppGlobalOauthSettings', settingsName, seeded);
      const deploys = fake.metadata.deploys.length;
      const run = await runCommand(Deploy, [
        '--target-dev-hub',
        username,
        '--certificate',
        join(dir, 'tethr-jwt.crt'),
        '--settings-name',
        settingsName
      ]);
      assert.equal(run.error?.message, messages.getMessage(errorKey, [settingsName]));
      assert.equal(fake.metadata.deploys.length, deploys);
    });
  }

  it('reads the consumer key and secret once into a 0600 env file, printing neither', async () => {
    const output = join(dir, 'tethr-app.env');
    const run = await runCommand(Credential, [
      '--target-dev-hub',
      username,
      '--output',
      output,
      '--jwt-key-file',
      '/run/secrets/tethr-jwt.key'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.equal((await stat(output)).mode & 0o777, 0o600);
    const text = await readFile(output, 'utf8');
    assert.match(text, new RegExp(`^TETHR_SF_CONSUMER_KEY=${KEY}$`, 'm'));
    assert.match(text, new RegExp(`^TETHR_SF_CONSUMER_SECRET=${SECRET}$`, 'm'));
    assert.match(text, /^TETHR_SF_JWT_KEY_FILE=\/run\/secrets\/tethr-jwt.key$/m);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(KEY));
  });
});
