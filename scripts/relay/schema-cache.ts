import avro from 'avsc';

// Pub/Sub sends only a schema id with each event; the Avro schema itself comes from GetSchema.
// One lookup per schema id for the life of the stream's org (a schema changes only when the event
// definition does, and then it gets a new id). Concurrent lookups of the same id share one call.
export type SchemaFetcher = (schemaId: string) => Promise<string>;

/** A parsed event schema: the Avro type, and which of its fields are Salesforce DateTimes. */
export interface EventSchema {
  type: avro.Type;
  /** fields holding epoch milliseconds that mean a DateTime (written as ISO 8601 in events mode) */
  dateTimeFields: readonly string[];
}

export class SchemaCache {
  readonly #fetch: SchemaFetcher;
  readonly #schemas = new Map<string, Promise<EventSchema>>();
  readonly #ready = new Map<string, EventSchema>();
  lookups = 0;

  constructor(fetch: SchemaFetcher) {
    this.#fetch = fetch;
  }

  /** The schema if it is already known: lets the hot path decode without awaiting. */
  cached(schemaId: string): EventSchema | undefined {
    return this.#ready.get(schemaId);
  }

  type(schemaId: string): Promise<EventSchema> {
    let schema = this.#schemas.get(schemaId);
    if (!schema) {
      this.lookups += 1;
      schema = this.#fetch(schemaId).then((json) => {
        const parsed = parseEventSchema(json);
        this.#ready.set(schemaId, parsed);
        return parsed;
      });
      // A failed lookup is not cached: the next event retries it.
      schema.catch(() => this.#schemas.delete(schemaId));
      this.#schemas.set(schemaId, schema);
    }
    return schema;
  }
}

interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
}

/**
 * Salesforce event schemas are Avro records whose DateTime fields are `long` epoch milliseconds
 * and whose optional fields are `["null", T]` unions. avsc unwraps such unions to plain values
 * (wrapUnions: false) and reads longs as JS numbers, exact for millisecond timestamps. Salesforce
 * marks what a field means in its `doc`: "CreatedDate:DateTime" for the standard field and
 * "Data:<Type>:<field id>" for custom fields (Pub/Sub API developer guide, "Platform Event Schema
 * by Event Name"), so a long whose doc names DateTime is a date-time.
 */
export function parseEventSchema(json: string): EventSchema {
  const schema = JSON.parse(json) as avro.Schema & { fields?: AvroField[] };
  const dateTimeFields = (schema.fields ?? [])
    .filter((field) => isLong(field.type) && /(^|:)DateTime(:|$)/.test(field.doc ?? ''))
    .map((field) => field.name);
  return { type: avro.Type.forSchema(schema, { wrapUnions: false }), dateTimeFields };
}

function isLong(type: unknown): boolean {
  if (type === 'long') return true;
  return Array.isArray(type) && type.includes('long') && type.every((t) => t === 'null' || t === 'long');
}
