import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_DIR } from '../../scripts/org/deploy.ts';
import { appPoliciesDeploy } from '../../scripts/org/deploy-plans.ts';
import { fillTemplate, writeFilledTemplates } from '../../scripts/org/templates.ts';

describe('fillTemplate', () => {
  it('fills placeholders with XML-escaped values and drops comments that mention them', () => {
    const text = '<!-- ${TETHR_A} is documented here --><a>${TETHR_A}</a>';
    assert.equal(fillTemplate(text, { TETHR_A: 'x&<y>' }, 't.xml'), '<a>x&amp;&lt;y&gt;</a>');
  });

  it('never leaves a placeholder in place', () => {
    assert.throws(
      () => fillTemplate('<a>${TETHR_MISSING}</a>', {}, 't.xml'),
      /needs values for TETHR_MISSING/
    );
  });
});

describe('writeFilledTemplates', () => {
  it('writes into a private directory (0700, files 0600) and removes it', async () => {
    const plan = appPoliciesDeploy('api@acme.example', '');
    const filled = await writeFilledTemplates(PROJECT_DIR, plan.templates, plan.generated);
    try {
      assert.equal((await stat(filled.directory)).mode & 0o777, 0o700);
      const policies = join(
        filled.directory,
        'extlClntAppOauthPolicies',
        'Tethr_Integration.ecaOauthPlcy-meta.xml'
      );
      assert.equal((await stat(policies)).mode & 0o777, 0o600);
      assert.match(await readFile(policies, 'utf8'), /<clientCredentialsFlowUser>api@acme.example</);
      assert.deepEqual(await readdir(join(filled.directory, 'settings')), [
        'ExternalClientApp.settings-meta.xml'
      ]);
    } finally {
      await filled.remove();
    }
    await assert.rejects(stat(filled.directory));
  });

  it('namespaces the policies when the package is installed', async () => {
    const plan = appPoliciesDeploy('api@acme.example', 'tethr');
    const filled = await writeFilledTemplates(PROJECT_DIR, plan.templates);
    try {
      const text = await readFile(
        join(filled.directory, 'extlClntAppOauthPolicies', 'tethr__Tethr_Integration.ecaOauthPlcy-meta.xml'),
        'utf8'
      );
      assert.match(text, /<externalClientApplication>tethr__Tethr_Integration</);
      // The access permission set is generated per org and never namespaced.
      assert.match(text, /<commaSeparatedPermissionSet>Tethr_Integration_Access</);
    } finally {
      await filled.remove();
    }
  });
});
