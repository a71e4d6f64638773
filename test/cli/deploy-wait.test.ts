import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { readJson, schemaFile } from '../../scripts/build/json-contract.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { useTemporarySfHome } from '../commands/sf-home.ts';
import { useAuthenticatedFakeOrg } from '../commands/fake-org.ts';
import { runCommand } from '../commands/run-command.ts';

// `deploy --async` and `--wait`, as `sf project deploy start` has them: --async returns the
// deploy id as soon as Salesforce accepted the deploy; a deploy still running when the wait is
// over fails with its id and how to follow it, and is not rolled back.

const env = await useTemporarySfHome();
const { default: Deploy } = await import('../../scripts/commands/deploy.ts');
const { deployMetadata } = await import('../../scripts/org/deploy.ts');
const { packageDeploy } = await import('../../scripts/org/deploy-plans.ts');
const { fake, username } = await useAuthenticatedFakeOrg(env);
const messages = loadMessages('deploy');
const deployMessages = loadMessages('org-deploy');
// The result must match the schema the --json contract pins (schemas/tethr-deploy.json).
const matchesSchema = new Ajv({ allErrors: true }).compile(readJson(schemaFile('tethr:deploy')) as object);

function assertSchema(result: unknown): void {
  assert.ok(matchesSchema(result), JSON.stringify(matchesSchema.errors));
}

function operations(): string[] {
  return fake.server.requests
    .filter((r) => r.path.includes('/services/Soap/m/'))
    .map((r) => /<(?:met:)?(deploy|checkDeployStatus|cancelDeploy)\b/.exec(r.body)?.[1] ?? 'other');
}

beforeEach(() => {
  fake.metadata.rules.length = 0;
  fake.metadata.deploys.length = 0;
  fake.metadata.pollsPerDeploy = 1;
  fake.server.clearLog();
});

describe('tethr-sf deploy --async / --wait', () => {
  it('--async returns the deploy id once Salesforce accepted it, without polling', async () => {
    fake.metadata.pollsPerDeploy = 1000;
    const run = await runCommand(Deploy, ['--target-org', username, '--async', '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    const result = (
      JSON.parse(run.stdout) as {
        result: { deployed: boolean; deployId: string; done: boolean; steps: { detail: string }[] };
      }
    ).result;
    assertSchema(result);
    const started = fake.metadata.deploys.at(-1)!;
    assert.equal(result.deployId, started.id);
    assert.equal(result.done, false);
    assert.equal(result.deployed, true);
    assert.equal(
      result.steps[0]!.detail,
      messages.getMessage('detail.started', [started.id, started.id, username])
    );
    assert.deepEqual(operations(), ['deploy']);
  });

  it('waits for the deploy by default and reports it done', async () => {
    const run = await runCommand(Deploy, ['--target-org', username, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    const result = (JSON.parse(run.stdout) as { result: { done: boolean; deployId: string } }).result;
    assertSchema(result);
    assert.equal(result.done, true);
    // the metadata deploy; the generated access permission sets follow in a deploy of their own
    assert.equal(result.deployId, fake.metadata.deploys[0]!.id);
    assert.ok(operations().filter((o) => o === 'checkDeployStatus').length >= 2);
  });

  it('--async and --wait exclude each other', async () => {
    const run = await runCommand(Deploy, ['--target-org', username, '--async', '--wait', '5']);
    assert.ok(run.error);
    assert.match(run.error.message, /--wait=5 cannot also be provided when using --async/);
    assert.deepEqual(fake.server.requests, []);
  });

  it('a deploy still running when the wait is over fails with its id and how to follow it', async () => {
    fake.metadata.pollsPerDeploy = 1_000_000;
    const { Org } = await import('@salesforce/core');
    const conn = (await Org.create({ aliasOrUsername: username })).getConnection();
    const waitMinutes = 0.005; // 0.3 s; the command's --wait is whole minutes
    const error = await deployMetadata(conn, {
      ...packageDeploy({
        legacyConnectedApp: false,
        callbackUrl: 'https://login.salesforce.com/services/oauth2/success',
        contactEmail: 'admin@tethr-test.example',
        withMessaging: false
      }),
      pollIntervalMs: 20,
      waitMinutes
    }).then(
      () => assert.fail('the deploy was reported finished'),
      (e: unknown) => e as Error & { actions?: string[] }
    );
    const id = fake.metadata.deploys.at(-1)!.id;
    const expected = deployMessages.createError(
      'error.DeployStillRunning',
      [id, waitMinutes],
      [id, username]
    );
    assert.equal(error.name, expected.name);
    assert.equal(error.message, expected.message);
    assert.deepEqual(error.actions, expected.actions);
    assert.ok(!operations().includes('cancelDeploy'), 'the deploy is left running');
  });
});
