import { orgKey } from '../../contracts/org-connection.ts';
import type {
  DeadLetter,
  DeadLetterQuery,
  DeadLetterReason,
  DeadLetterRecord,
  DeadLetterStore,
  DeadLetterSummary
} from '../dead-letters.ts';
import type { Database } from './database.ts';

// Dead letters of every org in relay_dead_letters. The store is bound to one org for writing
// (`forOrg`), and answers queries across orgs when it is not. Listings never select the payload
// (customer text); `get(id, { withPayload: true })` does.

type Row = {
  id: string;
  org_id: string;
  at: Date;
  reason: DeadLetterReason;
  detail: string;
  event_id: string | null;
  replay_id: string | null;
  record_id: string | null;
  object_type: string | null;
  has_payload: boolean;
  retried_at: Date | null;
  payload?: unknown;
};

const SUMMARY_COLUMNS =
  'id, org_id, at, reason, detail, event_id, replay_id, record_id, object_type, payload IS NOT NULL AS has_payload, retried_at';

export class PgDeadLetterStore implements DeadLetterStore {
  readonly #database: Database;
  readonly #orgId: string | undefined;

  constructor(database: Database, options: { orgId?: string } = {}) {
    this.#database = database;
    this.#orgId = options.orgId ? orgKey(options.orgId) : undefined;
  }

  /** The same table, writing for one org. */
  forOrg(orgId: string): PgDeadLetterStore {
    return new PgDeadLetterStore(this.#database, { orgId });
  }

  get location(): string {
    return this.#orgId ? `relay_dead_letters (org ${this.#orgId})` : 'relay_dead_letters';
  }

  async write(letter: DeadLetter): Promise<void> {
    if (!this.#orgId) throw new Error('PgDeadLetterStore.write needs a store bound to an org (forOrg).');
    await this.#database.query(
      `INSERT INTO relay_dead_letters (org_id, reason, detail, event_id, replay_id, record_id, object_type, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        this.#orgId,
        letter.reason,
        letter.detail,
        letter.eventId ?? null,
        letter.replayId ?? null,
        letter.recordId ?? null,
        letter.objectType ?? null,
        letter.payload === undefined ? null : JSON.stringify(letter.payload)
      ]
    );
  }

  async list(query: DeadLetterQuery = {}): Promise<DeadLetterSummary[]> {
    const { where, params } = this.#where(query);
    params.push(query.limit ?? 100);
    const { rows } = await this.#database.query<Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM relay_dead_letters ${where} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
      params
    );
    return rows.map(summary);
  }

  async get(id: string, options: { withPayload?: boolean } = {}): Promise<DeadLetterRecord | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    const params: unknown[] = [id];
    let where = 'WHERE id = $1';
    if (this.#orgId) {
      params.push(this.#orgId);
      where += ' AND org_id = $2';
    }
    const { rows } = await this.#database.query<Row>(
      `SELECT ${SUMMARY_COLUMNS}${options.withPayload ? ', payload' : ''} FROM relay_dead_letters ${where}`,
      params
    );
    const row = rows[0];
    if (!row) return undefined;
    return options.withPayload ? { ...summary(row), payload: row.payload ?? undefined } : summary(row);
  }

  async markRetried(id: string): Promise<boolean> {
    if (!/^\d+$/.test(id)) return false;
    const result = await this.#database.query(
      `UPDATE relay_dead_letters SET retried_at = now() WHERE id = $1 AND retried_at IS NULL${this.#orgId ? ' AND org_id = $2' : ''}`,
      this.#orgId ? [id, this.#orgId] : [id]
    );
    return (result.rowCount ?? 0) > 0;
  }

  async remove(id: string): Promise<boolean> {
    if (!/^\d+$/.test(id)) return false;
    const result = await this.#database.query(
      `DELETE FROM relay_dead_letters WHERE id = $1${this.#orgId ? ' AND org_id = $2' : ''}`,
      this.#orgId ? [id, this.#orgId] : [id]
    );
    return (result.rowCount ?? 0) > 0;
  }

  async count(query: Omit<DeadLetterQuery, 'limit'> = {}): Promise<number> {
    const { where, params } = this.#where(query);
    const { rows } = await this.#database.query<{ n: string }>(
      `SELECT count(*) AS n FROM relay_dead_letters ${where}`,
      params
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The database belongs to the service, not to one org's store. */
  async close(): Promise<void> {}

  #where(query: Omit<DeadLetterQuery, 'limit'>): { where: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const orgId = query.orgId ? orgKey(query.orgId) : this.#orgId;
    if (orgId) {
      params.push(orgId);
      clauses.push(`org_id = $${params.length}`);
    }
    if (query.reason) {
      params.push(query.reason);
      clauses.push(`reason = $${params.length}`);
    }
    if (query.since) {
      params.push(query.since);
      clauses.push(`at >= $${params.length}`);
    }
    if (!query.includeRetried) clauses.push('retried_at IS NULL');
    return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }
}

function summary(row: Row): DeadLetterSummary {
  return {
    id: String(row.id),
    orgId: row.org_id,
    at: row.at.toISOString(),
    reason: row.reason,
    detail: row.detail,
    eventId: row.event_id,
    replayId: row.replay_id,
    recordId: row.record_id,
    objectType: row.object_type,
    hasPayload: row.has_payload,
    retriedAt: row.retried_at?.toISOString() ?? null
  };
}
