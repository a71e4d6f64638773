import type { Connection } from '@salesforce/core';
import { ECA_NAME, INTEGRATION_ACCESS_PERMISSION_SET, qualify } from '../contracts/api-names.ts';
import { loadMessages } from '../shared/messages.ts';
import { noProgress, type ProgressListener, type StepResult } from '../shared/step.ts';
import { permissionSetIds } from './access.ts';
import { DeployFailedError, deployMetadata, type DeployOutcome } from './deploy.ts';
import { appPoliciesDeploy } from './deploy-plans.ts';

const messages = loadMessages('app-policies');

export interface AppPoliciesOptions {
  integrationUsername: string;
  namespace: string;
  onProgress?: ProgressListener;
}

export interface AppPoliciesResult {
  step: StepResult;
  deploy?: DeployOutcome;
}

/** The app's per-org OAuth policies, as the Metadata API reads ExtlClntAppOauthConfigurablePolicies. */
export interface PolicyRecord {
  fullName?: string;
  clientCredentialsFlowUser?: string;
  commaSeparatedPermissionSet?: string;
  ipRelaxationPolicyType?: string;
  isClientCredentialsFlowEnabled?: boolean | string;
  permittedUsersPolicyType?: string;
}

const truthy = (value: unknown) => value === true || value === 'true';

/**
 * Whether only admin-approved users may sign in and `permissionSet` approves them: named by its
 * name, or by its Id (15 or 18 characters), which is what this module writes where the org refuses
 * the name (the Metadata API page speaks of Ids).
 */
export function preAuthorizes(
  policies: PolicyRecord | undefined,
  permissionSet: string,
  permissionSetId: string | undefined
): boolean {
  return (
    policies?.permittedUsersPolicyType === 'AdminApprovedPreAuthorized' &&
    (policies.commaSeparatedPermissionSet ?? '')
      .split(',')
      .map((s) => s.trim())
      .some(
        (reference) =>
          reference === permissionSet ||
          (permissionSetId !== undefined && reference.slice(0, 15) === permissionSetId.slice(0, 15))
      )
  );
}

/** Whether the client credentials flow is on and runs as `username`. */
export function runsClientCredentialsAs(policies: PolicyRecord | undefined, username: string): boolean {
  return (
    truthy(policies?.isClientCredentialsFlowEnabled) &&
    policies?.clientCredentialsFlowUser?.toLowerCase() === username.toLowerCase()
  );
}

/**
 * Sets the app's per-org OAuth policies and the org setting that lets the credentials REST API
 * return the secret. Reads the current state first and deploys only when something differs.
 */
export async function applyAppPolicies(
  conn: Connection,
  options: AppPoliciesOptions
): Promise<AppPoliciesResult> {
  const progress = options.onProgress ?? noProgress;
  const step = 'OAuth policies';
  const appName = qualify(ECA_NAME, options.namespace);
  const permissionSet = INTEGRATION_ACCESS_PERMISSION_SET;
  const readableSecret = !options.namespace;
  progress({ step, phase: 'start', message: messages.getMessage('progress.reading') });
  const detail = messages.getMessage(readableSecret ? 'detail.local' : 'detail.packaged', [
    options.integrationUsername,
    permissionSet
  ]);
  if (await alreadyApplied(conn, appName, permissionSet, options.integrationUsername, readableSecret)) {
    const result: StepResult = { step, status: 'unchanged', detail };
    progress({ step, phase: 'end', result });
    return { step: result };
  }
  const deploy = await deployPolicies(conn, options, progress, step);
  const result: StepResult = { step, status: 'updated', detail };
  progress({ step, phase: 'end', result });
  return { step: result, deploy };
}

/**
 * Salesforce's Metadata API page describes commaSeparatedPermissionSet as permission set Ids,
 * while working public examples use API names (UNCONFIRMED which is right). The name is tried
 * first; if Salesforce rejects the policies over the permission set, the Id is tried once.
 */
async function deployPolicies(
  conn: Connection,
  options: AppPoliciesOptions,
  progress: ProgressListener,
  step: string
): Promise<DeployOutcome> {
  const request = (reference?: string) => ({
    ...appPoliciesDeploy(options.integrationUsername, options.namespace, reference, {
      readableSecret: !options.namespace
    }),
    onProgress: progress,
    step
  });
  try {
    return await deployMetadata(conn, request());
  } catch (error) {
    const aboutPermissionSet =
      error instanceof DeployFailedError &&
      error.failures.some(
        (f) => f.type === 'ExtlClntAppOauthConfigurablePolicies' && /permission ?set/i.test(f.problem)
      );
    if (!aboutPermissionSet) throw error;
    const id = (await permissionSetIds(conn, [INTEGRATION_ACCESS_PERMISSION_SET])).get(
      INTEGRATION_ACCESS_PERMISSION_SET
    );
    if (!id) throw error;
    return deployMetadata(conn, request(id));
  }
}

// jsforce's typed metadata names predate these ECA types, hence the casts below.
async function alreadyApplied(
  conn: Connection,
  appName: string,
  permissionSet: string,
  username: string,
  readableSecret: boolean
): Promise<boolean> {
  try {
    const policies = (await conn.metadata.read(
      'ExtlClntAppOauthConfigurablePolicies' as never,
      appName
    )) as unknown as PolicyRecord;
    const permissionSetId = (await permissionSetIds(conn, [permissionSet])).get(permissionSet);
    const settings = readableSecret
      ? ((await conn.metadata.read(
          'ExternalClientAppSettings' as never,
          'ExternalClientApp'
        )) as unknown as Record<string, unknown>)
      : { enableClientSecretInRestApiAccess: true };
    return (
      runsClientCredentialsAs(policies, username) &&
      policies.ipRelaxationPolicyType === 'Bypass' &&
      preAuthorizes(policies, permissionSet, permissionSetId) &&
      truthy(settings?.enableClientSecretInRestApiAccess)
    );
  } catch {
    // Reading is only an optimisation: when it is not possible, deploying is always correct.
    return false;
  }
}
