import type { DecodedEvent } from './event-decoder.ts';
import type { Sink, SinkItem, SinkOutcome } from './sinks/sink.ts';

// --mode events: each event goes to the sink as received (its decoded fields, replay id, UUID and
// schema id), for ingestors that read conversations themselves. The events of one Pub/Sub
// response travel as one batch with one acknowledgement when the sink takes batches (the ndjson
// sink group-commits anyway). Salesforce DateTime fields arrive as epoch milliseconds; they are
// written as ISO 8601 in UTC, like every other time the product writes.
export class EventsHandler {
  readonly #sink: Sink;
  readonly #topicJson: string;
  readonly #schemaJson = new Map<string, string>();

  constructor(options: { sink: Sink; topic: string }) {
    this.#sink = options.sink;
    this.#topicJson = JSON.stringify(options.topic);
  }

  deliver(events: readonly DecodedEvent[]): Promise<SinkOutcome[]> {
    const items = events.map((decoded) => this.item(decoded));
    if (this.#sink.writeBatch) return this.#sink.writeBatch(items);
    return Promise.all(items.map((item) => this.#sink.write(item)));
  }

  /**
   * One line per event: {"eventId","replayId","schemaId","topic","fields"}. Written here, on the
   * hot path, as one template around JSON.stringify(fields) (a replay id in base64 needs no
   * escaping), rather than as a wrapper object serialised again by the sink.
   */
  item(decoded: DecodedEvent): SinkItem {
    const { fields, schema } = decoded;
    for (const name of schema.dateTimeFields) {
      const value = fields[name];
      if (typeof value === 'number') fields[name] = new Date(value).toISOString();
    }
    let schemaJson = this.#schemaJson.get(decoded.schemaId);
    if (schemaJson === undefined) {
      schemaJson = JSON.stringify(decoded.schemaId);
      this.#schemaJson.set(decoded.schemaId, schemaJson);
    }
    return {
      kind: 'event',
      key: decoded.eventId,
      line: `{"eventId":${JSON.stringify(decoded.eventId)},"replayId":"${decoded.replayId}","schemaId":${schemaJson},"topic":${this.#topicJson},"fields":${JSON.stringify(fields)}}\n`
    };
  }
}
