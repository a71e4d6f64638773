import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { writeConnectionFile } from '../../scripts/org/connection-files.ts';
import { writeBundle } from '../../scripts/org/credentials-bundle.ts';
import { doctorRuntime, systemClock } from '../../scripts/org/doctor.ts';
import { generateKeyPair } from '../../scripts/org/jwt-certificate.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { recordPermissionSet, SALESFORCE_TOKEN_ERRORS } from '../servers/salesforce/index.ts';
import { PACKAGED_CONSUMER_KEY, PACKAGED_CONSUMER_SECRET } from '../servers/salesforce/org-shapes.ts';
import { clientCredentialsBundle, packagedConnectionFile } from '../org/fixtures.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { startShapedOrg, type ShapedOrg } from './shaped-org.ts';
import { runCommand, type CommandRun } from './run-command.ts';

// doctor --connection proves the sign-in exactly as Tethr will do it (the packaged app's
// credential from the environment) and the reads with exactly the integration user's rights;
// with --target-org it adds the org-side checks. Each failure mode of the packaged path maps to
// its cause and fix.

const env = await useTemporarySfHome();
const { default: Setup } = await import('../../scripts/commands/setup.ts');
const { default: Doctor } = await import('../../scripts/commands/doctor.ts');
after(() => env.restore());

const messages = loadMessages('doctor');
const sessionMessages = loadMessages('integration-session');

interface Report {
  ok: boolean;
  checks: {
    check: string;
    status: string;
    detail: string;
    diagnosis?: { code: string; cause: string; actions: string[] };
  }[];
}

let dir: string;
let keyFile: string;
let otherKeyFile: string;
let certificate: string;
let org: ShapedOrg;
let connectionFile: string;
let now = 0;

function setTethrEnv(values: Record<string, string | undefined>): void {
  for (const name of ['TETHR_SF_CONSUMER_KEY', 'TETHR_SF_CONSUMER_SECRET', 'TETHR_SF_JWT_KEY_FILE'])
    delete process.env[name];
  for (const [name, value] of Object.entries(values)) if (value !== undefined) process.env[name] = value;
}

function report(run: CommandRun<unknown>): Report {
  return (JSON.parse(run.stdout) as { result: Report }).result;
}

function check(r: Report, name: string) {
  const found = r.checks.find((c) => c.check === name);
  assert.ok(found, `no check "${name}" in ${r.checks.map((c) => c.check).join(', ')}`);
  return found;
}

const SIGN_IN_JWT = messages.getMessage('check.signIn', ['JWT bearer']);
const SIGN_IN_CC = messages.getMessage('check.signIn', ['client credentials']);
const READ_CASES = messages.getMessage('check.read', ['Cases']);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-doctor-'));
  const pair = generateKeyPair({ commonName: 'Tethr test', days: 30 });
  certificate = pair.certificatePem;
  keyFile = join(dir, 'tethr-jwt.key');
  otherKeyFile = join(dir, 'other.key');
  await writeFile(keyFile, pair.privateKeyPem, { mode: 0o600 });
  await writeFile(otherKeyFile, generateKeyPair({ commonName: 'Other', days: 30 }).privateKeyPem, {
    mode: 0o600
  });
  org = await startShapedOrg('messaging-and-chat', {
    installed: { messagingExtension: true },
    packagedCertificate: certificate
  });
  connectionFile = join(dir, 'acme.connection.json');
  setTethrEnv({ TETHR_SF_CONSUMER_KEY: PACKAGED_CONSUMER_KEY, TETHR_SF_JWT_KEY_FILE: keyFile });
  const setup = await runCommand(Setup, [
    '--target-org',
    org.username,
    '--output',
    connectionFile,
    '--no-verify',
    '--json'
  ]);
  assert.equal(setup.error, undefined, setup.error?.message);
  doctorRuntime.clock = { now: () => now, sleep: async (ms) => void (now += ms) };
});
after(async () => {
  doctorRuntime.clock = systemClock;
  setTethrEnv({});
  await org.fake.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  setTethrEnv({ TETHR_SF_CONSUMER_KEY: PACKAGED_CONSUMER_KEY, TETHR_SF_JWT_KEY_FILE: keyFile });
  org.fake.oauth.failures.length = 0;
  org.fake.org.limits.DailyDeliveredPlatformEvents = { Max: 50000, Remaining: 50000 };
  org.fake.server.clearLog();
});

describe('tethr-sf doctor --connection, packaged app', () => {
  it('passes with the JWT key, reading every channel with every field the relay reads', async () => {
    const run = await runCommand(Doctor, ['--connection', connectionFile, '--json']);
    assert.equal(run.exitCode, 0, run.stdout);
    const r = report(run);
    assert.equal(r.ok, true);
    assert.equal(check(r, SIGN_IN_JWT).status, 'passed');
    for (const label of ['Cases', 'Messaging sessions', 'Legacy chat transcripts']) {
      assert.equal(check(r, messages.getMessage('check.read', [label])).status, 'passed', label);
    }
    // The reads went out as the integration user (its token), not as an admin.
    const queries = org.fake.server.find('rest.query');
    assert.ok(queries.length >= 3);
    for (const q of queries) assert.match(q.headers.authorization ?? '', /jwt_bearer/);
  });

  it('passes with the client credentials secret when the file asks for that flow', async () => {
    const file = join(dir, 'cc.connection.json');
    await writeConnectionFile(
      file,
      packagedConnectionFile(org.fake.url, {
        authFlow: 'client_credentials',
        integrationUsername: 'tethr.integration.00d000000000001@messaging-and-chat.installed.example',
        channels: ['Case']
      })
    );
    setTethrEnv({
      TETHR_SF_CONSUMER_KEY: PACKAGED_CONSUMER_KEY,
      TETHR_SF_CONSUMER_SECRET: PACKAGED_CONSUMER_SECRET
    });
    const run = await runCommand(Doctor, ['--connection', file, '--json']);
    const r = report(run);
    assert.equal(check(r, SIGN_IN_CC).status, 'passed', JSON.stringify(r.checks));
    assert.equal(r.ok, true);
  });

  it('still takes a v1 credentials bundle with --credentials, signing in with the bundle own consumer', async () => {
    const file = join(dir, 'v1.credentials.json');
    await writeBundle(
      file,
      clientCredentialsBundle(org.fake.url, {
        consumerKey: PACKAGED_CONSUMER_KEY,
        consumerSecret: PACKAGED_CONSUMER_SECRET,
        integrationUsername: 'tethr.integration.00d000000000001@messaging-and-chat.installed.example',
        channels: ['Case']
      })
    );
    setTethrEnv({});
    const run = await runCommand(Doctor, ['--credentials', file, '--json']);
    const r = report(run);
    assert.equal(check(r, SIGN_IN_CC).status, 'passed', JSON.stringify(r.checks));
    assert.equal(check(r, READ_CASES).status, 'passed');
    assert.equal(run.exitCode, 0);
  });

  it('prints each check once, on short lines, with causes and fixes below', async () => {
    const run = await runCommand(Doctor, ['--connection', connectionFile]);
    assert.equal(run.exitCode, 0);
    for (const name of [SIGN_IN_JWT, READ_CASES]) {
      assert.equal(run.stdout.split(name).length - 1, 1, `"${name}" printed more than once:\n${run.stdout}`);
    }
    for (const line of run.stdout.split('\n'))
      assert.ok(line.length <= 160, `line too wide (${line.length}): ${line}`);
    assert.ok(!run.stdout.includes('│'), 'no table');
  });

  // Either half of what the packaged client-credentials flow needs in the subscriber's policy,
  // missing: the same cause and fix.
  for (const { title, file, edit } of [
    {
      title: 'client credentials: says the subscriber must enable the flow and set a run-as user',
      file: 'cc2.connection.json',
      edit: (xml: string) => xml.replace(/<clientCredentialsFlowUser>[^<]*<\/clientCredentialsFlowUser>/, '')
    },
    {
      title: 'client credentials switched off in the subscriber policy: the same cause and fix',
      file: 'cc-off.connection.json',
      edit: (xml: string) =>
        xml.replace('<isClientCredentialsFlowEnabled>true<', '<isClientCredentialsFlowEnabled>false<')
    }
  ]) {
    it(title, async () => {
      const policies = org.fake.metadata.get(
        'ExtlClntAppOauthConfigurablePolicies',
        'tethr__Tethr_Integration'
      )!;
      const saved = policies.content;
      policies.content = edit(saved);
      assert.notEqual(policies.content, saved);
      try {
        const path = join(dir, file);
        await writeConnectionFile(
          path,
          packagedConnectionFile(org.fake.url, { authFlow: 'client_credentials', channels: ['Case'] })
        );
        setTethrEnv({
          TETHR_SF_CONSUMER_KEY: PACKAGED_CONSUMER_KEY,
          TETHR_SF_CONSUMER_SECRET: PACKAGED_CONSUMER_SECRET
        });
        const run = await runCommand(Doctor, ['--connection', path, '--json']);
        assert.equal(run.exitCode, 1);
        const sign = check(report(run), SIGN_IN_CC);
        assert.equal(sign.diagnosis?.code, 'packaged-no-run-as-user');
        assert.deepEqual(
          sign.diagnosis?.actions,
          loadMessages('oauth-diagnosis').getMessages('packaged-no-run-as-user.actions')
        );
      } finally {
        policies.content = saved;
      }
    });
  }

  it('JWT: says the user is not pre-authorized when it lacks the access permission set', async () => {
    const access = org.fake.org.all('PermissionSet').find((p) => p.Name === 'Tethr_Integration_Access')!;
    const assignments = org.fake.org.all('PermissionSetAssignment');
    const index = assignments.findIndex(
      (a) => a.PermissionSetId === access.Id && a.AssigneeId !== org.fake.org.all('User')[0]!.Id
    );
    const [removed] = assignments.splice(index, 1);
    try {
      const run = await runCommand(Doctor, [
        '--connection',
        connectionFile,
        '--target-org',
        org.username,
        '--json'
      ]);
      assert.equal(run.exitCode, 1);
      const r = report(run);
      assert.equal(check(r, SIGN_IN_JWT).diagnosis?.code, 'jwt-not-pre-authorized');
      // The admin-side check names the same cause from the org's side.
      assert.equal(check(r, messages.getMessage('check.access')).diagnosis?.code, 'access-unassigned');
    } finally {
      assignments.push(removed!);
    }
  });

  it('JWT: says the certificate does not match when the key is not the one on the app', async () => {
    setTethrEnv({ TETHR_SF_CONSUMER_KEY: PACKAGED_CONSUMER_KEY, TETHR_SF_JWT_KEY_FILE: otherKeyFile });
    const run = await runCommand(Doctor, ['--connection', connectionFile, '--json']);
    assert.equal(run.exitCode, 1);
    const sign = check(report(run), SIGN_IN_JWT);
    assert.equal(sign.diagnosis?.code, 'jwt-certificate-mismatch-packaged');
    assert.deepEqual(
      sign.diagnosis?.actions,
      loadMessages('oauth-diagnosis').getMessages('jwt-certificate-mismatch-packaged.actions')
    );
  });

  it('sandbox: after the propagation window, an unknown packaged key means the app needs re-linking', async () => {
    const file = join(dir, 'sandbox.connection.json');
    await writeConnectionFile(
      file,
      packagedConnectionFile(org.fake.url, {
        isSandbox: true,
        integrationUsername: 'tethr.integration.00d000000000001@messaging-and-chat.installed.example',
        channels: ['Case']
      })
    );
    for (let i = 0; i < 30; i += 1) org.fake.oauth.failures.push(SALESFORCE_TOKEN_ERRORS.propagating);
    const run = await runCommand(Doctor, ['--connection', file, '--json']);
    assert.equal(run.exitCode, 1);
    assert.equal(check(report(run), SIGN_IN_JWT).diagnosis?.code, 'packaged-sandbox-unlinked');
    assert.ok(org.fake.server.find('oauth.token').length > 1, 'retried while the app might still propagate');
  });

  it('--wait 0: an unknown packaged key is answered at once, with one token request and no wait', async () => {
    setTethrEnv({ TETHR_SF_CONSUMER_KEY: '3MVG9not.the.packaged.key', TETHR_SF_JWT_KEY_FILE: keyFile });
    const before = now;
    const run = await runCommand(Doctor, ['--connection', connectionFile, '--wait', '0', '--json']);
    assert.equal(run.exitCode, 1);
    assert.equal(check(report(run), SIGN_IN_JWT).diagnosis?.code, 'packaged-app-unknown');
    assert.equal(org.fake.server.find('oauth.token').length, 1);
    assert.equal(now, before, 'did not sleep');
  });

  it('waits the default 10 minutes for an unknown packaged key before it says so', async () => {
    setTethrEnv({ TETHR_SF_CONSUMER_KEY: '3MVG9not.the.packaged.key', TETHR_SF_JWT_KEY_FILE: keyFile });
    const before = now;
    const run = await runCommand(Doctor, ['--connection', connectionFile, '--json']);
    assert.equal(check(report(run), SIGN_IN_JWT).diagnosis?.code, 'packaged-app-unknown');
    assert.ok(now - before <= 10 * 60_000 && now - before >= 9 * 60_000, `waited ${now - before} ms`);
  });

  it('sandbox refresh: a token for another org id stops with the fix', async () => {
    org.fake.oauth.orgId = '00D000000000999EAA';
    try {
      const run = await runCommand(Doctor, ['--connection', connectionFile, '--json']);
      assert.equal(run.exitCode, 1);
      assert.equal(
        check(report(run), SIGN_IN_JWT).detail,
        sessionMessages.getMessage('error.OrgIdChanged', [
          org.fake.url,
          '00D000000000999EAA',
          '00D000000000001EAA'
        ])
      );
    } finally {
      org.fake.oauth.orgId = '00D000000000001EAA';
    }
  });

  it('names the field the integration user cannot read when the access lags behind the relay', async () => {
    const access = org.fake.metadata.get('PermissionSet', 'Tethr_Integration_Access')!;
    const saved = access.content;
    access.content = saved.replace(
      /<fieldPermissions>\s*<editable>false<\/editable>\s*<field>Contact\.Email<\/field>\s*<readable>true<\/readable>\s*<\/fieldPermissions>/,
      ''
    );
    assert.notEqual(access.content, saved);
    recordPermissionSet(org.fake, 'Tethr_Integration_Access', access.content);
    try {
      const run = await runCommand(Doctor, [
        '--connection',
        connectionFile,
        '--target-org',
        org.username,
        '--json'
      ]);
      assert.equal(run.exitCode, 1);
      const r = report(run);
      const read = check(r, READ_CASES);
      assert.equal(read.diagnosis?.code, 'field-not-readable');
      assert.equal(read.diagnosis?.cause, messages.getMessage('field-not-readable.cause', ['Contact.Email']));
      assert.equal(check(r, messages.getMessage('check.access')).diagnosis?.code, 'access-stale');
    } finally {
      access.content = saved;
      recordPermissionSet(org.fake, 'Tethr_Integration_Access', saved);
    }
  });

  it('as the customer admin without Tethr credential: skips the sign-in and checks the org side', async () => {
    setTethrEnv({});
    const run = await runCommand(Doctor, [
      '--connection',
      connectionFile,
      '--target-org',
      org.username,
      '--json'
    ]);
    const r = report(run);
    assert.equal(check(r, SIGN_IN_JWT).status, 'skipped');
    assert.equal(check(r, SIGN_IN_JWT).diagnosis?.code, 'packaged-sign-in-is-tethrs');
    for (const name of ['check.flows', 'check.access', 'check.policies'])
      assert.equal(check(r, messages.getMessage(name)).status, 'passed', name);
    assert.equal(r.ok, true);
  });

  it('warns when the delivery allocation is nearly used up and fails when it is gone', async () => {
    org.fake.org.limits.DailyDeliveredPlatformEvents = { Max: 50000, Remaining: 1000 };
    let r = report(await runCommand(Doctor, ['--connection', connectionFile, '--json']));
    assert.equal(check(r, messages.getMessage('check.allocation')).status, 'warning');
    org.fake.org.limits.DailyDeliveredPlatformEvents = { Max: 50000, Remaining: 0 };
    r = report(await runCommand(Doctor, ['--connection', connectionFile, '--json']));
    assert.equal(check(r, messages.getMessage('check.allocation')).diagnosis?.code, 'allocation-used-up');
  });

  it('asks for --connection or --target-org', async () => {
    const run = await runCommand(Doctor, ['--json']);
    assert.equal(run.error?.message, loadMessages('doctor-command').getMessage('error.NothingToCheck'));
    assert.equal(run.exitCode, 1);
  });
});
