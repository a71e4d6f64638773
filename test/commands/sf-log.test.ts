import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { addIntegrationUser, useAuthenticatedFakeOrg } from './fake-org.ts';
import { runCommand } from './run-command.ts';
import { useTemporarySfHome } from './sf-home.ts';

// The other command tests turn @salesforce/core's log file off. Here it is on, at its most verbose
// level, while the commands that handle a consumer secret run (the org-local app's, read through
// Connect REST; the packaged app's, read in the Dev Hub, and sent back inside the metadata deploy
// that puts the certificate on its global OAuth settings): the log must not hold the secret, nor
// the JWT private key.

const env = await useTemporarySfHome();
process.env.SF_DISABLE_LOG_FILE = 'false';
process.env.SF_LOG_LEVEL = 'trace';
const { default: Connection } = await import('../../scripts/commands/connection.ts');
const { default: AppCredential } = await import('../../scripts/commands/app-credential.ts');
const { default: CertificateCreate } = await import('../../scripts/commands/app-certificate-create.ts');
const { default: CertificateDeploy } = await import('../../scripts/commands/app-certificate-deploy.ts');
const { fake, username } = await useAuthenticatedFakeOrg(env);

const KEY = '3MVG9LOGCHECKKEY00000000000000000000000';
const SECRET = 'FAKESECRET-must-not-reach-the-sf-log-5e6f';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

it('the sf log file holds no consumer secret or private key after connection, app-credential and app-certificate', async () => {
  addIntegrationUser(fake);
  const app = fake.org.add('ExternalClientApplication', {
    DeveloperName: 'Tethr_Integration',
    NamespacePrefix: null
  });
  fake.connect.consumers.set(app.Id, [
    { id: '0HxLOGCHECK00001', name: 'Tethr_Integration', key: KEY, secret: SECRET }
  ]);
  fake.connect.secretAccessEnabled = true;
  const written = [join(env.home, 'org.connection.json'), join(env.home, 'tethr-app.env')];
  const connection = await runCommand(Connection, ['--target-org', username, '--output', written[0]!]);
  assert.equal(connection.error, undefined, connection.error?.message);
  const credential = await runCommand(AppCredential, ['--target-dev-hub', username, '--output', written[1]!]);
  assert.equal(credential.error, undefined, credential.error?.message);
  fake.metadata.seed(
    'ExtlClntAppGlobalOauthSettings',
    'Tethr_Integration',
    `<consumerKey>${KEY}</consumerKey><consumerSecret>${SECRET}</consumerSecret><externalClientApplication>Tethr_Integration</externalClientApplication><isClientCredentialsFlowEnabled>true</isClientCredentialsFlowEnabled><isConsumerSecretOptional>false</isConsumerSecretOptional><label>Tethr Integration Global OAuth Settings</label>`
  );
  const pair = await runCommand(CertificateCreate, ['--output-dir', env.home, '--json']);
  assert.equal(pair.error, undefined, pair.error?.message);
  const { privateKeyFile, certificateFile } = (
    JSON.parse(pair.stdout) as { result: { privateKeyFile: string; certificateFile: string } }
  ).result;
  written.push(privateKeyFile, certificateFile);
  const deployed = await runCommand(CertificateDeploy, [
    '--target-dev-hub',
    username,
    '--certificate',
    certificateFile
  ]);
  assert.equal(deployed.error, undefined, deployed.error?.message);
  assert.ok(
    fake.metadata.deploys.at(-1)!.components.some((c) => c.content.includes(SECRET)),
    'the deploy carried the secret: the check below covers it'
  );
  const privateKey = (await readFile(privateKeyFile, 'utf8')).split('\n')[1]!;

  const files = (await filesUnder(env.home)).filter((f) => !written.includes(f));
  const logs = files.filter((f) => f.endsWith('.log'));
  assert.ok(logs.length > 0, 'no sf log file was written: the check would prove nothing');
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    assert.ok(!text.includes(SECRET), `the consumer secret is in ${file}`);
    assert.ok(!text.includes(privateKey), `the private key is in ${file}`);
  }
});
