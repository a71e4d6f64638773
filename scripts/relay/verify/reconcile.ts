import { CHANNEL_REGISTRY, type Channel } from '../../contracts/channels.ts';
import type { OrgConnection, SessionIdScheme } from '../../contracts/org-connection.ts';
import {
  TethrStatusAnswerError,
  type SessionStatus,
  type SessionStatusValue
} from '../../tethr/capture-status.ts';
import { classifyTethrFailure, TethrHttpError, TethrTokenError } from '../../tethr/tethr-errors.ts';
import { DEFAULT_BACKOFF, retry, type BackoffPolicy } from '../backoff.ts';
import { closedRecordPages, isMissingObject, type ClosedRecord } from '../backfill-query.ts';
import { isTransientFetchError } from '../conversation-delivery.ts';
import { chunk, CountingRest, type SalesforceRest } from '../fetchers/salesforce-rest.ts';
import type { RelayLogger } from '../relay-logger.ts';
import type { DeadLetterSource, DeadLetterSummary } from './dead-letter-source.ts';
import type { Resender, ResendOutcome } from './resend.ts';
import { otherScheme, ResendWouldDuplicate, sessionIdOf, SessionIdSchemeDetected } from './session-ids.ts';

// Reconciliation: did every conversation that closed in Salesforce in a window reach Tethr?
// Lists the closed records with backfill's own query, asks Tethr's status API about each one's
// sessionId in batches, counts what is complete, in progress, excluded and missing per channel,
// notes which were dead-lettered locally, and optionally resends the missing ones through the
// normal delivery path and checks them again. `tethr-sf verify` runs it once; the relay
// service's scheduled reconciliation will run it per org on an interval with its own dead-letter
// store and metrics. Nothing here knows a CLI flag.

/** What reconciliation needs from Tethr's status API (TethrStatusClient provides it). */
export interface SessionStatusSource {
  statuses(sessionIds: readonly string[]): Promise<Map<string, SessionStatus>>;
  /** HTTP calls made so far */
  readonly calls: number;
}

export interface ReconcileOptions {
  connection: OrgConnection;
  rest: SalesforceRest;
  window: { since: string; until: string };
  channels: readonly Channel[];
  statuses: SessionStatusSource;
  deadLetters: DeadLetterSource;
  sessionIdScheme: SessionIdScheme;
  /** given: the missing conversations are sent again and checked again */
  resend?: Resender;
  /** sessions per status request (no limit is published: UNCONFIRMED) */
  statusBatchSize?: number;
  /** conversations per resend batch (one Salesforce read each) */
  resendBatchSize?: number;
  policy?: BackoffPolicy;
  /** attempts for a transient status-API failure before giving up */
  statusAttempts?: number;
  logger: RelayLogger;
  signal?: AbortSignal;
  onProgress?: (progress: ReconcileProgress) => void;
}

export interface ReconcileProgress {
  phase: 'check' | 'resend' | 'recheck';
  channel: Channel;
  total: number;
  done: number;
}

/** Per channel (and in total): how many closed, and what Tethr says about them. */
export interface ChannelTally {
  closed: number;
  complete: number;
  inProgress: number;
  concluded: number;
  notFound: number;
  unknown: number;
  excluded: number;
  /** closed records with a local dead letter (whatever Tethr says about them) */
  deadLettered: number;
  /** NotFound or Unknown: Tethr does not hold them */
  missing: number;
  /** the org has no such object (feature off): nothing was checked */
  skipped?: string;
}

export interface MissingConversation {
  channel: Channel;
  recordId: string;
  sessionId: string;
  closedAt: string;
  status: Extract<SessionStatusValue, 'NotFound' | 'Unknown'>;
  deadLetter?: DeadLetterSummary;
}

export interface StillMissing extends MissingConversation {
  /**
   * dead-lettered: the resend failed again (reason says why); not-in-tethr-yet: Tethr accepted
   * the capture but its status API does not report it (yet); interrupted: stopped before it was sent.
   */
  why: 'dead-lettered' | 'not-in-tethr-yet' | 'interrupted';
  reason?: string;
  detail?: string;
  statusAfterResend?: SessionStatusValue;
}

export interface ResendReport {
  attempted: number;
  /** in Tethr now (any status but NotFound and Unknown) */
  recovered: number;
  stillMissing: StillMissing[];
}

export interface ReconcileReport {
  orgId: string;
  since: string;
  until: string;
  sessionIdScheme: SessionIdScheme;
  channels: Partial<Record<Channel, ChannelTally>>;
  totals: ChannelTally;
  /** missing when checked, before any resend */
  missing: MissingConversation[];
  resend?: ResendReport;
  deadLetterSources: Array<{ source: string; found: boolean }>;
  tethrStatusCalls: number;
  salesforceRequests: number;
  /** stopped by the signal: the counts cover only what was checked */
  interrupted: boolean;
}

const DEFAULT_STATUS_BATCH = 100;
const DEFAULT_RESEND_BATCH = 50;
const SCHEME_PROBE = 20;

export function emptyTally(): ChannelTally {
  return {
    closed: 0,
    complete: 0,
    inProgress: 0,
    concluded: 0,
    notFound: 0,
    unknown: 0,
    excluded: 0,
    deadLettered: 0,
    missing: 0
  };
}

export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const { connection, logger, signal } = options;
  const rest = new CountingRest(options.rest);
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const statusBatch = options.statusBatchSize ?? DEFAULT_STATUS_BATCH;
  const request = <T>(path: string) =>
    retry(() => rest.request<T>(path), {
      policy,
      ...(signal ? { signal } : {}),
      shouldRetry: isTransientFetchError,
      onRetry: (error, attempt, delayMs) =>
        logger.log('warn', 'verify query failed, retrying', { attempt: attempt + 1, delayMs, error })
    });
  const statusesOf = (ids: readonly string[]) => statusesWithRetry(options, ids);
  const sessionId = (recordId: string, scheme = options.sessionIdScheme) =>
    sessionIdOf(connection.orgId, recordId, scheme);

  const channels: Partial<Record<Channel, ChannelTally>> = {};
  const missing: MissingConversation[] = [];
  let interrupted = false;

  for (const channel of options.channels) {
    const tally = (channels[channel] = emptyTally());
    if (signal?.aborted) {
      interrupted = true;
      break;
    }
    const pages = closedRecordPages(
      request,
      connection.apiVersion,
      channel,
      options.window.since,
      options.window.until
    );
    let checked = 0;
    try {
      for await (const page of pages) {
        for (const batch of chunk(page.records, statusBatch)) {
          if (signal?.aborted) break;
          const ids = batch.map((record) => ({ record, sessionId: sessionId(record.id) }));
          const [statuses, letters] = await Promise.all([
            statusesOf(ids.map((i) => i.sessionId)),
            options.deadLetters.lettersFor(
              ids.map((i) => ({ recordId: i.record.id, sessionId: i.sessionId }))
            )
          ]);
          for (const { record, sessionId: id } of ids) {
            const status = statuses.get(id)?.status ?? 'Unknown';
            const letter = letters.get(record.id);
            count(tally, status, letter !== undefined);
            if (status === 'NotFound' || status === 'Unknown')
              missing.push(missingEntry(channel, record, id, status, letter));
          }
          checked += batch.length;
          options.onProgress?.({ phase: 'check', channel, total: page.totalSize, done: checked });
        }
        if (signal?.aborted) {
          interrupted = true;
          break;
        }
      }
    } catch (error) {
      if (!isMissingObject(error)) throw error;
      tally.skipped = CHANNEL_REGISTRY[channel].missingHint;
    }
    if (interrupted) break;
  }

  const totals = sum(Object.values(channels));
  // Everything missing and nothing found: either nothing was ever delivered, or Tethr knows the
  // sessions under the other scheme. Twenty look-ups tell which, before a resend could store
  // every conversation a second time.
  if (totals.closed > 0 && totals.missing === totals.closed) {
    const sample = missing.slice(0, SCHEME_PROBE);
    const alternative = otherScheme(options.sessionIdScheme);
    const probe = await statusesOf(sample.map((m) => sessionId(m.recordId, alternative)));
    const known = [...probe.values()].find((s) => s.status !== 'NotFound' && s.status !== 'Unknown');
    if (known) throw new SessionIdSchemeDetected(options.sessionIdScheme, alternative, known.sessionId);
  }

  const report: ReconcileReport = {
    orgId: connection.orgId,
    since: options.window.since,
    until: options.window.until,
    sessionIdScheme: options.sessionIdScheme,
    channels,
    totals,
    missing,
    deadLetterSources: options.deadLetters.describe(),
    tethrStatusCalls: 0,
    salesforceRequests: 0,
    interrupted
  };
  if (options.resend && !interrupted)
    report.resend =
      missing.length > 0
        ? await resendMissing(options, missing, statusesOf)
        : { attempted: 0, recovered: 0, stillMissing: [] };
  report.deadLetterSources = options.deadLetters.describe();
  report.tethrStatusCalls = options.statuses.calls;
  report.salesforceRequests = rest.usage.requests;
  return report;
}

async function resendMissing(
  options: ReconcileOptions,
  missing: readonly MissingConversation[],
  statusesOf: (ids: readonly string[]) => Promise<Map<string, SessionStatus>>
): Promise<ResendReport> {
  const resender = options.resend!;
  await refuseDuplicates(options, missing, statusesOf);
  const outcomes = new Map<string, ResendOutcome>();
  for (const channel of options.channels) {
    const ofChannel = missing.filter((m) => m.channel === channel);
    let done = 0;
    for (const batch of chunk(ofChannel, options.resendBatchSize ?? DEFAULT_RESEND_BATCH)) {
      if (options.signal?.aborted) break;
      const result = await resender.resend(channel, batch);
      for (const [recordId, outcome] of result) outcomes.set(recordId, outcome);
      done += batch.length;
      options.onProgress?.({ phase: 'resend', channel, total: ofChannel.length, done });
    }
  }
  // Check again what was delivered: Tethr's answer, not our sink's, says whether it arrived.
  const delivered = missing.filter((m) => outcomes.get(m.recordId)?.outcome === 'delivered');
  const after = new Map<string, SessionStatus>();
  for (const channel of options.channels) {
    const ofChannel = delivered.filter((m) => m.channel === channel);
    let done = 0;
    for (const batch of chunk(ofChannel, options.statusBatchSize ?? DEFAULT_STATUS_BATCH)) {
      for (const [id, status] of await statusesOf(batch.map((m) => m.sessionId))) after.set(id, status);
      done += batch.length;
      options.onProgress?.({ phase: 'recheck', channel, total: ofChannel.length, done });
    }
  }
  const stillMissing: StillMissing[] = [];
  let recovered = 0;
  for (const entry of missing) {
    const outcome = outcomes.get(entry.recordId) ?? { outcome: 'abandoned' as const };
    if (outcome.outcome === 'dead-lettered') {
      stillMissing.push({ ...entry, why: 'dead-lettered', reason: outcome.reason, detail: outcome.detail });
    } else if (outcome.outcome === 'abandoned') {
      stillMissing.push({ ...entry, why: 'interrupted' });
    } else {
      const status = after.get(entry.sessionId)?.status ?? 'Unknown';
      if (status === 'NotFound' || status === 'Unknown')
        stillMissing.push({ ...entry, why: 'not-in-tethr-yet', statusAfterResend: status });
      else recovered += 1;
    }
  }
  return { attempted: outcomes.size, recovered, stillMissing };
}

/**
 * A missing conversation that Tethr holds under the other session-id scheme would be stored a
 * second time by a resend. The look-up costs one status request per batch of missing ones (what
 * the resend's re-check costs too); one known there stops the resend before anything is sent.
 */
async function refuseDuplicates(
  options: ReconcileOptions,
  missing: readonly MissingConversation[],
  statusesOf: (ids: readonly string[]) => Promise<Map<string, SessionStatus>>
): Promise<void> {
  const alternative = otherScheme(options.sessionIdScheme);
  let known = 0;
  let example: string | undefined;
  for (const batch of chunk(missing, options.statusBatchSize ?? DEFAULT_STATUS_BATCH)) {
    const ids = batch.map((m) => sessionIdOf(options.connection.orgId, m.recordId, alternative));
    for (const status of (await statusesOf(ids)).values()) {
      if (status.status === 'NotFound' || status.status === 'Unknown') continue;
      known += 1;
      example ??= status.sessionId;
    }
  }
  if (example) throw new ResendWouldDuplicate(options.sessionIdScheme, alternative, known, example);
}

/** Status look-ups retry what may pass (5xx, 429, timeouts) a few times; a one-shot check must end. */
async function statusesWithRetry(
  options: ReconcileOptions,
  ids: readonly string[]
): Promise<Map<string, SessionStatus>> {
  if (ids.length === 0) return new Map();
  const attempts = options.statusAttempts ?? 6;
  return retry(() => options.statuses.statuses(ids), {
    policy: options.policy ?? DEFAULT_BACKOFF,
    ...(options.signal ? { signal: options.signal } : {}),
    shouldRetry: (error, attempt) =>
      attempt + 1 < attempts &&
      !(error instanceof TethrStatusAnswerError) &&
      !(error instanceof TethrTokenError && [400, 401, 403].includes(error.status)) &&
      classifyTethrFailure(error) === 'retry',
    minDelayMs: (error) => (error instanceof TethrHttpError ? error.retryAfterMs : undefined),
    onRetry: (error, attempt, delayMs) =>
      options.logger.log('warn', 'tethr status request failed, retrying', {
        sessions: ids.length,
        attempt: attempt + 1,
        delayMs,
        error: (error as Error).message
      })
  });
}

function count(tally: ChannelTally, status: SessionStatusValue, deadLettered: boolean): void {
  tally.closed += 1;
  if (deadLettered) tally.deadLettered += 1;
  switch (status) {
    case 'Complete':
      tally.complete += 1;
      break;
    case 'InProgress':
      tally.inProgress += 1;
      break;
    case 'Concluded':
      tally.concluded += 1;
      break;
    case 'Excluded':
      tally.excluded += 1;
      break;
    case 'NotFound':
      tally.notFound += 1;
      tally.missing += 1;
      break;
    case 'Unknown':
      tally.unknown += 1;
      tally.missing += 1;
      break;
  }
}

function missingEntry(
  channel: Channel,
  record: ClosedRecord,
  sessionId: string,
  status: 'NotFound' | 'Unknown',
  letter: DeadLetterSummary | undefined
): MissingConversation {
  return {
    channel,
    recordId: record.id,
    sessionId,
    closedAt: record.closedAt,
    status,
    ...(letter ? { deadLetter: letter } : {})
  };
}

function sum(tallies: readonly ChannelTally[]): ChannelTally {
  const total = emptyTally();
  for (const tally of tallies)
    for (const key of Object.keys(total) as Array<Exclude<keyof ChannelTally, 'skipped'>>)
      total[key] += tally[key];
  return total;
}
