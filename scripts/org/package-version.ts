import type { Connection, SfProject } from '@salesforce/core';
import type { SfError } from '@salesforce/core/sfError';
import { Duration } from '@salesforce/kit';
import type { OrgFeature, PackageKey } from '../contracts/channels.ts';
import { PACKAGE_ORDER, PACKAGES, packageFeatures } from '../contracts/packages.ts';
import { loadMessages } from '../shared/messages.ts';
import { noProgress, type ProgressListener, type StepResult } from '../shared/step.ts';
import { PROJECT_DIR } from './deploy.ts';

const messages = loadMessages('package-version');

export interface InstallUrls {
  production: string;
  sandbox: string;
}

/** Where an admin installs a package version (04t...) in production or in a sandbox. */
export function installUrls(subscriberPackageVersionId: string): InstallUrls {
  if (!/^04t[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/.test(subscriberPackageVersionId)) {
    throw messages.createError('error.InvalidPackageVersionId', [subscriberPackageVersionId]);
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
  /** which packages to build (default: all, in dependency order); always built in dependency order */
  packages?: readonly PackageKey[];
  packaging?: PackagingApi;
  installationKey?: string;
  waitMinutes: number;
  /** seconds between status checks of the version create request */
  pollSeconds?: number;
  onProgress?: ProgressListener;
}

/** The version of the package below that a version was built against. */
export interface BuiltOn {
  key: PackageKey;
  packageName: string;
  /** exact (1.0.0.3) when pinned to a version built in the same run, else as sfdx-project.json declares it */
  versionNumber: string;
  /** set when the version was built in the same run */
  subscriberPackageVersionId?: string;
}

export interface PackageVersionBuild {
  key: PackageKey;
  packageName: string;
  directory: string;
  packageId: string;
  subscriberPackageVersionId: string;
  versionNumber: string;
  promoted: boolean;
  installUrls: InstallUrls;
  builtOn: BuiltOn | null;
  /** what an org needs before this package installs (every package also needs those below it) */
  requiredFeatures: OrgFeature[];
  /** the package that must be installed first */
  installAfter: PackageKey | null;
}

export interface PackageVersionResult {
  /** in dependency order: install them in this order */
  packages: PackageVersionBuild[];
  steps: StepResult[];
}

type PackageDir = { path: string; package?: string; definitionFile?: string; dependencies?: Dependency[] };
type Dependency = { package?: string; versionNumber?: string };

/**
 * Builds a version of each Tethr package in dependency order: the base, then the Messaging
 * extension against the base version just built. The package itself is created first when
 * sfdx-project.json has no alias for it (@salesforce/packaging writes the alias back). Before an
 * extension builds, its dependency in sfdx-project.json is pinned to the exact base version of
 * this run, so the extension can never pick up another base build and the file records what it
 * was built against (commit it with the aliases). With `promote`, each version is promoted right
 * after it is built, so the extension is built on a released base, as Salesforce advises
 * (pkg2_dev dev2gp_considerations_pkg_dependency.htm).
 */
export async function createPackageVersions(
  devHub: Connection,
  options: PackageVersionOptions
): Promise<PackageVersionResult> {
  const progress = options.onProgress ?? noProgress;
  const { SfProject } = await import('@salesforce/core');
  const packaging = options.packaging ?? (await import('@salesforce/packaging'));
  const projectDir = options.projectDir ?? PROJECT_DIR;
  // Read sfdx-project.json from disk, not from an SfProject cached earlier in this process.
  SfProject.clearInstances();
  let project = await SfProject.resolve(projectDir);
  const wanted = PACKAGE_ORDER.filter((key) => !options.packages || options.packages.includes(key));
  for (const key of wanted) checkDeclaration(project, key);

  const steps: StepResult[] = [];
  const builds: PackageVersionBuild[] = [];
  const step = async <T>(name: string, message: string | undefined, work: () => Promise<[T, StepResult]>) => {
    progress({ step: name, phase: 'start', ...(message ? { message } : {}) });
    const [value, result] = await work();
    steps.push(result);
    progress({ step: name, phase: 'end', result });
    return value;
  };

  for (const key of wanted) {
    const below = PACKAGES[key].dependsOn;
    const builtBelow = builds.find((b) => b.key === below);
    try {
      if (below && builtBelow) {
        await step(`Dependency of ${packageNameOf(project, key)}`, undefined, async () => {
          await pinDependency(project, key, builtBelow);
          return [undefined, pinnedStep(project, key, builtBelow)];
        });
        // SfProject caches packageDirectories; read the pinned file afresh.
        SfProject.clearInstances();
        project = await SfProject.resolve(projectDir);
      }
      builds.push(await buildOne(devHub, project, key, builtBelow, options, packaging, step));
    } catch (error) {
      const earlier = builds.at(-1);
      if (!earlier || !(error instanceof Error)) throw error;
      throw messages.createError(
        'error.LaterPackageFailed',
        [
          `${earlier.packageName} ${earlier.versionNumber}`,
          earlier.subscriberPackageVersionId,
          packageNameOf(project, key),
          packageNameOf(project, key),
          error.message
        ],
        [key],
        error
      );
    }
  }
  return { packages: builds, steps };
}

type StepRunner = <T>(
  name: string,
  message: string | undefined,
  work: () => Promise<[T, StepResult]>
) => Promise<T>;

async function buildOne(
  devHub: Connection,
  project: SfProject,
  key: PackageKey,
  builtBelow: PackageVersionBuild | undefined,
  options: PackageVersionOptions,
  { Package, PackageVersion }: PackagingApi,
  step: StepRunner
): Promise<PackageVersionBuild> {
  const dir = packageDirOf(project, key);
  const packageName = dir.package ?? '';
  const aliases = (project.getSfProjectJson().getContents().packageAliases ?? {}) as Record<string, string>;

  const packageId = await step(`Package ${packageName}`, undefined, async () => {
    const existing = aliases[packageName];
    if (existing)
      return [existing, { step: `Package ${packageName}`, status: 'unchanged', detail: existing }];
    const created = await Package.create(devHub, project, {
      name: packageName,
      description: packageName,
      noNamespace: false,
      orgDependent: false,
      packageType: 'Managed',
      errorNotificationUsername: '',
      path: dir.path
    });
    return [
      created.Id,
      {
        step: `Package ${packageName}`,
        status: 'created',
        detail: `${created.Id}; alias written to sfdx-project.json`
      }
    ];
  });

  const request = await step(
    `Version of ${packageName}`,
    'building (this takes several minutes)',
    async () => {
      const result = await PackageVersion.create(
        {
          connection: devHub,
          project,
          packageId: packageName,
          path: dir.path,
          definitionfile: dir.definitionFile,
          // Promotion to released requires the version to be built with validation and coverage.
          codecoverage: options.promote,
          ...(options.installationKey
            ? { installationkey: options.installationKey }
            : { installationkeybypass: true })
        },
        {
          frequency: Duration.seconds(options.pollSeconds ?? 30),
          timeout: Duration.minutes(options.waitMinutes)
        }
      );
      if (result.Status !== 'Success' || !result.SubscriberPackageVersionId)
        throw requestFailed(result, packageName);
      if (!result.VersionNumber)
        throw messages.createError('error.NoVersionNumber', [result.Id, packageName], [packageName]);
      return [
        {
          ...result,
          SubscriberPackageVersionId: result.SubscriberPackageVersionId,
          VersionNumber: result.VersionNumber
        },
        {
          step: `Version of ${packageName}`,
          status: 'created',
          detail: `${result.VersionNumber} (${result.SubscriberPackageVersionId})`
        }
      ];
    }
  );

  if (options.promote) {
    await step(`Promote ${packageName}`, undefined, async () => {
      await new PackageVersion({
        connection: devHub,
        project,
        idOrAlias: request.SubscriberPackageVersionId
      }).promote();
      return [
        undefined,
        { step: `Promote ${packageName}`, status: 'updated', detail: 'released: installable in production' }
      ];
    });
  }

  const below = PACKAGES[key].dependsOn;
  return {
    key,
    packageName,
    directory: dir.path,
    packageId,
    subscriberPackageVersionId: request.SubscriberPackageVersionId,
    versionNumber: request.VersionNumber,
    promoted: options.promote,
    installUrls: installUrls(request.SubscriberPackageVersionId),
    builtOn: below ? builtOnOf(project, key, below, builtBelow) : null,
    requiredFeatures: packageFeatures(key),
    installAfter: below
  };
}

function requestFailed(
  request: { Id: string; Status: string; Error?: unknown[] | null },
  packageName: string
): SfError {
  if (request.Status !== 'Error') {
    return messages.createError(
      'error.PackageVersionStillRunning',
      [request.Id, packageName, request.Status],
      [request.Id]
    );
  }
  const errors = (request.Error ?? []).map((e: unknown) => (typeof e === 'string' ? e : JSON.stringify(e)));
  return messages.createError('error.PackageVersionCreateFailed', [
    request.Id,
    packageName,
    request.Status,
    errors.length > 0 ? `:\n  ${errors.join('\n  ')}` : '.'
  ]);
}

function packageDirs(project: SfProject): PackageDir[] {
  return (project.getSfProjectJson().getContents().packageDirectories ?? []) as PackageDir[];
}

function packageDirOf(project: SfProject, key: PackageKey): PackageDir {
  const directory = PACKAGES[key].directory;
  const dir = packageDirs(project).find((d) => d.path === directory && typeof d.package === 'string');
  if (!dir) throw messages.createError('error.NoPackageDirectory', [directory, key], [directory]);
  return dir;
}

function packageNameOf(project: SfProject, key: PackageKey): string {
  return packageDirOf(project, key).package ?? key;
}

/** The dependency entry of `key` that names the package below it (by name or version alias). */
function dependencyOn(dir: PackageDir, belowName: string): Dependency | undefined {
  return (dir.dependencies ?? []).find(
    (d) => d.package === belowName || (d.package ?? '').startsWith(`${belowName}@`)
  );
}

/** Fails before anything is built when sfdx-project.json cannot build the package as the contract says. */
function checkDeclaration(project: SfProject, key: PackageKey): void {
  const dir = packageDirOf(project, key);
  if (!dir.definitionFile)
    throw messages.createError('error.NoDefinitionFile', [dir.package ?? '', dir.path]);
  const below = PACKAGES[key].dependsOn;
  if (!below) return;
  const belowName = packageNameOf(project, below);
  if (!dependencyOn(dir, belowName)) {
    throw messages.createError(
      'error.MissingDependency',
      [dir.package ?? '', dir.path, belowName],
      [belowName, dir.path]
    );
  }
}

/** Points the package's dependency on the package below at the exact version just built, and saves the file. */
async function pinDependency(project: SfProject, key: PackageKey, built: PackageVersionBuild): Promise<void> {
  const json = project.getSfProjectJson();
  const directory = PACKAGES[key].directory;
  const updated = packageDirs(project).map((dir) => {
    if (dir.path !== directory) return dir;
    return {
      ...dir,
      dependencies: (dir.dependencies ?? []).map((dependency) =>
        dependency === dependencyOn(dir, built.packageName)
          ? { package: built.packageName, versionNumber: built.versionNumber }
          : dependency
      )
    };
  });
  json.set('packageDirectories', updated);
  await json.write();
}

function pinnedStep(project: SfProject, key: PackageKey, built: PackageVersionBuild): StepResult {
  return {
    step: `Dependency of ${packageNameOf(project, key)}`,
    status: 'updated',
    detail: `pinned to ${built.packageName} ${built.versionNumber} (${built.subscriberPackageVersionId}) in sfdx-project.json`
  };
}

function builtOnOf(
  project: SfProject,
  key: PackageKey,
  below: PackageKey,
  builtBelow: PackageVersionBuild | undefined
): BuiltOn {
  const belowName = packageNameOf(project, below);
  if (builtBelow) {
    return {
      key: below,
      packageName: belowName,
      versionNumber: builtBelow.versionNumber,
      subscriberPackageVersionId: builtBelow.subscriberPackageVersionId
    };
  }
  const declared = dependencyOn(packageDirOf(project, key), belowName);
  return {
    key: below,
    packageName: belowName,
    versionNumber: declared?.versionNumber ?? declared?.package ?? ''
  };
}
