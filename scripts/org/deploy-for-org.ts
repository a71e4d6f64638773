import type { Connection } from '@salesforce/core';
import { CHANNEL_REGISTRY } from '../contracts/channels.ts';
import { loadMessages } from '../shared/messages.ts';
import type { StepResult } from '../shared/step.ts';
import { deployMetadata, type DeployOutcome } from './deploy.ts';
import { packageDeploy } from './deploy-plans.ts';
import { MESSAGING_PACKAGE_NAME, type OrgShape } from './org-shape.ts';
import type { ProgressListener } from '../shared/step.ts';

// What an unpackaged deploy (scratch org, sandbox, an org without the package) sends: the base
// package's metadata always, the Messaging extension's only where MessagingSession exists, and the
// OAuth app. Where the managed package is installed nothing is deployed: its metadata came with it.

const messages = loadMessages('deploy');

export const DEPLOY_STEP = 'Deploy metadata';

export interface DeployForOrgOptions {
  shape: OrgShape;
  legacyConnectedApp: boolean;
  callbackUrl: string;
  contactEmail: string;
  onProgress?: ProgressListener;
  /** minutes to wait for the deploy (deployMetadata's default when absent); 0 returns once it started */
  waitMinutes?: number;
}

export interface DeployForOrgResult {
  steps: StepResult[];
  outcome?: DeployOutcome;
}

export async function deployForOrg(
  conn: Connection,
  options: DeployForOrgOptions
): Promise<DeployForOrgResult> {
  const { shape } = options;
  const messaging = shape.channels.find((c) => c.channel === 'MessagingSession')!;
  const chat = shape.channels.find((c) => c.channel === 'LiveChatTranscript')!;
  const steps: StepResult[] = [];
  if (shape.namespace) {
    steps.push({
      step: DEPLOY_STEP,
      status: 'skipped',
      detail: messages.getMessage('detail.installed', [
        shape.installedPackages.join(', ') || 'Tethr for Service Cloud'
      ])
    });
    if (messaging.present && !shape.messagingExtensionInstalled) {
      steps.push({
        step: 'Messaging extension',
        status: 'warning',
        detail: messages.getMessage('detail.extensionMissing', [MESSAGING_PACKAGE_NAME])
      });
    }
    return { steps };
  }
  const outcome = await deployMetadata(conn, {
    ...packageDeploy({
      legacyConnectedApp: options.legacyConnectedApp,
      callbackUrl: options.callbackUrl,
      contactEmail: options.contactEmail,
      withMessaging: messaging.present
    }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.waitMinutes !== undefined ? { waitMinutes: options.waitMinutes } : {}),
    step: DEPLOY_STEP
  });
  if (!outcome.done) {
    steps.push({
      step: DEPLOY_STEP,
      status: 'updated',
      detail: messages.getMessage('detail.started', [
        outcome.deployId,
        outcome.deployId,
        conn.getUsername() ?? '<org>'
      ])
    });
    return { steps, outcome };
  }
  steps.push({
    step: DEPLOY_STEP,
    status: 'updated',
    detail: messages.getMessage('detail.deployed', [outcome.componentsDeployed, outcome.deployId])
  });
  steps.push(
    messaging.present
      ? {
          step: 'Messaging extension',
          status: 'updated',
          detail: messages.getMessage('detail.messagingDeployed')
        }
      : {
          step: 'Messaging extension',
          status: 'skipped',
          detail: messages.getMessage('detail.messagingSkipped', [
            CHANNEL_REGISTRY.MessagingSession.missingHint
          ])
        }
  );
  steps.push({
    step: 'Legacy Chat',
    status: 'skipped',
    detail: messages.getMessage(chat.present ? 'detail.chatPresent' : 'detail.chatAbsent')
  });
  return { steps, outcome };
}
