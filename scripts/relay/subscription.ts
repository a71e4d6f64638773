import type { ServiceError } from '@grpc/grpc-js';
import { backoffDelay, retry, sleep, type BackoffPolicy } from './backoff.ts';
import { classifyStreamError, pubsubErrorCode } from './pubsub-errors.ts';
import type { FetchResponse, PubSubClient } from './pubsub-proto.ts';
import { pubsubMetadata, PubSubStream, type PubSubToken, type StartPosition } from './pubsub-stream.ts';
import type { RelayLogger } from './relay-logger.ts';

// The stream and its reconnects for one org: token, Subscribe, wait for it to end, decide how to
// come back (new token on UNAUTHENTICATED, a fallback position when the replay id is rejected,
// capped backoff with jitter otherwise), and subscribe again. It knows nothing about events:
// responses go to `onResponse`, and where to start and how much to ask for come from the relay.
// "subscribed" is logged only once the server has answered the stream (headers or a first
// response), never for a Subscribe that a closed port or a refused token is about to fail.

export interface TokenSource {
  token(): Promise<PubSubToken>;
  invalidate(): void;
}

export type StreamEndDetails = {
  code: number | undefined;
  errorCode: string | undefined;
  error: string;
};

export interface SubscriptionHooks {
  position(): StartPosition;
  /** events the first FetchRequest may ask for; resolves once there is room for at least one */
  initialRequest(): Promise<number>;
  onStream(stream: PubSubStream): void;
  onResponse(response: FetchResponse): void;
  onConnected(start: StartPosition): void;
  onDisconnected(): void;
  /** the stored replay id was refused; return false to stop the relay (the hook recorded why) */
  onInvalidReplay(details: StreamEndDetails): boolean;
  /** the subscription itself was refused (no access to the topic, unknown topic) */
  onRefused(details: StreamEndDetails): void;
  /** whether events arrived since the stream opened (resets the backoff) */
  madeProgress(): boolean;
}

export class Subscription {
  readonly #topic: string;
  readonly #orgId: string;
  readonly #tokens: TokenSource;
  readonly #client: PubSubClient;
  readonly #logger: RelayLogger;
  readonly #signal: AbortSignal;
  readonly #policy: BackoffPolicy;
  readonly #hooks: SubscriptionHooks;
  #stream: PubSubStream | undefined;
  #stopped = false;
  reconnects = 0;

  constructor(options: {
    topic: string;
    orgId: string;
    tokens: TokenSource;
    client: PubSubClient;
    logger: RelayLogger;
    signal: AbortSignal;
    policy: BackoffPolicy;
    hooks: SubscriptionHooks;
  }) {
    this.#topic = options.topic;
    this.#orgId = options.orgId;
    this.#tokens = options.tokens;
    this.#client = options.client;
    this.#logger = options.logger;
    this.#signal = options.signal;
    this.#policy = options.policy;
    this.#hooks = options.hooks;
  }

  get stream(): PubSubStream | undefined {
    return this.#stream;
  }

  /** Ends the current stream and the loop (the relay is stopping or gave up). */
  stop(): void {
    this.#stopped = true;
    this.#stream?.cancel();
  }

  async run(): Promise<void> {
    const stopped = new Promise<'stopped'>((resolve) => {
      if (this.#signal.aborted) resolve('stopped');
      this.#signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    let attempt = 0;
    while (!this.#signal.aborted && !this.#stopped) {
      const room = await Promise.race([this.#hooks.initialRequest(), stopped]);
      if (room === 'stopped' || this.#stopped) break;
      let token: PubSubToken;
      try {
        token = await retry(() => this.#tokens.token(), {
          policy: this.#policy,
          signal: this.#signal,
          shouldRetry: () => !this.#stopped,
          onRetry: (error, n, delayMs) =>
            this.#logger.log('error', 'salesforce token request failed, retrying', {
              attempt: n + 1,
              delayMs,
              error
            })
        });
      } catch (error) {
        if (this.#signal.aborted || this.#stopped) break;
        throw error;
      }
      if (this.#stopped) break;
      const start = this.#hooks.position();
      const ended = new Promise<unknown>((resolve) => {
        this.#stream = new PubSubStream(
          this.#client,
          pubsubMetadata(token, this.#orgId),
          this.#topic,
          start,
          room,
          {
            onResponse: (response) => this.#hooks.onResponse(response),
            onAnswer: () => {
              this.#logger.log('info', 'subscribed', {
                topic: this.#topic,
                replayPreset: start.preset,
                ...(start.preset === 'CUSTOM' ? { replayId: start.replayId.toString('base64') } : {})
              });
              this.#hooks.onConnected(start);
            },
            onEnd: resolve
          }
        );
      });
      this.#hooks.onStream(this.#stream!);
      const outcome = await Promise.race([ended, stopped]);
      const answered = this.#stream!.answered;
      this.#hooks.onDisconnected();
      if (outcome === 'stopped' || this.#stopped) {
        this.#stream?.cancel();
        break;
      }
      if (this.#hooks.madeProgress()) attempt = 0;
      this.reconnects += 1;
      const delay = this.#streamEnded(outcome, attempt, answered);
      if (delay < 0) break;
      attempt += 1;
      await Promise.race([sleep(delay, this.#signal), stopped]);
    }
  }

  /** How long to wait before subscribing again; -1 when the relay must stop. */
  #streamEnded(error: unknown, attempt: number, answered: boolean): number {
    if (!error) {
      this.#logger.log('warn', 'pub/sub closed the stream; reconnecting', {});
      return backoffDelay(attempt, this.#policy);
    }
    const details: StreamEndDetails = {
      code: (error as ServiceError).code,
      errorCode: pubsubErrorCode(error),
      error: (error as Error).message
    };
    switch (classifyStreamError(error)) {
      case 'auth':
        this.#logger.log('warn', 'pub/sub rejected the access token; requesting a new one', details);
        this.#tokens.invalidate();
        return attempt === 0 ? 0 : backoffDelay(attempt, this.#policy);
      case 'invalid-replay':
        return this.#hooks.onInvalidReplay(details) ? 0 : -1;
      case 'fatal':
        this.#hooks.onRefused(details);
        return -1;
      default:
        this.#logger.log(
          'warn',
          answered
            ? 'pub/sub stream failed; reconnecting with backoff'
            : 'pub/sub did not answer; retrying with backoff',
          { ...details, attempt: attempt + 1 }
        );
        return backoffDelay(attempt, this.#policy);
    }
  }
}
