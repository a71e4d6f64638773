// The packaging rules of `npm run validate`: the base package names no feature-gated object, the
// Messaging extension no legacy Chat object, packaged permission sets hold nothing an install
// drops, and sfdx-project.json and the scratch definitions match scripts/contracts/packages.ts.
// Plus defect 5 of issue 12: --package-xml and --json write only what was asked for to stdout.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sax from 'sax';
import { loadMessages } from '../../scripts/shared/messages.ts';
import type { Problem } from '../../scripts/validate/problem.ts';
import { findPackageDirectory, loadProject } from '../../scripts/validate/project.ts';
import type { ValidationJson } from '../../scripts/validate/report.ts';
import { validateProject, type ValidationResult } from '../../scripts/validate/validate.ts';

const bundle = loadMessages('validate');
const FIXTURES = fileURLToPath(new URL('../fixtures/validate/', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(REPOSITORY, 'scripts/validate/main.ts');
const PACKAGING = bundle.getMessage('check.packaging');
const run = promisify(execFile);

function problemsOf(result: ValidationResult, check?: string): Problem[] {
  return result.checks.filter((c) => check === undefined || c.name === check).flatMap((c) => c.problems);
}

function where(problems: Problem[]): string[] {
  return problems.map((p) => `${p.file}:${p.line}:${p.column}`);
}

/** The message the dependency rule gives for a reference from the base package to a Messaging object. */
function baseToMessaging(what: string): string {
  return bundle.getMessage('problem.gatedReference', [
    what,
    'MessagingSession',
    'Messaging',
    'force-app',
    'Service Cloud',
    'Messaging',
    bundle.getMessage('problem.gatedReference.moveTo', ['force-app-messaging', 'Messaging'])
  ]);
}

/** Parses XML strictly; throws on anything that is not one well-formed document. */
function parseStrictXml(text: string): string[] {
  const names: string[] = [];
  const parser = sax.parser(true);
  parser.onerror = (error) => {
    throw error;
  };
  parser.ontext = (t) => {
    if (t.trim() !== '') names.push(t.trim());
  };
  parser.write(text).close();
  return names;
}

describe('packaging rules', () => {
  const scratch: string[] = [];
  after(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function goodWith(edit: (root: string) => Promise<void>): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'tethr-packaging-test-'));
    scratch.push(root);
    await cp(join(FIXTURES, 'good'), root, { recursive: true });
    await edit(root);
    return root;
  }

  async function editFile(path: string, change: (text: string) => string): Promise<void> {
    await writeFile(path, change(await readFile(path, 'utf8')));
  }

  it('fails every base-package reference to a Messaging object, with file, line and reason, and nothing else', async () => {
    const result = await validateProject(join(FIXTURES, 'base-references-messaging'));
    const problems = problemsOf(result);
    // The custom metadata record, the descriptions and the string in the LWC name MessagingSession too:
    // they are data, not references, and are not reported.
    assert.deepEqual(where(problems), [
      'force-app/main/default/flows/Tethr_Messaging_Session_Ended.flow-meta.xml:125:5',
      'force-app/main/default/lwc/tethrSessionStatus/tethrSessionStatus.js:2:26',
      'force-app/main/default/objects/MessagingSession/fields/Tethr_Topic__c.field-meta.xml:2:1',
      'force-app/main/default/permissionsets/Tethr_Integration_User.permissionset-meta.xml:6:5'
    ]);
    assert.deepEqual(
      problems.map((p) => p.message),
      [
        baseToMessaging('<object>'),
        baseToMessaging('import of @salesforce/schema/MessagingSession'),
        baseToMessaging('CustomField MessagingSession.Tethr_Topic__c'),
        baseToMessaging('<fieldPermissions> MessagingSession.Tethr_Topic__c')
      ]
    );
    assert.ok(problems.every((p) => result.checks.find((c) => c.name === PACKAGING)?.problems.includes(p)));
  });

  it('lets the Messaging extension name Messaging objects but fails its legacy Chat references', async () => {
    const problems = problemsOf(await validateProject(join(FIXTURES, 'extension-references-chat')));
    assert.deepEqual(where(problems), [
      'force-app-messaging/main/default/flows/Tethr_Chat_Transcript_Completed.flow-meta.xml:125:5'
    ]);
    assert.equal(
      problems[0]?.message,
      bundle.getMessage('problem.gatedReference', [
        '<object>',
        'LiveChatTranscript',
        'legacy Chat',
        'force-app-messaging',
        'Service Cloud and Messaging',
        'legacy Chat',
        'L' + bundle.getMessage('problem.gatedReference.noPackage', ['legacy Chat']).slice(1)
      ])
    );
  });

  it('fails standard-object, standard-field, user and standard-tab permissions in a packaged permission set only', async () => {
    const problems = problemsOf(await validateProject(join(FIXTURES, 'packaged-standard-permissions')));
    const file = 'force-app/main/default/permissionsets/Tethr_Admin.permissionset-meta.xml';
    // unpackaged/access/permissionsets/Tethr_Admin_Access holds the same permissions and passes.
    assert.deepEqual(where(problems), [`${file}:12:5`, `${file}:23:5`, `${file}:36:5`, `${file}:41:5`]);
    const grantIn = bundle.getMessage('grantIn.generated', ['Tethr_Admin_Access']);
    assert.deepEqual(
      problems.map((p) => p.message),
      [
        bundle.getMessage('problem.packagedStandardField', ['Tethr_Admin', 'Case.Subject', grantIn]),
        bundle.getMessage('problem.packagedStandardObject', ['Tethr_Admin', 'Case', grantIn]),
        bundle.getMessage('problem.packagedStandardTab', ['Tethr_Admin', 'standard-Case', grantIn]),
        bundle.getMessage('problem.packagedUserPermission', ['Tethr_Admin', 'ViewSetup', grantIn])
      ]
    );
    assert.match(problems[1]?.message ?? '', /"Do they include standard object permissions\? No\."/);
    assert.match(problems[3]?.message ?? '', /distribution_perm_sets_profile_settings\.htm/);
  });

  it('fails a base permission set that names a component only the extension ships', async () => {
    const root = await goodWith((dir) =>
      editFile(join(dir, 'force-app/main/default/permissionsets/Tethr_Admin.permissionset-meta.xml'), (xml) =>
        xml.replace(
          '  <hasActivationRequired>',
          '  <flowAccesses>\n    <enabled>true</enabled>\n    <flow>Tethr_Messaging_Session_Ended</flow>\n  </flowAccesses>\n  <hasActivationRequired>'
        )
      )
    );
    const problems = problemsOf(await validateProject(root));
    assert.deepEqual(
      problems.map((p) => `${p.line}: ${p.message}`),
      [
        `13: ${bundle.getMessage('problem.crossPackageReference', [
          'force-app',
          'force-app',
          'Flow',
          'Tethr_Messaging_Session_Ended',
          'force-app-messaging'
        ])}`
      ]
    );
  });

  it('fails a base build definition with Messaging, and an extension definition without a base feature', async () => {
    const root = await goodWith(async (dir) => {
      await editFile(join(dir, 'config/base-package-scratch-def.json'), (json) =>
        json.replace('"ExternalClientApps"', '"ExternalClientApps", "LiveMessage"')
      );
      await editFile(join(dir, 'config/messaging-package-scratch-def.json'), (json) =>
        json.replace('"ExternalClientApps", ', '')
      );
    });
    const problems = problemsOf(await validateProject(root), PACKAGING);
    assert.deepEqual(
      problems.map((p) => `${p.file}:${p.line} ${p.message}`),
      [
        `config/base-package-scratch-def.json:4 ${bundle.getMessage('problem.scratchFeatureNotAllowed', [
          'config/base-package-scratch-def.json',
          'Validator Fixture',
          'LiveMessage',
          'Messaging',
          bundle.getMessage('problem.scratchFeatureNotAllowed.why', ['Messaging']),
          'Messaging'
        ])}`,
        `config/messaging-package-scratch-def.json:4 ${bundle.getMessage('problem.scratchFeatureMissing', [
          'config/messaging-package-scratch-def.json',
          'Validator Fixture: Messaging',
          'Validator Fixture',
          'config/base-package-scratch-def.json',
          'ExternalClientApps',
          'ExternalClientApps'
        ])}`
      ]
    );
  });

  it('fails an extension that does not depend on the base, a shared definition and an unknown package directory', async () => {
    const root = await goodWith(async (dir) => {
      await mkdir(join(dir, 'force-app-chat'));
      await editFile(join(dir, 'sfdx-project.json'), (json) => {
        const project = JSON.parse(json) as {
          packageDirectories: Array<Record<string, unknown>>;
        };
        const [base, extension] = project.packageDirectories;
        if (!base || !extension) throw new Error('fixture changed');
        extension.dependencies = [];
        extension.definitionFile = base.definitionFile;
        project.packageDirectories.push({
          path: 'force-app-chat',
          package: 'Stray',
          versionNumber: '1.0.0.NEXT'
        });
        return JSON.stringify(project, null, 2);
      });
    });
    const messages = problemsOf(await validateProject(root), PACKAGING).map((p) => p.message);
    assert.deepEqual(messages, [
      bundle.getMessage('problem.sharedDefinitionFile', [
        'Validator Fixture, Validator Fixture: Messaging',
        'config/base-package-scratch-def.json'
      ]),
      bundle.getMessage('problem.packageDependency', [
        'Validator Fixture: Messaging',
        'force-app-messaging',
        'Validator Fixture (force-app)',
        'none',
        'Validator Fixture'
      ]),
      bundle.getMessage('problem.unknownPackageDirectory', [
        'force-app-chat',
        'force-app, force-app-messaging'
      ])
    ]);
  });

  it('finds a package by name or directory for --package, the base by default, and names the choices otherwise', () => {
    const project = loadProject(join(FIXTURES, 'good'));
    assert.equal(findPackageDirectory(project, undefined).path, 'force-app');
    assert.equal(findPackageDirectory(project, 'Validator Fixture: Messaging').path, 'force-app-messaging');
    assert.equal(findPackageDirectory(project, 'force-app-messaging/').path, 'force-app-messaging');
    assert.throws(
      () => findPackageDirectory(project, 'unpackaged/access'),
      (error: Error & { actions?: string[] }) => {
        assert.equal(error.message, bundle.getMessage('error.UnknownPackage', ['unpackaged/access']));
        assert.deepEqual(error.actions, [
          'Name one of these packages (or its directory): "Validator Fixture" (force-app), "Validator Fixture: Messaging" (force-app-messaging).'
        ]);
        return true;
      }
    );
  });
});

describe('npm run validate output (issue 12, defect 5)', () => {
  const env = { ...process.env, npm_command: '', npm_lifecycle_event: '' };

  it('--package-xml writes only the base package manifest to stdout, valid XML; the report goes to stderr', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', MAIN, '--package-xml', '--project-dir', join(FIXTURES, 'good')],
      { cwd: REPOSITORY, env }
    );
    const texts = parseStrictXml(stdout);
    assert.ok(stdout.startsWith('<?xml'), stdout.slice(0, 80));
    assert.ok(texts.includes('Tethr_Case_Closed'));
    // Not a merge of every directory: no extension flow, no unpackaged policies or access set.
    assert.ok(!texts.includes('Tethr_Messaging_Session_Ended'), stdout);
    assert.ok(!texts.includes('ExtlClntAppOauthConfigurablePolicies'), stdout);
    assert.ok(!texts.includes('Tethr_Integration_Access'), stdout);
    assert.match(stderr, /^OK: 6\/6 checks passed, 0 problem\(s\), [\d.]+ s$/m);
  });

  it('--json prints only {status, result, warnings}, with the chosen package manifest when asked', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--json',
        '--package-xml',
        '--package',
        'force-app-messaging',
        '--project-dir',
        join(FIXTURES, 'good')
      ],
      { cwd: REPOSITORY, env }
    );
    const json = JSON.parse(stdout) as ValidationJson;
    assert.deepEqual(Object.keys(json), ['status', 'result', 'warnings']);
    assert.equal(json.status, 0);
    assert.equal(json.result.packageXml?.package, 'Validator Fixture: Messaging');
    const texts = parseStrictXml(json.result.packageXml?.xml ?? '');
    assert.ok(texts.includes('Tethr_Messaging_Session_Ended'));
    assert.ok(!texts.includes('Tethr_Case_Closed'));
    assert.match(stderr, /^OK: 6\/6 checks passed/m);
  });

  it('refuses to write into a redirect that npm run has already put its banner into, and says how', async () => {
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', MAIN, '--package-xml'], {
        cwd: REPOSITORY,
        env: { ...process.env, npm_command: 'run', npm_config_loglevel: '' }
      }),
      (error: { code: number; stdout: string; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.equal(error.stdout, '');
        assert.ok(error.stderr.includes(bundle.getMessage('error.NpmBanner')), error.stderr);
        assert.ok(error.stderr.includes('npm run -s validate -- --package-xml > FILE'), error.stderr);
        assert.ok(
          error.stderr.includes('npx tsx scripts/validate/main.ts --package-xml > FILE'),
          error.stderr
        );
        return true;
      }
    );
  });
});
