import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core/sfError';
import { Duration } from '@salesforce/kit';
import { PACKAGE_DIR, PROJECT_DIR } from './deploy.ts';
import { SCRATCH_DEFINITION } from './scratch-org.ts';
import { noProgress, type ProgressListener, type StepResult } from '../shared/step.ts';

export interface InstallUrls {
  production: string;
  sandbox: string;
}

/** Where an admin installs a package version (04t...) in production or in a sandbox. */
export function installUrls(subscriberPackageVersionId: string): InstallUrls {
  if (!/^04t[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/.test(subscriberPackageVersionId)) {
    throw new SfError(
      `"${subscriberPackageVersionId}" is not a subscriber package version id (04t...).`,
      'InvalidPackageVersionId'
    );
  }
  const query = `packaging/installPackage.apexp?p0=${subscriberPackageVersionId}`;
  return {
    production: `https://login.salesforce.com/${query}`,
    sandbox: `https://test.salesforce.com/${query}`
  };
}

/** The parts of @salesforce/packaging used here; replaceable so tests need no Dev Hub. */
export interface PackagingApi {
  Package: Pick<typeof import('@salesforce/packaging').Package, 'create'>;
  PackageVersion: Pick<typeof import('@salesforce/packaging').PackageVersion, 'create'> & {
    new (options: ConstructorParameters<typeof import('@salesforce/packaging').PackageVersion>[0]): {
      promote(): Promise<unknown>;
    };
  };
}

export interface PackageVersionOptions {
  promote: boolean;
  /** defaults to this repository */
  projectDir?: string;
  packaging?: PackagingApi;
  installationKey?: string;
  waitMinutes: number;
  /** seconds between status checks of the version create request */
  pollSeconds?: number;
  onProgress?: ProgressListener;
}

export interface PackageVersionResult {
  packageName: string;
  packageId: string;
  subscriberPackageVersionId: string;
  versionNumber: string;
  promoted: boolean;
  installUrls: InstallUrls;
  steps: StepResult[];
}

/**
 * Creates a version of the managed package in the Dev Hub, creating the package itself first
 * when sfdx-project.json has no alias for it yet (@salesforce/packaging writes the alias back).
 */
export async function createPackageVersion(
  devHub: Connection,
  options: PackageVersionOptions
): Promise<PackageVersionResult> {
  const progress = options.onProgress ?? noProgress;
  const { SfProject } = await import('@salesforce/core');
  const { Package, PackageVersion } = options.packaging ?? (await import('@salesforce/packaging'));
  const project = await SfProject.resolve(options.projectDir ?? PROJECT_DIR);
  const packageDir = project.getPackageDirectories().find((d) => d.path === PACKAGE_DIR);
  const packageName = packageDir && 'package' in packageDir ? String(packageDir.package) : undefined;
  if (!packageName) {
    throw new SfError(`sfdx-project.json names no package for ${PACKAGE_DIR}.`, 'NoPackageDirectory', [
      `Add "package": "Tethr for Service Cloud" to the ${PACKAGE_DIR} entry of packageDirectories.`
    ]);
  }
  const steps: StepResult[] = [];

  const aliases = (project.getSfProjectJson().getContents().packageAliases ?? {}) as Record<string, string>;
  let packageId = aliases[packageName];
  progress({ step: 'Package', phase: 'start' });
  if (packageId) {
    steps.push({ step: 'Package', status: 'unchanged', detail: `${packageName} (${packageId})` });
  } else {
    const created = await Package.create(devHub, project, {
      name: packageName,
      description: 'Tethr for Service Cloud',
      noNamespace: false,
      orgDependent: false,
      packageType: 'Managed',
      errorNotificationUsername: '',
      path: PACKAGE_DIR
    });
    packageId = created.Id;
    steps.push({
      step: 'Package',
      status: 'created',
      detail: `${packageName} (${packageId}); alias written to sfdx-project.json`
    });
  }
  progress({ step: 'Package', phase: 'end', result: steps[0]! });

  progress({ step: 'Package version', phase: 'start', message: 'building (this takes several minutes)' });
  const request = await PackageVersion.create(
    {
      connection: devHub,
      project,
      packageId: packageName,
      path: PACKAGE_DIR,
      definitionfile: SCRATCH_DEFINITION,
      // Promotion to released requires the version to be built with validation and coverage.
      codecoverage: options.promote,
      ...(options.installationKey
        ? { installationkey: options.installationKey }
        : { installationkeybypass: true })
    },
    { frequency: Duration.seconds(options.pollSeconds ?? 30), timeout: Duration.minutes(options.waitMinutes) }
  );
  if (request.Status !== 'Success' || !request.SubscriberPackageVersionId) {
    const errors = (request.Error ?? []).map((e: unknown) => (typeof e === 'string' ? e : JSON.stringify(e)));
    throw new SfError(
      `The package version request ${request.Id} ended with status ${request.Status}${errors.length ? `:\n  ${errors.join('\n  ')}` : ''}.`,
      'PackageVersionCreateFailed',
      request.Status === 'Error'
        ? ['Fix the errors above and run `tethr-sf package version` again.']
        : [
            `It is still running: check it with \`sf package version create report --package-create-request-id ${request.Id}\`, or pass a longer --wait.`
          ]
    );
  }
  const subscriberPackageVersionId = request.SubscriberPackageVersionId;
  const versionNumber = request.VersionNumber ?? '';
  steps.push({
    step: 'Package version',
    status: 'created',
    detail: `${versionNumber} (${subscriberPackageVersionId})`
  });
  progress({ step: 'Package version', phase: 'end', result: steps[1]! });

  if (options.promote) {
    progress({ step: 'Promote', phase: 'start' });
    await new PackageVersion({
      connection: devHub,
      project,
      idOrAlias: subscriberPackageVersionId
    }).promote();
    steps.push({ step: 'Promote', status: 'updated', detail: 'released: installable in production' });
    progress({ step: 'Promote', phase: 'end', result: steps[2]! });
  }
  return {
    packageName,
    packageId,
    subscriberPackageVersionId,
    versionNumber,
    promoted: options.promote,
    installUrls: installUrls(subscriberPackageVersionId),
    steps
  };
}
