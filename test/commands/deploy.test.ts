import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { beforeEach, describe, it } from 'node:test';
import { useTemporarySfHome } from './sf-home.ts';
import { useAuthenticatedFakeOrg } from './fake-org.ts';
import { runCommand } from './run-command.ts';

const env = await useTemporarySfHome();
const { default: Deploy } = await import('../../scripts/commands/deploy.ts');
const { fake, username } = await useAuthenticatedFakeOrg(env);

beforeEach(() => {
  fake.metadata.rules.length = 0;
  fake.metadata.deploys.length = 0;
  fake.server.clearLog();
});

async function tempDeployDirs(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('tethr-sf-deploy-'));
}

describe('tethr-sf deploy', () => {
  it('deploys force-app with the ECA as Local plus its filled-in global settings, and cleans up', async () => {
    const before = await tempDeployDirs();
    const run = await runCommand(Deploy, ['--target-org', username, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    const deploy = fake.metadata.deploys[0]!;
    const byType = (type: string) => deploy.components.filter((c) => c.type === type);
    assert.match(
      byType('ExternalClientApplication')[0]!.content,
      /<distributionState>Local<\/distributionState>/
    );
    const global = byType('ExtlClntAppGlobalOauthSettings')[0]!;
    assert.match(
      global.content,
      /<callbackUrl>https:\/\/login.salesforce.com\/services\/oauth2\/success<\/callbackUrl>/
    );
    assert.doesNotMatch(global.content, /\$\{TETHR_/);
    assert.equal(byType('ExtlClntAppConfigurablePolicies').length, 1);
    assert.equal(
      byType('ExtlClntAppOauthConfigurablePolicies').length,
      0,
      'policies need the integration user: app-policies deploys them'
    );
    assert.equal(byType('ConnectedApp').length, 0);
    assert.ok(byType('PermissionSet').some((c) => c.fullName === 'Tethr_Integration_User'));
    const json = JSON.parse(run.stdout) as { status: number; result: { componentsDeployed: number } };
    assert.equal(json.status, 0);
    assert.ok(json.result.componentsDeployed > 5);
    assert.deepEqual(await tempDeployDirs(), before, 'the private template directory is removed');
  });

  it('deploys the Connected App instead of the ECA with --legacy-connected-app', async () => {
    const run = await runCommand(Deploy, ['--target-org', username, '--legacy-connected-app', '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    const deploy = fake.metadata.deploys[0]!;
    const app = deploy.components.find((c) => c.type === 'ConnectedApp');
    assert.ok(app);
    assert.match(app.content, /<contactEmail>admin@tethr-test.example<\/contactEmail>/);
    assert.ok(
      !deploy.components.some(
        (c) => c.type === 'ExternalClientApplication' || c.type === 'ExtlClntAppGlobalOauthSettings'
      )
    );
  });

  it("recognises the Spring '26 block on creating Connected Apps and points to the ECA", async () => {
    fake.metadata.rules.push((components) =>
      components
        .filter((c) => c.type === 'ConnectedApp')
        .map((c) => ({
          componentType: c.type,
          fullName: c.fullName,
          problem: 'You can no longer create new connected apps. Create an external client app instead.'
        }))
    );
    const run = await runCommand(Deploy, ['--target-org', username, '--legacy-connected-app']);
    assert.ok(run.error);
    assert.equal(run.error.name, 'ConnectedAppCreationBlocked');
    assert.ok(run.error.actions?.some((a) => a.includes('without --legacy-connected-app')));
    assert.match(run.stderr, /Connected App/);
  });

  it('lists each failing component with its repository file', async () => {
    fake.metadata.rules.push(() => [
      {
        componentType: 'Flow',
        fullName: 'Tethr_Messaging_Session_Ended',
        problem: "Field MessagingSession.Status isn't available"
      }
    ]);
    const run = await runCommand(Deploy, ['--target-org', username, '--json']);
    assert.ok(run.error);
    const json = JSON.parse(run.stdout) as { status: number; name: string; message: string };
    assert.equal(json.status, 1);
    assert.equal(json.name, 'DeployFailed');
    assert.match(
      json.message,
      /Flow Tethr_Messaging_Session_Ended \(force-app-messaging\/main\/default\/flows\/Tethr_Messaging_Session_Ended.flow-meta.xml\): Field MessagingSession.Status/
    );
  });

  it('refuses a non-https --callback-url before contacting the org', async () => {
    const run = await runCommand(Deploy, [
      '--target-org',
      username,
      '--callback-url',
      'http://tethr.example.com/callback',
      '--json'
    ]);
    assert.equal(run.error?.name, 'InsecureUrlError');
    assert.equal(run.exitCode, 1);
    assert.ok(run.error?.actions?.some((a) => a.includes('https://tethr.example.com')));
    assert.deepEqual(fake.server.requests, []);
  });

  it('leaves orgs with the installed package alone', async () => {
    const record = fake.org.add('PermissionSet', {
      Name: 'Tethr_Integration_User',
      NamespacePrefix: 'tethr'
    });
    try {
      const run = await runCommand(Deploy, ['--target-org', username, '--json']);
      assert.equal(run.error, undefined);
      assert.equal(fake.metadata.deploys.length, 0);
      const result = (
        JSON.parse(run.stdout) as { result: { deployed: boolean; steps: { status: string }[] } }
      ).result;
      assert.equal(result.deployed, false);
      assert.equal(result.steps[0]?.status, 'skipped');
    } finally {
      fake.org.remove(record.Id);
    }
  });
});
