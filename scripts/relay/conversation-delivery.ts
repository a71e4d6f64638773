import type { Channel } from '../contracts/channels.ts';
import { OAuthTokenError, SalesforceApiError } from '../org/integration-session.ts';
import { mapConversation } from '../tethr/map-conversation.ts';
import type { MappingContext } from '../tethr/mapping-context.ts';
import { retry, type BackoffPolicy } from './backoff.ts';
import type { DeadLetter, DeadLetterStore } from './dead-letters.ts';
import type { ConversationFetcher, FetchResult } from './fetchers/conversation-fetcher.ts';
import { TransientBatchError } from './fetchers/messaging-session-fetcher.ts';
import type { RelayLogger } from './relay-logger.ts';
import type { Sink, SinkOutcome } from './sinks/sink.ts';

/** One closed record to deliver, with whatever identifies its event. */
export interface DeliveryRequest {
  recordId: string;
  eventId: string;
  replayId: string;
}

export type DeliveryOutcome = SinkOutcome | 'abandoned';

/**
 * Salesforce errors worth waiting out: 5xx, 429 (limits), timeouts and network failures.
 * Other 4xx answers (a field hidden by field-level security, an object the user cannot read)
 * will not fix themselves; their records go to the dead-letter file with the reason.
 */
export function isTransientFetchError(error: unknown): boolean {
  if (error instanceof SalesforceApiError) {
    return (
      error.status >= 500 ||
      error.status === 429 ||
      error.status === 401 ||
      error.errorCode === 'REQUEST_LIMIT_EXCEEDED'
    );
  }
  // A refused sign-in is waited out only while Salesforce may still be propagating the app; a wrong
  // secret or a user that is not pre-authorized will not fix itself.
  if (error instanceof OAuthTokenError) return error.diagnosis.retryable;
  return isNetworkFailure(error);
}

/** Errors of the network, not of our code: undici's "fetch failed", timeouts, dropped batches. */
function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof TransientBatchError || error.name === 'AbortError' || error.name === 'TimeoutError')
    return true;
  if (error instanceof TypeError) return error.message === 'fetch failed' || error.cause !== undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code);
}

/**
 * The transcripts path shared by relay and backfill: fetch one channel's conversations in one
 * go, map each to Tethr's format, hand it to the sink. Resolves per request with its outcome;
 * 'abandoned' only when shutdown interrupted retries (the event stays unacknowledged).
 */
export class ConversationDelivery {
  constructor(
    private readonly options: {
      fetchers: Partial<Record<Channel, ConversationFetcher>>;
      sink: Sink;
      deadLetters: DeadLetterStore;
      logger: RelayLogger;
      context: MappingContext;
      policy: BackoffPolicy;
      signal: AbortSignal;
    }
  ) {}

  async deliver(channel: Channel, requests: readonly DeliveryRequest[]): Promise<DeliveryOutcome[]> {
    const fetcher = this.options.fetchers[channel];
    if (!fetcher) throw new Error(`No fetcher for channel ${channel}.`);
    const ids = [...new Set(requests.map((r) => r.recordId))];
    let fetched: FetchResult;
    try {
      fetched = await retry(() => fetcher.fetch(ids, this.options.signal), {
        policy: this.options.policy,
        signal: this.options.signal,
        shouldRetry: isTransientFetchError,
        onRetry: (error, attempt, delayMs) =>
          this.options.logger.log('warn', 'salesforce fetch failed, retrying', {
            channel,
            records: ids.length,
            attempt: attempt + 1,
            delayMs,
            error: (error as Error).message
          })
      });
    } catch (error) {
      if (this.options.signal.aborted) return requests.map(() => 'abandoned');
      // Only Salesforce refusing these records dead-letters them; a refused sign-in or a bug stops the
      // run with its cause instead, keeping the checkpoint (and the records) for after the fix.
      if (!(error instanceof SalesforceApiError)) throw error;
      this.options.logger.log(
        'error',
        'salesforce refused the fetch; records written to the dead-letter file',
        {
          channel,
          records: ids.length,
          error: (error as Error).message
        }
      );
      return Promise.all(
        requests.map((r) =>
          this.#deadLetter(r, channel, { reason: 'fetch-rejected', detail: (error as Error).message })
        )
      );
    }
    return Promise.all(requests.map((request) => this.#deliverOne(request, channel, fetched)));
  }

  async #deliverOne(
    request: DeliveryRequest,
    channel: Channel,
    fetched: FetchResult
  ): Promise<DeliveryOutcome> {
    const conversation = fetched.found.get(request.recordId) ?? findBy15(fetched, request.recordId);
    if (!conversation) {
      const rejected = fetched.rejected.get(request.recordId);
      return this.#deadLetter(
        request,
        channel,
        rejected
          ? { reason: 'fetch-rejected', detail: rejected }
          : {
              reason: 'record-not-found',
              detail: `${channel} ${request.recordId} was not returned: deleted, or not visible to the integration user.`
            }
      );
    }
    let capture;
    try {
      capture = mapConversation(conversation, this.options.context);
    } catch (error) {
      return this.#deadLetter(request, channel, {
        reason: 'mapping-failed',
        detail: (error as Error).message
      });
    }
    try {
      return await this.options.sink.write({
        kind: 'capture',
        key: capture.sessionId,
        capture,
        eventId: request.eventId,
        replayId: request.replayId
      });
    } catch (error) {
      if (this.options.signal.aborted) return 'abandoned';
      throw error;
    }
  }

  async #deadLetter(
    request: DeliveryRequest,
    channel: Channel,
    letter: Pick<DeadLetter, 'reason' | 'detail'>
  ): Promise<SinkOutcome> {
    await this.options.deadLetters.write({
      ...letter,
      eventId: request.eventId,
      replayId: request.replayId,
      recordId: request.recordId,
      objectType: channel
    });
    return 'dead-lettered';
  }
}

function findBy15(fetched: FetchResult, id: string) {
  // Flows may publish a 15-character id; Salesforce returns 18 characters.
  if (id.length !== 15) return undefined;
  for (const [key, value] of fetched.found) if (key.startsWith(id)) return value;
  return undefined;
}
