import type { TethrCapture } from '../../tethr/capture-model.ts';
import type { TethrClient } from '../../tethr/tethr-client.ts';
import { classifyTethrFailure, TethrHttpError } from '../../tethr/tethr-errors.ts';
import { retry, type BackoffPolicy, DEFAULT_BACKOFF } from '../backoff.ts';
import type { DeadLetterStore } from '../dead-letters.ts';
import type { OwnershipFence } from '../lease-lost.ts';
import type { RelayLogger } from '../relay-logger.ts';
import type { Sink, SinkItem, SinkOutcome } from './sink.ts';

// Posts captures to Tethr. The sessionId is fixed per org and record (tethrSessionId), so a retry
// after a timeout (when Tethr may already have stored the first attempt) cannot create a second
// interaction.
// 5xx, 408, 429, 401 and network errors are retried with capped exponential backoff and jitter
// for as long as it takes: the stream waits instead of losing data. Other 4xx answers mean the
// payload is invalid: it goes to the dead-letter file and the stream moves on.
export class TethrSink implements Sink {
  readonly name = 'tethr';
  readonly #client: TethrClient;
  readonly #deadLetters: DeadLetterStore;
  readonly #logger: RelayLogger;
  readonly #policy: BackoffPolicy;
  readonly #signal: AbortSignal | undefined;
  readonly #maxConcurrent: number;
  readonly #fence: OwnershipFence | undefined;
  #active = 0;
  #queue: Array<() => void> = [];
  retries = 0;

  constructor(options: {
    client: TethrClient;
    deadLetters: DeadLetterStore;
    logger: RelayLogger;
    policy?: BackoffPolicy;
    /** aborting stops retries (shutdown); the item then stays unacknowledged and is replayed later */
    signal?: AbortSignal;
    maxConcurrent?: number;
    /** checked before every attempt: a replica that lost the org's lease posts nothing more */
    fence?: OwnershipFence;
  }) {
    this.#fence = options.fence;
    this.#client = options.client;
    this.#deadLetters = options.deadLetters;
    this.#logger = options.logger;
    this.#policy = options.policy ?? DEFAULT_BACKOFF;
    this.#signal = options.signal;
    this.#maxConcurrent = options.maxConcurrent ?? 8;
  }

  async write(item: SinkItem): Promise<SinkOutcome> {
    if (item.kind !== 'capture')
      throw new Error('The tethr sink takes Tethr captures; run --mode transcripts with it.');
    await this.#slot();
    try {
      await retry(() => this.#client.capture(item.capture), {
        policy: this.#policy,
        ...(this.#signal ? { signal: this.#signal } : {}),
        ...(this.#fence ? { beforeAttempt: () => this.#fence!.assertCurrent() } : {}),
        shouldRetry: (error) => classifyTethrFailure(error) === 'retry',
        minDelayMs: (error) => (error instanceof TethrHttpError ? error.retryAfterMs : undefined),
        onRetry: (error, attempt, delayMs) => {
          this.retries += 1;
          this.#logger.log('warn', 'tethr capture failed, retrying', {
            sessionId: item.capture.sessionId,
            attempt: attempt + 1,
            delayMs,
            error: (error as Error).message
          });
        }
      });
      return 'delivered';
    } catch (error) {
      if (classifyTethrFailure(error) !== 'reject') throw error;
      this.#logger.log('error', 'tethr rejected the payload; written to the dead-letter file', {
        sessionId: item.capture.sessionId,
        status: (error as TethrHttpError).status,
        deadLetters: this.#deadLetters.location
      });
      await this.#deadLetters.write({
        reason: 'tethr-rejected',
        detail: (error as Error).message,
        eventId: item.eventId,
        replayId: item.replayId,
        recordId: recordIdOf(item.capture),
        objectType: objectTypeOf(item.capture),
        payload: item.capture
      });
      return 'dead-lettered';
    } finally {
      this.#release();
    }
  }

  async close(): Promise<void> {}

  #slot(): Promise<void> {
    if (this.#active < this.#maxConcurrent) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(() => resolve()));
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#active -= 1;
  }
}

/** The channel (Salesforce object) a capture was made from, so listings can say which record. */
function objectTypeOf(capture: TethrCapture): string | null {
  const metadata = (capture.request as { metadata?: { salesforce?: { objectType?: unknown } } }).metadata;
  const objectType = metadata?.salesforce?.objectType;
  return typeof objectType === 'string' ? objectType : null;
}

/** The Salesforce record id a capture was made from (the session id may carry the org id too). */
function recordIdOf(capture: TethrCapture): string {
  const metadata = (capture.request as { metadata?: { salesforce?: { recordId?: unknown } } }).metadata;
  const recordId = metadata?.salesforce?.recordId;
  return typeof recordId === 'string' ? recordId : capture.sessionId;
}
