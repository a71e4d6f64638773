import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readBundle } from '../../scripts/org/credentials-bundle.ts';
import { seedScratchOrg, startFakeSalesforce, type FakeSalesforce } from '../servers/salesforce/index.ts';
import { authenticateFakeOrg, useTemporarySfHome } from './sf-home.ts';
import { useAuthenticatedFakeOrg } from './fake-org.ts';
import { runCommand } from './run-command.ts';

const env = await useTemporarySfHome();
const { default: Setup } = await import('../../scripts/commands/setup.ts');
const { fake, username } = await useAuthenticatedFakeOrg(env);

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-setup-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The order of the calls that change the org, as one readable list. */
function orgChanges(): string[] {
  return fake.server.requests
    .filter(
      (r) =>
        r.route === 'rest.create' ||
        (r.route === 'metadata.soap' && r.body.includes('<deploy')) ||
        r.route === 'connect.credentials.get' ||
        r.route === 'oauth.token'
    )
    .map((r) => {
      if (r.route === 'rest.create') return `insert ${r.path.split('/').pop()}`;
      if (r.route === 'metadata.soap') return 'deploy';
      return r.route;
    });
}

describe('tethr-sf setup', () => {
  it('takes a fresh org to a passing doctor, in order, without printing secrets', async () => {
    const output = join(dir, 'org.credentials.json');
    const run = await runCommand(Setup, ['--target-org', username, '--output', output, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    assert.equal(run.exitCode, 0);
    assert.deepEqual(orgChanges(), [
      'deploy',
      'insert User',
      'insert PermissionSetLicenseAssign',
      'insert PermissionSetAssignment',
      'deploy',
      'connect.credentials.get',
      'oauth.token'
    ]);
    const [metadataDeploy, policiesDeploy] = fake.metadata.deploys;
    assert.ok(metadataDeploy!.components.some((c) => c.type === 'ExternalClientApplication'));
    const policies = policiesDeploy!.components.find(
      (c) => c.type === 'ExtlClntAppOauthConfigurablePolicies'
    )!;
    assert.match(
      policies.content,
      /<clientCredentialsFlowUser>tethr.integration.00d000000000001@tethr-test.example</
    );

    const result = (
      JSON.parse(run.stdout) as {
        result: { steps: { step: string; status: string }[]; bundlePath: string; doctor: { ok: boolean } };
      }
    ).result;
    assert.deepEqual(
      result.steps.map((s) => `${s.step}: ${s.status}`),
      [
        'Deploy metadata: updated',
        'Integration user: created',
        'Permission set licence: created',
        'Permission set: created',
        'OAuth policies: updated',
        'Credentials bundle: created',
        'Doctor: passed'
      ]
    );
    assert.equal(result.doctor.ok, true);
    assert.equal(result.bundlePath, output);
    assert.equal((await stat(output)).mode & 0o777, 0o600);
    const bundle = await readBundle(output);
    assert.equal(bundle.authFlow, 'client_credentials');
    assert.deepEqual(bundle.channels, ['Case', 'MessagingSession', 'LiveChatTranscript']);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(bundle.consumerSecret), 'secret leaked');
  });

  it('re-runs without creating anything twice', async () => {
    fake.server.clearLog();
    const output = join(dir, 'org.credentials.json');
    const run = await runCommand(Setup, ['--target-org', username, '--output', output]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.deepEqual(orgChanges(), ['deploy', 'connect.credentials.get', 'oauth.token']);
    assert.equal(fake.org.all('User').filter((u) => u.Alias === 'tethrint').length, 1);
    assert.equal(fake.org.all('PermissionSetAssignment').length, 1);
    assert.match(run.stdout, /OAuth policies\s+│?\s*= unchanged/);
    assert.match(run.stdout, /Tethr is set up\. Credentials bundle:/);
  });

  it('with --scratch reuses the scratch org behind --target-org instead of creating another', async () => {
    fake.server.clearLog();
    const run = await runCommand(Setup, [
      '--scratch',
      '--target-dev-hub',
      username,
      '--target-org',
      username,
      '--output',
      join(dir, 'scratch.credentials.json'),
      '--no-verify',
      '--json'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    const steps = (JSON.parse(run.stdout) as { result: { steps: { step: string; status: string }[] } }).result
      .steps;
    assert.deepEqual(steps[0], { step: 'Scratch org', status: 'unchanged', detail: username });
    assert.equal(
      fake.server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/sobjects/ScratchOrgInfo'))
        .length,
      0
    );
  });

  it('refuses bad --encrypt-to, --username or --email before changing anything in the org', async () => {
    for (const flags of [
      ['--encrypt-to', 'age1notarecipient'],
      ['--username', 'tethr-api'],
      ['--email', 'nobody']
    ]) {
      fake.server.clearLog();
      const run = await runCommand(Setup, ['--target-org', username, '--no-verify', ...flags, '--json']);
      assert.ok(run.error, flags.join(' '));
      assert.equal(run.exitCode, 1);
      assert.match(run.error.message, new RegExp(flags[0]!));
      assert.ok(run.error.actions?.length);
      assert.deepEqual(orgChanges(), []);
    }
  });

  it('stops at the failing step with its cause, shows what was done, and resumes', async () => {
    fake.connect.secretAccessEnabled = false;
    const output = join(dir, 'resume.credentials.json');
    const failed = await runCommand(Setup, ['--target-org', username, '--output', output, '--no-verify']);
    assert.ok(failed.error);
    assert.match(
      failed.error.message,
      /^Setup stopped at "Credentials bundle": Salesforce refused to show the consumer secret/
    );
    assert.ok(failed.error.actions?.some((a) => a.includes('run the same `tethr-sf setup` command again')));
    assert.match(failed.stdout, /Tethr setup \(stopped\)/);
    assert.match(failed.stdout, /✗ failed/);
    await assert.rejects(stat(output));

    fake.connect.secretAccessEnabled = true;
    const resumed = await runCommand(Setup, ['--target-org', username, '--output', output, '--no-verify']);
    assert.equal(resumed.error, undefined, resumed.error?.message);
    assert.equal((await stat(output)).mode & 0o777, 0o600);
  });
});

describe('tethr-sf setup in an org with the installed package', () => {
  let packaged: FakeSalesforce;
  let admin: string;

  before(async () => {
    packaged = await startFakeSalesforce();
    packaged.oauth.adminUsername = 'admin@packaged.example';
    seedScratchOrg(packaged);
    admin = await authenticateFakeOrg(packaged.url, packaged.oauth.adminUsername);
    packaged.org.add('PermissionSet', { Name: 'Tethr_Integration_User', NamespacePrefix: 'tethr' });
    const app = packaged.org.add('ExternalClientApplication', {
      DeveloperName: 'Tethr_Integration',
      NamespacePrefix: 'tethr'
    });
    const consumer = {
      id: '0HxPACKAGED000001',
      name: 'Tethr_Integration',
      key: '3MVG9PACKAGEDKEY',
      secret: 'PACKAGED-SECRET-77'
    };
    packaged.connect.consumers.set(app.Id, [consumer]);
    packaged.oauth.clients.push({ consumerKey: consumer.key, consumerSecret: consumer.secret });
    packaged.org.add('tethr__Tethr_Channel__mdt', { DeveloperName: 'Case', tethr__Enabled__c: true });
    packaged.org.add('tethr__Tethr_Channel__mdt', {
      DeveloperName: 'MessagingSession',
      tethr__Enabled__c: false
    });
    packaged.org.add('FlowDefinitionView', {
      ApiName: 'Tethr_Case_Closed',
      IsActive: true,
      NamespacePrefix: 'tethr'
    });
  });
  after(async () => {
    await packaged.stop();
  });

  it('deploys no package metadata and uses the namespaced names everywhere', async () => {
    const output = join(dir, 'packaged.credentials.json');
    const run = await runCommand(Setup, ['--target-org', admin, '--output', output, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    const [policiesDeploy, ...others] = packaged.metadata.deploys;
    assert.equal(others.length, 0, 'only the OAuth policies are deployed');
    const policies = policiesDeploy!.components.find(
      (c) => c.type === 'ExtlClntAppOauthConfigurablePolicies'
    )!;
    assert.equal(policies.fullName, 'tethr__Tethr_Integration');
    assert.match(policies.content, /<commaSeparatedPermissionSet>tethr__Tethr_Integration_User</);
    const namespacedSet = packaged.org.all('PermissionSet').find((p) => p.NamespacePrefix === 'tethr')!;
    assert.equal(packaged.org.all('PermissionSetAssignment')[0]?.PermissionSetId, namespacedSet.Id);

    const bundle = await readBundle(output);
    assert.equal(bundle.namespace, 'tethr');
    assert.equal(bundle.eventTopic, '/event/tethr__Conversation_Closed__e');
    assert.deepEqual(bundle.channels, ['Case']);
    assert.match(
      packaged.server.find('rest.describe')[0]!.path,
      /\/sobjects\/tethr__Conversation_Closed__e\/describe$/
    );
    const result = (
      JSON.parse(run.stdout) as {
        result: { steps: { step: string; status: string }[]; doctor: { ok: boolean } };
      }
    ).result;
    assert.equal(result.steps[0]?.status, 'skipped');
    assert.equal(result.doctor.ok, true);
  });
});
