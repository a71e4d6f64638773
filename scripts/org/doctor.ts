import type { Connection } from '@salesforce/core';
import {
  ECA_NAME,
  EVENT_OBJECT,
  INTEGRATION_ACCESS_PERMISSION_SET,
  qualify
} from '../contracts/api-names.ts';
import { latestClosedConversationQuery } from '../contracts/channel-queries.ts';
import { CHANNEL_REGISTRY, type Channel } from '../contracts/channels.ts';
import type { OrgConnection } from '../contracts/org-connection.ts';
import { loadMessages } from '../shared/messages.ts';
import { noProgress, type ProgressListener } from '../shared/step.ts';
import { grantsMatch, planAccess, readCurrentAccess } from './access-permission-sets.ts';
import { permissionSetIds } from './access.ts';
import { preAuthorizes, runsClientCredentialsAs, type PolicyRecord } from './app-policies.ts';
import { credentialFor, type TethrAppCredential } from './app-credential.ts';
import {
  IntegrationSession,
  OAuthTokenError,
  SalesforceApiError,
  requestToken,
  type SalesforceToken
} from './integration-session.ts';
import type { Diagnosis } from './oauth-diagnosis.ts';
import { detectOrgShape, type OrgShape } from './org-shape.ts';
import { soqlString } from './soql.ts';

// Proves the integration works the way Tethr uses it: a sign-in with exactly the credential Tethr
// holds (the packaged app's, from the environment) or the org's own (local, legacy), then reads of
// one closed conversation per channel selecting every field the relay selects, as the integration
// user. With an admin login (--target-org) it also checks what only an admin can see: the org's
// shape, the flows, the generated access permission set, the app's policies, the allocation.

const messages = loadMessages('doctor');

export type CheckStatus = 'passed' | 'warning' | 'failed' | 'skipped';

export interface DoctorCheck {
  check: string;
  status: CheckStatus;
  detail: string;
  diagnosis?: Omit<Diagnosis, 'retryable'>;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
};

/** Swappable so tests can run the propagation wait without waiting. */
export const doctorRuntime: { clock: Clock } = { clock: systemClock };

/** Salesforce documents 2 to 10 minutes before a new or changed app accepts logins. */
export const PROPAGATION_WINDOW_MS = 10 * 60 * 1000;
export const PROPAGATION_RETRY_MS = 30 * 1000;

/** Below this share of the daily event delivery allocation left, doctor warns. */
export const ALLOCATION_WARNING_SHARE = 0.1;

export interface DoctorOptions {
  connection: OrgConnection;
  /** Tethr's app credential (packaged app); the org's own comes from the connection file */
  appCredential?: TethrAppCredential;
  /** an admin connection (doctor --target-org): the org-side checks */
  adminConnection?: Connection;
  clock?: Clock;
  propagationWindowMs?: number;
  retryIntervalMs?: number;
  onProgress?: ProgressListener;
}

const FLOW_LABEL: Record<string, string> = {
  client_credentials: 'client credentials',
  jwt_bearer: 'JWT bearer',
  password: 'legacy username-password'
};

function diagnosisOf(code: string, tokens: string[] = []): Omit<Diagnosis, 'retryable'> {
  return {
    code,
    cause: messages.getMessage(`${code}.cause`, tokens),
    actions: messages.getMessages(`${code}.actions`, tokens)
  };
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { connection } = options;
  const progress = options.onProgress ?? noProgress;
  const checks: DoctorCheck[] = [];
  const record = (check: DoctorCheck) => {
    checks.push(check);
    progress({
      step: check.check,
      phase: 'end',
      result: { step: check.check, status: check.status, detail: check.detail }
    });
  };
  const shape = options.adminConnection ? await detectOrgShape(options.adminConnection) : undefined;

  const signIn = messages.getMessage('check.signIn', [
    FLOW_LABEL[connection.authFlow] ?? connection.authFlow
  ]);
  progress({ step: signIn, phase: 'start', message: new URL(connection.instanceUrl).host });
  const token = await signInOrExplain(options, (message) =>
    progress({ step: signIn, phase: 'start', message })
  );
  if (!('accessToken' in token)) {
    record({
      check: signIn,
      status: token.status,
      detail: token.detail,
      ...(token.diagnosis ? { diagnosis: token.diagnosis } : {})
    });
    if (!shape) {
      record({
        check: messages.getMessage('check.remaining'),
        status: 'skipped',
        detail: messages.getMessage('detail.needToken')
      });
      return finish(checks);
    }
  } else {
    record({
      check: signIn,
      status: 'passed',
      detail: messages.getMessage('detail.signedIn', [
        connection.integrationUsername,
        new URL(token.instanceUrl).host
      ])
    });
    const session = new IntegrationSession(connection, undefined, { tokenProvider: async () => token });
    await readChannels(connection, session, shape, record, progress);
    await readEvent(connection, session, record, progress);
  }
  if (options.adminConnection && shape)
    await adminChecks(options.adminConnection, connection, shape, record, progress);
  await checkAllocation(options, token, record, progress);
  return finish(checks);
}

function finish(checks: DoctorCheck[]): DoctorReport {
  return { ok: checks.every((c) => c.status !== 'failed'), checks };
}

type SignInOutcome =
  SalesforceToken | { status: CheckStatus; detail: string; diagnosis?: Omit<Diagnosis, 'retryable'> };

async function signInOrExplain(
  options: DoctorOptions,
  onWait: (message: string) => void
): Promise<SignInOutcome> {
  let credential;
  try {
    credential = credentialFor(options.connection, options.appCredential);
  } catch (error) {
    // The customer's admin cannot sign in as Tethr does on the packaged path: that is Tethr's part.
    const packaged = options.connection.app === 'packaged';
    return {
      status: packaged && options.adminConnection ? 'skipped' : 'failed',
      detail: (error as Error).message,
      diagnosis: diagnosisOf(packaged ? 'packaged-sign-in-is-tethrs' : 'credential-missing')
    };
  }
  const clock = options.clock ?? doctorRuntime.clock;
  const window = options.propagationWindowMs ?? PROPAGATION_WINDOW_MS;
  const interval = options.retryIntervalMs ?? PROPAGATION_RETRY_MS;
  const started = clock.now();
  for (;;) {
    try {
      return await requestToken(options.connection, credential);
    } catch (error) {
      if (!(error instanceof OAuthTokenError)) {
        return { status: 'failed', detail: (error as Error).message, diagnosis: actionsOf(error) };
      }
      const waited = clock.now() - started;
      // Only "unknown client id" means "not propagated yet"; every other refusal is final.
      if (
        !error.diagnosis.retryable ||
        error.diagnosis.code === 'salesforce-unavailable' ||
        waited + interval > window
      ) {
        return {
          status: 'failed',
          detail: `${error.error}${error.errorDescription ? `: ${error.errorDescription}` : ''}`,
          diagnosis: {
            code: error.diagnosis.code,
            cause: error.diagnosis.cause,
            actions: error.diagnosis.actions
          }
        };
      }
      onWait(messages.getMessage('progress.propagating', [Math.ceil((window - waited) / 60000)]));
      await clock.sleep(interval);
    }
  }
}

function actionsOf(error: unknown): Omit<Diagnosis, 'retryable'> {
  const e = error as { name?: string; message?: string; actions?: string[] };
  return { code: e.name ?? 'error', cause: e.message ?? String(error), actions: e.actions ?? [] };
}

async function readChannels(
  connection: OrgConnection,
  session: IntegrationSession,
  shape: OrgShape | undefined,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const api = `/services/data/v${connection.apiVersion}`;
  for (const channel of connection.channels) {
    const check = messages.getMessage('check.read', [CHANNEL_REGISTRY[channel].label]);
    const presence = shape?.channels.find((c) => c.channel === channel);
    if (presence && !presence.present) {
      record({
        check,
        status: 'failed',
        detail: messages.getMessage('detail.notInOrg', [CHANNEL_REGISTRY[channel].object]),
        diagnosis: diagnosisOf('channel-not-in-org', [CHANNEL_REGISTRY[channel].missingHint])
      });
      continue;
    }
    progress({ step: check, phase: 'start' });
    try {
      const result = await session.request<{
        records: Array<{ Id: string; Conversation?: { ConversationIdentifier?: string | null } | null }>;
      }>(`${api}/query?q=${encodeURIComponent(latestClosedConversationQuery(channel))}`);
      const first = result.records[0];
      record({
        check,
        status: 'passed',
        detail: first
          ? messages.getMessage('detail.latestClosed', [first.Id])
          : messages.getMessage('detail.noneClosed')
      });
      const identifier = first?.Conversation?.ConversationIdentifier;
      if (channel === 'MessagingSession' && identifier)
        await readEntries(api, identifier, session, record, progress);
    } catch (error) {
      record(readFailure(check, channel, error));
    }
  }
}

/**
 * Enhanced Messaging keeps the text outside the org's tables: the relay reads it with Connect REST,
 * whose access rules differ from SOQL's (UNCONFIRMED which permission it checks). One call for the
 * latest ended session proves the route works for the integration user.
 */
async function readEntries(
  api: string,
  identifier: string,
  session: IntegrationSession,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const check = messages.getMessage('check.entries');
  progress({ step: check, phase: 'start' });
  try {
    await session.request(
      `${api}/connect/conversation/${encodeURIComponent(identifier)}/entries?recordLimit=1`
    );
    record({ check, status: 'passed', detail: messages.getMessage('detail.entriesReadable') });
  } catch (error) {
    const e = error as { errorCode?: string; status?: number; message?: string };
    record({
      check,
      status: 'failed',
      detail: `${e.errorCode || `HTTP ${e.status ?? '?'}`}: ${e.message ?? ''}`.trim(),
      diagnosis: diagnosisOf('entries-not-readable')
    });
  }
}

/** Salesforce's "No such column 'Email' on entity 'Contact'" names the field field-level security hides. */
function hiddenField(message: string): string | undefined {
  const match = /No such column '(\w+)' on entity '(\w+)'/.exec(message);
  return match ? `${match[2]}.${match[1]}` : undefined;
}

function readFailure(check: string, channel: Channel, error: unknown): DoctorCheck {
  const object = CHANNEL_REGISTRY[channel].object;
  if (error instanceof SalesforceApiError) {
    if (error.errorCode === 'API_CURRENTLY_DISABLED' || error.errorCode === 'API_DISABLED_FOR_ORG') {
      return { check, status: 'failed', detail: error.errorCode, diagnosis: diagnosisOf('api-disabled') };
    }
    if (error.errorCode === 'INVALID_FIELD') {
      const field = hiddenField(error.message) ?? object;
      return {
        check,
        status: 'failed',
        detail: messages.getMessage('detail.fieldHidden', [field]),
        diagnosis: diagnosisOf('field-not-readable', [field])
      };
    }
    if (error.errorCode === 'INVALID_TYPE' || error.status === 404 || error.status === 403) {
      return {
        check,
        status: 'failed',
        detail: error.errorCode || `HTTP ${error.status}`,
        diagnosis: diagnosisOf('object-not-readable', [object])
      };
    }
    return {
      check,
      status: 'failed',
      detail: `${error.errorCode || `HTTP ${error.status}`}: ${error.message}`
    };
  }
  return { check, status: 'failed', detail: (error as Error).message };
}

async function readEvent(
  connection: OrgConnection,
  session: IntegrationSession,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const check = messages.getMessage('check.event');
  const event = qualify(EVENT_OBJECT, connection.namespace);
  progress({ step: check, phase: 'start' });
  try {
    await session.request(`/services/data/v${connection.apiVersion}/sobjects/${event}/describe`);
    record({ check, status: 'passed', detail: connection.eventTopic });
  } catch {
    record({
      check,
      status: 'failed',
      detail: messages.getMessage('detail.eventHidden', [event]),
      diagnosis: diagnosisOf('event-not-readable', [event, connection.eventTopic])
    });
  }
}

/** What only an admin login can check: shape, flows, access, policies. */
async function adminChecks(
  admin: Connection,
  connection: OrgConnection,
  shape: OrgShape,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const present = shape.channels.filter((c) => c.present).map((c) => c.channel);
  const unnamed = present.filter((c) => !connection.channels.includes(c));
  if (unnamed.length > 0) {
    record({
      check: messages.getMessage('check.channels'),
      status: 'warning',
      detail: messages.getMessage('detail.channelsNotInFile', [unnamed.join(', ')]),
      diagnosis: diagnosisOf('channels-not-in-file')
    });
  }
  if (present.includes('MessagingSession') && shape.namespace && !shape.messagingExtensionInstalled) {
    record({
      check: messages.getMessage('check.extension'),
      status: 'warning',
      detail: messages.getMessage('detail.extensionMissing'),
      diagnosis: diagnosisOf('extension-missing')
    });
  }
  await checkFlows(admin, connection, shape, record, progress);
  await checkAccess(admin, connection, shape, record, progress);
  if (connection.app !== 'legacy-connected-app') await checkPolicies(admin, connection, record, progress);
}

async function checkFlows(
  admin: Connection,
  connection: OrgConnection,
  shape: OrgShape,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const check = messages.getMessage('check.flows');
  const expected = connection.channels
    .map((c) => CHANNEL_REGISTRY[c].publisher)
    .filter((p): p is NonNullable<typeof p> => p !== null)
    // The extension's flow exists only where the extension is installed (or deployed unpackaged).
    .filter((p) => p.package === 'base' || !shape.namespace || shape.messagingExtensionInstalled)
    .map((p) => p.flow);
  if (expected.length === 0) return;
  progress({ step: check, phase: 'start' });
  const namespace = connection.namespace ? soqlString(connection.namespace) : 'null';
  try {
    const result = await admin.query<{ ApiName: string; IsActive: boolean }>(
      `SELECT ApiName, IsActive FROM FlowDefinitionView WHERE ApiName IN (${expected.map(soqlString).join(', ')}) AND NamespacePrefix = ${namespace}`
    );
    const inactive = expected.filter((name) => !result.records.some((r) => r.ApiName === name && r.IsActive));
    if (inactive.length === 0) record({ check, status: 'passed', detail: expected.join(', ') });
    else
      record({
        check,
        status: 'failed',
        detail: messages.getMessage('detail.flowsInactive', [inactive.join(', ')]),
        diagnosis: diagnosisOf('flow-inactive')
      });
  } catch (error) {
    record({
      check,
      status: 'warning',
      detail: messages.getMessage('detail.flowsUnreadable', [(error as Error).message])
    });
  }
}

async function checkAccess(
  admin: Connection,
  connection: OrgConnection,
  shape: OrgShape,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const check = messages.getMessage('check.access');
  progress({ step: check, phase: 'start' });
  try {
    const plan = await planAccess(admin, shape);
    const current = await readCurrentAccess(admin, plan.integration.name, plan.integration.userPermissions);
    if (!grantsMatch(plan.integration, current)) {
      record({
        check,
        status: 'failed',
        detail: messages.getMessage(current.exists ? 'detail.accessStale' : 'detail.accessMissing', [
          INTEGRATION_ACCESS_PERMISSION_SET
        ]),
        diagnosis: diagnosisOf('access-stale')
      });
      return;
    }
    const assigned = await admin.query<{ Id: string }>(
      `SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = ${soqlString(current.id!)} AND Assignee.Username = ${soqlString(connection.integrationUsername)}`
    );
    if (assigned.records.length === 0) {
      record({
        check,
        status: 'failed',
        detail: messages.getMessage('detail.accessUnassigned', [
          INTEGRATION_ACCESS_PERMISSION_SET,
          connection.integrationUsername
        ]),
        diagnosis: diagnosisOf('access-unassigned')
      });
      return;
    }
    record({
      check,
      status: 'passed',
      detail: messages.getMessage('detail.accessOk', [
        INTEGRATION_ACCESS_PERMISSION_SET,
        plan.integration.objects.length,
        plan.integration.fields.length
      ])
    });
  } catch (error) {
    record({
      check,
      status: 'warning',
      detail: messages.getMessage('detail.accessUnreadable', [(error as Error).message])
    });
  }
}

async function checkPolicies(
  admin: Connection,
  connection: OrgConnection,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const check = messages.getMessage('check.policies');
  progress({ step: check, phase: 'start' });
  let policies: PolicyRecord | undefined;
  try {
    policies = (await admin.metadata.read(
      'ExtlClntAppOauthConfigurablePolicies' as never,
      qualify(ECA_NAME, connection.namespace)
    )) as unknown as PolicyRecord;
  } catch (error) {
    record({
      check,
      status: 'warning',
      detail: messages.getMessage('detail.policiesUnreadable', [(error as Error).message])
    });
    return;
  }
  const problems: string[] = [];
  const accessId = (
    await permissionSetIds(admin, [INTEGRATION_ACCESS_PERMISSION_SET]).catch(() => new Map<string, string>())
  ).get(INTEGRATION_ACCESS_PERMISSION_SET);
  if (!preAuthorizes(policies, INTEGRATION_ACCESS_PERMISSION_SET, accessId)) {
    problems.push(messages.getMessage('problem.notPreAuthorized', [INTEGRATION_ACCESS_PERMISSION_SET]));
  }
  if (
    connection.authFlow === 'client_credentials' &&
    !runsClientCredentialsAs(policies, connection.integrationUsername)
  ) {
    problems.push(messages.getMessage('problem.runAs', [connection.integrationUsername]));
  }
  if (policies?.ipRelaxationPolicyType !== 'Bypass') problems.push(messages.getMessage('problem.ip'));
  if (problems.length === 0)
    record({ check, status: 'passed', detail: messages.getMessage('detail.policiesOk') });
  else
    record({
      check,
      status: 'failed',
      detail: problems.join('; '),
      diagnosis: diagnosisOf('policies-wrong')
    });
}

interface LimitsBody {
  DailyDeliveredPlatformEvents?: { Max: number; Remaining: number };
}

async function checkAllocation(
  options: DoctorOptions,
  token: SignInOutcome,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const check = messages.getMessage('check.allocation');
  const api = `/services/data/v${options.connection.apiVersion}/limits`;
  progress({ step: check, phase: 'start' });
  let limits: LimitsBody;
  try {
    if (options.adminConnection) limits = await options.adminConnection.request<LimitsBody>(api);
    else if ('accessToken' in token)
      limits = await new IntegrationSession(options.connection, undefined, {
        tokenProvider: async () => token
      }).request<LimitsBody>(api);
    else return;
  } catch (error) {
    record({
      check,
      status: 'warning',
      detail: messages.getMessage('detail.limitsUnreadable', [(error as Error).message])
    });
    return;
  }
  const delivered = limits.DailyDeliveredPlatformEvents;
  if (!delivered) {
    record({ check, status: 'warning', detail: messages.getMessage('detail.limitsMissing') });
    return;
  }
  const detail = messages.getMessage('detail.allocation', [delivered.Remaining, delivered.Max]);
  if (delivered.Remaining <= 0)
    record({ check, status: 'failed', detail, diagnosis: diagnosisOf('allocation-used-up') });
  else if (delivered.Remaining < delivered.Max * ALLOCATION_WARNING_SHARE)
    record({ check, status: 'warning', detail, diagnosis: diagnosisOf('allocation-low') });
  else record({ check, status: 'passed', detail });
}
