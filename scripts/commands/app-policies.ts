import { SfCommand } from '@salesforce/sf-plugins-core';
import { applyAppPolicies, type AppPoliciesResult } from '../org/app-policies.ts';
import { findIntegrationUsername } from '../org/integration-user.ts';
import { detectNamespace } from '../org/org-context.ts';
import { renderSteps, spinnerProgress } from './step-rendering.ts';
import { existingIntegrationUserFlag, targetOrgFlags } from './shared-flags.ts';

export default class AppPolicies extends SfCommand<AppPoliciesResult> {
  public static override readonly summary =
    'Set the per-org OAuth policies of the Tethr External Client App.';
  public static override readonly description =
    'Deploys the ExtlClntAppOauthConfigurablePolicies of Tethr_Integration: client credentials run as the integration user, users admin-approved through the permission set Tethr_Integration_User, IP restrictions relaxed (Bypass). Also turns on ExternalClientAppSettings.enableClientSecretInRestApiAccess so `tethr-sf credentials` can read the secret. Does nothing when the org already has these settings.';
  public static override readonly examples = ['<%= config.bin %> <%= command.id %> --target-org my-scratch'];

  public static override readonly flags = {
    ...targetOrgFlags,
    username: existingIntegrationUserFlag
  };

  public async run(): Promise<AppPoliciesResult> {
    const { flags } = await this.parse(AppPolicies);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const namespace = await detectNamespace(conn);
    const integrationUsername = await findIntegrationUsername(conn, flags.username);
    const result = await applyAppPolicies(conn, {
      integrationUsername,
      namespace,
      onProgress: spinnerProgress(this)
    });
    renderSteps(this, 'OAuth policies', [result.step]);
    return result;
  }
}
