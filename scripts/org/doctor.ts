import type { Connection } from '@salesforce/core';
import {
  BundleSession,
  OAuthTokenError,
  SalesforceApiError,
  requestToken,
  type SalesforceToken
} from './bundle-auth.ts';
import type { Channel, CredentialsBundle } from './credentials-bundle.ts';
import type { Diagnosis } from './oauth-diagnosis.ts';
import { noProgress, type ProgressListener } from '../shared/step.ts';

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

const CLOSED_CONVERSATION: Record<Channel, { object: string; soql: string }> = {
  Case: {
    object: 'Case',
    soql: 'SELECT Id, ClosedDate FROM Case WHERE IsClosed = true ORDER BY ClosedDate DESC LIMIT 1'
  },
  MessagingSession: {
    object: 'MessagingSession',
    soql: "SELECT Id, EndTime FROM MessagingSession WHERE Status = 'Ended' ORDER BY EndTime DESC LIMIT 1"
  },
  LiveChatTranscript: {
    object: 'LiveChatTranscript',
    soql: "SELECT Id, EndTime FROM LiveChatTranscript WHERE Status = 'Completed' ORDER BY EndTime DESC LIMIT 1"
  }
};

/** The record-triggered flow that publishes the event for a channel (none for retired Legacy Chat). */
const FLOW_FOR_CHANNEL: Partial<Record<Channel, string>> = {
  Case: 'Tethr_Case_Closed',
  MessagingSession: 'Tethr_Messaging_Session_Ended'
};

export interface DoctorOptions {
  bundle: CredentialsBundle;
  /** an admin connection (doctor --target-org): lets doctor read flow status and limits */
  adminConnection?: Connection;
  clock?: Clock;
  propagationWindowMs?: number;
  retryIntervalMs?: number;
  onProgress?: ProgressListener;
}

/**
 * Proves the integration works the way Tethr uses it: a token from the bundle's own
 * credentials, then reads with exactly the integration user's rights.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { bundle } = options;
  const progress = options.onProgress ?? noProgress;
  const checks: DoctorCheck[] = [];
  const record = (check: DoctorCheck) => {
    checks.push(check);
    progress({
      step: check.check,
      phase: 'end',
      result: {
        step: check.check,
        status: check.status === 'skipped' ? 'skipped' : check.status,
        detail: check.detail
      }
    });
  };

  const tokenCheck = `Token (${bundle.authFlow === 'client_credentials' ? 'client credentials' : 'legacy username-password'})`;
  progress({ step: tokenCheck, phase: 'start', message: new URL(bundle.myDomainUrl).host });
  const token = await tokenWithPropagationRetry(options, (message) =>
    progress({ step: tokenCheck, phase: 'start', message })
  );
  if (!('accessToken' in token)) {
    record({
      check: tokenCheck,
      status: 'failed',
      detail: `${token.error}${token.errorDescription ? `: ${token.errorDescription}` : ''}`,
      diagnosis: stripRetry(token.diagnosis)
    });
    record({ check: 'Remaining checks', status: 'skipped', detail: 'they need a token' });
    return { ok: false, checks };
  }
  record({
    check: tokenCheck,
    status: 'passed',
    detail: `as ${bundle.integrationUsername} on ${new URL(token.instanceUrl).host}`
  });

  const session = new BundleSession(bundle, { tokenProvider: async () => token });
  const api = `/services/data/v${bundle.apiVersion}`;
  const prefix = bundle.namespace ? `${bundle.namespace}__` : '';

  for (const channel of bundle.channels) {
    const { object, soql } = CLOSED_CONVERSATION[channel];
    const check = `Read ${object}`;
    progress({ step: check, phase: 'start' });
    try {
      const result = await session.request<{ records: { Id: string }[] }>(
        `${api}/query?q=${encodeURIComponent(soql)}`
      );
      const first = result.records[0];
      record({
        check,
        status: 'passed',
        detail: first ? `latest closed: ${first.Id}` : 'readable; no closed conversation yet'
      });
    } catch (error) {
      record(readFailure(check, object, error));
    }
  }

  const eventCheck = 'Event readable';
  progress({ step: eventCheck, phase: 'start' });
  try {
    await session.request(`${api}/sobjects/${prefix}Conversation_Closed__e/describe`);
    record({ check: eventCheck, status: 'passed', detail: bundle.eventTopic });
  } catch (error) {
    record({
      ...readFailure(eventCheck, `${prefix}Conversation_Closed__e`, error),
      diagnosis: {
        code: 'event-not-readable',
        cause: `The integration user cannot read ${prefix}Conversation_Closed__e, so subscribing to ${bundle.eventTopic} fails.`,
        actions: [
          'Assign the permission set Tethr_Integration_User (it grants Read on the event): `tethr-sf integration-user --target-org <org>`.'
        ]
      }
    });
  }

  await checkFlows(options, bundle, record, progress);
  await checkAllocation(options, session, api, record, progress);
  return { ok: checks.every((c) => c.status !== 'failed'), checks };
}

function stripRetry(diagnosis: Diagnosis): Omit<Diagnosis, 'retryable'> {
  return { code: diagnosis.code, cause: diagnosis.cause, actions: diagnosis.actions };
}

async function tokenWithPropagationRetry(
  options: DoctorOptions,
  onWait: (message: string) => void
): Promise<SalesforceToken | OAuthTokenError> {
  const clock = options.clock ?? doctorRuntime.clock;
  const window = options.propagationWindowMs ?? PROPAGATION_WINDOW_MS;
  const interval = options.retryIntervalMs ?? PROPAGATION_RETRY_MS;
  const started = clock.now();
  for (;;) {
    try {
      return await requestToken(options.bundle);
    } catch (error) {
      if (!(error instanceof OAuthTokenError)) throw error;
      const waited = clock.now() - started;
      // Only "unknown client id" means "not propagated yet"; every other refusal is final.
      if (error.diagnosis.code !== 'app-propagating' || waited + interval > window) return error;
      const left = Math.ceil((window - waited) / 60000);
      onWait(`the app is not active yet; retrying for up to ${left} more minute(s)`);
      await clock.sleep(interval);
    }
  }
}

function readFailure(check: string, object: string, error: unknown): DoctorCheck {
  if (error instanceof SalesforceApiError) {
    if (error.errorCode === 'API_CURRENTLY_DISABLED' || error.errorCode === 'API_DISABLED_FOR_ORG') {
      return {
        check,
        status: 'failed',
        detail: error.errorCode,
        diagnosis: {
          code: 'api-disabled',
          cause:
            'The integration user may not use the API ("API Enabled" missing), or the org edition has no API access.',
          actions: [
            'Assign the permission set Tethr_Integration_User, which grants API Enabled: `tethr-sf integration-user --target-org <org>`.'
          ]
        }
      };
    }
    if (
      error.errorCode === 'INVALID_TYPE' ||
      error.status === 404 ||
      error.errorCode === 'INSUFFICIENT_ACCESS_OR_READONLY' ||
      error.status === 403
    ) {
      return {
        check,
        status: 'failed',
        detail: `${error.errorCode || `HTTP ${error.status}`}`,
        diagnosis: {
          code: 'object-not-readable',
          cause: `The integration user cannot see ${object}: the feature is off in this org, or the user lacks Read on it.`,
          actions: [
            'Check that the feature behind this channel is enabled in the org (e.g. Messaging for In-App and Web).',
            'Check that the integration user has the permission set Tethr_Integration_User.',
            'If the org does not use this channel, switch it off in Tethr_Channel__mdt and write a new bundle.'
          ]
        }
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

async function checkFlows(
  options: DoctorOptions,
  bundle: CredentialsBundle,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const check = 'Flows active';
  const expected = bundle.channels
    .map((c) => FLOW_FOR_CHANNEL[c])
    .filter((f): f is string => f !== undefined);
  if (expected.length === 0) return;
  if (!options.adminConnection) {
    record({ check, status: 'skipped', detail: 'needs an admin login: run doctor with --target-org' });
    return;
  }
  progress({ step: check, phase: 'start' });
  const namespace = bundle.namespace ? `'${bundle.namespace}'` : 'null';
  try {
    const result = await options.adminConnection.query<{ ApiName: string; IsActive: boolean }>(
      `SELECT ApiName, IsActive FROM FlowDefinitionView WHERE ApiName IN (${expected.map((f) => `'${f}'`).join(', ')}) AND NamespacePrefix = ${namespace}`
    );
    const inactive = expected.filter((name) => !result.records.some((r) => r.ApiName === name && r.IsActive));
    if (inactive.length === 0) {
      record({ check, status: 'passed', detail: expected.join(', ') });
    } else {
      record({
        check,
        status: 'failed',
        detail: `not active: ${inactive.join(', ')}`,
        diagnosis: {
          code: 'flow-inactive',
          cause: 'Without an active flow no Conversation Closed event is published for that channel.',
          actions: [
            'Activate the flows in Setup > Flows, or redeploy with `tethr-sf deploy --target-org <org>`.'
          ]
        }
      });
    }
  } catch (error) {
    record({ check, status: 'warning', detail: `could not read flow status: ${(error as Error).message}` });
  }
}

interface LimitsBody {
  DailyDeliveredPlatformEvents?: { Max: number; Remaining: number };
}

async function checkAllocation(
  options: DoctorOptions,
  session: BundleSession,
  api: string,
  record: (c: DoctorCheck) => void,
  progress: ProgressListener
): Promise<void> {
  const check = 'Event delivery allocation';
  progress({ step: check, phase: 'start' });
  let limits: LimitsBody;
  try {
    limits = options.adminConnection
      ? await options.adminConnection.request<LimitsBody>(`${api}/limits`)
      : await session.request<LimitsBody>(`${api}/limits`);
  } catch (error) {
    record({ check, status: 'warning', detail: `could not read /limits: ${(error as Error).message}` });
    return;
  }
  const delivered = limits.DailyDeliveredPlatformEvents;
  if (!delivered) {
    record({ check, status: 'warning', detail: '/limits has no DailyDeliveredPlatformEvents' });
    return;
  }
  const detail = `${delivered.Remaining} of ${delivered.Max} left today`;
  if (delivered.Remaining <= 0) {
    record({ check, status: 'failed', detail, diagnosis: allocationDiagnosis('used up') });
  } else if (delivered.Remaining < delivered.Max * ALLOCATION_WARNING_SHARE) {
    record({ check, status: 'warning', detail, diagnosis: allocationDiagnosis('nearly used up') });
  } else {
    record({ check, status: 'passed', detail });
  }
}

function allocationDiagnosis(state: string): Omit<Diagnosis, 'retryable'> {
  return {
    code: 'allocation-low',
    cause: `The org's daily platform event delivery allocation is ${state}; events beyond it are not delivered to Tethr until the 24-hour window rolls over.`,
    actions: [
      'Check which other subscribers use the allocation (Setup > Platform Events > usage), or buy the Platform Events add-on.',
      'Events missed meanwhile can be sent later with `tethr-sf backfill`.'
    ]
  };
}
