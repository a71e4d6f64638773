import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { createPackageVersion, type PackageVersionResult } from '../org/package-version.ts';
import { renderSteps, spinnerProgress } from './step-rendering.ts';

export default class PackageVersion extends SfCommand<PackageVersionResult> {
  public static override readonly summary =
    'Create a version of the Tethr managed package and print its install URLs.';
  public static override readonly description =
    'Creates the package in the Dev Hub first if sfdx-project.json has no alias for it, then a package version of force-app, and prints the install URLs for production and sandboxes. With --promote the version is released (installable in production orgs); unpromoted beta versions install only in sandboxes and scratch orgs.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-dev-hub devhub',
    '<%= config.bin %> <%= command.id %> --target-dev-hub devhub --promote'
  ];

  public static override readonly flags = {
    'target-dev-hub': Flags.requiredHub(),
    'api-version': Flags.orgApiVersion(),
    promote: Flags.boolean({ summary: 'Promote the new version to released.' }),
    'installation-key': Flags.string({
      summary: 'Installation key the installing admin must enter (default: none).'
    }),
    wait: Flags.integer({ summary: 'Minutes to wait for the version to be built.', default: 60, min: 1 })
  };

  public async run(): Promise<PackageVersionResult> {
    const { flags } = await this.parse(PackageVersion);
    const devHub = flags['target-dev-hub'].getConnection(flags['api-version']);
    const result = await createPackageVersion(devHub, {
      promote: flags.promote,
      waitMinutes: flags.wait,
      onProgress: spinnerProgress(this),
      ...(flags['installation-key'] ? { installationKey: flags['installation-key'] } : {})
    });
    renderSteps(this, `${result.packageName} ${result.versionNumber}`, result.steps);
    this.log(`Install in production: ${result.installUrls.production}`);
    this.log(`Install in a sandbox:  ${result.installUrls.sandbox}`);
    if (!result.promoted)
      this.info('Beta version: it installs in sandboxes and scratch orgs only; use --promote to release it.');
    return result;
  }
}
