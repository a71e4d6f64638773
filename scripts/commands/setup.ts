import { Flags } from '@salesforce/sf-plugins-core';
import type { Org } from '@salesforce/core';
import type { AppVariant } from '../contracts/connection-file.ts';
import { tethrAppCredentialFromEnv } from '../org/app-credential.ts';
import { assertAgeRecipient } from '../org/connection-files.ts';
import { assertUserInputs } from '../org/integration-user.ts';
import { DEFAULT_SCRATCH_ALIAS, ensureScratchOrg } from '../org/scratch-org.ts';
import { runSetup } from '../org/setup.ts';
import { loadMessages } from '../shared/messages.ts';
import { StepFailedError, type StepResult } from '../shared/step.ts';
import { assertAllowedUrl } from '../shared/url-policy.ts';
import { AGE_VARS, APP_CREDENTIAL_VARS, envSection, LEGACY_VARS } from './env-vars.ts';
import { renderDiagnosis, renderSteps, spinnerProgress } from './step-rendering.ts';
import {
  authFlowFlag,
  callbackUrlFlag,
  checkFlag,
  connectionOutputFlags,
  legacyConnectedAppFlag,
  STATIC_HELP,
  inGroup
} from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('setup');

export interface SetupCommandResult {
  org: { orgId: string; username: string };
  app: AppVariant;
  connectionFile: string;
  steps: StepResult[];
  doctor?: { ok: boolean; failed: string[] };
}

export default class Setup extends TethrCommand<SetupCommandResult> {
  public static override readonly summary =
    'Make an org Tethr-ready and write its connection file, in one command.';
  public static override readonly description =
    "Looks at the org first (which channel objects it has, whether the Tethr package is installed), then runs, in order: deploy the metadata the org supports (skipped where the package is installed; the Messaging part only where the org has Messaging), generate and deploy the access permission sets for exactly the objects the org has, create or reuse the API-only integration user with its licence and permission sets, set the OAuth app's policies, and write the connection file (on the packaged path it holds no secret: Tethr holds the app credential). Unless --no-verify, doctor runs last. Safe to re-run after any failure: finished steps are checked and skipped. With --scratch, first creates (or reuses) a scratch org.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org acme',
    '<%= config.bin %> <%= command.id %> --target-org acme --auth-flow client_credentials',
    '<%= config.bin %> <%= command.id %> --scratch --target-dev-hub devhub --target-org tethr-scratch',
    '<%= config.bin %> <%= command.id %> --target-org acme-legacy --legacy-connected-app'
  ];
  public static override readonly envVariablesSection = envSection(
    'SF_TARGET_ORG',
    'SF_TARGET_DEV_HUB',
    ...APP_CREDENTIAL_VARS,
    ...LEGACY_VARS,
    ...AGE_VARS
  );

  public static override readonly flags = {
    'target-org': Flags.string({
      char: 'o',
      summary: 'Org alias or username (with --scratch: the alias of the scratch org to create or reuse).'
    }),
    'api-version': Flags.orgApiVersion(),
    scratch: Flags.boolean({ summary: 'Create (or reuse) a scratch org first.', helpGroup: 'SCRATCH ORG' }),
    'target-dev-hub': Flags.optionalHub({
      ...STATIC_HELP,
      summary: 'Dev Hub for --scratch (default: the sf target-dev-hub).',
      helpGroup: 'SCRATCH ORG'
    }),
    'auth-flow': inGroup(authFlowFlag, 'OAUTH APP'),
    'legacy-connected-app': inGroup(legacyConnectedAppFlag, 'OAUTH APP'),
    'callback-url': inGroup(callbackUrlFlag, 'OAUTH APP'),
    username: Flags.string({
      summary: 'Username of the integration user to create or reuse.',
      helpGroup: 'INTEGRATION USER'
    }),
    email: Flags.string({
      summary: "E-mail of the integration user (default: the admin's).",
      helpGroup: 'INTEGRATION USER'
    }),
    output: inGroup(connectionOutputFlags.output, 'CONNECTION FILE'),
    'encrypt-to': inGroup(connectionOutputFlags['encrypt-to'], 'CONNECTION FILE'),
    verify: Flags.boolean({
      summary: 'Run doctor at the end (waits up to 10 minutes for a new app to propagate).',
      default: true,
      allowNo: true
    })
  };

  public async run(): Promise<SetupCommandResult> {
    const { flags } = await this.parse(Setup);
    // Flags are checked before the first step so a typo cannot leave a half-set-up org behind.
    checkFlag('--callback-url', () => assertAllowedUrl(flags['callback-url'], 'the callback URL'));
    checkFlag('--username', () => assertUserInputs({ username: flags.username }));
    checkFlag('--email', () => assertUserInputs({ email: flags.email }));
    if (flags['encrypt-to'] !== undefined)
      checkFlag('--encrypt-to', () => assertAgeRecipient(flags['encrypt-to']!));
    const appCredential = tethrAppCredentialFromEnv();
    const earlierSteps: StepResult[] = [];
    const org = await this.resolveOrg(
      flags.scratch,
      flags['target-org'],
      flags['target-dev-hub'],
      earlierSteps
    );
    const conn = org.getConnection(flags['api-version']);
    const title = messages.getMessage('title', [org.getUsername() ?? '', org.getOrgId()]);
    try {
      const result = await runSetup(conn, {
        orgId: org.getOrgId(),
        legacyConnectedApp: flags['legacy-connected-app'],
        callbackUrl: flags['callback-url'],
        verify: flags.verify,
        earlierSteps,
        onProgress: spinnerProgress(this),
        ...(appCredential ? { appCredential } : {}),
        ...(flags['auth-flow'] ? { authFlow: flags['auth-flow'] } : {}),
        ...(flags.username ? { integrationUsername: flags.username } : {}),
        ...(flags.email ? { email: flags.email } : {}),
        ...(flags.output ? { output: flags.output } : {}),
        ...(flags['encrypt-to'] ? { encryptTo: flags['encrypt-to'] } : {})
      });
      renderSteps(this, title, result.steps);
      for (const check of result.doctor?.checks ?? []) {
        if (check.diagnosis && check.status !== 'passed')
          renderDiagnosis(this, check.check, check.diagnosis.cause, check.diagnosis.actions);
      }
      const failed = result.doctor?.checks.filter((c) => c.status === 'failed').map((c) => c.check) ?? [];
      if (failed.length > 0) {
        process.exitCode = 1;
        this.warn(messages.getMessage('warning.doctorFailed'));
      } else {
        this.logSuccess(
          messages.getMessage(result.app === 'packaged' ? 'success.packaged' : 'success.secret', [
            result.connectionPath
          ])
        );
      }
      return {
        org: { orgId: org.getOrgId(), username: org.getUsername() ?? '' },
        app: result.app,
        connectionFile: result.connectionPath,
        steps: result.steps,
        ...(result.doctor ? { doctor: { ok: result.doctor.ok, failed } } : {})
      };
    } catch (error) {
      if (error instanceof StepFailedError)
        renderSteps(this, messages.getMessage('titleStopped', [error.step]), error.steps);
      throw error;
    }
  }

  private async resolveOrg(
    scratch: boolean,
    target: string | undefined,
    hub: Org | undefined,
    steps: StepResult[]
  ): Promise<Org> {
    const { Org, ConfigAggregator, OrgConfigProperties } = await import('@salesforce/core');
    if (scratch) {
      if (!hub) throw messages.createError('error.NoDevHub');
      this.spinner.start('Scratch org');
      const result = await ensureScratchOrg(hub, target ?? DEFAULT_SCRATCH_ALIAS);
      this.spinner.stop();
      steps.push({
        step: 'Scratch org',
        status: result.created ? 'created' : 'unchanged',
        detail: result.username
      });
      return result.org;
    }
    const alias =
      target ?? (await ConfigAggregator.create()).getPropertyValue<string>(OrgConfigProperties.TARGET_ORG);
    if (!alias) throw messages.createError('error.NoTargetOrg');
    return Org.create({ aliasOrUsername: alias });
  }
}
