import { Flags } from '@salesforce/sf-plugins-core';
import { featureName, type OrgFeature, type PackageKey } from '../contracts/channels.ts';
import { PACKAGE_ORDER } from '../contracts/packages.ts';
import { createPackageVersions, type PackageVersionBuild } from '../org/package-version.ts';
import type { StepResult } from '../shared/step.ts';
import { envSection } from './env-vars.ts';
import { STATIC_HELP } from './shared-flags.ts';
import { renderSteps, spinnerProgress } from './step-rendering.ts';
import { TethrCommand } from './tethr-command.ts';

/** One package version in the --json result, in install order. */
export interface PackageVersionCreateBuild {
  /** "base" or "messaging" (scripts/contracts/packages.ts) */
  key: PackageKey;
  packageName: string;
  directory: string;
  packageId: string;
  subscriberPackageVersionId: string;
  versionNumber: string;
  promoted: boolean;
  installUrls: { production: string; sandbox: string };
  /** the version of the package below that this one was built against */
  builtOn: {
    key: PackageKey;
    packageName: string;
    versionNumber: string;
    subscriberPackageVersionId?: string;
  } | null;
  /** which orgs install it: every feature an org needs first, and the package to install before it */
  installIn: { requiredFeatures: OrgFeature[]; after: PackageKey | null; orgs: string };
}

export interface PackageVersionCreateResult {
  packages: PackageVersionCreateBuild[];
  steps: StepResult[];
}

/** Which orgs need a package, as the person handing out install URLs reads it. */
export function orgsThatNeed(build: Pick<PackageVersionBuild, 'requiredFeatures'>): string {
  const beyondCase = build.requiredFeatures.filter((feature) => feature !== 'ServiceCloud');
  return beyondCase.length === 0
    ? 'every Service Cloud org'
    : `only orgs with ${beyondCase.map((feature) => featureName(feature)).join(' and ')}`;
}

function toResult(build: PackageVersionBuild): PackageVersionCreateBuild {
  return {
    key: build.key,
    packageName: build.packageName,
    directory: build.directory,
    packageId: build.packageId,
    subscriberPackageVersionId: build.subscriberPackageVersionId,
    versionNumber: build.versionNumber,
    promoted: build.promoted,
    installUrls: { ...build.installUrls },
    builtOn: build.builtOn ? { ...build.builtOn } : null,
    installIn: {
      requiredFeatures: [...build.requiredFeatures],
      after: build.installAfter,
      orgs: orgsThatNeed(build)
    }
  };
}

/**
 * What to hand out, package by package in install order: the version, what it was built on, which
 * orgs install it and after what, and its install URLs.
 */
export function installInstructions(builds: PackageVersionCreateBuild[]): string[] {
  return builds.flatMap((build) => {
    const builtOn = build.builtOn
      ? `, built on ${build.builtOn.packageName} ${build.builtOn.versionNumber}`
      : '';
    const after = build.builtOn ? `, after ${build.builtOn.packageName}` : '';
    return [
      '',
      `${build.packageName} ${build.versionNumber} (${build.subscriberPackageVersionId})${builtOn}`,
      `  Install in ${build.installIn.orgs}${after}.`,
      `  Production: ${build.installUrls.production}`,
      `  Sandbox:    ${build.installUrls.sandbox}`
    ];
  });
}

export default class PackageVersionCreate extends TethrCommand<PackageVersionCreateResult> {
  public static override readonly summary =
    'Create versions of the Tethr packages, the base and then the Messaging extension, and print their install URLs.';
  public static override readonly description =
    'Builds the base package (force-app, "Tethr for Service Cloud") and then the Messaging extension (force-app-messaging), which depends on it: before the extension builds, its dependency in sfdx-project.json is pinned to the base version just built. Each package is created in the Dev Hub first if sfdx-project.json has no alias for it; commit the aliases and the pinned dependency afterwards. Prints both install URLs (production and sandbox) and which orgs need which package: the base goes into every Service Cloud org, the extension only into orgs with Messaging, after the base. With --promote each version is released right after it is built, so the extension builds on a released base; unpromoted beta versions install only in sandboxes and scratch orgs.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-dev-hub devhub',
    '<%= config.bin %> <%= command.id %> --target-dev-hub devhub --promote',
    '<%= config.bin %> <%= command.id %> --target-dev-hub devhub --package messaging'
  ];
  public static override readonly envVariablesSection = envSection('SF_TARGET_DEV_HUB');

  public static override readonly flags = {
    'target-dev-hub': Flags.requiredHub(STATIC_HELP),
    'api-version': Flags.orgApiVersion(),
    package: Flags.option({
      summary: 'Build only this package (repeatable); default: all of them, base first.',
      description:
        'base is "Tethr for Service Cloud" (force-app); messaging is the Messaging extension (force-app-messaging), built against the base version its dependency in sfdx-project.json names. Use it to build the extension again after only its build failed.',
      options: PACKAGE_ORDER,
      multiple: true
    })(),
    promote: Flags.boolean({ summary: 'Promote each new version to released.' }),
    'installation-key': Flags.string({
      summary: 'Installation key the installing admin must enter (default: none).'
    }),
    wait: Flags.integer({ summary: 'Minutes to wait for each version to be built.', default: 60, min: 1 })
  };

  public async run(): Promise<PackageVersionCreateResult> {
    const { flags } = await this.parse(PackageVersionCreate);
    const devHub = flags['target-dev-hub'].getConnection(flags['api-version']);
    const result = await createPackageVersions(devHub, {
      promote: flags.promote,
      waitMinutes: flags.wait,
      onProgress: spinnerProgress(this),
      ...(flags.package ? { packages: flags.package } : {}),
      ...(flags['installation-key'] ? { installationKey: flags['installation-key'] } : {})
    });
    renderSteps(this, 'Package versions', result.steps);
    const builds = result.packages.map(toResult);
    for (const line of installInstructions(builds)) this.log(line);
    if (builds.some((build) => !build.promoted)) {
      this.info('Beta versions install in sandboxes and scratch orgs only; use --promote to release them.');
    }
    return { packages: builds, steps: result.steps };
  }
}
