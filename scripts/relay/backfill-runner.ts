import { CHANNEL_REGISTRY, type Channel } from '../contracts/channels.ts';
import type { OrgConnection, SessionIdScheme } from '../contracts/org-connection.ts';
import { DEFAULT_BACKOFF, retry, type BackoffPolicy } from './backoff.ts';
import { openCursor, saveCursor, type ChannelProgress } from './backfill-cursor.ts';
import { closedRecordDelivery } from './backfill-delivery.ts';
import { closedRecordPages, isMissingObject, type ClosedRecordPage } from './backfill-query.ts';
import { isTransientFetchError } from './conversation-delivery.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import { chunk, CountingRest, type ApiUsage, type SalesforceRest } from './fetchers/salesforce-rest.ts';
import type { RelayLogger } from './relay-logger.ts';
import type { Sink } from './sinks/sink.ts';

// The batch path: find conversations closed in [since, until) per channel, page through them in
// close-time order, and push each page through the same fetch + map + sink code as the relay.

export interface BackfillOptions {
  connection: OrgConnection;
  session: SalesforceRest;
  channels: Channel[];
  since: string;
  /** omitted: the end a previous run of this window saved in the cursor, else now */
  until?: string;
  sink: Sink;
  deadLetters: DeadLetterStore;
  cursorPath: string;
  /** how Tethr session ids are formed for this org (the relay's --session-id); default org-and-record */
  sessionIdScheme?: SessionIdScheme;
  logger: RelayLogger;
  signal: AbortSignal;
  batchSize?: number;
  backoff?: BackoffPolicy;
  now?: () => number;
  onProgress?: (event: { channel: Channel; total: number; done: number }) => void;
}

/**
 * What became of a channel in this run. delivered: finished now; already-done: an earlier run
 * finished it, nothing was sent; skipped: the org has no such object (the feature is off);
 * interrupted: stopped part-way (rerun to resume); not-started: stopped before its turn.
 */
export type ChannelOutcome = 'delivered' | 'already-done' | 'skipped' | 'interrupted' | 'not-started';

export interface ChannelResult extends ChannelProgress {
  outcome: ChannelOutcome;
  /** why a skipped channel was skipped */
  reason?: string;
}

export interface BackfillSummary {
  since: string;
  /** the window's end: given, saved by an earlier run, or the "now" of the first run */
  until: string;
  /** an earlier run of this window had saved progress */
  resumed: boolean;
  channels: Partial<Record<Channel, ChannelResult>>;
  interrupted: boolean;
  apiUsage: ApiUsage;
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillSummary> {
  const { connection, logger, signal } = options;
  const rest = new CountingRest(options.session);
  const policy = options.backoff ?? DEFAULT_BACKOFF;
  const delivery = closedRecordDelivery({
    connection,
    rest,
    sink: options.sink,
    deadLetters: options.deadLetters,
    logger,
    policy,
    signal,
    ...(options.sessionIdScheme ? { sessionIdScheme: options.sessionIdScheme } : {})
  });
  const { cursor, resumed } = await openCursor(
    options.cursorPath,
    { orgId: connection.orgId, since: options.since, until: options.until },
    options.now
  );
  // Fix the window's end at once: an interruption before the first batch must not leave a rerun
  // with a different "now".
  if (!resumed) await saveCursor(options.cursorPath, cursor);
  const request = <T>(path: string) =>
    retry(() => rest.request<T>(path), {
      policy,
      signal,
      shouldRetry: isTransientFetchError,
      onRetry: (error, attempt, delayMs) =>
        logger.log('warn', 'backfill query failed, retrying', { attempt: attempt + 1, delayMs, error })
    });

  const results: Partial<Record<Channel, ChannelResult>> = {};
  let interrupted = false;
  try {
    for (const channel of options.channels) {
      const state = (cursor.channels[channel] ??= {
        after: null,
        done: false,
        delivered: 0,
        deadLettered: 0
      });
      if (interrupted || signal.aborted) {
        interrupted = true;
        results[channel] = { ...state, outcome: state.done ? 'already-done' : 'not-started' };
        continue;
      }
      if (state.done) {
        results[channel] = { ...state, outcome: 'already-done' };
        continue;
      }
      let pages: AsyncGenerator<ClosedRecordPage>;
      let first: IteratorResult<ClosedRecordPage>;
      try {
        pages = closedRecordPages(
          request,
          connection.apiVersion,
          channel,
          state.after ?? cursor.since,
          cursor.until
        );
        first = await pages.next();
      } catch (error) {
        if (!isMissingObject(error)) throw error;
        results[channel] = { ...state, outcome: 'skipped', reason: CHANNEL_REGISTRY[channel].missingHint };
        logger.log('warn', 'backfill skipped a channel the org does not have', { channel });
        continue;
      }
      let done = 0;
      options.onProgress?.({ channel, total: first.done ? 0 : first.value.totalSize, done });
      for (let page = first; !page.done; page = await pages.next()) {
        for (const group of chunk(page.value.records, options.batchSize ?? 50)) {
          if (signal.aborted) break;
          const outcomes = await delivery.deliver(
            channel,
            group.map((row) => ({ recordId: row.id, eventId: 'backfill', replayId: '' }))
          );
          if (outcomes.includes('abandoned')) {
            interrupted = true;
            break;
          }
          state.delivered += outcomes.filter((o) => o === 'delivered').length;
          state.deadLettered += outcomes.filter((o) => o === 'dead-lettered').length;
          state.after = group.at(-1)!.closedAt;
          await saveCursor(options.cursorPath, cursor);
          done += group.length;
          options.onProgress?.({ channel, total: page.value.totalSize, done });
        }
        if (signal.aborted || interrupted) break;
      }
      if (signal.aborted || interrupted) {
        interrupted = true;
        results[channel] = { ...state, outcome: 'interrupted' };
        continue;
      }
      state.done = true;
      await saveCursor(options.cursorPath, cursor);
      results[channel] = { ...state, outcome: 'delivered' };
      logger.log('info', 'backfill channel done', {
        channel,
        delivered: state.delivered,
        deadLettered: state.deadLettered
      });
    }
  } finally {
    await options.sink.close();
    await options.deadLetters.close();
  }
  return {
    since: cursor.since,
    until: cursor.until,
    resumed,
    channels: results,
    interrupted,
    apiUsage: rest.usage
  };
}
