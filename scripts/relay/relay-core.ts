import { performance } from 'node:perf_hooks';
import type { Channel } from '../contracts/channels.ts';
import { orgKey, type OrgConnection, type SessionIdScheme } from '../contracts/org-connection.ts';
import { loadMessages } from '../shared/messages.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import type { Checkpoint, CheckpointStore } from './checkpoint-store.ts';
import { Checkpointer } from './checkpointer.ts';
import type { ClosedEvent } from './closed-event.ts';
import type { HourlyBudget } from './connect-budget.ts';
import { ConversationDelivery, type DeliveryOutcome } from './conversation-delivery.ts';
import type { DeadLetter, DeadLetterStore } from './dead-letters.ts';
import { InFlight } from './drain.ts';
import { EventDecoder, type Decoded, type DecodedEvent } from './event-decoder.ts';
import { EventsHandler } from './events-handler.ts';
import { channelFetchers } from './fetchers/channel-fetchers.ts';
import { CountingRest, type ApiUsage, type SalesforceRest } from './fetchers/salesforce-rest.ts';
import { FlowControl } from './flow-control.ts';
import { LeaseLostError, type OwnershipFence } from './lease-lost.ts';
import { DEFAULT_LIMITS_INTERVAL_MS, LimitsMonitor, type LimitReading } from './limits-monitor.ts';
import { OrderedAcknowledger } from './ordered-acknowledger.ts';
import { classifyStreamError } from './pubsub-errors.ts';
import type { PubSubConnector } from './pubsub-channels.ts';
import type { ConsumerEvent, FetchResponse, PubSubClient } from './pubsub-proto.ts';
import { pubsubMetadata, type PubSubToken, type StartPosition } from './pubsub-stream.ts';
import type { RelayLogger } from './relay-logger.ts';
import { RelayCounters, statusLine } from './relay-status.ts';
import { SchemaCache } from './schema-cache.ts';
import type { Sink } from './sinks/sink.ts';
import { Subscription, type StreamEndDetails } from './subscription.ts';
import { TranscriptsHandler } from './transcripts-handler.ts';
import { withTimeout } from '../shared/with-timeout.ts';

// One org's relay: the pipeline from its Pub/Sub stream to its sink and its checkpoint. Both
// `tethr-sf relay` (one org, file checkpoint) and `tethr-sf relay serve` (many orgs, PostgreSQL)
// run this class; they differ only in what they hand it (stores, channel pool, fence). Its parts:
//   subscription.ts    the stream and its reconnects
//   flow-control.ts    how much to ask for, and how far the sink may run ahead of the checkpoint
//   event-decoder.ts   Avro -> ClosedEvent, once, for every path
//   events-handler.ts / transcripts-handler.ts   the two modes
//   drain.ts           what a stop waits for
// What stays here is the order of things: events are tracked in receipt order, handed to the
// mode's handler in that order, acknowledged as they finish, and a replay id reaches the
// checkpoint only when its event and every event before it are acknowledged.

const messages = loadMessages('relay');

export type RelayMode = 'transcripts' | 'events';
export type InvalidReplayPolicy = 'earliest' | 'latest' | 'fail';
export type HandledOutcome = 'delivered' | 'dead-lettered' | 'skipped';

/** Salesforce access as the integration user: the same shape as BundleSession and the integration session. */
export interface RelaySession extends SalesforceRest {
  token(): Promise<PubSubToken>;
  invalidate(): void;
}

/** What the relay needs to know about the org (a subset of OrgConnection). */
export type RelayConnection = Pick<OrgConnection, 'orgId' | 'eventTopic' | 'apiVersion' | 'channels'>;

/** Per-org counters the service exports as Prometheus metrics. */
export interface RelayMetricsHooks {
  received(count: number): void;
  handled(outcome: HandledOutcome, count: number): void;
  /** seconds from the event's CreatedDate to its acknowledgement */
  lag(seconds: number): void;
  reconnected(): void;
  connected(up: boolean): void;
  checkpointWritten(): void;
  limit(reading: LimitReading): void;
}

export interface OrgRelayOptions {
  connection: RelayConnection;
  session: RelaySession;
  mode: RelayMode;
  sink: Sink;
  deadLetters: DeadLetterStore;
  checkpoints: CheckpointStore;
  pubsub: PubSubConnector;
  logger: RelayLogger;
  /** stops the relay gracefully */
  signal: AbortSignal;
  /**
   * Aborted by the relay as soon as it starts to drain: sinks and deliveries given its signal stop
   * retrying (what failed stays unacknowledged), so a stop never waits out a backoff.
   */
  stopRetries?: AbortController;
  /** the service's lease: checked before anything is handed to the sink */
  fence?: OwnershipFence;
  /**
   * The org is one of the relay service's (its checkpoint and dead letters in the database), so
   * recovery advice names the org for `backfill --org-id`, not a connection or checkpoint file.
   */
  serviceOrg?: boolean;
  /** flow-control window, 1..100 (see flow-control.ts) */
  numRequested?: number;
  /** where to start without a checkpoint */
  startAt?: 'latest' | 'earliest';
  onInvalidReplay?: InvalidReplayPolicy;
  sessionIdScheme?: SessionIdScheme;
  /** Connect API conversation-entries budget (messaging sessions) */
  connectBudget?: HourlyBudget;
  batchSize?: number;
  lingerMs?: number;
  statusIntervalMs?: number;
  /** how often to read /limits (0: never; default 10 minutes) */
  limitsIntervalMs?: number;
  /** warn when a watched limit is this used (percent, default 80) */
  limitsWarnPercent?: number;
  drainTimeoutMs?: number;
  backoff?: BackoffPolicy;
  metrics?: RelayMetricsHooks;
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

interface Tracked {
  seq: number;
  receivedAt: number;
}

type Unit =
  | { kind: 'events'; items: Array<Tracked & { decoded: DecodedEvent }> }
  | (Tracked & { kind: 'letter'; letter: DeadLetter; info: EventInfo })
  | (Tracked & { kind: 'conversation'; channel: Channel; event: ClosedEvent })
  | (Tracked & { kind: 'skip'; info: EventInfo });

interface EventInfo {
  eventId?: string | undefined;
  recordId?: string | null;
  objectType?: string | null;
  createdDate?: number | null;
}

interface Intake extends Tracked {
  consumerEvent: ConsumerEvent;
}

export async function runOrgRelay(options: OrgRelayOptions): Promise<RelaySummary> {
  return new OrgRelay(options).run();
}

export class OrgRelay {
  readonly #o: OrgRelayOptions;
  readonly #orgId: string;
  readonly #topic: string;
  readonly #flow: FlowControl;
  readonly #counters = new RelayCounters();
  readonly #acker = new OrderedAcknowledger();
  readonly #rest: CountingRest;
  readonly #policy: BackoffPolicy;
  readonly #stopRetries: AbortController;
  readonly #inFlight = new InFlight();
  readonly #ready: Unit[] = [];
  readonly #intake: Intake[] = [];
  readonly #debugEvents: boolean;
  #client!: PubSubClient;
  #checkpointer!: Checkpointer;
  #decoder!: EventDecoder;
  #events: EventsHandler | undefined;
  #transcripts: TranscriptsHandler | undefined;
  #subscription!: Subscription;
  #dispatched = 0;
  #blocked = false;
  #stopping = false;
  #lastReceived: Buffer | undefined;
  #saved: Checkpoint | undefined;
  #fallback: StartPosition | undefined;
  #fatal: unknown;
  readonly #channelsWarned = new Set<Channel>();
  #leaseLost = false;
  #capacityWaiter: (() => void) | undefined;
  #receivedAtOpen = 0;
  #streamsOpened = 0;

  constructor(options: OrgRelayOptions) {
    this.#o = options;
    this.#orgId = options.connection.orgId;
    this.#topic = options.connection.eventTopic;
    this.#flow = new FlowControl(options.numRequested);
    this.#rest = new CountingRest(options.session);
    this.#policy = options.backoff ?? DEFAULT_BACKOFF;
    this.#stopRetries = options.stopRetries ?? new AbortController();
    this.#debugEvents = options.logger.enabled?.('debug') ?? false;
  }

  async run(): Promise<RelaySummary> {
    const { logger, checkpoints } = this.#o;
    const saved = await checkpoints.read();
    if (saved && saved.topic !== this.#topic) {
      throw messages.createError('error.CheckpointTopicMismatch', [
        checkpoints.location,
        saved.topic,
        this.#topic
      ]);
    }
    this.#saved = saved;
    this.#checkpointer = new Checkpointer({
      store: checkpoints,
      acker: this.#acker,
      topic: this.#topic,
      previouslyAcknowledged: saved?.acknowledged ?? 0,
      onCommitted: () => this.#onCommitted(),
      onError: (error) =>
        logger.log('error', 'checkpoint write failed; will retry', {
          checkpoint: checkpoints.location,
          error
        }),
      onLeaseLost: (error) => this.#loseLease(error)
    });
    this.#client = this.#o.pubsub.acquire();
    this.#decoder = new EventDecoder({
      schemas: new SchemaCache((id) => this.#getSchema(id)),
      policy: this.#policy,
      logger,
      signal: this.#stopRetries.signal,
      closedEvents: this.#o.mode === 'transcripts'
    });
    this.#setUpHandlers();
    this.#subscription = new Subscription({
      topic: this.#topic,
      orgId: this.#orgId,
      tokens: this.#o.session,
      client: this.#client,
      logger,
      signal: this.#o.signal,
      policy: this.#policy,
      hooks: {
        position: () => this.#startPosition(),
        initialRequest: () => this.#initialRequest(),
        onStream: () => {
          this.#receivedAtOpen = this.#counters.received;
          if (this.#streamsOpened++ > 0) this.#o.metrics?.reconnected();
        },
        onResponse: (response) => this.#onResponse(response),
        onConnected: () => {
          this.#counters.connected = true;
          this.#o.metrics?.connected(true);
        },
        onDisconnected: () => {
          if (this.#counters.connected) this.#o.metrics?.connected(false);
          this.#counters.connected = false;
        },
        onInvalidReplay: (details) => this.#onInvalidReplay(details),
        onRefused: (details) => {
          this.#fatal = messages.createError('error.SubscriptionRefused', [this.#topic, details.error]);
        },
        madeProgress: () => this.#counters.received > this.#receivedAtOpen
      }
    });
    logger.log('info', 'relay starting', {
      topic: this.#topic,
      mode: this.#o.mode,
      sink: this.#o.sink.name,
      checkpoint: checkpoints.location,
      resumeFrom: saved
        ? { replayId: saved.replayId.toString('base64'), savedAt: saved.updatedAt }
        : (this.#o.startAt ?? 'latest').toUpperCase(),
      numRequested: this.#flow.window
    });
    const status = setInterval(
      () => logger.log('info', 'status', this.#status()),
      this.#o.statusIntervalMs ?? 30_000
    );
    status.unref();
    const limits = new LimitsMonitor({
      rest: this.#rest,
      apiVersion: this.#o.connection.apiVersion,
      orgId: this.#orgId,
      logger,
      ...(this.#o.limitsWarnPercent !== undefined ? { warnPercent: this.#o.limitsWarnPercent } : {}),
      ...(this.#o.metrics ? { onReading: (reading: LimitReading) => this.#o.metrics!.limit(reading) } : {})
    });
    limits.start(this.#o.limitsIntervalMs ?? DEFAULT_LIMITS_INTERVAL_MS);
    try {
      await this.#subscription.run();
    } finally {
      limits.stop();
      clearInterval(status);
      await this.#shutdown();
    }
    if (this.#fatal) throw this.#fatal;
    return this.#summary();
  }

  #setUpHandlers(): void {
    const { connection, mode, sink, deadLetters, logger } = this.#o;
    if (mode === 'events') {
      this.#events = new EventsHandler({ sink, topic: this.#topic });
      return;
    }
    const fetchers = channelFetchers(this.#rest, connection.apiVersion, this.#o.connectBudget);
    const delivery = new ConversationDelivery({
      fetchers,
      sink,
      deadLetters,
      logger,
      context: {
        orgId: connection.orgId,
        ...(this.#o.sessionIdScheme ? { sessionIdScheme: this.#o.sessionIdScheme } : {})
      },
      policy: this.#policy,
      signal: this.#stopRetries.signal
    });
    this.#transcripts = new TranscriptsHandler({
      delivery,
      channels: connection.channels,
      ...(this.#o.batchSize !== undefined ? { batchSize: this.#o.batchSize } : {}),
      ...(this.#o.lingerMs !== undefined ? { lingerMs: this.#o.lingerMs } : {})
    });
  }

  #startPosition(): StartPosition {
    // Events already received stay in the pipeline across reconnects: resume after the last one
    // received (not the last checkpointed), or they would be delivered twice.
    const replayId = this.#lastReceived ?? this.#saved?.replayId;
    if (replayId) return { preset: 'CUSTOM', replayId };
    if (this.#fallback) return this.#fallback;
    return { preset: this.#o.startAt === 'earliest' ? 'EARLIEST' : 'LATEST' };
  }

  #unsaved(): number {
    return this.#counters.received - this.#checkpointer.committed;
  }

  #initialRequest(): Promise<number> {
    const room = this.#flow.initialRequest(this.#unsaved());
    if (room > 0) return Promise.resolve(room);
    return new Promise((resolve) => {
      this.#capacityWaiter = () => {
        const again = this.#flow.initialRequest(this.#unsaved());
        if (again <= 0) return;
        this.#capacityWaiter = undefined;
        resolve(again);
      };
    });
  }

  #onCommitted(): void {
    this.#o.metrics?.checkpointWritten();
    this.#capacityWaiter?.();
    this.#dispatchReady();
    this.#pump();
  }

  /** Tops up the stream's credit (flow-control.ts decides how much). */
  #pump(): void {
    const stream = this.#subscription.stream;
    if (!stream || stream.ended || this.#stopping) return;
    const count = this.#flow.toRequest(stream.serverPending, this.#unsaved());
    if (count > 0) stream.request(count);
  }

  #onResponse(response: FetchResponse): void {
    const events = response.events;
    if (events.length === 0) {
      this.#counters.keepalives += 1;
      if (this.#acker.idle(response.latest_replay_id)) {
        this.#lastReceived = response.latest_replay_id;
        this.#checkpointer.schedule();
      }
      this.#pump();
      return;
    }
    const receivedAt = performance.now();
    this.#counters.received += events.length;
    this.#o.metrics?.received(events.length);
    let batch: Extract<Unit, { kind: 'events' }> | undefined;
    for (const consumerEvent of events) {
      const seq = this.#acker.track(consumerEvent.replay_id);
      this.#lastReceived = consumerEvent.replay_id;
      if (this.#blocked) {
        this.#intake.push({ seq, receivedAt, consumerEvent });
        continue;
      }
      const decoded = this.#decoder.decodeKnown(consumerEvent);
      if (!decoded) {
        // An unknown schema: fetch it, and let every later event wait behind this one.
        batch = this.#close(batch);
        this.#blocked = true;
        this.#intake.push({ seq, receivedAt, consumerEvent });
        void this.#decodeIntake();
        continue;
      }
      batch = this.#accept(decoded, { seq, receivedAt }, batch);
    }
    this.#close(batch);
    this.#dispatchReady();
    this.#pump();
  }

  async #decodeIntake(): Promise<void> {
    let batch: Extract<Unit, { kind: 'events' }> | undefined;
    while (this.#intake.length > 0 && !this.#stopping) {
      const next = this.#intake[0]!;
      let decoded: Decoded;
      try {
        decoded = await this.#decoder.decode(next.consumerEvent);
      } catch {
        return; // stopping: the event stays unacknowledged
      }
      if (this.#stopping) return;
      this.#intake.shift();
      batch = this.#accept(decoded, next, batch);
      // Later events decode synchronously now that the schema is known; hand them on in bursts.
      if (
        this.#intake.length === 0 ||
        this.#decoder.decodeKnown(this.#intake[0]!.consumerEvent) === undefined
      ) {
        batch = this.#close(batch);
        this.#dispatchReady();
      }
    }
    this.#close(batch);
    this.#blocked = false;
    this.#dispatchReady();
  }

  /** Turns one decoded event into work; returns the events-mode batch being filled. */
  #accept(
    decoded: Decoded,
    tracked: Tracked,
    batch: Extract<Unit, { kind: 'events' }> | undefined
  ): Extract<Unit, { kind: 'events' }> | undefined {
    if (!decoded.ok) {
      batch = this.#close(batch);
      this.#ready.push({
        ...tracked,
        kind: 'letter',
        letter: decoded.letter,
        info: { eventId: decoded.letter.eventId }
      });
      return batch;
    }
    if (this.#events) {
      // A batch never exceeds a part of the window: several are then on their way to disk at once.
      if (batch && batch.items.length >= this.#flow.sinkBatch) batch = this.#close(batch);
      batch ??= { kind: 'events', items: [] };
      batch.items.push({ ...tracked, decoded });
      return batch;
    }
    const event = decoded.event!;
    const info: EventInfo = {
      eventId: event.eventId,
      recordId: event.recordId,
      objectType: event.objectType,
      createdDate: event.createdDate
    };
    if (!event.recordId || !event.objectType) {
      this.#ready.push({
        ...tracked,
        kind: 'letter',
        info,
        letter: {
          reason: 'unknown-object-type',
          detail: 'Record_Id__c or Object_Type__c missing or unknown',
          eventId: event.eventId,
          replayId: decoded.replayId,
          payload: event.fields
        }
      });
    } else if (!this.#transcripts!.handles(event.objectType)) {
      // The channel is not in this org's connection: nothing to send, but the event is handled.
      this.#warnChannelOff(event.objectType);
      this.#ready.push({ ...tracked, kind: 'skip', info });
    } else {
      this.#ready.push({ ...tracked, kind: 'conversation', channel: event.objectType, event });
    }
    return batch;
  }

  /**
   * Once per channel and run: events for a channel the connection leaves out mean the org gained
   * it (or switched it on) after the connection file was written. Per event would flood the log.
   */
  #warnChannelOff(channel: Channel): void {
    if (this.#channelsWarned.has(channel)) return;
    this.#channelsWarned.add(channel);
    this.#o.logger.log(
      'warn',
      'events arrive for a channel this connection leaves out: they are acknowledged and not sent to Tethr',
      {
        objectType: channel,
        channels: this.#o.connection.channels,
        action: messages.getMessage('action.ChannelNotInConnection')
      }
    );
  }

  #close(batch: Extract<Unit, { kind: 'events' }> | undefined): undefined {
    if (batch && batch.items.length > 0) this.#ready.push(batch);
    return undefined;
  }

  /** Hands queued work to the handlers while the sink is less than a window ahead of the checkpoint. */
  #dispatchReady(): void {
    while (this.#ready.length > 0 && !this.#stopping) {
      const unit = this.#ready[0]!;
      const size = unit.kind === 'events' ? unit.items.length : 1;
      if (!this.#flow.mayDispatch(this.#dispatched - this.#checkpointer.committed, size)) return;
      try {
        this.#o.fence?.assertCurrent();
      } catch (error) {
        if (error instanceof LeaseLostError) return this.#loseLease(error);
        throw error;
      }
      this.#ready.shift();
      this.#dispatched += size;
      this.#dispatch(unit);
    }
  }

  #dispatch(unit: Unit): void {
    switch (unit.kind) {
      case 'events': {
        this.#track(
          this.#events!.deliver(unit.items.map((i) => i.decoded)).then((outcomes) =>
            this.#completeEvents(unit.items, outcomes)
          )
        );
        return;
      }
      case 'letter':
        this.#track(
          this.#o.deadLetters
            .write(unit.letter)
            .then(() => this.#complete(unit.seq, unit.receivedAt, 'dead-lettered', unit.info))
        );
        return;
      case 'skip':
        this.#complete(unit.seq, unit.receivedAt, 'skipped', unit.info);
        return;
      case 'conversation':
        this.#track(
          this.#transcripts!.deliver(unit.channel, unit.event).then((outcome) =>
            this.#complete(unit.seq, unit.receivedAt, outcome, {
              eventId: unit.event.eventId,
              recordId: unit.event.recordId,
              objectType: unit.channel,
              createdDate: unit.event.createdDate
            })
          )
        );
        return;
    }
  }

  /** A sink batch acknowledged (events mode): the per-event bookkeeping, once per batch where it can be. */
  #completeEvents(
    items: Array<Tracked & { decoded: DecodedEvent }>,
    outcomes: readonly DeliveryOutcome[]
  ): void {
    if (this.#leaseLost) return;
    const now = performance.now();
    let moved = false;
    let delivered = 0;
    for (let i = 0; i < items.length; i += 1) {
      const item = items[i]!;
      const outcome = outcomes[i]!;
      if (outcome === 'abandoned') continue;
      if (outcome !== 'delivered') {
        this.#complete(item.seq, item.receivedAt, outcome, undefined, item.decoded);
        continue;
      }
      delivered += 1;
      if (this.#debugEvents)
        this.#o.logger.log('debug', 'event handled', {
          eventId: item.decoded.eventId,
          outcome,
          latencyMs: round(now - item.receivedAt)
        });
      this.#o.onEventHandled?.(round(now - item.receivedAt), item.decoded.eventId);
      if (this.#acker.ack(item.seq)) moved = true;
    }
    this.#counters.delivered += delivered;
    const last = items.at(-1)!;
    if (this.#o.metrics) {
      this.#o.metrics.handled('delivered', delivered);
      if (last.decoded.createdDate !== null)
        this.#o.metrics.lag(Math.max(0, (Date.now() - last.decoded.createdDate) / 1000));
    }
    this.#o.logger.log('info', 'events handled', {
      count: items.length,
      firstEventId: items[0]!.decoded.eventId,
      lastReplayId: last.decoded.replayId,
      latencyMs: round(now - items[0]!.receivedAt)
    });
    if (moved) this.#checkpointer.schedule();
  }

  #complete(
    seq: number,
    receivedAt: number,
    outcome: DeliveryOutcome | 'skipped',
    info: EventInfo | undefined,
    event?: DecodedEvent
  ): void {
    if (outcome === 'abandoned' || this.#leaseLost) return;
    const latencyMs = round(performance.now() - receivedAt);
    if (outcome === 'delivered') this.#counters.delivered += 1;
    else if (outcome === 'dead-lettered') this.#counters.deadLettered += 1;
    else this.#counters.skipped += 1;
    const metrics = this.#o.metrics;
    if (metrics) {
      metrics.handled(outcome, 1);
      const created = event?.createdDate ?? info?.createdDate;
      if (typeof created === 'number') metrics.lag(Math.max(0, (Date.now() - created) / 1000));
    }
    // One line per event in transcripts mode (a few per second, each a conversation someone may
    // look for); in events mode one line per batch (above), the per-event line at debug level.
    if (info) {
      this.#o.logger.log('info', 'event handled', {
        eventId: info.eventId,
        recordId: info.recordId,
        objectType: info.objectType,
        outcome,
        latencyMs
      });
    } else if (this.#debugEvents && event) {
      this.#o.logger.log('debug', 'event handled', { eventId: event.eventId, outcome, latencyMs });
    }
    this.#o.onEventHandled?.(latencyMs, event?.eventId ?? info?.eventId);
    if (this.#acker.ack(seq)) this.#checkpointer.schedule();
  }

  #onInvalidReplay(details: StreamEndDetails): boolean {
    const policy = this.#o.onInvalidReplay ?? 'earliest';
    const stale = this.#lastReceived ?? this.#saved?.replayId;
    const savedAt = this.#saved?.updatedAt ?? null;
    const since = savedAt ?? '<time the relay last ran>';
    this.#o.logger.log(
      'error',
      'STORED REPLAY ID REJECTED: it is older than the 72-hour retention or otherwise invalid. Events in the gap may be missing.',
      {
        ...details,
        replayId: stale?.toString('base64'),
        savedAt,
        policy,
        action: this.#o.serviceOrg
          ? messages.getMessage('action.BackfillTheGapServiceOrg', [
              orgKey(this.#orgId),
              since,
              policy.toUpperCase()
            ])
          : messages.getMessage('action.BackfillTheGap', [since, policy.toUpperCase()])
      }
    );
    if (policy === 'fail') {
      this.#fatal = this.#o.serviceOrg
        ? messages.createError(
            'error.ReplayIdRejectedServiceOrg',
            [savedAt ?? 'unknown'],
            [orgKey(this.#orgId), since]
          )
        : messages.createError('error.ReplayIdRejected', [savedAt ?? 'unknown'], [since]);
      return false;
    }
    this.#fallback = { preset: policy === 'earliest' ? 'EARLIEST' : 'LATEST' };
    this.#lastReceived = undefined;
    this.#saved = undefined;
    return true;
  }

  #loseLease(error: LeaseLostError): void {
    if (this.#leaseLost) return;
    this.#leaseLost = true;
    this.#fatal ??= error;
    this.#o.logger.log('warn', 'lease lost: stopping this org without delivering or checkpointing', {
      epoch: error.epoch,
      error: error.message
    });
    this.#stopping = true;
    this.#ready.length = 0;
    this.#intake.length = 0;
    this.#stopRetries.abort();
    this.#subscription.stop();
  }

  #track(work: Promise<unknown>): void {
    this.#inFlight.track(
      work.catch((error: unknown) => {
        if (error instanceof LeaseLostError) return this.#loseLease(error);
        if (this.#leaseLost || this.#stopRetries.signal.aborted) return; // abandoned by the stop
        // A sink or dead-letter write that fails outright (disk full, stdout closed) cannot be
        // skipped without losing the event: stop, keeping the checkpoint before it.
        if (!this.#fatal) {
          this.#fatal = error;
          this.#o.logger.log('error', 'delivery failed; stopping so the event is not lost', { error });
          this.#subscription.stop();
        }
      })
    );
  }

  async #getSchema(schemaId: string): Promise<string> {
    const call = (token: PubSubToken) =>
      new Promise<string>((resolve, reject) => {
        this.#client.GetSchema({ schema_id: schemaId }, pubsubMetadata(token, this.#orgId), (error, info) =>
          error ? reject(error) : resolve(info!.schema_json)
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
    this.#stopping = true;
    this.#subscription.stop();
    // Received but not yet handed on: never delivered, so replaying them after restart is no duplicate.
    this.#ready.length = 0;
    this.#intake.length = 0;
    this.#transcripts?.flushNow();
    this.#stopRetries.abort();
    if (!this.#leaseLost) {
      const settled = await this.#inFlight.settle(this.#o.drainTimeoutMs ?? 30_000, () =>
        this.#transcripts?.flushNow()
      );
      if (!settled)
        logger.log(
          'warn',
          'drain timeout: abandoning unfinished deliveries (they stay unacknowledged and are replayed on restart)',
          { inFlight: this.#inFlight.size }
        );
      const written = await this.#checkpointer.flush(CHECKPOINT_FLUSH_DEADLINE_MS).catch((error: unknown) => {
        logger.log('error', 'final checkpoint write failed', {
          checkpoint: this.#o.checkpoints.location,
          error
        });
        return undefined;
      });
      if (written === false)
        logger.log(
          'error',
          'final checkpoint write did not finish in time: what was delivered since the last checkpoint is sent again on restart',
          { checkpoint: this.#o.checkpoints.location, deadlineMs: CHECKPOINT_FLUSH_DEADLINE_MS }
        );
    }
    await this.#o.checkpoints.close().catch(() => undefined);
    await withTimeout(this.#o.sink.close(), 5_000).catch(() => undefined);
    this.#o.pubsub.release(this.#client);
    logger.log('info', 'relay stopped', this.#status());
  }

  #status(): Record<string, unknown> {
    return statusLine(this.#counters, {
      inFlight: this.#acker.pending(),
      checkpointWrites: this.#o.checkpoints.writes,
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
      reconnects: this.#subscription.reconnects,
      checkpointWrites: this.#o.checkpoints.writes,
      checkpointReplayId: this.#acker.watermark?.toString('base64') ?? null,
      apiUsage: this.#rest.usage
    };
  }

  /** Salesforce API use so far (the service's metrics read it). */
  get apiUsage(): ApiUsage {
    return this.#rest.usage;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** How long shutdown keeps trying to write the last checkpoint to a failing store. */
const CHECKPOINT_FLUSH_DEADLINE_MS = 10_000;
