import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { SfError } from '@salesforce/core/sfError';
import type { Org } from '@salesforce/core';
import { assertAgeRecipient } from '../org/credentials-bundle.ts';
import { assertUserInputs } from '../org/integration-user.ts';
import { DEFAULT_SCRATCH_ALIAS, ensureScratchOrg } from '../org/scratch-org.ts';
import { runSetup, SetupFailedError, type SetupResult } from '../org/setup.ts';
import type { StepResult } from '../shared/step.ts';
import { assertAllowedUrl } from '../shared/url-policy.ts';
import { renderSteps, spinnerProgress } from './step-rendering.ts';
import { bundleOutputFlags, callbackUrlFlag, checkFlag } from './shared-flags.ts';

export default class Setup extends SfCommand<SetupResult> {
  public static override readonly summary =
    'Make an org Tethr-ready and write the credentials bundle, in one command.';
  public static override readonly description =
    'Runs, in order: deploy the metadata (unless the package is installed), create or reuse the API-only integration user with its licence and permission set, set the OAuth policies of the External Client App, read its key and secret into the credentials bundle, and (unless --no-verify) run doctor. Safe to re-run after any failure. With --scratch, first creates (or reuses) a scratch org from config/project-scratch-def.json.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org my-sandbox',
    '<%= config.bin %> <%= command.id %> --scratch --target-dev-hub devhub --target-org tethr-scratch',
    '<%= config.bin %> <%= command.id %> --target-org prod --encrypt-to age1... --output acme.credentials.json.age'
  ];

  public static override readonly flags = {
    'target-org': Flags.string({
      char: 'o',
      summary: 'Org alias or username (with --scratch: the alias of the scratch org to create or reuse).'
    }),
    'target-dev-hub': Flags.optionalHub({
      summary: 'Dev Hub for --scratch (default: the sf target-dev-hub).'
    }),
    scratch: Flags.boolean({ summary: 'Create (or reuse) a scratch org first.' }),
    'api-version': Flags.orgApiVersion(),
    'legacy-connected-app': Flags.boolean({
      summary:
        'Use the legacy Connected App and the username-password flow instead of the External Client App.'
    }),
    'callback-url': callbackUrlFlag,
    username: Flags.string({ summary: 'Username of the integration user to create or reuse.' }),
    email: Flags.string({ summary: "E-mail of the integration user (default: the admin's)." }),
    ...bundleOutputFlags,
    verify: Flags.boolean({
      summary: 'Run doctor at the end (waits up to 10 minutes for a new app to propagate).',
      default: true,
      allowNo: true
    })
  };

  public async run(): Promise<SetupResult> {
    const { flags } = await this.parse(Setup);
    // Flags are checked before the first step so a typo cannot leave a half-set-up org behind.
    assertAllowedUrl(flags['callback-url'], '--callback-url');
    assertUserInputs({ username: flags.username, email: flags.email });
    if (flags['encrypt-to'] !== undefined)
      checkFlag('--encrypt-to', () => assertAgeRecipient(flags['encrypt-to']!));
    const earlierSteps: StepResult[] = [];
    const org = await this.resolveOrg(
      flags.scratch,
      flags['target-org'],
      flags['target-dev-hub'],
      earlierSteps
    );
    const conn = org.getConnection(flags['api-version']);
    try {
      const result = await runSetup(conn, {
        orgId: org.getOrgId(),
        legacyConnectedApp: flags['legacy-connected-app'],
        callbackUrl: flags['callback-url'],
        verify: flags.verify,
        earlierSteps,
        onProgress: spinnerProgress(this),
        ...(flags.username ? { integrationUsername: flags.username } : {}),
        ...(flags.email ? { email: flags.email } : {}),
        ...(flags.output ? { output: flags.output } : {}),
        ...(flags['encrypt-to'] ? { encryptTo: flags['encrypt-to'] } : {})
      });
      renderSteps(this, `Tethr setup: ${org.getUsername() ?? ''} (${org.getOrgId()})`, result.steps);
      if (result.doctor && !result.doctor.ok) {
        process.exitCode = 1;
        this.warn(
          'Setup finished but doctor found problems; run `tethr-sf doctor --target-org <org>` for the causes and fixes.'
        );
      } else {
        this.logSuccess(`Tethr is set up. Credentials bundle: ${result.bundlePath}`);
      }
      return result;
    } catch (error) {
      if (error instanceof SetupFailedError) renderSteps(this, 'Tethr setup (stopped)', error.steps);
      throw error;
    }
  }

  private async resolveOrg(
    scratch: boolean,
    target: string | undefined,
    hub: Org | undefined,
    steps: StepResult[]
  ): Promise<Org> {
    const { Org } = await import('@salesforce/core');
    if (scratch) {
      if (!hub) {
        throw new SfError('--scratch needs a Dev Hub.', 'NoDevHub', [
          'Pass --target-dev-hub <alias>, or set one with `sf config set target-dev-hub=<alias>`.'
        ]);
      }
      this.spinner.start('Scratch org');
      const result = await ensureScratchOrg(hub, target ?? DEFAULT_SCRATCH_ALIAS);
      this.spinner.stop(result.created ? `created ${result.username}` : `reusing ${result.username}`);
      steps.push({
        step: 'Scratch org',
        status: result.created ? 'created' : 'unchanged',
        detail: result.username
      });
      return result.org;
    }
    if (!target) {
      const { ConfigAggregator, OrgConfigProperties } = await import('@salesforce/core');
      const configured = (await ConfigAggregator.create()).getPropertyValue<string>(
        OrgConfigProperties.TARGET_ORG
      );
      if (!configured) {
        throw new SfError('No org given.', 'NoTargetOrg', [
          'Pass --target-org <alias|username>, or --scratch to create a scratch org.'
        ]);
      }
      return Org.create({ aliasOrUsername: configured });
    }
    return Org.create({ aliasOrUsername: target });
  }
}
