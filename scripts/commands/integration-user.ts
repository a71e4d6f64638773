import { Flags } from '@salesforce/sf-plugins-core';
import { ensureIntegrationUser, integrationPermissionSets } from '../org/integration-user.ts';
import { assertUserInputs } from '../org/integration-user.ts';
import { detectOrgShape } from '../org/org-shape.ts';
import type { StepResult } from '../shared/step.ts';
import { envSection } from './env-vars.ts';
import { renderSteps, spinnerProgress } from './step-rendering.ts';
import { checkFlag, targetOrgFlags } from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

export interface IntegrationUserCommandResult {
  userId: string;
  username: string;
  permissionSets: string[];
  steps: StepResult[];
}

export default class IntegrationUser extends TethrCommand<IntegrationUserCommandResult> {
  public static override readonly summary =
    'Create or reuse the API-only integration user that Tethr signs in as.';
  public static override readonly description =
    'Creates a user with the "Minimum Access - API Only Integrations" profile (free Salesforce Integration licence), assigns the permission set licence SalesforceAPIIntegrationPsl, then the packaged permission set Tethr_Integration_User (tethr__ when the package is installed) and the generated Tethr_Integration_Access (run `access` first, or `setup`). In that order, the only one Salesforce accepts. Reuses what already exists; undoes what it created if a later step fails.';
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org acme',
    '<%= config.bin %> <%= command.id %> --target-org acme --username tethr.api@acme.com --email admin@acme.com'
  ];
  public static override readonly envVariablesSection = envSection('SF_TARGET_ORG');

  public static override readonly flags = {
    ...targetOrgFlags,
    username: Flags.string({ summary: 'Username of the integration user to create or reuse.' }),
    email: Flags.string({ summary: "E-mail of the integration user (default: the admin's e-mail)." })
  };

  public async run(): Promise<IntegrationUserCommandResult> {
    const { flags } = await this.parse(IntegrationUser);
    checkFlag('--username', () => assertUserInputs({ username: flags.username }));
    checkFlag('--email', () => assertUserInputs({ email: flags.email }));
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const { namespace } = await detectOrgShape(conn);
    const permissionSets = integrationPermissionSets(namespace);
    const result = await ensureIntegrationUser(conn, {
      ...(flags.username ? { username: flags.username } : {}),
      ...(flags.email ? { email: flags.email } : {}),
      namespace,
      permissionSets,
      orgId: org.getOrgId(),
      onProgress: spinnerProgress(this)
    });
    renderSteps(this, `Tethr integration user: ${result.username}`, result.steps);
    return { userId: result.userId, username: result.username, permissionSets, steps: result.steps };
  }
}
