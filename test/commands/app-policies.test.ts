import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { useTemporarySfHome } from './sf-home.ts';
import { addIntegrationUser, useAuthenticatedFakeOrg } from './fake-org.ts';
import { runCommand } from './run-command.ts';

const env = await useTemporarySfHome();
const { default: AppPolicies } = await import('../../scripts/commands/app-policies.ts');
const { fake, username } = await useAuthenticatedFakeOrg(env);
const messages = loadMessages('integration-user');

before(async () => {
  addIntegrationUser(fake);
  fake.org.add('PermissionSet', { Name: 'Tethr_Integration_Access', NamespacePrefix: null });
});
beforeEach(() => {
  fake.metadata.deploys.length = 0;
  fake.metadata.components.clear();
});

describe('tethr-sf app-policies', () => {
  it('deploys the filled-in policies and the REST secret setting, then skips when nothing changed', async () => {
    const first = await runCommand(AppPolicies, ['--target-org', username, '--json']);
    assert.equal(first.error, undefined, first.error?.message);
    const deploy = fake.metadata.deploys.at(-1)!;
    const policies = deploy.components.find((c) => c.type === 'ExtlClntAppOauthConfigurablePolicies')!;
    assert.equal(policies.fullName, 'Tethr_Integration');
    assert.match(
      policies.content,
      /<clientCredentialsFlowUser>tethr.integration@acme.example<\/clientCredentialsFlowUser>/
    );
    assert.match(policies.content, /<ipRelaxationPolicyType>Bypass<\/ipRelaxationPolicyType>/);
    assert.match(
      policies.content,
      /<permittedUsersPolicyType>AdminApprovedPreAuthorized<\/permittedUsersPolicyType>/
    );
    assert.match(
      policies.content,
      /<commaSeparatedPermissionSet>Tethr_Integration_Access<\/commaSeparatedPermissionSet>/
    );
    const settings = deploy.components.find((c) => c.type === 'ExternalClientAppSettings')!;
    assert.match(settings.content, /<enableClientSecretInRestApiAccess>true</);
    assert.equal(
      (JSON.parse(first.stdout) as { result: { step: { status: string } } }).result.step.status,
      'updated'
    );

    const second = await runCommand(AppPolicies, ['--target-org', username, '--json']);
    assert.equal(second.error, undefined, second.error?.message);
    assert.equal(fake.metadata.deploys.length, 1, 'no second deploy');
    assert.equal(
      (JSON.parse(second.stdout) as { result: { step: { status: string } } }).result.step.status,
      'unchanged'
    );
  });

  it('redeploys when the run-as user differs', async () => {
    fake.metadata.seed(
      'ExtlClntAppOauthConfigurablePolicies',
      'Tethr_Integration',
      '<clientCredentialsFlowUser>someone.else@acme.example</clientCredentialsFlowUser><commaSeparatedPermissionSet>Tethr_Integration_Access</commaSeparatedPermissionSet><ipRelaxationPolicyType>Bypass</ipRelaxationPolicyType><isClientCredentialsFlowEnabled>true</isClientCredentialsFlowEnabled><permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>'
    );
    fake.metadata.seed(
      'ExternalClientAppSettings',
      'ExternalClientApp',
      '<enableClientSecretInRestApiAccess>true</enableClientSecretInRestApiAccess>'
    );
    const run = await runCommand(AppPolicies, [
      '--target-org',
      username,
      '--username',
      'tethr.integration@acme.example'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.equal(fake.metadata.deploys.length, 1);
  });

  it('retries with the permission set Id when Salesforce rejects the name', async () => {
    const permissionSet = fake.org.all('PermissionSet').find((p) => p.Name === 'Tethr_Integration_Access')!;
    fake.metadata.rules.push((components) =>
      components
        .filter(
          (c) =>
            c.type === 'ExtlClntAppOauthConfigurablePolicies' &&
            c.content.includes('>Tethr_Integration_Access<')
        )
        .map((c) => ({
          componentType: c.type,
          fullName: c.fullName,
          problem: 'Invalid permission set: Tethr_Integration_Access'
        }))
    );
    try {
      const run = await runCommand(AppPolicies, ['--target-org', username, '--json']);
      assert.equal(run.error, undefined, run.error?.message);
      assert.equal(fake.metadata.deploys.length, 2);
      const policies = fake.metadata.deploys[1]!.components.find(
        (c) => c.type === 'ExtlClntAppOauthConfigurablePolicies'
      )!;
      assert.match(policies.content, new RegExp(`<commaSeparatedPermissionSet>${permissionSet.Id}<`));
      const again = await runCommand(AppPolicies, ['--target-org', username, '--json']);
      assert.equal(again.error, undefined, again.error?.message);
      assert.equal(fake.metadata.deploys.length, 2, 'the Id form counts as applied');
    } finally {
      fake.metadata.rules.length = 0;
    }
  });

  it('tells the admin to create the integration user first when there is none', async () => {
    const users = fake.org.data.get('User')!;
    const saved = [...users];
    fake.org.data.set(
      'User',
      users.filter((u) => u.Alias !== 'tethrint')
    );
    try {
      const run = await runCommand(AppPolicies, ['--target-org', username]);
      assert.equal(run.error?.name, 'IntegrationUserMissingError');
      assert.equal(run.error?.message, messages.getMessage('error.IntegrationUserMissing'));
      assert.deepEqual(run.error?.actions, messages.getMessages('error.IntegrationUserMissing.actions'));
    } finally {
      fake.org.data.set('User', saved);
    }
  });

  it('checks a --username before deploying: unknown, not API-only or inactive users are refused', async () => {
    const profile = fake.org.all('Profile')[0]!;
    fake.org.add('User', {
      Username: 'sales@acme.example',
      Alias: 'sales',
      ProfileId: 'OTHER',
      IsActive: true
    });
    fake.org.add('User', {
      Username: 'old.api@acme.example',
      Alias: 'oldapi',
      ProfileId: profile.Id,
      IsActive: false
    });
    const profileName = 'Minimum Access - API Only Integrations';
    const cases = [
      ['nobody@acme.example', 'error.NamedUserMissing', ['nobody@acme.example']],
      ['sales@acme.example', 'error.IntegrationUserWrongProfile', ['sales@acme.example', profileName]],
      ['old.api@acme.example', 'error.IntegrationUserInactive', ['old.api@acme.example']]
    ] as const;
    for (const [user, key, tokens] of cases) {
      const run = await runCommand(AppPolicies, ['--target-org', username, '--username', user, '--json']);
      assert.equal(run.error?.message, messages.getMessage(key, [...tokens]), user);
      assert.equal(run.exitCode, 1);
      assert.ok(run.error?.actions?.length);
    }
    assert.equal(fake.metadata.deploys.length, 0);
  });
});
