import type { Channel, CredentialsBundle } from '../org/credentials-bundle.ts';
import { DEFAULT_BACKOFF, retry, type BackoffPolicy } from './backoff.ts';
import { loadCursor, saveCursor, type BackfillCursor } from './backfill-cursor.ts';
import { ConversationDelivery, isTransientFetchError } from './conversation-delivery.ts';
import type { DeadLetterFile } from './dead-letters.ts';
import { CaseFetcher } from './fetchers/case-fetcher.ts';
import { ChatTranscriptFetcher } from './fetchers/chat-transcript-fetcher.ts';
import { MessagingSessionFetcher } from './fetchers/messaging-session-fetcher.ts';
import {
  chunk,
  CountingRest,
  queryPath,
  type ApiUsage,
  type SalesforceRest
} from './fetchers/salesforce-rest.ts';
import type { RelayLogger } from './relay-logger.ts';
import type { Sink } from './sinks/sink.ts';

// The batch path: find conversations closed in [since, until) per channel, page through them in
// close-time order, and push each page through the same fetch + map + sink code as the relay.

/** Field that says when the conversation closed, and the filter that says it did. */
const CLOSED: Record<Channel, { object: string; field: string; filter: string }> = {
  Case: { object: 'Case', field: 'ClosedDate', filter: 'IsClosed = true' },
  MessagingSession: { object: 'MessagingSession', field: 'EndTime', filter: "Status = 'Ended'" },
  LiveChatTranscript: { object: 'LiveChatTranscript', field: 'EndTime', filter: "Status = 'Completed'" }
};

export function closedInWindowQuery(channel: Channel, from: string, until: string): string {
  const { object, field, filter } = CLOSED[channel];
  // SOQL date-time literals are unquoted ISO 8601 in UTC.
  return `SELECT Id, ${field} FROM ${object} WHERE ${filter} AND ${field} >= ${from} AND ${field} < ${until} ORDER BY ${field}, Id`;
}

export interface BackfillOptions {
  bundle: CredentialsBundle;
  session: SalesforceRest;
  channels: Channel[];
  since: string;
  until: string;
  sink: Sink;
  deadLetters: DeadLetterFile;
  cursorPath: string;
  logger: RelayLogger;
  signal: AbortSignal;
  batchSize?: number;
  backoff?: BackoffPolicy;
  onProgress?: (event: { channel: Channel; total: number; done: number }) => void;
}

export interface BackfillSummary {
  channels: BackfillCursor['channels'];
  interrupted: boolean;
  apiUsage: ApiUsage;
}

interface Page {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown> & { Id: string }>;
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillSummary> {
  const { bundle, logger, signal } = options;
  const rest = new CountingRest(options.session);
  const policy = options.backoff ?? DEFAULT_BACKOFF;
  const delivery = new ConversationDelivery({
    fetchers: {
      Case: new CaseFetcher(rest, bundle.apiVersion),
      MessagingSession: new MessagingSessionFetcher(rest, bundle.apiVersion),
      LiveChatTranscript: new ChatTranscriptFetcher(rest, bundle.apiVersion)
    },
    sink: options.sink,
    deadLetters: options.deadLetters,
    logger,
    context: { orgId: bundle.orgId },
    policy,
    signal
  });
  const cursor = await loadCursor(options.cursorPath, {
    orgId: bundle.orgId,
    since: options.since,
    until: options.until
  });
  const fetchPage = (path: string) =>
    retry(() => rest.request<Page>(path), {
      policy,
      signal,
      shouldRetry: isTransientFetchError,
      onRetry: (error, attempt, delayMs) =>
        logger.log('warn', 'backfill query failed, retrying', { attempt: attempt + 1, delayMs, error })
    });

  let interrupted = false;
  for (const channel of options.channels) {
    const state = (cursor.channels[channel] ??= { after: null, done: false, delivered: 0, deadLettered: 0 });
    if (state.done) continue;
    const { field } = CLOSED[channel];
    let page = await fetchPage(
      queryPath(bundle.apiVersion, closedInWindowQuery(channel, state.after ?? options.since, options.until))
    );
    const total = page.totalSize;
    let done = 0;
    options.onProgress?.({ channel, total, done });
    for (;;) {
      for (const group of chunk(page.records, options.batchSize ?? 50)) {
        if (signal.aborted) break;
        const outcomes = await delivery.deliver(
          channel,
          group.map((row) => ({ recordId: row.Id, eventId: 'backfill', replayId: '' }))
        );
        if (outcomes.includes('abandoned')) {
          interrupted = true;
          break;
        }
        state.delivered += outcomes.filter((o) => o === 'delivered').length;
        state.deadLettered += outcomes.filter((o) => o === 'dead-lettered').length;
        const last = group.at(-1)![field];
        if (typeof last === 'string') state.after = toSoqlDateTime(last);
        await saveCursor(options.cursorPath, cursor);
        done += group.length;
        options.onProgress?.({ channel, total, done });
      }
      if (signal.aborted || interrupted || page.done || !page.nextRecordsUrl) break;
      page = await fetchPage(page.nextRecordsUrl);
    }
    if (signal.aborted || interrupted) {
      interrupted = true;
      break;
    }
    state.done = true;
    await saveCursor(options.cursorPath, cursor);
    logger.log('info', 'backfill channel done', {
      channel,
      delivered: state.delivered,
      deadLettered: state.deadLettered
    });
  }
  await options.sink.close();
  await options.deadLetters.close();
  return { channels: cursor.channels, interrupted, apiUsage: rest.usage };
}

/** "2026-11-25T18:39:43.000+0000" -> "2026-11-25T18:39:43.000Z" (a SOQL literal). */
function toSoqlDateTime(value: string): string {
  return new Date(Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))).toISOString();
}
