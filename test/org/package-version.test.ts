import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import type { Connection, SfProject } from '@salesforce/core';
import { installInstructions, orgsThatNeed } from '../../scripts/commands/package-version-create.ts';
import { PROJECT_DIR } from '../../scripts/org/deploy.ts';
import { createPackageVersions, installUrls, type PackagingApi } from '../../scripts/org/package-version.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';

const messages = loadMessages('package-version');
const BASE = 'Tethr for Service Cloud';
const MESSAGING = 'Tethr for Service Cloud: Messaging';

describe('installUrls', () => {
  it('points production at login.salesforce.com and sandboxes at test.salesforce.com', () => {
    assert.deepEqual(installUrls('04t5e000000AbCdEFG'), {
      production: 'https://login.salesforce.com/packaging/installPackage.apexp?p0=04t5e000000AbCdEFG',
      sandbox: 'https://test.salesforce.com/packaging/installPackage.apexp?p0=04t5e000000AbCdEFG'
    });
  });

  it('refuses anything but a subscriber package version id', () => {
    for (const id of ['05i5e000000AbCdEFG', '04t&evil=1']) {
      assert.throws(
        () => installUrls(id),
        (error: Error) => error.message === messages.getMessage('error.InvalidPackageVersionId', [id])
      );
    }
  });
});

type Dependency = { package?: string; versionNumber?: string };

/**
 * A stand-in for @salesforce/packaging that records what we ask of it, in order, and behaves as
 * the library does towards sfdx-project.json: Package.create writes the package alias, a
 * successful version create writes the version alias, and the version is built from the
 * package directory as the SfProject handed in reads it (so a stale project would show).
 */
function fakePackaging() {
  const calls: string[] = [];
  const builtAgainst = new Map<string, Dependency[]>();
  const failing = new Set<string>();
  const ids: Record<string, { pkg: string; version: string; number: string }> = {
    [BASE]: { pkg: '0Ho5e000000BasAAA', version: '04t5e000000BaseAAA', number: '1.0.0.3' },
    [MESSAGING]: { pkg: '0Ho5e000000MsgAAA', version: '04t5e000000MsgsAAA', number: '1.0.0.1' }
  };
  const packaging: PackagingApi = {
    Package: {
      create: async (_conn, project, options) => {
        calls.push(`Package.create ${options.name} ${options.packageType} ${options.path}`);
        const id = ids[options.name]!.pkg;
        project.getSfProjectJson().addPackageAlias(options.name, id);
        await project.getSfProjectJson().write();
        return { Id: id };
      }
    },
    PackageVersion: class {
      public constructor(private readonly options: { idOrAlias: string }) {}
      public static async create(options: {
        project: SfProject;
        packageId?: string;
        path?: string;
        definitionfile?: string;
        codecoverage?: boolean;
        installationkeybypass?: boolean;
      }) {
        const name = options.packageId ?? '';
        calls.push(
          `PackageVersion.create ${name} path=${options.path} def=${options.definitionfile} coverage=${options.codecoverage} nokey=${options.installationkeybypass}`
        );
        const dir = options.project.getPackageDirectories().find((d) => d.path === options.path) as
          { dependencies?: Dependency[] } | undefined;
        builtAgainst.set(name, structuredClone(dir?.dependencies ?? []));
        if (failing.has(name)) {
          return {
            Id: '08c5e000000ReqAAA',
            Status: 'Error',
            SubscriberPackageVersionId: null,
            VersionNumber: null,
            Error: [`${options.path}/main/default/flows/X.flow-meta.xml: bad flow`]
          } as never;
        }
        const { version, number } = ids[name]!;
        const json = options.project.getSfProjectJson();
        const [major, minor, patch, build] = number.split('.');
        json.set('packageAliases', {
          ...(json.get('packageAliases') as Record<string, string>),
          [`${name}@${major}.${minor}.${patch}-${build}`]: version
        });
        await json.write();
        return {
          Id: '08c5e000000ReqAAA',
          Status: 'Success',
          SubscriberPackageVersionId: version,
          VersionNumber: number,
          Error: []
        } as never;
      }
      public async promote() {
        calls.push(`promote ${this.options.idOrAlias}`);
        return {};
      }
    } as unknown as PackagingApi['PackageVersion']
  };
  return { packaging, calls, builtAgainst, failing };
}

describe('createPackageVersions', () => {
  const devHub = {} as Connection;
  const dirs: string[] = [];
  let dir: string;

  /** A project with this repository's sfdx-project.json and no aliases yet, as before the first release. */
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tethr-package-'));
    dirs.push(dir);
    const project = JSON.parse(await readFile(join(PROJECT_DIR, 'sfdx-project.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    project.packageAliases = {};
    await writeFile(join(dir, 'sfdx-project.json'), JSON.stringify(project, null, 2));
    for (const folder of [
      'force-app',
      'force-app-messaging',
      'unpackaged/external-client-app',
      'unpackaged/legacy-connected-app'
    ]) {
      await mkdir(join(dir, folder), { recursive: true });
    }
  });
  after(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function projectJson(): Promise<{
    packageDirectories: Array<{ path: string; dependencies?: Dependency[] }>;
    packageAliases: Record<string, string>;
  }> {
    return JSON.parse(await readFile(join(dir, 'sfdx-project.json'), 'utf8')) as never;
  }

  it('builds the base, then the extension against the base version just built, and prints who installs what', async () => {
    const fake = fakePackaging();
    const result = await createPackageVersions(devHub, {
      promote: false,
      waitMinutes: 1,
      projectDir: dir,
      packaging: fake.packaging
    });
    assert.deepEqual(fake.calls, [
      `Package.create ${BASE} Managed force-app`,
      `PackageVersion.create ${BASE} path=force-app def=config/base-package-scratch-def.json coverage=false nokey=true`,
      `Package.create ${MESSAGING} Managed force-app-messaging`,
      `PackageVersion.create ${MESSAGING} path=force-app-messaging def=config/messaging-package-scratch-def.json coverage=false nokey=true`
    ]);
    // The extension was built with its dependency resolved to exactly the base version of this run.
    assert.deepEqual(fake.builtAgainst.get(MESSAGING), [{ package: BASE, versionNumber: '1.0.0.3' }]);
    const saved = await projectJson();
    assert.deepEqual(saved.packageDirectories.find((d) => d.path === 'force-app-messaging')?.dependencies, [
      { package: BASE, versionNumber: '1.0.0.3' }
    ]);
    // Pinning kept every alias the library wrote.
    assert.deepEqual(saved.packageAliases, {
      [BASE]: '0Ho5e000000BasAAA',
      [`${BASE}@1.0.0-3`]: '04t5e000000BaseAAA',
      [MESSAGING]: '0Ho5e000000MsgAAA',
      [`${MESSAGING}@1.0.0-1`]: '04t5e000000MsgsAAA'
    });

    assert.deepEqual(
      result.packages.map((p) => [p.key, p.packageName, p.versionNumber, p.installAfter, p.requiredFeatures]),
      [
        ['base', BASE, '1.0.0.3', null, ['ServiceCloud']],
        ['messaging', MESSAGING, '1.0.0.1', 'base', ['ServiceCloud', 'Messaging']]
      ]
    );
    assert.deepEqual(result.packages[1]?.builtOn, {
      key: 'base',
      packageName: BASE,
      versionNumber: '1.0.0.3',
      subscriberPackageVersionId: '04t5e000000BaseAAA'
    });
    assert.deepEqual(
      result.steps.map((s) => `${s.step}: ${s.status}`),
      [
        `Package ${BASE}: created`,
        `Version of ${BASE}: created`,
        `Dependency of ${MESSAGING}: updated`,
        `Package ${MESSAGING}: created`,
        `Version of ${MESSAGING}: created`
      ]
    );

    const { default: Command } = await import('../../scripts/commands/package-version-create.ts');
    assert.equal(Command.flags.package.options?.join(','), 'base,messaging');
    assert.equal(orgsThatNeed(result.packages[0]!), 'every Service Cloud org');
    assert.equal(orgsThatNeed(result.packages[1]!), 'only orgs with Messaging');
    const builds = result.packages.map((p) => ({
      ...p,
      installIn: { requiredFeatures: p.requiredFeatures, after: p.installAfter, orgs: orgsThatNeed(p) }
    }));
    assert.deepEqual(installInstructions(builds), [
      '',
      `${BASE} 1.0.0.3 (04t5e000000BaseAAA)`,
      '  Install in every Service Cloud org.',
      '  Production: https://login.salesforce.com/packaging/installPackage.apexp?p0=04t5e000000BaseAAA',
      '  Sandbox:    https://test.salesforce.com/packaging/installPackage.apexp?p0=04t5e000000BaseAAA',
      '',
      `${MESSAGING} 1.0.0.1 (04t5e000000MsgsAAA), built on ${BASE} 1.0.0.3`,
      `  Install in only orgs with Messaging, after ${BASE}.`,
      '  Production: https://login.salesforce.com/packaging/installPackage.apexp?p0=04t5e000000MsgsAAA',
      '  Sandbox:    https://test.salesforce.com/packaging/installPackage.apexp?p0=04t5e000000MsgsAAA'
    ]);
  });

  it('reuses the package aliases on the next run and promotes each version before building on it', async () => {
    await createPackageVersions(devHub, {
      promote: false,
      waitMinutes: 1,
      projectDir: dir,
      packaging: fakePackaging().packaging
    });
    const fake = fakePackaging();
    const result = await createPackageVersions(devHub, {
      promote: true,
      waitMinutes: 1,
      projectDir: dir,
      packaging: fake.packaging
    });
    assert.deepEqual(fake.calls, [
      `PackageVersion.create ${BASE} path=force-app def=config/base-package-scratch-def.json coverage=true nokey=true`,
      'promote 04t5e000000BaseAAA',
      `PackageVersion.create ${MESSAGING} path=force-app-messaging def=config/messaging-package-scratch-def.json coverage=true nokey=true`,
      'promote 04t5e000000MsgsAAA'
    ]);
    assert.deepEqual(
      result.steps.filter((s) => s.step.startsWith('Package ')).map((s) => s.status),
      ['unchanged', 'unchanged']
    );
    assert.ok(result.packages.every((p) => p.promoted));
  });

  it('builds only the extension when asked, against the base version sfdx-project.json names', async () => {
    const fake = fakePackaging();
    const result = await createPackageVersions(devHub, {
      promote: false,
      waitMinutes: 1,
      projectDir: dir,
      packages: ['messaging'],
      packaging: fake.packaging
    });
    assert.deepEqual(fake.calls, [
      `Package.create ${MESSAGING} Managed force-app-messaging`,
      `PackageVersion.create ${MESSAGING} path=force-app-messaging def=config/messaging-package-scratch-def.json coverage=false nokey=true`
    ]);
    assert.deepEqual(fake.builtAgainst.get(MESSAGING), [{ package: BASE, versionNumber: '1.0.0.LATEST' }]);
    assert.deepEqual(result.packages[0]?.builtOn, {
      key: 'base',
      packageName: BASE,
      versionNumber: '1.0.0.LATEST'
    });
  });

  it('says what was built and how to finish when the extension fails after the base', async () => {
    const fake = fakePackaging();
    fake.failing.add(MESSAGING);
    await assert.rejects(
      createPackageVersions(devHub, {
        promote: false,
        waitMinutes: 1,
        projectDir: dir,
        packaging: fake.packaging
      }),
      (error: Error & { actions?: string[] }) => {
        const cause = messages.getMessage('error.PackageVersionCreateFailed', [
          '08c5e000000ReqAAA',
          MESSAGING,
          'Error',
          ':\n  force-app-messaging/main/default/flows/X.flow-meta.xml: bad flow'
        ]);
        assert.equal(
          error.message,
          messages.getMessage('error.LaterPackageFailed', [
            `${BASE} 1.0.0.3`,
            '04t5e000000BaseAAA',
            MESSAGING,
            MESSAGING,
            cause
          ])
        );
        assert.deepEqual(error.actions, [
          'Fix the cause, then build only the remaining package against the pinned version: `sf tethr package version create --package messaging`.'
        ]);
        return true;
      }
    );
    // The base version stays recorded, so the re-run builds only the extension, against it.
    const saved = await projectJson();
    assert.equal(saved.packageAliases[`${BASE}@1.0.0-3`], '04t5e000000BaseAAA');
    assert.deepEqual(saved.packageDirectories.find((d) => d.path === 'force-app-messaging')?.dependencies, [
      { package: BASE, versionNumber: '1.0.0.3' }
    ]);
  });

  it('reports the errors of a failed base version request and builds nothing on it', async () => {
    const fake = fakePackaging();
    fake.failing.add(BASE);
    await assert.rejects(
      createPackageVersions(devHub, {
        promote: false,
        waitMinutes: 1,
        projectDir: dir,
        packaging: fake.packaging
      }),
      (error: Error) => {
        assert.equal(
          error.message,
          messages.getMessage('error.PackageVersionCreateFailed', [
            '08c5e000000ReqAAA',
            BASE,
            'Error',
            ':\n  force-app/main/default/flows/X.flow-meta.xml: bad flow'
          ])
        );
        return true;
      }
    );
    assert.ok(!fake.calls.some((call) => call.includes(MESSAGING)), fake.calls.join('\n'));
  });

  it('refuses before building anything when the extension does not declare its dependency on the base', async () => {
    const project = await projectJson();
    delete project.packageDirectories.find((d) => d.path === 'force-app-messaging')!.dependencies;
    await writeFile(join(dir, 'sfdx-project.json'), JSON.stringify(project, null, 2));
    const fake = fakePackaging();
    await assert.rejects(
      createPackageVersions(devHub, {
        promote: false,
        waitMinutes: 1,
        projectDir: dir,
        packaging: fake.packaging
      }),
      (error: Error) =>
        error.message ===
        messages.getMessage('error.MissingDependency', [MESSAGING, 'force-app-messaging', BASE])
    );
    assert.deepEqual(fake.calls, []);
  });
});
