import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fieldReads } from '../../scripts/contracts/channels.ts';
import { loadMetadataSchema } from '../../scripts/validate/metadata-schema.ts';
import { checkAgainstSchema } from '../../scripts/validate/schema-check.ts';
import { parseXml } from '../../scripts/validate/xml-walker.ts';
import { catalogueObject } from '../servers/salesforce/catalogue.ts';
import { addIntegrationUser } from './fake-org.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { startShapedOrg, type ShapedOrg } from './shaped-org.ts';
import { runCommand } from './run-command.ts';

// `tethr-sf access`: the per-org permission sets a managed package cannot carry, generated from the
// channel registry for exactly the objects this org has, valid against Salesforce's published
// metadata types, deployed only when they differ, and never shrunk by a describe that failed.

const env = await useTemporarySfHome();
const { default: Access } = await import('../../scripts/commands/access.ts');
after(() => env.restore());
const schema = loadMetadataSchema();

interface AccessJson {
  result: { integration: { objects: string[]; fields: string[] }; steps: { step: string; status: string }[] };
}

describe('tethr-sf access, Case-only org', () => {
  let org: ShapedOrg;
  before(async () => {
    org = await startShapedOrg('case-only', { label: 'access' });
    org.fake.org.add('PermissionSet', { Name: 'Tethr_Integration_User', NamespacePrefix: null });
    org.fake.org.add('PermissionSet', { Name: 'Tethr_Admin', NamespacePrefix: null });
    addIntegrationUser(org.fake);
  });
  after(() => org.fake.stop());

  it('generates valid permission sets for the Case channel only, and assigns them', async () => {
    const run = await runCommand(Access, ['--target-org', org.username, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    const result = (JSON.parse(run.stdout) as AccessJson).result;
    assert.deepEqual(result.integration.objects, ['Case', 'CaseComment', 'Contact', 'EmailMessage']);
    // Field permissions exactly for the registry's permissionable Case-channel fields.
    const expected = fieldReads('Case')
      .filter((r) => catalogueObject(r.object)?.fields.find((f) => f.name === r.field)?.permissionable)
      .map((r) => `${r.object}.${r.field}`)
      .sort();
    assert.deepEqual(result.integration.fields, expected);
    for (const name of ['Tethr_Integration_Access', 'Tethr_Admin_Access']) {
      const component = org.fake.metadata.get('PermissionSet', name)!;
      const problems = checkAgainstSchema(parseXml(component.content), schema, {
        file: `${name}.permissionset-meta.xml`,
        expectedType: 'PermissionSet',
        allowPlaceholders: false,
        declaredReplacements: new Set()
      });
      assert.deepEqual(problems, [], name);
      assert.ok(
        !/MessagingSession|LiveChatTranscript/.test(component.content),
        `${name} names an object this org lacks`
      );
    }
    // Its licence first (Salesforce refuses API Enabled otherwise), then both permission sets.
    assert.deepEqual(
      result.steps.filter((s) => s.status === 'created').map((s) => s.step),
      [
        'Access permission sets',
        'Admin access',
        'Permission set licence',
        'Permission set Tethr_Integration_User',
        'Permission set Tethr_Integration_Access'
      ]
    );
  });

  it('deploys nothing when the org already has exactly this access', async () => {
    const deploys = org.fake.metadata.deploys.length;
    const run = await runCommand(Access, ['--target-org', org.username, '--json']);
    assert.equal(run.error, undefined, run.error?.message);
    assert.equal(org.fake.metadata.deploys.length, deploys);
    assert.equal((JSON.parse(run.stdout) as AccessJson).result.steps[0]?.status, 'unchanged');
  });

  it('stops when describing an object fails, instead of deploying a set without it', async () => {
    // jsforce itself retries 5xx; a refusal it does not retry is the daily API limit.
    org.fake.server.route(
      'GET',
      /^\/services\/data\/v\d+\.\d\/sobjects\/EmailMessage\/describe\/?$/,
      () => ({
        status: 403,
        json: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]
      }),
      'describe.flaky'
    );
    const deploys = org.fake.metadata.deploys.length;
    try {
      const run = await runCommand(Access, ['--target-org', org.username, '--json']);
      assert.ok(run.error, `a failed describe must not produce a smaller permission set: ${run.stdout}`);
      assert.equal(org.fake.metadata.deploys.length, deploys);
      assert.match(
        org.fake.metadata.get('PermissionSet', 'Tethr_Integration_Access')!.content,
        /<object>EmailMessage<\/object>/
      );
    } finally {
      org.fake.server.removeRoute('describe.flaky');
    }
  });
});
