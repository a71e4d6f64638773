import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { writeBundle, type CredentialsBundle } from '../../scripts/org/credentials-bundle.ts';
import { doctorRuntime, systemClock } from '../../scripts/org/doctor.ts';
import { SALESFORCE_TOKEN_ERRORS } from '../servers/salesforce/index.ts';
import {
  clientCredentialsBundle,
  FIXTURE_PASSWORD,
  FIXTURE_SECRET,
  FIXTURE_TOKEN,
  passwordBundle
} from '../org/fixtures.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { useAuthenticatedFakeOrg } from './fake-org.ts';
import { runCommand, type CommandRun } from './run-command.ts';

const env = await useTemporarySfHome();
const { default: Doctor } = await import('../../scripts/commands/doctor.ts');
const { fake, username: adminUsername } = await useAuthenticatedFakeOrg(env);

interface Report {
  ok: boolean;
  checks: {
    check: string;
    status: string;
    detail: string;
    diagnosis?: { code: string; actions: string[] };
  }[];
}

let dir: string;
const sleeps: number[] = [];
let now = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-doctor-'));
  fake.org.add('Case', { IsClosed: true, ClosedDate: '2026-11-20T10:00:00.000Z' });
  fake.org.add('MessagingSession', { Status: 'Ended', EndTime: '2026-11-21T10:00:00.000Z' });
  doctorRuntime.clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    }
  };
});
after(async () => {
  doctorRuntime.clock = systemClock;
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.oauth.clients.length = 0;
  fake.oauth.failures.length = 0;
  fake.org.hiddenObjects.clear();
  fake.org.limits.DailyDeliveredPlatformEvents = { Max: 50000, Remaining: 50000 };
  fake.server.clearLog();
  sleeps.length = 0;
});

async function bundleFile(bundle: CredentialsBundle, register = true): Promise<string> {
  if (register) {
    fake.oauth.clients.push({
      consumerKey: bundle.consumerKey,
      consumerSecret: bundle.consumerSecret,
      username: bundle.integrationUsername,
      password: `${bundle.password ?? ''}${bundle.securityToken ?? ''}`
    });
  }
  const path = join(dir, `${Math.random().toString(36).slice(2)}.credentials.json`);
  await writeBundle(path, bundle);
  return path;
}

function report(run: CommandRun<unknown>): Report {
  return (JSON.parse(run.stdout) as { result: Report }).result;
}

function assertNoSecrets(run: CommandRun<unknown>): void {
  const output = `${run.stdout}${run.stderr}`;
  for (const secret of [FIXTURE_SECRET, FIXTURE_PASSWORD, FIXTURE_TOKEN])
    assert.ok(!output.includes(secret), `secret leaked: ${secret}`);
}

describe('tethr-sf doctor --credentials', () => {
  it('passes with a working bundle, reading as the integration user', async () => {
    const path = await bundleFile(
      clientCredentialsBundle(fake.url, { namespace: '', eventTopic: '/event/Conversation_Closed__e' })
    );
    const run = await runCommand(Doctor, ['--credentials', path, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    assert.equal(run.exitCode, 0);
    const result = report(run);
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.checks.map((c) => [c.check, c.status]),
      [
        ['Token (client credentials)', 'passed'],
        ['Read Case', 'passed'],
        ['Read MessagingSession', 'passed'],
        ['Event readable', 'passed'],
        ['Flows active', 'skipped'],
        ['Event delivery allocation', 'passed']
      ]
    );
    const reads = fake.server.requests.filter((r) => r.route === 'rest.query' || r.route === 'rest.describe');
    assert.ok(reads.length >= 3);
    for (const read of reads)
      assert.equal(
        read.headers.authorization,
        'Bearer 00DFAKE!client_credentials.' + fake.oauth.issued.length
      );
    assert.match(fake.server.find('rest.describe')[0]!.path, /\/sobjects\/Conversation_Closed__e\/describe$/);
    assertNoSecrets(run);
  });

  it('retries invalid_client_id during propagation without really waiting', async () => {
    fake.oauth.failures.push(
      SALESFORCE_TOKEN_ERRORS.propagating,
      SALESFORCE_TOKEN_ERRORS.propagating,
      SALESFORCE_TOKEN_ERRORS.propagating
    );
    const path = await bundleFile(
      clientCredentialsBundle(fake.url, { namespace: '', eventTopic: '/event/Conversation_Closed__e' })
    );
    const run = await runCommand(Doctor, ['--credentials', path, '--json']);
    assert.equal(report(run).ok, true);
    assert.deepEqual(sleeps, [30000, 30000, 30000]);
    assert.equal(fake.server.find('oauth.token').length, 4);
  });

  it('gives up after the 10-minute propagation window with the propagation diagnosis', async () => {
    for (let i = 0; i < 40; i += 1) fake.oauth.failures.push(SALESFORCE_TOKEN_ERRORS.propagating);
    const path = await bundleFile(clientCredentialsBundle(fake.url));
    const run = await runCommand(Doctor, ['--credentials', path, '--json']);
    const result = report(run);
    assert.equal(run.exitCode, 1);
    assert.equal(result.ok, false);
    assert.equal(result.checks[0]!.diagnosis?.code, 'app-propagating');
    assert.equal(
      sleeps.reduce((a, b) => a + b, 0),
      10 * 60 * 1000
    );
  });

  const tokenCases: [keyof typeof SALESFORCE_TOKEN_ERRORS, 'cc' | 'password', string][] = [
    ['wrongSecret', 'cc', 'wrong-secret'],
    ['notApproved', 'cc', 'not-admin-approved'],
    ['ipRestricted', 'cc', 'ip-restricted'],
    ['wrongDomain', 'cc', 'wrong-domain'],
    ['noRunAsUser', 'cc', 'no-run-as-user'],
    ['authenticationFailure', 'password', 'password-flow-failed'],
    ['grantNotSupported', 'password', 'password-flow-blocked'],
    ['passwordExpired', 'password', 'password-expired']
  ];
  for (const [error, flow, code] of tokenCases) {
    it(`diagnoses ${SALESFORCE_TOKEN_ERRORS[error].error} "${SALESFORCE_TOKEN_ERRORS[error].error_description}" as ${code}`, async () => {
      fake.oauth.failures.push(SALESFORCE_TOKEN_ERRORS[error]);
      const path = await bundleFile(
        flow === 'cc' ? clientCredentialsBundle(fake.url) : passwordBundle(fake.url)
      );
      const run = await runCommand(Doctor, ['--credentials', path]);
      assert.equal(run.exitCode, 1);
      assert.match(run.stdout, /✗ failed/);
      assert.match(run.stdout, /→ /);
      assert.deepEqual(sleeps, [], 'only invalid_client_id is retried');
      assertNoSecrets(run);
    });
  }

  it('maps the token error bodies to their diagnosis codes in --json', async () => {
    for (const [error, flow, code] of tokenCases) {
      fake.oauth.failures.push(SALESFORCE_TOKEN_ERRORS[error]);
      const path = await bundleFile(
        flow === 'cc' ? clientCredentialsBundle(fake.url) : passwordBundle(fake.url)
      );
      const run = await runCommand(Doctor, ['--credentials', path, '--json']);
      assert.equal(report(run).checks[0]!.diagnosis?.code, code, error);
    }
  });

  it('diagnoses a user without API Enabled', async () => {
    fake.server.route(
      'GET',
      /^\/services\/data\/v66\.0\/query$/,
      () => ({
        status: 403,
        json: [{ message: 'API is disabled for this User', errorCode: 'API_CURRENTLY_DISABLED' }]
      }),
      'api-disabled'
    );
    try {
      const path = await bundleFile(
        clientCredentialsBundle(fake.url, { namespace: '', eventTopic: '/event/Conversation_Closed__e' })
      );
      const result = report(await runCommand(Doctor, ['--credentials', path, '--json']));
      assert.equal(result.checks.find((c) => c.check === 'Read Case')?.diagnosis?.code, 'api-disabled');
    } finally {
      fake.server.removeRoute('api-disabled');
    }
  });
});

describe('tethr-sf doctor (org checks)', () => {
  it('reports an object the integration user cannot see', async () => {
    fake.org.hiddenObjects.add('MessagingSession');
    const path = await bundleFile(
      clientCredentialsBundle(fake.url, { namespace: '', eventTopic: '/event/Conversation_Closed__e' })
    );
    const result = report(await runCommand(Doctor, ['--credentials', path, '--json']));
    const check = result.checks.find((c) => c.check === 'Read MessagingSession');
    assert.equal(check?.status, 'failed');
    assert.equal(check?.diagnosis?.code, 'object-not-readable');
  });

  it('warns when the delivery allocation is nearly used up and fails when it is gone', async () => {
    const path = await bundleFile(
      clientCredentialsBundle(fake.url, { namespace: '', eventTopic: '/event/Conversation_Closed__e' })
    );
    fake.org.limits.DailyDeliveredPlatformEvents = { Max: 50000, Remaining: 1200 };
    let result = report(await runCommand(Doctor, ['--credentials', path, '--json']));
    let check = result.checks.find((c) => c.check === 'Event delivery allocation');
    assert.equal(check?.status, 'warning');
    assert.equal(check?.diagnosis?.code, 'allocation-low');
    assert.equal(result.ok, true);
    fake.org.limits.DailyDeliveredPlatformEvents = { Max: 50000, Remaining: 0 };
    result = report(await runCommand(Doctor, ['--credentials', path, '--json']));
    check = result.checks.find((c) => c.check === 'Event delivery allocation');
    assert.equal(check?.status, 'failed');
    assert.equal(result.ok, false);
  });

  it('with --target-org checks that the flows are active', async () => {
    fake.org.add('FlowDefinitionView', {
      ApiName: 'Tethr_Case_Closed',
      IsActive: true,
      NamespacePrefix: null
    });
    fake.org.add('FlowDefinitionView', {
      ApiName: 'Tethr_Messaging_Session_Ended',
      IsActive: false,
      NamespacePrefix: null
    });
    const path = await bundleFile(
      clientCredentialsBundle(fake.url, { namespace: '', eventTopic: '/event/Conversation_Closed__e' })
    );
    const run = await runCommand(Doctor, ['--credentials', path, '--target-org', adminUsername, '--json']);
    const check = report(run).checks.find((c) => c.check === 'Flows active');
    assert.equal(check?.status, 'failed');
    assert.equal(check?.detail, 'not active: Tethr_Messaging_Session_Ended');
    assert.equal(check?.diagnosis?.code, 'flow-inactive');
  });

  it('asks for --credentials or --target-org', async () => {
    const run = await runCommand(Doctor, []);
    assert.equal(run.error?.name, 'NothingToCheck');
  });
});
