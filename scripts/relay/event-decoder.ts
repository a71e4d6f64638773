import type { BackoffPolicy } from './backoff.ts';
import { retry } from './backoff.ts';
import { classifyStreamError } from './pubsub-errors.ts';
import { toClosedEvent, type ClosedEvent } from './closed-event.ts';
import type { DeadLetter } from './dead-letters.ts';
import type { ConsumerEvent } from './pubsub-proto.ts';
import type { RelayLogger } from './relay-logger.ts';
import type { EventSchema, SchemaCache } from './schema-cache.ts';

// The one place a ConsumerEvent becomes a ClosedEvent (or a dead letter): both modes and both the
// batched and the one-by-one path go through here. A known schema decodes synchronously, on the
// hot path; an unknown one is fetched first (GetSchema, retried until it answers or the relay
// stops), which the pipeline awaits so that events keep their stream order.

export interface DecodedEvent {
  ok: true;
  eventId: string;
  schemaId: string;
  /** base64, as it goes into sinks, logs and dead letters */
  replayId: string;
  /** every decoded field as received (with its namespace prefix) */
  fields: Record<string, unknown>;
  schema: EventSchema;
  /** epoch milliseconds, when the event has a CreatedDate */
  createdDate: number | null;
  /** the fields the relay reads, in transcripts mode (events mode forwards `fields` as they are) */
  event?: ClosedEvent;
}

export type Decoded = DecodedEvent | { ok: false; letter: DeadLetter };

export class EventDecoder {
  readonly #schemas: SchemaCache;
  readonly #policy: BackoffPolicy;
  readonly #logger: RelayLogger;
  readonly #signal: AbortSignal;
  readonly #closedEvents: boolean;

  constructor(options: {
    schemas: SchemaCache;
    policy: BackoffPolicy;
    logger: RelayLogger;
    signal: AbortSignal;
    /** read the Conversation Closed fields too (transcripts mode); events mode only forwards */
    closedEvents: boolean;
  }) {
    this.#closedEvents = options.closedEvents;
    this.#schemas = options.schemas;
    this.#policy = options.policy;
    this.#logger = options.logger;
    this.#signal = options.signal;
  }

  /** Decodes when the schema is known (or the event is hopeless); undefined: call `load` first. */
  decodeKnown(consumerEvent: ConsumerEvent): Decoded | undefined {
    const raw = consumerEvent.event;
    const replayId = consumerEvent.replay_id.toString('base64');
    if (!raw)
      return {
        ok: false,
        letter: { reason: 'undecodable-event', detail: 'ConsumerEvent without event', replayId }
      };
    const schema = this.#schemas.cached(raw.schema_id);
    if (!schema) return undefined;
    return this.#decodeWith(schema, consumerEvent, replayId);
  }

  /**
   * Fetches the event's schema (retrying), then decodes. Throws only when the relay is stopping
   * (the event then stays unacknowledged).
   */
  async decode(consumerEvent: ConsumerEvent): Promise<Decoded> {
    const known = this.decodeKnown(consumerEvent);
    if (known) return known;
    const raw = consumerEvent.event!;
    const replayId = consumerEvent.replay_id.toString('base64');
    let schema: EventSchema;
    try {
      schema = await retry(() => this.#schemas.type(raw.schema_id), {
        policy: this.#policy,
        signal: this.#signal,
        // A schema Salesforce cannot parse for us (bad JSON) will not improve with retries, nor will
        // a refusal (PERMISSION_DENIED, NOT_FOUND): the event becomes a dead letter that
        // `dead-letters retry` resends once the access is fixed. Auth errors are retried: the
        // session refreshes its token underneath.
        shouldRetry: (error) => !(error instanceof SyntaxError) && classifyStreamError(error) !== 'fatal',
        onRetry: (error, n, delayMs) =>
          this.#logger.log('warn', 'GetSchema failed, retrying', {
            schemaId: raw.schema_id,
            attempt: n + 1,
            delayMs,
            error
          })
      });
    } catch (error) {
      if (this.#signal.aborted) throw error;
      return { ok: false, letter: undecodable(consumerEvent, replayId, (error as Error).message) };
    }
    return this.#decodeWith(schema, consumerEvent, replayId);
  }

  #decodeWith(schema: EventSchema, consumerEvent: ConsumerEvent, replayId: string): Decoded {
    const raw = consumerEvent.event!;
    let fields: Record<string, unknown>;
    try {
      fields = schema.type.fromBuffer(raw.payload) as Record<string, unknown>;
    } catch (error) {
      return { ok: false, letter: undecodable(consumerEvent, replayId, (error as Error).message) };
    }
    const created = fields.CreatedDate;
    const decoded: DecodedEvent = {
      ok: true,
      eventId: raw.id,
      schemaId: raw.schema_id,
      replayId,
      fields,
      schema,
      createdDate: typeof created === 'number' ? created : null
    };
    if (this.#closedEvents)
      decoded.event = toClosedEvent(raw.id, raw.schema_id, consumerEvent.replay_id, fields);
    return decoded;
  }
}

function undecodable(consumerEvent: ConsumerEvent, replayId: string, detail: string): DeadLetter {
  const raw = consumerEvent.event!;
  return {
    reason: 'undecodable-event',
    detail,
    eventId: raw.id,
    replayId,
    payload: { schemaId: raw.schema_id, avroBase64: raw.payload.toString('base64') }
  };
}
