import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHANNEL_REGISTRY } from '../../scripts/contracts/channels.ts';
import { generateKeyPair } from '../../scripts/org/jwt-certificate.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { SHAPE_CHANNELS, SHAPES } from '../servers/salesforce/org-shapes.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { objectsReadIn, startShapedOrg, withTethrCredential, type ShapedOrg } from './shaped-org.ts';
import { runCommand } from './run-command.ts';

// `tethr-sf setup` in every shape of org Tethr serves: Case only; with Messaging; with Messaging
// and legacy Chat; each unpackaged (scratch org, sandbox) and with the managed package installed
// (the Messaging extension too where the org has Messaging). The fake refuses what such an org
// refuses, and enforces the integration user's field-level security on every read.

const env = await useTemporarySfHome();
const { default: Setup } = await import('../../scripts/commands/setup.ts');
const { default: Doctor } = await import('../../scripts/commands/doctor.ts');
const doctorMessages = loadMessages('doctor');
after(() => env.restore());

let dir: string;
let keyFile: string;
let certificate: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-setup-shapes-'));
  const pair = generateKeyPair({ commonName: 'Tethr test', days: 30 });
  certificate = pair.certificatePem;
  keyFile = join(dir, 'tethr-jwt.key');
  await writeFile(keyFile, pair.privateKeyPem, { mode: 0o600 });
});
after(() => rm(dir, { recursive: true, force: true }));

interface SetupJson {
  result: {
    app: string;
    connectionFile: string;
    steps: { step: string; status: string; detail: string }[];
    doctor?: { ok: boolean; failed: string[] };
  };
}

interface DoctorReport {
  checks: { check: string; status: string; detail: string; diagnosis?: { code: string; cause: string } }[];
}

function orgChanges(org: ShapedOrg): string[] {
  return org.fake.server.requests
    .filter((r) => r.route === 'rest.create' || (r.route === 'metadata.soap' && r.body.includes('<deploy')))
    .map((r) => (r.route === 'rest.create' ? `insert ${r.path.split('/').pop()}` : 'deploy'));
}

for (const shape of SHAPES) {
  for (const installed of [false, true]) {
    describe(`tethr-sf setup, ${shape} org, ${installed ? 'package installed' : 'unpackaged'}`, () => {
      let org: ShapedOrg;
      let output: string;
      before(async () => {
        org = await startShapedOrg(shape, {
          ...(installed ? { installed: { messagingExtension: shape !== 'case-only' } } : {}),
          packagedCertificate: certificate
        });
        output = join(dir, `${shape}-${installed}.connection.json`);
      });
      after(() => org.fake.stop());

      it('finishes with a passing doctor and a connection file that names exactly the channels the org has', async () => {
        const run = await withTethrCredential(keyFile, () =>
          runCommand(Setup, ['--target-org', org.username, '--output', output, '--json'])
        );
        assert.equal(run.error, undefined, `${run.error?.message}\n${run.error?.actions?.join('\n')}`);
        const result = (JSON.parse(run.stdout) as SetupJson).result;
        assert.equal(result.doctor?.ok, true, JSON.stringify(result.doctor));
        assert.equal(result.app, installed ? 'packaged' : 'local');
        const file = JSON.parse(await readFile(output, 'utf8')) as Record<string, unknown>;
        assert.deepEqual(file.channels, SHAPE_CHANNELS[shape]);
        assert.equal((await stat(output)).mode & 0o777, 0o600);
        if (installed) {
          // No secret field at all on the packaged path, and the org's credentials API was never asked.
          assert.deepEqual(Object.keys(file).sort(), [
            'apiVersion',
            'app',
            'authFlow',
            'channels',
            'createdAt',
            'instanceUrl',
            'integrationUsername',
            'isSandbox',
            'namespace',
            'orgId',
            'schema'
          ]);
          assert.equal(file.authFlow, 'jwt_bearer');
          assert.equal(org.fake.server.find(/\/apps\/oauth\/credentials\//).length, 0);
        } else {
          assert.equal(file.app, 'local');
          assert.equal(typeof file.consumerSecret, 'string');
        }
      });

      it('grants the integration user read on exactly the objects this org has, and nothing for the rest', () => {
        const access = org.fake.metadata.get('PermissionSet', 'Tethr_Integration_Access')!;
        const objects = [...access.content.matchAll(/<object>(\w+)<\/object>/g)].map((m) => m[1]).sort();
        assert.deepEqual(objects, objectsReadIn(shape));
        const absent = ['MessagingSession', 'LiveChatTranscript'].filter(
          (o) => !objectsReadIn(shape).includes(o)
        );
        for (const deploy of org.fake.metadata.deploys) {
          for (const component of deploy.components) {
            for (const object of absent)
              assert.ok(
                !component.content.includes(`<object>${object}<`),
                `${component.fullName} names ${object}`
              );
          }
        }
        const user = org.fake.org.all('User').find((u) => u.Alias === 'tethrint')!;
        const assigned = org.fake.org
          .all('PermissionSetAssignment')
          .filter((a) => a.AssigneeId === user.Id)
          .map((a) => org.fake.org.findById(String(a.PermissionSetId))!)
          .map((p) => `${p.NamespacePrefix ? `${String(p.NamespacePrefix)}__` : ''}${String(p.Name)}`)
          .sort();
        assert.deepEqual(
          assigned,
          [
            installed ? 'tethr__Tethr_Integration_User' : 'Tethr_Integration_User',
            'Tethr_Integration_Access'
          ].sort()
        );
      });

      it('gives the admin the standard-object and user permissions the setup page needs, in a generated set', () => {
        const admin = org.fake.metadata.get('PermissionSet', 'Tethr_Admin_Access')!.content;
        const objects = [...admin.matchAll(/<objectPermissions>([\s\S]*?)<\/objectPermissions>/g)].map(
          (m) => {
            const flag = (name: string) => new RegExp(`<${name}>true<`).test(m[1]!);
            const letters = ['allowRead', 'allowCreate', 'allowEdit', 'allowDelete'].filter(flag).length;
            return `${/<object>(\w+)</.exec(m[1]!)![1]}:${letters === 4 ? 'CRED' : flag('allowRead') ? 'R' : '-'}`;
          }
        );
        const channelObjects = objectsReadIn(shape).filter((o) =>
          ['MessagingSession', 'LiveChatTranscript'].includes(o)
        );
        assert.deepEqual(objects.sort(), ['Case:CRED', ...channelObjects.map((o) => `${o}:R`)].sort());
        const editable = [...admin.matchAll(/<fieldPermissions>([\s\S]*?)<\/fieldPermissions>/g)]
          .filter((m) => /<editable>true</.test(m[1]!))
          .map((m) => /<field>([\w.]+)</.exec(m[1]!)![1]);
        assert.deepEqual(editable.sort(), ['Case.Description', 'Case.Subject']);
        const userPermissions = [...admin.matchAll(/<name>(\w+)<\/name>/g)].map((m) => m[1]).sort();
        assert.deepEqual(userPermissions, ['ApiEnabled', 'ViewSetup']);
        const integration = org.fake.metadata.get('PermissionSet', 'Tethr_Integration_Access')!.content;
        assert.deepEqual(
          [...integration.matchAll(/<name>(\w+)<\/name>/g)].map((m) => m[1]),
          ['ApiEnabled']
        );
      });

      it(
        installed
          ? 'deploys no package metadata and sets the installed app policies'
          : 'deploys the base, and the Messaging part only where the org has Messaging',
        () => {
          const deployed = org.fake.metadata.deploys.flatMap((d) => d.components);
          const flows = deployed.filter((c) => c.type === 'Flow').map((c) => c.fullName);
          if (installed) {
            assert.deepEqual(flows, []);
            assert.ok(
              !deployed.some(
                (c) => c.type === 'ExternalClientApplication' || c.type === 'ExtlClntAppGlobalOauthSettings'
              )
            );
            assert.ok(
              !deployed.some((c) => c.type === 'ExternalClientAppSettings'),
              'no secret-in-REST setting for the packaged app'
            );
          } else {
            assert.ok(flows.includes(CHANNEL_REGISTRY.Case.publisher!.flow));
            assert.equal(flows.includes('Tethr_Messaging_Session_Ended'), shape !== 'case-only');
          }
          const policies = deployed.find((c) => c.type === 'ExtlClntAppOauthConfigurablePolicies')!;
          assert.equal(policies.fullName, installed ? 'tethr__Tethr_Integration' : 'Tethr_Integration');
          assert.match(policies.content, /<commaSeparatedPermissionSet>Tethr_Integration_Access</);
          assert.match(policies.content, /<permittedUsersPolicyType>AdminApprovedPreAuthorized</);
          assert.match(policies.content, /<ipRelaxationPolicyType>Bypass</);
        }
      );

      if (shape === 'case-only') {
        it('doctor refuses a connection file that names a channel this org lacks, and says why', async () => {
          const stale = join(dir, `${shape}-${installed}.stale.connection.json`);
          const file = JSON.parse(await readFile(output, 'utf8')) as { channels: string[] };
          await writeFile(stale, JSON.stringify({ ...file, channels: ['Case', 'MessagingSession'] }), {
            mode: 0o600
          });
          const run = await withTethrCredential(keyFile, () =>
            runCommand(Doctor, ['--connection', stale, '--target-org', org.username, '--json'])
          );
          assert.equal(run.exitCode, 1);
          const checks = (JSON.parse(run.stdout) as { result: DoctorReport }).result.checks;
          const read = (label: string) =>
            checks.find((c) => c.check === doctorMessages.getMessage('check.read', [label]));
          assert.equal(read(CHANNEL_REGISTRY.Case.label)?.status, 'passed');
          const messaging = read(CHANNEL_REGISTRY.MessagingSession.label);
          assert.equal(messaging?.status, 'failed');
          assert.equal(messaging?.detail, doctorMessages.getMessage('detail.notInOrg', ['MessagingSession']));
          assert.equal(messaging?.diagnosis?.code, 'channel-not-in-org');
          assert.equal(
            messaging?.diagnosis?.cause,
            doctorMessages.getMessage('channel-not-in-org.cause', [
              CHANNEL_REGISTRY.MessagingSession.missingHint
            ])
          );
        });
      }

      it('re-runs without creating anything twice', async () => {
        org.fake.server.clearLog();
        const run = await withTethrCredential(keyFile, () =>
          runCommand(Setup, ['--target-org', org.username, '--output', output, '--json'])
        );
        assert.equal(run.error, undefined, run.error?.message);
        const steps = (JSON.parse(run.stdout) as SetupJson).result.steps;
        assert.equal(steps.find((s) => s.step === 'Access permission sets')?.status, 'unchanged');
        assert.equal(steps.find((s) => s.step === 'OAuth policies')?.status, 'unchanged');
        assert.deepEqual(
          orgChanges(org).filter((c) => c.startsWith('insert')),
          []
        );
        assert.equal(org.fake.org.all('User').filter((u) => u.Alias === 'tethrint').length, 1);
      });
    });
  }
}

// The main path: the customer's admin installed the package and runs setup with no Tethr credential
// on their machine. Setup must finish with a secretless file, and its closing doctor must check the
// org's side and leave the sign-in to Tethr (not fail, and not wait 10 minutes for a propagation).
describe("tethr-sf setup as the customer's admin, package installed, no TETHR_SF_*", () => {
  let org: ShapedOrg;
  before(async () => {
    org = await startShapedOrg('messaging', {
      installed: { messagingExtension: true },
      label: 'customer-admin'
    });
  });
  after(() => org.fake.stop());

  it('ends with a connection file that holds no secret and a doctor that leaves the sign-in to Tethr', async () => {
    for (const name of ['TETHR_SF_CONSUMER_KEY', 'TETHR_SF_CONSUMER_SECRET', 'TETHR_SF_JWT_KEY_FILE'])
      assert.equal(process.env[name], undefined, name);
    const output = join(dir, 'customer-admin.connection.json');
    const run = await runCommand(Setup, ['--target-org', org.username, '--output', output, '--json']);
    assert.equal(run.error, undefined, `${run.error?.message}\n${run.error?.actions?.join('\n')}`);
    assert.equal(run.exitCode, 0);
    const result = (JSON.parse(run.stdout) as SetupJson).result;
    assert.equal(result.app, 'packaged');
    assert.deepEqual(result.doctor, { ok: true, failed: [] });
    const file = JSON.parse(await readFile(output, 'utf8')) as Record<string, unknown>;
    for (const field of ['consumerKey', 'consumerSecret', 'password', 'securityToken'])
      assert.equal(field in file, false, field);
    assert.equal(file.authFlow, 'jwt_bearer');
    // Nothing secret was asked for, and nobody signed in as the integration user.
    assert.equal(org.fake.server.find(/\/apps\/oauth\/credentials\//).length, 0);
    assert.equal(org.fake.server.find('oauth.token').length, 0);
  });
});
