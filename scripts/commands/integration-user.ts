import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { ensureIntegrationUser, type IntegrationUserResult } from '../org/integration-user.ts';
import { detectNamespace } from '../org/org-context.ts';
import { renderSteps, spinnerProgress } from './step-rendering.ts';
import { targetOrgFlags } from './shared-flags.ts';

export default class IntegrationUser extends SfCommand<IntegrationUserResult> {
  public static override readonly summary =
    'Create or reuse the API-only integration user that Tethr runs as.';
  public static override readonly description =
    'Creates a user with the "Minimum Access - API Only Integrations" profile, assigns the permission set licence SalesforceAPIIntegrationPsl and then the permission set Tethr_Integration_User (namespaced when the package is installed). Reuses what already exists; undoes what it created if a step fails.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org my-scratch',
    '<%= config.bin %> <%= command.id %> --target-org prod --username tethr.api@acme.com --email admin@acme.com'
  ];

  public static override readonly flags = {
    ...targetOrgFlags,
    username: Flags.string({ summary: 'Username of the integration user to create or reuse.' }),
    email: Flags.string({ summary: "E-mail of the integration user (default: the admin's e-mail)." })
  };

  public async run(): Promise<IntegrationUserResult> {
    const { flags } = await this.parse(IntegrationUser);
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const namespace = await detectNamespace(conn);
    const result = await ensureIntegrationUser(conn, {
      ...(flags.username ? { username: flags.username } : {}),
      ...(flags.email ? { email: flags.email } : {}),
      namespace,
      orgId: org.getOrgId(),
      onProgress: spinnerProgress(this)
    });
    renderSteps(this, 'Integration user', result.steps);
    return result;
  }
}
