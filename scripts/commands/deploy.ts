import { Flags } from '@salesforce/sf-plugins-core';
import { ACCESS_STEP, ensureAccess } from '../org/access.ts';
import { adminEmail } from '../org/admin-user.ts';
import { deployForOrg } from '../org/deploy-for-org.ts';
import { DEFAULT_DEPLOY_WAIT_MINUTES } from '../org/deploy.ts';
import { detectOrgShape } from '../org/org-shape.ts';
import type { StepResult } from '../shared/step.ts';
import { loadMessages } from '../shared/messages.ts';
import { assertAllowedUrl } from '../shared/url-policy.ts';
import { envSection } from './env-vars.ts';
import { renderSteps, spinnerProgress } from './step-rendering.ts';
import { callbackUrlFlag, checkFlag, legacyConnectedAppFlag, targetOrgFlags } from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('deploy');

export interface DeployCommandResult {
  deployed: boolean;
  deployId?: string;
  componentsDeployed?: number;
  /** false with --async: Salesforce is still deploying (follow it with sf project deploy report) */
  done?: boolean;
  steps: StepResult[];
}

export default class Deploy extends TethrCommand<DeployCommandResult> {
  public static override readonly summary = 'Deploy the Tethr metadata this org supports, unpackaged.';
  public static override readonly description =
    "For orgs without the managed package (scratch orgs, sandboxes, unpackaged installs): deploys the base metadata (force-app, with the External Client App as an org-local app, its global OAuth settings and app policies), and the Messaging extension's metadata only where the org has MessagingSession. Reports what it skipped and why. Orgs with the installed package are left alone. With --legacy-connected-app the Connected App is deployed instead of the External Client App (new Connected Apps are blocked since Spring '26 unless Salesforce Support enabled them). It also deploys the per-org access permission sets (`access` generates and assigns them); with --async run `access` once the deploy has finished.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org my-scratch',
    '<%= config.bin %> <%= command.id %> --target-org my-sandbox --legacy-connected-app',
    '<%= config.bin %> <%= command.id %> --target-org my-sandbox --async --json | jq -r .result.deployId'
  ];
  public static override readonly envVariablesSection = envSection('SF_TARGET_ORG');

  public static override readonly flags = {
    ...targetOrgFlags,
    'legacy-connected-app': legacyConnectedAppFlag,
    'callback-url': callbackUrlFlag,
    wait: Flags.integer({
      char: 'w',
      summary: 'Minutes to wait for the deploy to finish.',
      description:
        'When the time is up the command fails with the deploy id; Salesforce goes on deploying. Follow it with `sf project deploy report --job-id <id>`.',
      default: DEFAULT_DEPLOY_WAIT_MINUTES,
      min: 1,
      exclusive: ['async'],
      helpGroup: 'WAITING'
    }),
    async: Flags.boolean({
      summary: 'Return once Salesforce has accepted the deploy, with its id; do not wait for it.',
      description:
        'Follow the deploy with `sf project deploy report --job-id <id> --target-org <org>`, then run the other steps (`setup` skips what is done).',
      exclusive: ['wait'],
      helpGroup: 'WAITING'
    })
  };

  public async run(): Promise<DeployCommandResult> {
    const { flags } = await this.parse(Deploy);
    checkFlag('--callback-url', () => assertAllowedUrl(flags['callback-url'], 'the callback URL'));
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const progress = spinnerProgress(this);
    progress({ step: 'Org', phase: 'start', message: 'describing' });
    const shape = await detectOrgShape(conn);
    const result = await deployForOrg(conn, {
      shape,
      legacyConnectedApp: flags['legacy-connected-app'],
      callbackUrl: flags['callback-url'],
      contactEmail: await adminEmail(conn),
      onProgress: progress,
      waitMinutes: flags.async ? 0 : flags.wait
    });
    // The access a package cannot carry goes with an unpackaged deploy too: the generated access
    // permission sets for the objects this org has (assigning them is `access` and `setup`'s job).
    if (!shape.namespace) {
      if (result.outcome?.done) {
        result.steps.push(...(await ensureAccess(conn, { shape, onProgress: progress })).steps);
      } else {
        result.steps.push({
          step: ACCESS_STEP,
          status: 'skipped',
          detail: messages.getMessage('detail.accessAfterAsync')
        });
      }
    }
    progress({ step: 'Org', phase: 'end' });
    renderSteps(this, `Tethr deploy: ${org.getUsername() ?? ''} (${org.getOrgId()})`, result.steps);
    return {
      deployed: result.outcome !== undefined,
      ...(result.outcome
        ? {
            deployId: result.outcome.deployId,
            componentsDeployed: result.outcome.componentsDeployed,
            done: result.outcome.done
          }
        : {}),
      steps: result.steps
    };
  }
}
