import { resolve } from 'node:path';
import type { Connection } from '@salesforce/core';
import type { AppVariant, AuthFlow, ConnectionFile } from '../contracts/connection-file.ts';
import { fromConnectionFile } from '../contracts/org-connection.ts';
import { loadMessages } from '../shared/messages.ts';
import { noProgress, StepRunner, type ProgressListener, type StepResult } from '../shared/step.ts';
import { ACCESS_STEP, ensureAccess } from './access.ts';
import { adminEmail } from './admin-user.ts';
import { applyAppPolicies } from './app-policies.ts';
import type { TethrAppCredential } from './app-credential.ts';
import { appVariantOf, assertFlowForApp, buildConnectionFile } from './connection-builder.ts';
import { defaultConnectionPath, writeConnectionFile } from './connection-files.ts';
import { DEPLOY_STEP, deployForOrg } from './deploy-for-org.ts';
import { runDoctor, type DoctorReport } from './doctor.ts';
import { ensureIntegrationUser, integrationPermissionSets } from './integration-user.ts';
import { detectOrgShape, type OrgShape } from './org-shape.ts';

// Every step of making an org Tethr-ready, in order. Each step looks at the org first, so a
// re-run after a failure repeats nothing that already took effect. Which steps do what depends on
// the org: with the package installed nothing is deployed and nothing secret is read; without it
// the base (and the Messaging part where the org has Messaging) is deployed with an org-local app.

const messages = loadMessages('setup');

export interface SetupOptions {
  orgId: string;
  legacyConnectedApp: boolean;
  callbackUrl: string;
  integrationUsername?: string;
  email?: string;
  output?: string;
  encryptTo?: string;
  authFlow?: AuthFlow;
  /** run doctor at the end (waits for a new app to propagate) */
  verify: boolean;
  /** Tethr's app credential, when this machine has it (Tethr engineers); customers' admins do not */
  appCredential?: TethrAppCredential;
  onProgress?: ProgressListener;
  /** steps done before this call (e.g. creating the scratch org), shown in the summary */
  earlierSteps?: StepResult[];
}

export interface SetupResult {
  steps: StepResult[];
  app: AppVariant;
  connectionPath: string;
  connection: ConnectionFile;
  doctor?: DoctorReport;
}

export const CONNECTION_STEP = 'Connection file';

export async function runSetup(conn: Connection, options: SetupOptions): Promise<SetupResult> {
  const progress = options.onProgress ?? noProgress;
  const runner = new StepRunner(progress, messages.getMessage('action.rerun'), options.earlierSteps);

  const shape: OrgShape = await runner.run('Org', () => detectOrgShape(conn));
  runner.record({ step: 'Org', status: 'passed', detail: describeShape(shape) });
  const app = appVariantOf(shape, options.legacyConnectedApp);
  // Before the first change: a flow this app cannot use would otherwise fail only at the end.
  assertFlowForApp(app, options.authFlow);
  const email = options.email ?? (await adminEmail(conn));

  const deployed = await runner.run(DEPLOY_STEP, () =>
    deployForOrg(conn, {
      shape,
      legacyConnectedApp: options.legacyConnectedApp,
      callbackUrl: options.callbackUrl,
      contactEmail: email,
      onProgress: progress
    })
  );
  for (const step of deployed.steps) runner.record(step);

  const access = await runner.run(ACCESS_STEP, () =>
    ensureAccess(conn, {
      shape,
      ...(conn.getUsername() ? { adminUsername: conn.getUsername()! } : {}),
      onProgress: progress
    })
  );
  runner.recordQuietly(access.steps);

  const user = await runner.run('Integration user', () =>
    ensureIntegrationUser(conn, {
      namespace: shape.namespace,
      orgId: options.orgId,
      email,
      permissionSets: integrationPermissionSets(shape.namespace),
      ...(options.integrationUsername ? { username: options.integrationUsername } : {}),
      onProgress: progress
    })
  );
  runner.recordQuietly(user.steps);

  if (app === 'legacy-connected-app') {
    runner.record({
      step: 'OAuth policies',
      status: 'skipped',
      detail: messages.getMessage('detail.legacyPolicies')
    });
  } else {
    const policies = await runner.run('OAuth policies', () =>
      applyAppPolicies(conn, {
        integrationUsername: user.username,
        namespace: shape.namespace,
        onProgress: progress
      })
    );
    runner.recordQuietly([policies.step]);
  }

  const connection = await runner.run(CONNECTION_STEP, () =>
    buildConnectionFile(conn, {
      orgId: options.orgId,
      shape,
      app,
      integrationUsername: user.username,
      ...(options.authFlow ? { authFlow: options.authFlow } : {})
    })
  );
  const encrypted = options.encryptTo !== undefined;
  const connectionPath = resolve(options.output ?? defaultConnectionPath(connection.orgId, encrypted));
  await runner.run(CONNECTION_STEP, () =>
    writeConnectionFile(connectionPath, connection, encrypted ? { encryptTo: options.encryptTo! } : {})
  );
  runner.record({
    step: CONNECTION_STEP,
    status: 'created',
    detail: messages.getMessage(
      app === 'packaged' ? 'detail.packagedFile' : encrypted ? 'detail.encryptedFile' : 'detail.secretFile',
      [connectionPath]
    )
  });

  if (!options.verify) return { steps: runner.steps, app, connectionPath, connection };
  const doctor = await runDoctor({
    connection: fromConnectionFile(connection),
    adminConnection: conn,
    ...(options.appCredential ? { appCredential: options.appCredential } : {}),
    onProgress: progress
  });
  const failed = doctor.checks.filter((c) => c.status === 'failed');
  runner.steps.push({
    step: 'Doctor',
    status: failed.length === 0 ? 'passed' : 'failed',
    detail:
      failed.length === 0
        ? messages.getMessage('detail.doctorPassed', [
            doctor.checks.filter((c) => c.status === 'passed').length
          ])
        : messages.getMessage('detail.doctorFailed', [failed.map((c) => c.check).join(', ')])
  });
  return { steps: runner.steps, app, connectionPath, connection, doctor };
}

/** "Case, MessagingSession; no LiveChatTranscript; package installed (base)" */
export function describeShape(shape: OrgShape): string {
  const present = shape.channels.filter((c) => c.present).map((c) => c.channel);
  const absent = shape.channels.filter((c) => !c.present).map((c) => c.channel);
  return messages.getMessage('detail.shape', [
    present.join(', '),
    absent.length > 0 ? messages.getMessage('detail.absent', [absent.join(', ')]) : '',
    shape.namespace
      ? messages.getMessage('detail.installed', [shape.installedPackages.join(', ') || 'base'])
      : messages.getMessage('detail.unpackaged')
  ]);
}
