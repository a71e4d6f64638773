import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Problem } from '../../scripts/validate/problem.ts';
import { toJson } from '../../scripts/validate/report.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { validateProject, type ValidationResult } from '../../scripts/validate/validate.ts';

const bundle = loadMessages('validate');
const FIXTURES = fileURLToPath(new URL('../fixtures/validate/', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

function problemsOf(result: ValidationResult, check?: string): Problem[] {
  return result.checks
    .filter((c) => check === undefined || c.name.startsWith(check))
    .flatMap((c) => c.problems);
}

function describeProblems(result: ValidationResult): string {
  return problemsOf(result)
    .map((p) => `${p.file}:${p.line}:${p.column}  ${p.message}`)
    .join('\n');
}

describe('npm run validate', () => {
  const scratch: string[] = [];
  after(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** A copy of the good fixture with one file edited, for mistakes that need no fixture of their own. */
  async function goodWith(edit: (root: string) => Promise<void>): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'tethr-validate-test-'));
    scratch.push(root);
    await cp(join(FIXTURES, 'good'), root, { recursive: true });
    await edit(root);
    return root;
  }

  it('passes the good fixture, with every check run', async () => {
    const result = await validateProject(join(FIXTURES, 'good'));
    assert.equal(result.ok, true, describeProblems(result));
    assert.equal(result.checks.length, 6);
    for (const check of result.checks) assert.ok(check.checked > 0, `${check.name} checked nothing`);
    assert.match(
      result.packageXmls.get('force-app') ?? '',
      /<members>Tethr_Case_Closed<\/members>\s*<name>Flow<\/name>/
    );
  });

  it('fails a misspelt element with the file, line, column and the allowed names, closest first', async () => {
    const result = await validateProject(join(FIXTURES, 'misspelt-element'));
    assert.equal(result.ok, false);
    const problems = problemsOf(result);
    assert.equal(problems.length, 1, describeProblems(result));
    const [problem] = problems;
    assert.equal(
      problem?.file,
      'force-app/main/default/permissionsets/Tethr_Integration_User.permissionset-meta.xml'
    );
    assert.equal(problem?.line, 3);
    assert.equal(problem?.column, 3);
    assert.match(
      problem?.message ?? '',
      /<descripton> is not an element of PermissionSet.*allowed \(closest first\): description, /
    );
  });

  it('fails wrong enum values, from @salesforce/types and from the documented string enums', async () => {
    const result = await validateProject(join(FIXTURES, 'wrong-enum'));
    const messages = problemsOf(result).map((p) => `${p.line}: ${p.message}`);
    assert.equal(messages.length, 2, describeProblems(result));
    assert.match(
      messages[0] ?? '',
      /^6: 'BYPASS' is not a valid .*ipRelaxationPolicyType.*closest first\): Bypass, /
    );
    assert.match(
      messages[1] ?? '',
      /^9: 'AdminApproved' is not a valid PermittedUsersPolicyType.*AdminApprovedPreAuthorized/
    );
  });

  it('fails dangling permission-set references to a field and a tab', async () => {
    const result = await validateProject(join(FIXTURES, 'dangling-permset-reference'));
    const problems = problemsOf(result, 'cross-references');
    assert.equal(problemsOf(result).length, 2, describeProblems(result));
    assert.match(
      problems[0]?.message ?? '',
      /field Recrod_Id__c is not defined on Conversation_Closed__e .*closest first: Record_Id__c/
    );
    assert.match(problems[1]?.message ?? '', /tab Tethr_Setup does not exist in this project/);
  });

  it('fails a record-triggered flow without a trigger filter', async () => {
    const result = await validateProject(join(FIXTURES, 'flow-without-trigger-filter'));
    const problems = problemsOf(result);
    assert.equal(problems.length, 1, describeProblems(result));
    assert.equal(problems[0]?.file, 'force-app/main/default/flows/Tethr_Case_Closed.flow-meta.xml');
    assert.match(
      problems[0]?.message ?? '',
      /record-triggered flow Tethr_Case_Closed has no trigger filter \(entry criteria\).*add <filters>/
    );
  });

  it('fails a flow that Lightning Flow Scanner flags (no fault path) and one that fires on every update', async () => {
    const flow = 'force-app/main/default/flows/Tethr_Case_Closed.flow-meta.xml';
    const root = await goodWith(async (dir) => {
      const xml = await readFile(join(dir, flow), 'utf8');
      await writeFile(
        join(dir, flow),
        xml
          .replace(
            /<faultConnector>\s*<targetReference>Keep_Fault_Message<\/targetReference>\s*<\/faultConnector>/,
            ''
          )
          .replace(
            '<doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria>',
            ''
          )
      );
    });
    const messages = problemsOf(await validateProject(root), 'flows').map((p) => p.message);
    assert.ok(
      messages.some((m) => m.startsWith('Lightning Flow Scanner MissingFaultPath')),
      messages.join('\n')
    );
    assert.ok(
      messages.some((m) => m.includes('doesRequireRecordChangedToMeetCriteria')),
      messages.join('\n')
    );
  });

  it('fails a file that source-deploy-retrieve would silently leave out, but not one .forceignore names', async () => {
    const root = await goodWith(async (dir) => {
      await writeFile(join(dir, 'force-app/main/default/notes.md'), 'stray\n');
      await cp(
        join(dir, 'force-app/main/default/lwc/tethrSetup/tethrSetup.js'),
        join(dir, 'force-app/main/default/lwc/tethrSetup/__tests__/tethrSetup.test.js'),
        { recursive: true }
      );
    });
    const result = await validateProject(root);
    const problems = problemsOf(result);
    assert.equal(problems.length, 1, describeProblems(result));
    assert.equal(problems[0]?.file, 'force-app/main/default/notes.md');
    assert.match(problems[0]?.message ?? '', /does not pick up this file/);
    assert.match(
      result.checks[0]?.notes.join('\n') ?? '',
      /1 file\(s\) left out on purpose by \.forceignore/
    );
  });

  it('fails a Lightning web component that imports a missing label or uses a missing child component', async () => {
    const bundle = 'force-app/main/default/lwc/tethrSetup/tethrSetup';
    const root = await goodWith(async (dir) => {
      const js = join(dir, `${bundle}.js`);
      await writeFile(js, (await readFile(js, 'utf8')).replace('c.Tethr_Setup_Title', 'c.Tethr_Setup_Titel'));
      await writeFile(
        join(dir, `${bundle}.html`),
        '<template>\n  <c-tethr-status></c-tethr-status>\n</template>\n'
      );
    });
    const problems = problemsOf(await validateProject(root));
    assert.deepEqual(
      problems.map((p) => `${p.file}:${p.line}:${p.column}`),
      [`${bundle}.html:2:3`, `${bundle}.js:2:14`]
    );
    assert.match(
      problems[1]?.message ?? '',
      /no custom label Tethr_Setup_Titel in CustomLabels \(closest first: Tethr_Setup_Title\)/
    );
    assert.match(
      problems[0]?.message ?? '',
      /component tethrStatus is not a Lightning web component of this project/
    );
  });

  it('fails integration permission sets that are not least privilege, packaged or generated', async () => {
    const root = await goodWith(async (dir) => {
      const access = join(
        dir,
        'unpackaged/access/permissionsets/Tethr_Integration_Access.permissionset-meta.xml'
      );
      const xml = await readFile(access, 'utf8');
      await writeFile(
        access,
        xml
          .replace('<viewAllRecords>false</viewAllRecords>', '<viewAllRecords>true</viewAllRecords>')
          .replace('<name>ApiEnabled</name>', '<name>ViewAllData</name>')
      );
    });
    const found = problemsOf(await validateProject(root)).map((p) => p.message);
    assert.deepEqual(found, [
      bundle.getMessage('problem.broadUserPermission', ['Tethr_Integration_Access', 'ViewAllData']),
      bundle.getMessage('problem.viewAllOrModifyAll', ['Tethr_Integration_Access', 'viewAllRecords', 'Case'])
    ]);
    assert.equal(
      found[0],
      'Tethr_Integration_Access must stay least privilege: remove the user permission ViewAllData'
    );
  });

  it('fails placeholders in the packaged directory and in non-string elements', async () => {
    const root = await goodWith(async (dir) => {
      const eca = join(dir, 'force-app/main/default/externalClientApps/Tethr_Integration.eca-meta.xml');
      await writeFile(eca, (await readFile(eca, 'utf8')).replace('support@example.com', '${TETHR_CONTACT}'));
      const policies = join(
        dir,
        'unpackaged/external-client-app/extlClntAppOauthPolicies/Tethr_Integration.ecaOauthPlcy-meta.xml'
      );
      await writeFile(policies, (await readFile(policies, 'utf8')).replace('>true<', '>${TETHR_FLAG}<'));
    });
    const messages = problemsOf(await validateProject(root)).map((p) => p.message);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(
      messages[0] ?? '',
      /placeholder \$\{TETHR_CONTACT\} in a packaged directory would ship literally/
    );
    assert.match(
      messages[1] ?? '',
      /placeholder \$\{TETHR_FLAG\} stands where .*isClientCredentialsFlowEnabled needs a boolean/
    );
  });

  it('fails an unknown scratch org feature but accepts the External Client App features', async () => {
    const root = await goodWith(async (dir) => {
      const def = join(dir, 'config/project-scratch-def.json');
      await writeFile(def, (await readFile(def, 'utf8')).replace('"ServiceCloud"', '"ServiceClod"'));
    });
    const problems = problemsOf(await validateProject(root));
    assert.equal(problems.length, 1, problems.map((p) => p.message).join('\n'));
    assert.equal(problems[0]?.line, 4);
    assert.match(problems[0]?.message ?? '', /feature "ServiceClod" is not a scratch org feature/);
  });

  it('fails a misspelt key in sfdx-project.json, reporting the closest shape only', async () => {
    const root = await goodWith(async (dir) => {
      const project = join(dir, 'sfdx-project.json');
      await writeFile(project, (await readFile(project, 'utf8')).replace('"package":', '"pakage":'));
    });
    const messages = problemsOf(await validateProject(root)).map((p) => `${p.file}:${p.line} ${p.message}`);
    assert.deepEqual(messages, [
      "sfdx-project.json:1 /packageDirectories/0 must have required property 'package'",
      'sfdx-project.json:6 /packageDirectories/0 has the unknown property "pakage"'
    ]);
  });

  it('exits non-zero with path:line:col lines on stderr, and nothing on stdout', async () => {
    const run = promisify(execFile);
    const main = join(REPOSITORY, 'scripts/validate/main.ts');
    const project = join(FIXTURES, 'misspelt-element');
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', main, '--project-dir', project], { cwd: REPOSITORY }),
      (error: { code: number; stdout: string; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.equal(error.stdout, '');
        assert.match(
          error.stderr,
          /^ {2}force-app\/main\/default\/permissionsets\/Tethr_Integration_User\.permissionset-meta\.xml:3:3 {2}<descripton>/m
        );
        assert.match(error.stderr, /^FAILED: 5\/6 checks passed, 1 problem\(s\), [\d.]+ s$/m);
        return true;
      }
    );
  });

  it('--json is the sf shape {status, result, warnings}: status 0 when every check passes, 1 otherwise', async () => {
    // The shape without a child process (each costs seconds of start-up); main.ts prints exactly this.
    const good = toJson(await validateProject(join(FIXTURES, 'good')));
    assert.deepEqual(Object.keys(good), ['status', 'result', 'warnings']);
    assert.equal(good.status, 0);
    assert.deepEqual(good.warnings, []);
    assert.equal(good.result.ok, true);
    assert.equal(good.result.checks.length, 6);
    assert.deepEqual(good.result.problems, []);
    const bad = toJson(await validateProject(join(FIXTURES, 'misspelt-element')));
    assert.equal(bad.status, 1);
    assert.equal(bad.result.problems.length, 1);
    assert.equal(bad.result.problems[0]?.check, 'metadata XML against @salesforce/types');
    assert.equal(bad.result.problems[0]?.line, 3);
  });

  it('passes the real package', async () => {
    const result = await validateProject(REPOSITORY);
    assert.equal(result.ok, true, describeProblems(result));
  });
});
