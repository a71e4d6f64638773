import { resolve } from 'node:path';
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core/sfError';
import { applyAppPolicies } from './app-policies.ts';
import { collectBundle, defaultBundlePath } from './collect-credentials.ts';
import { writeBundle } from './credentials-bundle.ts';
import { deployMetadata } from './deploy.ts';
import { packageDeploy } from './deploy-plans.ts';
import { runDoctor, type DoctorReport } from './doctor.ts';
import { ensureIntegrationUser } from './integration-user.ts';
import { adminEmail } from './admin-user.ts';
import { detectNamespace } from './org-context.ts';
import { noProgress, type ProgressListener, type StepResult } from '../shared/step.ts';

export interface SetupOptions {
  orgId: string;
  legacyConnectedApp: boolean;
  callbackUrl: string;
  integrationUsername?: string;
  email?: string;
  output?: string;
  encryptTo?: string;
  /** run doctor at the end (waits for the app to propagate) */
  verify: boolean;
  onProgress?: ProgressListener;
  /** steps done before this call (e.g. creating the scratch org), shown in the summary */
  earlierSteps?: StepResult[];
}

export interface SetupResult {
  steps: StepResult[];
  bundlePath: string;
  doctor?: DoctorReport;
}

/** A failed setup, with the steps done so far, so the command can still show the summary. */
export class SetupFailedError extends SfError {
  public constructor(
    message: string,
    name: string,
    actions: string[],
    public readonly steps: StepResult[]
  ) {
    super(message, name, actions);
  }
}

/**
 * Every step of making an org Tethr-ready, in order. Each step checks the org first, so a
 * re-run after a failure repeats nothing that already took effect.
 */
export async function runSetup(conn: Connection, options: SetupOptions): Promise<SetupResult> {
  const progress = options.onProgress ?? noProgress;
  const steps: StepResult[] = [...(options.earlierSteps ?? [])];
  const inStep = async <T>(step: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      const cause = error instanceof SfError ? error : SfError.wrap(error as Error);
      steps.push({ step, status: 'failed', detail: cause.message.split('\n')[0] ?? '' });
      throw new SetupFailedError(
        `Setup stopped at "${step}": ${cause.message}`,
        cause.name,
        [
          ...(cause.actions ?? []),
          'Then run the same `tethr-sf setup` command again: finished steps are checked and skipped.'
        ],
        steps
      );
    }
  };

  const namespace = await detectNamespace(conn);
  const email = options.email ?? (await adminEmail(conn));

  await inStep('Deploy metadata', async () => {
    if (namespace) {
      const result: StepResult = {
        step: 'Deploy metadata',
        status: 'skipped',
        detail: 'the Tethr package is installed'
      };
      steps.push(result);
      progress({ step: result.step, phase: 'end', result });
      return;
    }
    const outcome = await deployMetadata(conn, {
      ...packageDeploy({
        legacyConnectedApp: options.legacyConnectedApp,
        callbackUrl: options.callbackUrl,
        contactEmail: email
      }),
      onProgress: progress
    });
    const result: StepResult = {
      step: 'Deploy metadata',
      status: 'updated',
      detail: `${outcome.componentsDeployed} components (${outcome.deployId})`
    };
    steps.push(result);
    progress({ step: result.step, phase: 'end', result });
  });

  const user = await inStep('Integration user', () =>
    ensureIntegrationUser(conn, {
      namespace,
      orgId: options.orgId,
      email,
      ...(options.integrationUsername ? { username: options.integrationUsername } : {}),
      onProgress: progress
    })
  );
  steps.push(...user.steps);

  if (options.legacyConnectedApp) {
    steps.push({
      step: 'OAuth policies',
      status: 'skipped',
      detail: 'the legacy Connected App carries its policies'
    });
  } else {
    const policies = await inStep('OAuth policies', () =>
      applyAppPolicies(conn, { integrationUsername: user.username, namespace, onProgress: progress })
    );
    steps.push(policies.step);
  }

  const bundle = await inStep('Credentials bundle', () =>
    collectBundle(conn, {
      orgId: options.orgId,
      legacyConnectedApp: options.legacyConnectedApp,
      integrationUsername: user.username
    })
  );
  const encrypted = options.encryptTo !== undefined;
  const bundlePath = resolve(options.output ?? defaultBundlePath(bundle.orgId, encrypted));
  await inStep('Credentials bundle', () =>
    writeBundle(bundlePath, bundle, encrypted ? { encryptTo: options.encryptTo! } : {})
  );
  const written: StepResult = {
    step: 'Credentials bundle',
    status: 'created',
    detail: `${bundlePath}${encrypted ? ' (age-encrypted)' : ' (0600)'}`
  };
  steps.push(written);
  progress({ step: written.step, phase: 'end', result: written });

  if (!options.verify) return { steps, bundlePath };
  const doctor = await runDoctor({ bundle, adminConnection: conn, onProgress: progress });
  const failed = doctor.checks.filter((c) => c.status === 'failed');
  steps.push({
    step: 'Doctor',
    status: failed.length === 0 ? 'passed' : 'failed',
    detail:
      failed.length === 0
        ? `${doctor.checks.length} checks passed`
        : `failed: ${failed.map((c) => c.check).join(', ')}`
  });
  return { steps, bundlePath, doctor };
}
