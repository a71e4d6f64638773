import { Flags } from '@salesforce/sf-plugins-core';
import { ensureAccess } from '../org/access.ts';
import { loadMessages } from '../shared/messages.ts';
import {
  ensureIntegrationUser,
  findIntegrationUsername,
  integrationPermissionSets
} from '../org/integration-user.ts';
import type { StepResult } from '../shared/step.ts';
import { envSection } from './env-vars.ts';
import { renderSteps, spinnerProgress } from './step-rendering.ts';
import { existingIntegrationUserFlag, targetOrgFlags } from './shared-flags.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('access');

export interface AccessCommandResult {
  channels: { channel: string; present: boolean }[];
  integration: { permissionSet: string; objects: string[]; fields: string[]; userPermissions: string[] };
  admin: { permissionSet: string; objects: string[]; userPermissions: string[] };
  missingFields: string[];
  steps: StepResult[];
}

export default class Access extends TethrCommand<AccessCommandResult> {
  public static override readonly summary =
    'Generate and deploy the access a managed package cannot carry, for this org.';
  public static override readonly description =
    "A managed package's permission sets install custom object and field permissions only; standard-object and user permissions are dropped. This command describes the org, finds which conversation objects it has (Case; MessagingSession with Messaging; LiveChatTranscript where legacy Chat left transcripts) and generates two unpackaged permission sets: Tethr_Integration_Access (read on exactly the objects and fields the relay reads, plus API Enabled) and Tethr_Admin_Access (what the Tethr Setup page needs). It deploys them when they differ from what the org has, assigns Tethr_Integration_Access to the integration user when it exists, and Tethr_Admin_Access to you. Nothing is granted for objects the org lacks. Run it again after enabling a channel.";
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org acme',
    '<%= config.bin %> <%= command.id %> --target-org acme --no-assign-admin'
  ];
  public static override readonly envVariablesSection = envSection('SF_TARGET_ORG');

  public static override readonly flags = {
    ...targetOrgFlags,
    username: existingIntegrationUserFlag,
    'assign-admin': Flags.boolean({
      summary:
        'Assign Tethr_Admin_Access (and the packaged Tethr Admin) to you, the user running the command.',
      default: true,
      allowNo: true
    })
  };

  public async run(): Promise<AccessCommandResult> {
    const { flags } = await this.parse(Access);
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const progress = spinnerProgress(this);
    const me = org.getUsername();
    const result = await ensureAccess(conn, {
      ...(flags['assign-admin'] && me ? { adminUsername: me } : {}),
      onProgress: progress
    });
    const steps = [...result.steps];
    // The integration user gets its sets here only when it exists already (`integration-user`
    // creates it otherwise), through the same path as `integration-user`: its licence first, or
    // Salesforce refuses the API Enabled the access set grants.
    const username = await findIntegrationUsername(conn, flags.username).catch(() => undefined);
    if (username) {
      const user = await ensureIntegrationUser(conn, {
        username,
        namespace: result.shape.namespace,
        permissionSets: integrationPermissionSets(result.shape.namespace),
        orgId: org.getOrgId(),
        onProgress: progress
      });
      steps.push(...user.steps.filter((s) => s.step !== 'Integration user'));
    } else {
      steps.push({
        step: 'Integration user access',
        status: 'skipped',
        detail: messages.getMessage('detail.noIntegrationUser')
      });
    }
    renderSteps(this, `Tethr access: ${org.getUsername() ?? ''} (${org.getOrgId()})`, steps);
    return {
      channels: result.shape.channels.map((c) => ({ channel: c.channel, present: c.present })),
      integration: {
        permissionSet: result.plan.integration.name,
        objects: result.plan.integration.objects.map((o) => o.object),
        fields: result.plan.integration.fields.map((f) => f.field),
        userPermissions: result.plan.integration.userPermissions
      },
      admin: {
        permissionSet: result.plan.admin.name,
        objects: result.plan.admin.objects.map((o) => o.object),
        userPermissions: result.plan.admin.userPermissions
      },
      missingFields: result.plan.missingFields.map((m) => m.field),
      steps
    };
  }
}
