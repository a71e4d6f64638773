import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { deployMetadata, type DeployOutcome } from '../org/deploy.ts';
import { packageDeploy } from '../org/deploy-plans.ts';
import { detectNamespace } from '../org/org-context.ts';
import { adminEmail } from '../org/admin-user.ts';
import { assertAllowedUrl } from '../shared/url-policy.ts';
import { spinnerProgress } from './step-rendering.ts';
import { callbackUrlFlag, targetOrgFlags } from './shared-flags.ts';

export type DeployCommandResult = DeployOutcome | { skipped: true; reason: string };

export default class Deploy extends SfCommand<DeployCommandResult> {
  public static override readonly summary =
    'Deploy the Tethr metadata and the filled-in OAuth app templates to an org.';
  public static override readonly description =
    'Deploys force-app (the External Client App as an org-local app) with its global OAuth settings and app policies, using source-deploy-retrieve. With --legacy-connected-app the Connected App Tethr_Connected_App is deployed instead of the External Client App. Orgs with the installed package are left alone.';
  public static override readonly examples = ['<%= config.bin %> <%= command.id %> --target-org my-scratch'];

  public static override readonly flags = {
    ...targetOrgFlags,
    'legacy-connected-app': Flags.boolean({
      summary: 'Deploy the legacy Connected App instead of the External Client App.'
    }),
    'callback-url': callbackUrlFlag
  };

  public async run(): Promise<DeployCommandResult> {
    const { flags } = await this.parse(Deploy);
    assertAllowedUrl(flags['callback-url'], '--callback-url');
    const conn = flags['target-org'].getConnection(flags['api-version']);
    if ((await detectNamespace(conn)) !== '') {
      const reason = 'The Tethr package is installed in this org; its metadata comes with the package.';
      this.info(reason);
      return { skipped: true, reason };
    }
    const outcome = await deployMetadata(conn, {
      ...packageDeploy({
        legacyConnectedApp: flags['legacy-connected-app'],
        callbackUrl: flags['callback-url'],
        contactEmail: await adminEmail(conn)
      }),
      onProgress: spinnerProgress(this)
    });
    this.logSuccess(
      `Deployed ${outcome.componentsDeployed}/${outcome.componentsTotal} components (deploy ${outcome.deployId}).`
    );
    return outcome;
  }
}
