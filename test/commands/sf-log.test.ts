import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { addIntegrationUser, useAuthenticatedFakeOrg } from './fake-org.ts';
import { runCommand } from './run-command.ts';
import { useTemporarySfHome } from './sf-home.ts';

// The other command tests turn @salesforce/core's log file off. Here it is on, at its most verbose
// level, while the two commands that read a consumer secret run (the org-local app's, through
// Connect REST, and the packaged app's in the Dev Hub): the log must not hold the secret.

const env = await useTemporarySfHome();
process.env.SF_DISABLE_LOG_FILE = 'false';
process.env.SF_LOG_LEVEL = 'trace';
const { default: Connection } = await import('../../scripts/commands/connection.ts');
const { default: AppCredential } = await import('../../scripts/commands/app-credential.ts');
const { fake, username } = await useAuthenticatedFakeOrg(env);

const KEY = '3MVG9LOGCHECKKEY00000000000000000000000';
const SECRET = 'FAKESECRET-must-not-reach-the-sf-log-5e6f';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

it('the sf log file holds no consumer secret after connection and app-credential', async () => {
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

  const files = (await filesUnder(env.home)).filter((f) => !written.includes(f));
  const logs = files.filter((f) => f.endsWith('.log'));
  assert.ok(logs.length > 0, 'no sf log file was written: the check would prove nothing');
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    assert.ok(!text.includes(SECRET), `the consumer secret is in ${file}`);
  }
});
