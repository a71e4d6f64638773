import avro from 'avsc';

// Pub/Sub sends only a schema id with each event; the Avro schema itself comes from GetSchema.
// One lookup per schema id for the life of the process (a schema changes only when the event
// definition does, and then it gets a new id). Concurrent lookups of the same id share one call.
export type SchemaFetcher = (schemaId: string) => Promise<string>;

export class SchemaCache {
  readonly #fetch: SchemaFetcher;
  readonly #types = new Map<string, Promise<avro.Type>>();
  readonly #ready = new Map<string, avro.Type>();
  lookups = 0;

  constructor(fetch: SchemaFetcher) {
    this.#fetch = fetch;
  }

  /** The schema if it is already known: lets the hot path decode without awaiting. */
  cached(schemaId: string): avro.Type | undefined {
    return this.#ready.get(schemaId);
  }

  type(schemaId: string): Promise<avro.Type> {
    let type = this.#types.get(schemaId);
    if (!type) {
      this.lookups += 1;
      type = this.#fetch(schemaId).then((json) => {
        const parsed = parseEventSchema(json);
        this.#ready.set(schemaId, parsed);
        return parsed;
      });
      // A failed lookup is not cached: the next event retries it.
      type.catch(() => this.#types.delete(schemaId));
      this.#types.set(schemaId, type);
    }
    return type;
  }
}

/**
 * Salesforce event schemas are Avro records whose DateTime fields are `long` epoch milliseconds
 * and whose optional fields are `["null", T]` unions. avsc unwraps such unions to plain values
 * (wrapUnions: false) and reads longs as JS numbers, exact for millisecond timestamps.
 */
export function parseEventSchema(json: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(json) as avro.Schema, { wrapUnions: false });
}
