import { orgKey } from '../../contracts/org-connection.ts';
import type { DeadLetterReason } from '../dead-letters.ts';
import type { Queryable } from '../service/database.ts';
import {
  newest,
  type DeadLetterSource,
  type DeadLetterSummary,
  type ReconciledRecord
} from './dead-letter-source.ts';

// The relay service's dead letters (relay_dead_letters) for reconciliation: one org's letters
// that are not marked retried, looked up per batch of closed records by their record id (18 or 15
// characters) or their Tethr session id, as the file source matches them. Only reason and time
// are selected; the payload column is never read.

export class PgDeadLetterSource implements DeadLetterSource {
  readonly #database: Queryable & { describe?: string };
  readonly #orgId: string;

  constructor(database: Queryable & { describe?: string }, orgId: string) {
    this.#database = database;
    this.#orgId = orgKey(orgId);
  }

  describe(): Array<{ source: string; found: boolean }> {
    const where = this.#database.describe ? ` in ${this.#database.describe}` : '';
    return [{ source: `relay_dead_letters (org ${this.#orgId})${where}`, found: true }];
  }

  async lettersFor(records: readonly ReconciledRecord[]): Promise<Map<string, DeadLetterSummary>> {
    const result = new Map<string, DeadLetterSummary>();
    if (records.length === 0) return result;
    const keys = new Set<string>();
    for (const { recordId, sessionId } of records)
      keys.add(recordId).add(recordId.slice(0, 15)).add(sessionId);
    const { rows } = await this.#database.query<{ record_id: string; reason: DeadLetterReason; at: Date }>(
      `SELECT record_id, reason, max(at) AS at FROM relay_dead_letters
       WHERE org_id = $1 AND retried_at IS NULL AND record_id = ANY($2::text[])
       GROUP BY record_id, reason`,
      [this.#orgId, [...keys]]
    );
    const byKey = new Map<string, DeadLetterSummary>();
    for (const row of rows) {
      const letter = { reason: row.reason, at: row.at.toISOString() };
      const known = byKey.get(row.record_id);
      if (!known || known.at < letter.at) byKey.set(row.record_id, letter);
      // A letter written with the 18-character id matches the 15-character form too.
      if (row.record_id.length === 18) {
        const short = row.record_id.slice(0, 15);
        const knownShort = byKey.get(short);
        if (!knownShort || knownShort.at < letter.at) byKey.set(short, letter);
      }
    }
    for (const { recordId, sessionId } of records) {
      const letter = newest([byKey.get(recordId), byKey.get(recordId.slice(0, 15)), byKey.get(sessionId)]);
      if (letter) result.set(recordId, letter);
    }
    return result;
  }
}
