import type { Decoded } from './event-decoder.ts';
import type { Sink, SinkItem, SinkOutcome } from './sinks/sink.ts';

type DecodedEvent = Extract<Decoded, { ok: true }>;

// --mode events: each event goes to the sink as received (its decoded fields, replay id, UUID and
// schema id), for ingestors that read conversations themselves. The events of one Pub/Sub
// response travel as one batch with one acknowledgement when the sink takes batches (the ndjson
// sink group-commits anyway). Salesforce DateTime fields arrive as epoch milliseconds; they are
// written as ISO 8601 in UTC, like every other time the product writes.
export class EventsHandler {
  readonly #sink: Sink;
  readonly #topic: string;

  constructor(options: { sink: Sink; topic: string }) {
    this.#sink = options.sink;
    this.#topic = options.topic;
  }

  deliver(events: readonly DecodedEvent[]): Promise<SinkOutcome[]> {
    const items = events.map((decoded) => this.item(decoded));
    if (this.#sink.writeBatch) return this.#sink.writeBatch(items);
    return Promise.all(items.map((item) => this.#sink.write(item)));
  }

  item(decoded: DecodedEvent): SinkItem {
    const { event, schema, replayId } = decoded;
    const fields = event.fields;
    for (const name of schema.dateTimeFields) {
      const value = fields[name];
      if (typeof value === 'number') fields[name] = new Date(value).toISOString();
    }
    return {
      kind: 'event',
      key: event.eventId,
      record: { eventId: event.eventId, replayId, schemaId: event.schemaId, topic: this.#topic, fields }
    };
  }
}
