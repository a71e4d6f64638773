import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { startShapedOrg, type ShapedOrg } from './shaped-org.ts';
import { runCommand } from './run-command.ts';

// The order of what setup changes in a fresh unpackaged org, its flag checks, and how it stops
// and resumes. The shape matrix (every org shape, packaged and unpackaged) is setup-shapes.test.ts.

const env = await useTemporarySfHome();
const { default: Setup } = await import('../../scripts/commands/setup.ts');
after(() => env.restore());

const messages = loadMessages('setup');
let dir: string;
let org: ShapedOrg;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-setup-'));
  org = await startShapedOrg('messaging-and-chat');
});
after(async () => {
  await org.fake.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The order of the calls that change the org, as one readable list. */
function orgChanges(): string[] {
  return org.fake.server.requests
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
  it('refuses bad --encrypt-to, --username or --email before changing anything in the org', async () => {
    for (const flags of [
      ['--encrypt-to', 'age1notarecipient'],
      ['--username', 'tethr-api'],
      ['--email', 'nobody'],
      ['--callback-url', 'http://example.com/cb']
    ]) {
      org.fake.server.clearLog();
      const run = await runCommand(Setup, ['--target-org', org.username, '--no-verify', ...flags, '--json']);
      assert.ok(run.error, flags.join(' '));
      assert.equal(run.exitCode, 1);
      assert.ok(run.error.message.startsWith(`${flags[0]}: `), run.error.message);
      assert.ok(run.error.actions?.length);
      assert.deepEqual(orgChanges(), []);
    }
  });

  it('refuses a sign-in flow the org-local app cannot use before changing anything in the org', async () => {
    org.fake.server.clearLog();
    const run = await runCommand(Setup, [
      '--target-org',
      org.username,
      '--no-verify',
      '--auth-flow',
      'jwt_bearer',
      '--output',
      join(dir, 'jwt-local.connection.json'),
      '--json'
    ]);
    assert.equal(run.exitCode, 1);
    const builder = loadMessages('connection-builder');
    assert.equal(
      run.error?.message,
      builder.getMessage('error.FlowNotForApp', ['jwt_bearer', 'local', 'client_credentials'])
    );
    assert.deepEqual(
      run.error?.actions,
      builder.getMessages('error.FlowNotForApp.actions', ['client_credentials'])
    );
    assert.deepEqual(orgChanges(), []);
    await assert.rejects(stat(join(dir, 'jwt-local.connection.json')), { code: 'ENOENT' });
  });

  it('stops at the failing step with its cause once, shows what was done, and resumes', async () => {
    org.fake.connect.secretAccessEnabled = false;
    const output = join(dir, 'resume.connection.json');
    const failed = await runCommand(Setup, ['--target-org', org.username, '--output', output, '--no-verify']);
    assert.ok(failed.error);
    // The cause's own message, not wrapped in "Setup stopped at ...: Setting up ... failed: ..."
    assert.equal(
      failed.error.message,
      loadMessages('org-app-consumer').getMessage('error.ConsumerSecretForbidden', [
        "You don't have permission to view the consumer secret."
      ])
    );
    const rerun = messages.getMessage('action.rerun');
    assert.equal(failed.error.actions?.filter((a) => a.includes('run the same')).length, 1);
    assert.equal(failed.error.actions?.at(-1), rerun);
    assert.ok(
      failed.stdout.includes(messages.getMessage('titleStopped', ['Connection file'])),
      failed.stdout
    );
    assert.match(failed.stdout, /✗ Connection file: /);
    await assert.rejects(stat(output));

    org.fake.connect.secretAccessEnabled = true;
    const resumed = await runCommand(Setup, [
      '--target-org',
      org.username,
      '--output',
      output,
      '--no-verify'
    ]);
    assert.equal(resumed.error, undefined, resumed.error?.message);
    assert.equal((await stat(output)).mode & 0o777, 0o600);
  });

  it('changes the org in the only order Salesforce accepts, and nothing twice', async () => {
    const fresh = await startShapedOrg('messaging-and-chat', { label: 'fresh' });
    try {
      const output = join(dir, 'order.connection.json');
      const run = await runCommand(Setup, ['--target-org', fresh.username, '--output', output, '--json']);
      assert.equal(run.error, undefined, run.error?.message);
      const changes = fresh.fake.server.requests
        .filter(
          (r) =>
            r.route === 'rest.create' ||
            (r.route === 'metadata.soap' && r.body.includes('<deploy')) ||
            r.route === 'connect.credentials.get'
        )
        .map((r) =>
          r.route === 'rest.create'
            ? `insert ${r.path.split('/').pop()}`
            : r.route === 'metadata.soap'
              ? 'deploy'
              : r.route
        );
      assert.deepEqual(changes, [
        'deploy', // the base and Messaging metadata with an org-local app
        'deploy', // the generated access permission sets
        'insert PermissionSetAssignment', // Tethr_Admin_Access to the admin
        'insert PermissionSetAssignment', // Tethr_Admin to the admin
        'insert User',
        'insert PermissionSetLicenseAssign',
        'insert PermissionSetAssignment', // Tethr_Integration_User
        'insert PermissionSetAssignment', // Tethr_Integration_Access
        'deploy', // the app's OAuth policies
        'connect.credentials.get'
      ]);
    } finally {
      await fresh.fake.stop();
    }
  });

  it('with --scratch reuses the scratch org behind --target-org instead of creating another', async () => {
    org.fake.server.clearLog();
    const run = await runCommand(Setup, [
      '--scratch',
      '--target-dev-hub',
      org.username,
      '--target-org',
      org.username,
      '--output',
      join(dir, 'scratch.connection.json'),
      '--no-verify',
      '--json'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    const steps = (
      JSON.parse(run.stdout) as { result: { steps: { step: string; status: string; detail: string }[] } }
    ).result.steps;
    assert.deepEqual(steps[0], { step: 'Scratch org', status: 'unchanged', detail: org.username });
    assert.equal(
      org.fake.server.requests.filter(
        (r) => r.method === 'POST' && r.path.endsWith('/sobjects/ScratchOrgInfo')
      ).length,
      0
    );
  });
});
