import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Connection } from '@salesforce/core';
import { PROJECT_DIR } from '../../scripts/org/deploy.ts';
import { createPackageVersion, installUrls, type PackagingApi } from '../../scripts/org/package-version.ts';

describe('installUrls', () => {
  it('points production at login.salesforce.com and sandboxes at test.salesforce.com', () => {
    assert.deepEqual(installUrls('04t5e000000AbCdEFG'), {
      production: 'https://login.salesforce.com/packaging/installPackage.apexp?p0=04t5e000000AbCdEFG',
      sandbox: 'https://test.salesforce.com/packaging/installPackage.apexp?p0=04t5e000000AbCdEFG'
    });
  });

  it('refuses anything but a subscriber package version id', () => {
    assert.throws(() => installUrls('05i5e000000AbCdEFG'), /subscriber package version id/);
    assert.throws(() => installUrls('04t&evil=1'), /subscriber package version id/);
  });
});

describe('createPackageVersion', () => {
  const devHub = {} as Connection;
  let dir: string;
  const calls: string[] = [];
  let status: 'Success' | 'Error' = 'Success';

  const packaging: PackagingApi = {
    Package: {
      create: async (_conn, project, options) => {
        calls.push(`Package.create ${options.name} ${options.packageType} ${options.path}`);
        project.getSfProjectJson().addPackageAlias(options.name, '0Ho5e000000PkgAAA');
        await project.getSfProjectJson().write();
        return { Id: '0Ho5e000000PkgAAA' };
      }
    },
    PackageVersion: class {
      public constructor(private readonly options: { idOrAlias: string }) {}
      public static async create(options: {
        packageId?: string;
        codecoverage?: boolean;
        installationkeybypass?: boolean;
      }) {
        calls.push(
          `PackageVersion.create ${options.packageId} coverage=${options.codecoverage} nokey=${options.installationkeybypass}`
        );
        return {
          Id: '08c5e000000ReqAAA',
          Status: status,
          SubscriberPackageVersionId: status === 'Success' ? '04t5e000000VerAAAA' : null,
          VersionNumber: '1.0.0.1',
          Error: status === 'Error' ? ['force-app/main/default/flows/X.flow-meta.xml: bad flow'] : []
        } as never;
      }
      public async promote() {
        calls.push(`promote ${this.options.idOrAlias}`);
        return {};
      }
    } as unknown as PackagingApi['PackageVersion']
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tethr-package-'));
    const project = JSON.parse(await readFile(join(PROJECT_DIR, 'sfdx-project.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    project.packageAliases = {};
    await writeFile(join(dir, 'sfdx-project.json'), JSON.stringify(project, null, 2));
    for (const folder of ['force-app', 'unpackaged/external-client-app', 'unpackaged/legacy-connected-app']) {
      await mkdir(join(dir, folder), { recursive: true });
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the package when sfdx-project.json has no alias, then the version, and promotes on request', async () => {
    const result = await createPackageVersion(devHub, {
      promote: true,
      waitMinutes: 1,
      projectDir: dir,
      packaging
    });
    assert.deepEqual(calls, [
      'Package.create Tethr for Service Cloud Managed force-app',
      'PackageVersion.create Tethr for Service Cloud coverage=true nokey=true',
      'promote 04t5e000000VerAAAA'
    ]);
    assert.equal(
      result.installUrls.production,
      'https://login.salesforce.com/packaging/installPackage.apexp?p0=04t5e000000VerAAAA'
    );
    assert.deepEqual(
      result.steps.map((s) => `${s.step}: ${s.status}`),
      ['Package: created', 'Package version: created', 'Promote: updated']
    );
  });

  it('reuses the package alias on the next run', async () => {
    calls.length = 0;
    const result = await createPackageVersion(devHub, {
      promote: false,
      waitMinutes: 1,
      projectDir: dir,
      packaging
    });
    assert.deepEqual(calls, ['PackageVersion.create Tethr for Service Cloud coverage=false nokey=true']);
    assert.equal(result.steps[0]?.status, 'unchanged');
    assert.equal(result.promoted, false);
  });

  it('reports the errors of a failed version request', async () => {
    status = 'Error';
    await assert.rejects(
      createPackageVersion(devHub, { promote: false, waitMinutes: 1, projectDir: dir, packaging }),
      /ended with status Error:\n {2}force-app\/main\/default\/flows\/X.flow-meta.xml: bad flow/
    );
  });
});
