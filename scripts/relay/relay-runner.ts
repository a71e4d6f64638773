import { performance } from 'node:perf_hooks';
import { SfError } from '@salesforce/core/sfError';
import type { ServiceError } from '@grpc/grpc-js';
import type { Channel, CredentialsBundle } from '../org/credentials-bundle.ts';
import type { SalesforceToken } from '../org/bundle-auth.ts';
import { backoffDelay, retry, sleep, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { Checkpointer } from './checkpointer.ts';
import { FileCheckpointStore } from './checkpoint-store.ts';
import { toClosedEvent, type ClosedEvent } from './closed-event.ts';
import { ConversationBatcher } from './conversation-batcher.ts';
import { ConversationDelivery, type DeliveryOutcome } from './conversation-delivery.ts';
import type { DeadLetterFile } from './dead-letters.ts';
import { CaseFetcher } from './fetchers/case-fetcher.ts';
import { ChatTranscriptFetcher } from './fetchers/chat-transcript-fetcher.ts';
import { MessagingSessionFetcher } from './fetchers/messaging-session-fetcher.ts';
import { CountingRest, type ApiUsage, type SalesforceRest } from './fetchers/salesforce-rest.ts';
import { OrderedAcknowledger } from './ordered-acknowledger.ts';
import { channelCredentials, type PubSubEndpoint } from './pubsub-endpoint.ts';
import { classifyStreamError, pubsubErrorCode } from './pubsub-errors.ts';
import {
  loadPubSubPackage,
  type ConsumerEvent,
  type FetchResponse,
  type PubSubClient
} from './pubsub-proto.ts';
import { pubsubMetadata, PubSubStream, type StartPosition } from './pubsub-stream.ts';
import type { RelayLogger } from './relay-logger.ts';
import { RelayCounters, statusLine } from './relay-status.ts';
import { SchemaCache } from './schema-cache.ts';
import type { Sink, SinkItem, SinkOutcome } from './sinks/sink.ts';

export type RelayMode = 'transcripts' | 'events';
export type InvalidReplayPolicy = 'earliest' | 'latest' | 'fail';

export interface RelaySession extends SalesforceRest {
  token(): Promise<SalesforceToken>;
  invalidate(): void;
}

export interface RelayOptions {
  bundle: CredentialsBundle;
  session: RelaySession;
  mode: RelayMode;
  sink: Sink;
  deadLetters: DeadLetterFile;
  checkpointPath: string;
  endpoint: PubSubEndpoint;
  logger: RelayLogger;
  /** stops the relay gracefully */
  signal: AbortSignal;
  /** aborted by the relay when the drain timeout ends shutdown; give its signal to the sink */
  hardStop?: AbortController;
  /** Pub/Sub flow-control window, 1..100 (Salesforce's maximum num_requested) */
  numRequested?: number;
  /** where to start without a checkpoint */
  startAt?: 'latest' | 'earliest';
  onInvalidReplay?: InvalidReplayPolicy;
  batchSize?: number;
  lingerMs?: number;
  statusIntervalMs?: number;
  drainTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** for the benchmark: receipt-to-acknowledgement latency of every handled event */
  onEventHandled?: (latencyMs: number, eventId: string | undefined) => void;
}

export interface RelaySummary {
  received: number;
  delivered: number;
  deadLettered: number;
  skipped: number;
  reconnects: number;
  checkpointWrites: number;
  checkpointReplayId: string | null;
  apiUsage: ApiUsage;
}

interface Pending {
  seq: number;
  receivedAt: number;
  event: ClosedEvent;
}

const MAX_NUM_REQUESTED = 100;

/** The decoded events of one FetchResponse on their way to the sink together. */
class EventBatch {
  readonly items: SinkItem[] = [];
  readonly seqs: number[] = [];
  readonly infos: Array<Record<string, unknown>> = [];
}

export async function runRelay(options: RelayOptions): Promise<RelaySummary> {
  return new Relay(options).run();
}

class Relay {
  readonly #o: RelayOptions;
  readonly #topic: string;
  readonly #window: number;
  readonly #counters = new RelayCounters();
  readonly #acker = new OrderedAcknowledger();
  readonly #store: FileCheckpointStore;
  readonly #rest: CountingRest;
  readonly #hardStop: AbortController;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #batchers = new Map<Channel, ConversationBatcher<Pending>>();
  readonly #policy: BackoffPolicy;
  #checkpointer!: Checkpointer;
  #client!: PubSubClient;
  #schemas!: SchemaCache;
  #delivery!: ConversationDelivery;
  #stream: PubSubStream | undefined;
  #lastReceived: Buffer | undefined;
  #savedReplayId: Buffer | undefined;
  #fallback: StartPosition | undefined;
  #fatal: unknown;
  #capacityWaiter: (() => void) | undefined;

  constructor(options: RelayOptions) {
    this.#o = options;
    this.#topic = options.bundle.eventTopic;
    this.#window = Math.max(1, Math.min(MAX_NUM_REQUESTED, options.numRequested ?? MAX_NUM_REQUESTED));
    this.#store = new FileCheckpointStore(options.checkpointPath);
    this.#rest = new CountingRest(options.session);
    this.#policy = options.backoff ?? DEFAULT_BACKOFF;
    this.#hardStop = options.hardStop ?? new AbortController();
  }

  async run(): Promise<RelaySummary> {
    const { logger } = this.#o;
    const saved = await this.#store.read();
    if (saved && saved.topic !== this.#topic) {
      throw new SfError(
        `Checkpoint ${this.#store.path} belongs to topic ${saved.topic}, not ${this.#topic}.`,
        'CheckpointTopicMismatch',
        ['Give each org and topic its own --checkpoint file.']
      );
    }
    this.#savedReplayId = saved?.replayId;
    this.#checkpointer = new Checkpointer({
      store: this.#store,
      acker: this.#acker,
      topic: this.#topic,
      previouslyAcknowledged: saved?.acknowledged ?? 0,
      onCommitted: () => this.#pump(),
      onError: (error) =>
        logger.log('error', 'checkpoint write failed; will retry', { path: this.#store.path, error })
    });
    this.#setUpDelivery();
    const { PubSub } = loadPubSubPackage();
    this.#client = new PubSub(this.#o.endpoint.target, channelCredentials(this.#o.endpoint), {
      'grpc.max_receive_message_length': 32 * 1024 * 1024,
      'grpc.keepalive_time_ms': 60_000
    });
    this.#schemas = new SchemaCache((id) => this.#getSchema(id));
    logger.log('info', 'relay starting', {
      topic: this.#topic,
      mode: this.#o.mode,
      sink: this.#o.sink.name,
      endpoint: this.#o.endpoint.target,
      tls: this.#o.endpoint.tls,
      checkpoint: this.#store.path,
      resumeFrom: saved
        ? { replayId: saved.replayId.toString('base64'), savedAt: saved.updatedAt }
        : (this.#o.startAt ?? 'latest').toUpperCase(),
      numRequested: this.#window
    });
    const status = setInterval(
      () => logger.log('info', 'status', this.#status()),
      this.#o.statusIntervalMs ?? 30_000
    );
    status.unref();
    try {
      await this.#subscribeLoop();
    } finally {
      clearInterval(status);
      await this.#shutdown();
    }
    if (this.#fatal) throw this.#fatal;
    return this.#summary();
  }

  #setUpDelivery(): void {
    const { bundle, mode, sink, deadLetters, logger } = this.#o;
    const fetchers = {
      Case: new CaseFetcher(this.#rest, bundle.apiVersion),
      MessagingSession: new MessagingSessionFetcher(this.#rest, bundle.apiVersion),
      LiveChatTranscript: new ChatTranscriptFetcher(this.#rest, bundle.apiVersion)
    };
    this.#delivery = new ConversationDelivery({
      fetchers,
      sink,
      deadLetters,
      logger,
      context: { orgId: bundle.orgId },
      policy: this.#policy,
      signal: this.#hardStop.signal
    });
    if (mode !== 'transcripts') return;
    for (const channel of bundle.channels) {
      this.#batchers.set(
        channel,
        new ConversationBatcher<Pending>(this.#o.batchSize ?? 100, this.#o.lingerMs ?? 100, (items) =>
          this.#deliverBatch(channel, items)
        )
      );
    }
  }

  async #subscribeLoop(): Promise<void> {
    const { logger, signal } = this.#o;
    const stopped = new Promise<'stopped'>((resolve) => {
      if (signal.aborted) resolve('stopped');
      signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    let attempt = 0;
    while (!signal.aborted && !this.#fatal) {
      await Promise.race([this.#waitForCapacity(), stopped]);
      if (signal.aborted || this.#fatal) break;
      let token: SalesforceToken;
      try {
        token = await retry(() => this.#o.session.token(), {
          policy: this.#policy,
          signal,
          shouldRetry: () => true,
          onRetry: (error, n, delayMs) =>
            logger.log('error', 'salesforce token request failed, retrying', {
              attempt: n + 1,
              delayMs,
              error
            })
        });
      } catch (error) {
        if (signal.aborted) break;
        throw error;
      }
      const start = this.#startPosition();
      const receivedBefore = this.#counters.received;
      const ended = new Promise<unknown>((resolve) => {
        this.#stream = new PubSubStream(
          this.#client,
          pubsubMetadata(token, this.#o.bundle.orgId),
          this.#topic,
          start,
          Math.min(this.#available(0), this.#chunk()),
          {
            onResponse: (response) => this.#onResponse(response),
            onEnd: resolve
          }
        );
      });
      this.#counters.connected = true;
      this.#pump(); // the first FetchRequest asked for one chunk; fill the rest of the window
      logger.log('info', 'subscribed', {
        topic: this.#topic,
        replayPreset: start.preset,
        ...(start.preset === 'CUSTOM' ? { replayId: start.replayId.toString('base64') } : {})
      });
      const outcome = await Promise.race([ended, stopped]);
      this.#counters.connected = false;
      if (outcome === 'stopped') {
        this.#stream?.cancel();
        break;
      }
      if (this.#counters.received > receivedBefore) attempt = 0;
      this.#counters.reconnects += 1;
      const delay = this.#handleStreamEnd(outcome, attempt);
      attempt += 1;
      await Promise.race([sleep(delay, signal), stopped]);
    }
  }

  /** Decides how to come back after a stream ended; returns how long to wait first. */
  #handleStreamEnd(error: unknown, attempt: number): number {
    const { logger } = this.#o;
    if (!error) {
      logger.log('warn', 'pub/sub closed the stream; reconnecting', {});
      return backoffDelay(attempt, this.#policy);
    }
    const kind = classifyStreamError(error);
    const details = {
      code: (error as ServiceError).code,
      errorCode: pubsubErrorCode(error),
      error: (error as Error).message
    };
    switch (kind) {
      case 'auth':
        logger.log('warn', 'pub/sub rejected the access token; requesting a new one', details);
        this.#o.session.invalidate();
        return attempt === 0 ? 0 : backoffDelay(attempt, this.#policy);
      case 'invalid-replay': {
        const policy = this.#o.onInvalidReplay ?? 'earliest';
        const stale = this.#lastReceived ?? this.#savedReplayId;
        logger.log(
          'error',
          'STORED REPLAY ID REJECTED: it is older than the 72-hour retention or otherwise invalid. Events in the gap may be missing.',
          {
            ...details,
            replayId: stale?.toString('base64'),
            policy,
            action: `Run \`tethr-sf backfill --since <time the relay last ran>\` to recover conversations closed in the gap; the relay now resumes from ${policy.toUpperCase()}.`
          }
        );
        if (policy === 'fail') {
          this.#fatal = new SfError(
            'Pub/Sub rejected the stored replay id (older than the 72-hour retention?).',
            'ReplayIdRejected',
            [
              'Run `tethr-sf backfill --since <last run>` for the gap, then move the checkpoint file aside and restart the relay.'
            ]
          );
          return 0;
        }
        this.#fallback = { preset: policy === 'earliest' ? 'EARLIEST' : 'LATEST' };
        this.#lastReceived = undefined;
        this.#savedReplayId = undefined;
        return 0;
      }
      case 'fatal':
        this.#fatal = new SfError(
          `Pub/Sub refused the subscription to ${this.#topic}: ${details.error}`,
          'SubscriptionRefused',
          [
            "Give the integration user Read on the event (permission set Tethr_Integration_User) and check the bundle's eventTopic."
          ]
        );
        return 0;
      default:
        logger.log('warn', 'pub/sub stream failed; reconnecting with backoff', {
          ...details,
          attempt: attempt + 1
        });
        return backoffDelay(attempt, this.#policy);
    }
  }

  #startPosition(): StartPosition {
    // Events already received stay in the pipeline across reconnects: resume after the last one
    // received (not the last checkpointed), or they would be delivered twice.
    const replayId = this.#lastReceived ?? this.#savedReplayId;
    if (replayId) return { preset: 'CUSTOM', replayId };
    if (this.#fallback) return this.#fallback;
    return { preset: this.#o.startAt === 'earliest' ? 'EARLIEST' : 'LATEST' };
  }

  /** Credit we may grant: the window minus what the server may still send minus what is not yet checkpointed. */
  #available(serverPending: number): number {
    const uncommitted = this.#counters.received - this.#checkpointer.committed;
    return Math.max(0, this.#window - serverPending - uncommitted);
  }

  #waitForCapacity(): Promise<void> {
    if (this.#available(0) > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#capacityWaiter = resolve;
    });
  }

  #pump(): void {
    if (this.#capacityWaiter && this.#available(0) > 0) {
      const waiter = this.#capacityWaiter;
      this.#capacityWaiter = undefined;
      waiter();
    }
    const stream = this.#stream;
    if (!stream || stream.ended) return;
    // Ask in chunks of a fraction of the window, as soon as a chunk's worth of credit is free
    // (events checkpointed), whether or not earlier requests are used up: several chunks are then
    // in flight at once, each at a different stage (on the wire, being written, in fdatasync,
    // being checkpointed), so the server never waits for one serial receive -> fdatasync ->
    // checkpoint cycle. Credit is counted with what the server may still send, so received but
    // not checkpointed events never exceed the window. Small top-ups (one event freed, one
    // requested) would fragment the stream into one-event responses; below a chunk, ask only
    // when nothing at all is in flight.
    let available = this.#available(stream.serverPending);
    const chunk = this.#chunk();
    const idle = this.#counters.received === this.#checkpointer.committed && stream.serverPending === 0;
    if (idle && available > 0 && available < chunk) return stream.request(available);
    while (available >= chunk) {
      stream.request(chunk);
      available -= chunk;
    }
  }

  /**
   * Half a window: two chunks in flight. Quarters were measured slower here: twice the fdatasyncs
   * and FetchRequests for the same events, and the disk, not the wire, is what the window waits on.
   */
  #chunk(): number {
    return Math.max(1, Math.ceil(this.#window / 2));
  }

  #onResponse(response: FetchResponse): void {
    if (response.events.length > 0) queueMicrotask(() => this.#pump());
    if (response.events.length === 0) {
      this.#counters.keepalives += 1;
      if (this.#acker.idle(response.latest_replay_id)) {
        this.#lastReceived = response.latest_replay_id;
        this.#checkpointer.schedule();
      }
      return;
    }
    const receivedAt = performance.now();
    // --mode events into a sink that takes batches: the events of one response whose schema is
    // known and that decode cleanly go to the sink together and come back with one
    // acknowledgement, instead of one promise chain per event. Anything else (an unknown schema,
    // an undecodable payload) and every event after it takes the per-event path, in order.
    const batch = this.#o.mode === 'events' && this.#o.sink.writeBatch ? new EventBatch() : undefined;
    let batching = batch !== undefined;
    for (const consumerEvent of response.events) {
      const seq = this.#acker.track(consumerEvent.replay_id);
      this.#counters.received += 1;
      this.#lastReceived = consumerEvent.replay_id;
      if (batching && this.#addToBatch(batch!, consumerEvent, seq)) continue;
      if (batching) this.#writeBatch(batch!, receivedAt); // before any later event reaches the sink
      batching = false;
      this.#track(this.#handleEvent(consumerEvent, seq, receivedAt));
    }
    if (batching) this.#writeBatch(batch!, receivedAt);
  }

  /** Decodes an event into the batch; false when it needs the per-event path. */
  #addToBatch(batch: EventBatch, consumerEvent: ConsumerEvent, seq: number): boolean {
    const raw = consumerEvent.event;
    const type = raw ? this.#schemas.cached(raw.schema_id) : undefined;
    if (!raw || !type) return false;
    let fields: Record<string, unknown>;
    try {
      fields = type.fromBuffer(raw.payload) as Record<string, unknown>;
    } catch {
      return false;
    }
    const event = toClosedEvent(raw.id, raw.schema_id, consumerEvent.replay_id, fields);
    batch.items.push({
      kind: 'event',
      key: event.eventId,
      record: {
        eventId: event.eventId,
        replayId: consumerEvent.replay_id.toString('base64'),
        schemaId: event.schemaId,
        topic: this.#topic,
        fields
      }
    });
    batch.seqs.push(seq);
    batch.infos.push({ eventId: event.eventId, recordId: event.recordId, objectType: event.objectType });
    return true;
  }

  #writeBatch(batch: EventBatch, receivedAt: number): void {
    if (batch.items.length === 0) return;
    this.#track(
      this.#o.sink.writeBatch!(batch.items).then((outcomes) => {
        outcomes.forEach((outcome, index) =>
          this.#complete(batch.seqs[index]!, receivedAt, outcome, batch.infos[index]!)
        );
      })
    );
  }

  async #handleEvent(consumerEvent: ConsumerEvent, seq: number, receivedAt: number): Promise<void> {
    const replayB64 = consumerEvent.replay_id.toString('base64');
    const raw = consumerEvent.event;
    if (!raw)
      return this.#complete(
        seq,
        receivedAt,
        await this.#deadLetter({
          reason: 'undecodable-event',
          detail: 'ConsumerEvent without event',
          replayId: replayB64
        }),
        {}
      );
    let fields: Record<string, unknown>;
    try {
      const type =
        this.#schemas.cached(raw.schema_id) ??
        (await retry(() => this.#schemas.type(raw.schema_id), {
          policy: this.#policy,
          signal: this.#hardStop.signal,
          shouldRetry: () => true,
          onRetry: (error, n, delayMs) =>
            this.#o.logger.log('warn', 'GetSchema failed, retrying', {
              schemaId: raw.schema_id,
              attempt: n + 1,
              delayMs,
              error
            })
        }));
      fields = type.fromBuffer(raw.payload) as Record<string, unknown>;
    } catch (error) {
      if (this.#hardStop.signal.aborted) return;
      const outcome = await this.#deadLetter({
        reason: 'undecodable-event',
        detail: (error as Error).message,
        eventId: raw.id,
        replayId: replayB64,
        payload: { schemaId: raw.schema_id, avroBase64: raw.payload.toString('base64') }
      });
      return this.#complete(seq, receivedAt, outcome, { eventId: raw.id });
    }
    const event = toClosedEvent(raw.id, raw.schema_id, consumerEvent.replay_id, fields);
    const info = { eventId: event.eventId, recordId: event.recordId, objectType: event.objectType };
    if (this.#o.mode === 'events') {
      const outcome = await this.#o.sink.write({
        kind: 'event',
        key: event.eventId,
        record: {
          eventId: event.eventId,
          replayId: replayB64,
          schemaId: event.schemaId,
          topic: this.#topic,
          fields
        }
      });
      return this.#complete(seq, receivedAt, outcome, info);
    }
    if (!event.recordId || !event.objectType) {
      const outcome = await this.#deadLetter({
        reason: 'unknown-object-type',
        detail: 'Record_Id__c or Object_Type__c missing or unknown',
        eventId: event.eventId,
        replayId: replayB64,
        payload: fields
      });
      return this.#complete(seq, receivedAt, outcome, info);
    }
    const batcher = this.#batchers.get(event.objectType);
    if (!batcher) {
      // The channel is switched off in the bundle: nothing to send, but the event is handled.
      return this.#complete(seq, receivedAt, 'skipped', info);
    }
    batcher.add({ seq, receivedAt, event });
  }

  #deliverBatch(channel: Channel, items: Pending[]): void {
    const requests = items.map((item) => ({
      recordId: item.event.recordId!,
      eventId: item.event.eventId,
      replayId: item.event.replayId.toString('base64')
    }));
    this.#track(
      this.#delivery.deliver(channel, requests).then((outcomes) => {
        outcomes.forEach((outcome, index) => {
          const item = items[index]!;
          this.#complete(item.seq, item.receivedAt, outcome, {
            eventId: item.event.eventId,
            recordId: item.event.recordId,
            objectType: channel
          });
        });
      })
    );
  }

  #complete(
    seq: number,
    receivedAt: number,
    outcome: DeliveryOutcome | 'skipped',
    info: Record<string, unknown>
  ): void {
    if (outcome === 'abandoned') return;
    const latencyMs = Math.round((performance.now() - receivedAt) * 100) / 100;
    if (outcome === 'delivered') this.#counters.delivered += 1;
    else if (outcome === 'dead-lettered') this.#counters.deadLettered += 1;
    else this.#counters.skipped += 1;
    this.#o.logger.log('info', 'event handled', { ...info, outcome, latencyMs });
    this.#o.onEventHandled?.(latencyMs, typeof info.eventId === 'string' ? info.eventId : undefined);
    if (this.#acker.ack(seq)) this.#checkpointer.schedule();
  }

  #deadLetter(letter: Parameters<DeadLetterFile['write']>[0]): Promise<SinkOutcome> {
    return this.#o.deadLetters.write(letter).then(() => 'dead-lettered' as const);
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => {
      // A sink or dead-letter write that fails outright (disk full, stdout closed) cannot be
      // skipped without losing the event: stop, keeping the checkpoint before it.
      if (!this.#fatal) {
        this.#fatal = error;
        this.#o.logger.log('error', 'delivery failed; stopping so the event is not lost', { error });
        this.#capacityWaiter?.();
        this.#stream?.cancel();
      }
    });
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  async #getSchema(schemaId: string): Promise<string> {
    const call = (token: SalesforceToken) =>
      new Promise<string>((resolve, reject) => {
        this.#client.GetSchema(
          { schema_id: schemaId },
          pubsubMetadata(token, this.#o.bundle.orgId),
          (error, info) => (error ? reject(error) : resolve(info!.schema_json))
        );
      });
    try {
      return await call(await this.#o.session.token());
    } catch (error) {
      if (classifyStreamError(error) !== 'auth') throw error;
      this.#o.session.invalidate();
      return call(await this.#o.session.token());
    }
  }

  async #shutdown(): Promise<void> {
    const { logger } = this.#o;
    this.#stream?.cancel();
    for (const batcher of this.#batchers.values()) batcher.flushNow();
    const drainTimeout = setTimeout(() => {
      logger.log(
        'warn',
        'drain timeout: abandoning unfinished deliveries (they stay unacknowledged and are replayed on restart)',
        { inFlight: this.#inFlight.size }
      );
      this.#hardStop.abort();
    }, this.#o.drainTimeoutMs ?? 30_000);
    drainTimeout.unref();
    while (this.#inFlight.size > 0) {
      await Promise.all([...this.#inFlight]);
      for (const batcher of this.#batchers.values()) batcher.flushNow();
    }
    clearTimeout(drainTimeout);
    this.#hardStop.abort();
    await this.#checkpointer.flush();
    await this.#store.close();
    await this.#o.sink.close();
    await this.#o.deadLetters.close();
    this.#client.close();
    logger.log('info', 'relay stopped', this.#status());
  }

  #status(): Record<string, unknown> {
    return statusLine(this.#counters, {
      inFlight: this.#acker.pending(),
      checkpointWrites: this.#store.writes,
      lastCheckpointAt: this.#checkpointer.lastWrittenAt
        ? new Date(this.#checkpointer.lastWrittenAt).toISOString()
        : null,
      salesforceRequests: this.#rest.usage.requests
    });
  }

  #summary(): RelaySummary {
    return {
      received: this.#counters.received,
      delivered: this.#counters.delivered,
      deadLettered: this.#counters.deadLettered,
      skipped: this.#counters.skipped,
      reconnects: this.#counters.reconnects,
      checkpointWrites: this.#store.writes,
      checkpointReplayId: this.#acker.watermark?.toString('base64') ?? null,
      apiUsage: this.#rest.usage
    };
  }
}
