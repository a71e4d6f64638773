import { applyAppPolicies } from '../org/app-policies.ts';
import { findIntegrationUsername } from '../org/integration-user.ts';
import { detectOrgShape } from '../org/org-shape.ts';
import type { StepResult } from '../shared/step.ts';
import { envSection } from './env-vars.ts';
import { renderSteps, spinnerProgress } from './step-rendering.ts';
import { existingIntegrationUserFlag, targetOrgFlags } from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

export interface AppPoliciesCommandResult {
  app: string;
  integrationUsername: string;
  deployId?: string;
  step: StepResult;
}

export default class AppPolicies extends TethrCommand<AppPoliciesCommandResult> {
  public static override readonly summary =
    "Set this org's OAuth policies for the Tethr External Client App.";
  public static override readonly description =
    "Deploys the app's per-org policies (ExtlClntAppOauthConfigurablePolicies), which the org's admin owns also for the installed package's app: client credentials enabled and run as the integration user, users admin-approved through the generated permission set Tethr_Integration_Access (what the JWT bearer flow needs), IP restrictions relaxed (Bypass). For an org-local app it also turns on ExternalClientAppSettings.enableClientSecretInRestApiAccess so `connection` can read the org's own secret; the packaged app's secret is never readable in a customer org. Does nothing when the org already has these settings. Salesforce takes 2 to 10 minutes to apply changed policies.";
  public static override readonly examples = ['<%= config.bin %> <%= command.id %> --target-org acme'];
  public static override readonly envVariablesSection = envSection('SF_TARGET_ORG');

  public static override readonly flags = {
    ...targetOrgFlags,
    username: existingIntegrationUserFlag
  };

  public async run(): Promise<AppPoliciesCommandResult> {
    const { flags } = await this.parse(AppPolicies);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const { namespace } = await detectOrgShape(conn);
    const integrationUsername = await findIntegrationUsername(conn, flags.username);
    const result = await applyAppPolicies(conn, {
      integrationUsername,
      namespace,
      onProgress: spinnerProgress(this)
    });
    renderSteps(this, 'Tethr OAuth policies', [result.step]);
    return {
      app: namespace ? `${namespace}__Tethr_Integration` : 'Tethr_Integration',
      integrationUsername,
      ...(result.deploy ? { deployId: result.deploy.deployId } : {}),
      step: result.step
    };
  }
}
