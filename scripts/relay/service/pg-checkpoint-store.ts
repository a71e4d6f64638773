import type { Checkpoint, CheckpointStore } from '../checkpoint-store.ts';
import { LeaseLostError } from '../lease-lost.ts';
import type { Database } from './database.ts';
import type { Lease } from './lease-store.ts';

// The checkpoint of one org in relay_checkpoints, written only under the org's current lease:
// the lease check and the write are one statement. `FOR SHARE` on the lease row makes a claim by
// another replica wait for a write in progress (or skip the row, as claims do), and a write that
// comes after a claim sees the new epoch and writes nothing. A refused write means the lease is
// gone: LeaseLostError, and the relay stops without retrying.

export class PgCheckpointStore implements CheckpointStore {
  readonly #database: Database;
  readonly #lease: Lease;
  readonly #owner: string;
  readonly #topic: string;
  writes = 0;

  constructor(database: Database, options: { lease: Lease; owner: string; topic: string }) {
    this.#database = database;
    this.#lease = options.lease;
    this.#owner = options.owner;
    this.#topic = options.topic;
  }

  get location(): string {
    return `relay_checkpoints (org ${this.#lease.orgId}, topic ${this.#topic})`;
  }

  async read(): Promise<Checkpoint | undefined> {
    const { rows } = await this.#database.query<{
      topic: string;
      replay_id: Buffer;
      updated_at: Date;
      acknowledged: string;
    }>(
      'SELECT topic, replay_id, updated_at, acknowledged FROM relay_checkpoints WHERE org_id = $1 AND topic = $2',
      [this.#lease.orgId, this.#topic]
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      topic: row.topic,
      replayId: Buffer.from(row.replay_id),
      updatedAt: row.updated_at.toISOString(),
      acknowledged: Number(row.acknowledged)
    };
  }

  async put(checkpoint: Checkpoint): Promise<void> {
    this.#lease.assertCurrent();
    const result = await this.#database.query(
      `WITH lease AS (
         SELECT 1 FROM relay_leases
         WHERE org_id = $1 AND owner = $2 AND epoch = $3 AND expires_at > now()
         FOR SHARE)
       INSERT INTO relay_checkpoints (org_id, topic, replay_id, epoch, acknowledged, updated_at)
       SELECT $1, $4, $5, $3, $6, $7 FROM lease
       ON CONFLICT (org_id, topic) DO UPDATE
         SET replay_id = EXCLUDED.replay_id, epoch = EXCLUDED.epoch,
             acknowledged = EXCLUDED.acknowledged, updated_at = EXCLUDED.updated_at
         WHERE relay_checkpoints.epoch <= EXCLUDED.epoch
       RETURNING 1`,
      [
        this.#lease.orgId,
        this.#owner,
        this.#lease.epoch,
        checkpoint.topic,
        checkpoint.replayId,
        checkpoint.acknowledged,
        checkpoint.updatedAt
      ]
    );
    if ((result.rowCount ?? 0) === 0) {
      this.#lease.revoke(
        'the database refused the checkpoint: another replica holds a newer epoch, or the lease expired'
      );
      throw new LeaseLostError(
        this.#lease.orgId,
        this.#lease.epoch,
        'checkpoint write refused by the database'
      );
    }
    this.writes += 1;
  }

  /** A committed write is already durable. */
  async sync(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Reads an org's checkpoints without a lease (for `tethr-sf relay checkpoint show`). */
export async function readPgCheckpoints(
  database: Database,
  orgId: string
): Promise<Array<Checkpoint & { epoch: number }>> {
  const { rows } = await database.query<{
    topic: string;
    replay_id: Buffer;
    updated_at: Date;
    acknowledged: string;
    epoch: string;
  }>(
    'SELECT topic, replay_id, updated_at, acknowledged, epoch FROM relay_checkpoints WHERE org_id = $1 ORDER BY topic',
    [orgId.slice(0, 15)]
  );
  return rows.map((row) => ({
    topic: row.topic,
    replayId: Buffer.from(row.replay_id),
    updatedAt: row.updated_at.toISOString(),
    acknowledged: Number(row.acknowledged),
    epoch: Number(row.epoch)
  }));
}
