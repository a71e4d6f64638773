import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { seedScratchOrg } from '../servers/salesforce/index.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { useAuthenticatedFakeOrg } from './fake-org.ts';
import { runCommand } from './run-command.ts';

const env = await useTemporarySfHome();
const { default: IntegrationUser } = await import('../../scripts/commands/integration-user.ts');
const { fake, username } = await useAuthenticatedFakeOrg(env);
const messages = loadMessages('integration-user');

beforeEach(() => {
  fake.org.data.clear();
  fake.org.insertRules.length = 0;
  fake.metadata.onDeployed.length = 0;
  seedScratchOrg(fake);
  fake.org.add('PermissionSet', { Name: 'Tethr_Integration_User', NamespacePrefix: null });
  fake.org.add('PermissionSet', { Name: 'Tethr_Integration_Access', NamespacePrefix: null });
  fake.server.clearLog();
});

function inserts(): string[] {
  return fake.server.find('rest.create').map((r) => r.path.split('/').pop()!);
}

describe('tethr-sf integration-user', () => {
  it('creates the user, then the licence, then both permission sets, and reuses them on a re-run', async () => {
    const first = await runCommand(IntegrationUser, ['--target-org', username, '--json']);
    assert.equal(first.error, undefined, first.error?.message);
    assert.deepEqual(inserts(), [
      'User',
      'PermissionSetLicenseAssign',
      'PermissionSetAssignment',
      'PermissionSetAssignment'
    ]);
    const user = fake.org.all('User').find((u) => u.Alias === 'tethrint');
    assert.ok(user);
    assert.equal(user.Username, 'tethr.integration.00d000000000001@tethr-test.example');
    assert.equal(user.Email, 'admin@tethr-test.example');
    const json = JSON.parse(first.stdout) as {
      status: number;
      result: { username: string; steps: { status: string }[] };
    };
    assert.equal(json.status, 0);
    assert.deepEqual(
      json.result.steps.map((s) => s.status),
      ['created', 'created', 'created', 'created']
    );

    fake.server.clearLog();
    const second = await runCommand(IntegrationUser, ['--target-org', username, '--json']);
    assert.equal(second.error, undefined);
    assert.deepEqual(inserts(), []);
    assert.equal(fake.org.all('User').filter((u) => u.Alias === 'tethrint').length, 1);
    assert.equal(fake.org.all('PermissionSetAssignment').length, 2);
  });

  it('reuses an existing user given by --username and only adds what is missing', async () => {
    const profile = fake.org.all('Profile')[0]!;
    fake.org.add('User', {
      Username: 'api@acme.example',
      IsActive: true,
      ProfileId: profile.Id,
      Alias: 'api'
    });
    const run = await runCommand(IntegrationUser, [
      '--target-org',
      username,
      '--username',
      'api@acme.example'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.deepEqual(inserts(), [
      'PermissionSetLicenseAssign',
      'PermissionSetAssignment',
      'PermissionSetAssignment'
    ]);
    assert.match(run.stdout, /api@acme.example \(reused\)/);
  });

  it('checks the permission sets before creating anything, then creates cleanly once they are there', async () => {
    fake.org.data.set('PermissionSet', [
      fake.org.all('PermissionSet').find((p) => p.Name === 'Tethr_Integration_User')!
    ]);
    const failed = await runCommand(IntegrationUser, ['--target-org', username]);
    assert.ok(failed.error);
    assert.equal(failed.exitCode, 1);
    assert.equal(
      failed.error.message,
      messages.getMessage('error.AccessPermissionSetMissing', ['Tethr_Integration_Access'])
    );
    assert.deepEqual(failed.error.actions, messages.getMessages('error.AccessPermissionSetMissing.actions'));
    assert.deepEqual(inserts(), []);
    assert.equal(fake.server.find('rest.update').length, 0);
    assert.equal(
      fake.org.all('User').find((u) => u.Alias === 'tethrint'),
      undefined
    );

    fake.org.add('PermissionSet', { Name: 'Tethr_Integration_Access', NamespacePrefix: null });
    fake.server.clearLog();
    const resumed = await runCommand(IntegrationUser, ['--target-org', username, '--json']);
    assert.equal(resumed.error, undefined, resumed.error?.message);
    assert.deepEqual(inserts(), [
      'User',
      'PermissionSetLicenseAssign',
      'PermissionSetAssignment',
      'PermissionSetAssignment'
    ]);
  });

  it('undoes what it created when assigning the permission set fails, then resumes cleanly', async () => {
    let refuse = true;
    fake.org.insertRules.push((type) =>
      refuse && type === 'PermissionSetAssignment'
        ? { errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: 'insufficient access rights', fields: [] }
        : undefined
    );
    const failed = await runCommand(IntegrationUser, ['--target-org', username]);
    assert.ok(failed.error);
    assert.match(failed.error.message, /insufficient access rights\. What this run created was undone\./);
    assert.equal(fake.org.all('PermissionSetLicenseAssign').length, 0);
    assert.equal(fake.org.all('User').find((u) => u.Alias === 'tethrint')?.IsActive, false);

    refuse = false;
    fake.server.clearLog();
    const resumed = await runCommand(IntegrationUser, ['--target-org', username, '--json']);
    assert.equal(resumed.error, undefined, resumed.error?.message);
    assert.equal(fake.org.all('User').filter((u) => u.Alias === 'tethrint').length, 1);
    assert.equal(fake.org.all('User').find((u) => u.Alias === 'tethrint')?.IsActive, true);
    assert.deepEqual(inserts(), [
      'PermissionSetLicenseAssign',
      'PermissionSetAssignment',
      'PermissionSetAssignment'
    ]);
  });

  it('refuses a --username or --email that is not an address before touching the org', async () => {
    for (const flags of [
      ['--username', 'tethr-api'],
      ['--email', 'not-an-address']
    ]) {
      const run = await runCommand(IntegrationUser, ['--target-org', username, ...flags, '--json']);
      assert.ok(run.error);
      const key = flags[0] === '--username' ? 'error.InvalidUsername' : 'error.InvalidEmail';
      assert.equal(run.error.message, `${flags[0]}: ${messages.getMessage(key, [flags[1]!])}`);
      assert.deepEqual(run.error.actions, messages.getMessages(`${key}.actions`));
    }
    assert.deepEqual(inserts(), []);
  });

  it('uses the namespaced permission set when the package is installed', async () => {
    fake.org.add('PermissionSet', { Name: 'Tethr_Integration_User', NamespacePrefix: 'tethr' });
    const run = await runCommand(IntegrationUser, ['--target-org', username, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    const namespaced = fake.org.all('PermissionSet').find((p) => p.NamespacePrefix === 'tethr')!;
    assert.deepEqual(
      fake.org.all('PermissionSetAssignment').map((a) => a.PermissionSetId),
      [namespaced.Id, fake.org.all('PermissionSet').find((p) => p.Name === 'Tethr_Integration_Access')!.Id]
    );
    assert.match(run.stdout, /tethr__Tethr_Integration_User assigned/);
  });
});
