import { performance } from 'node:perf_hooks';
import { orgKey } from '../../contracts/org-connection.ts';
import { LeaseLostError, type OwnershipFence } from '../lease-lost.ts';
import type { Database } from './database.ts';

// Which replica relays which org. A lease is a row in relay_leases: owner, expiry (database
// time) and a fencing epoch that grows by one with every claim. A replica
//   - claims orgs nobody owns or whose lease expired (FOR UPDATE SKIP LOCKED: replicas claiming at
//     the same moment skip each other's rows instead of waiting or double-claiming);
//   - renews what it owns well before expiry, but only while the lease has not expired: an expired
//     lease is never revived, it must be claimed again, with a new epoch;
//   - writes a checkpoint only while (owner, epoch) is current and unexpired, checked by the
//     database in the write itself (pg-checkpoint-store.ts): a replica that was paused or cut off
//     can never overwrite a newer position;
//   - hands nothing to a sink once its own clock says the lease may have expired (Lease below):
//     the lease ends locally a safety margin before the database would let another replica claim.

export interface ClaimedLease {
  orgId: string;
  epoch: number;
}

export class LeaseStore {
  readonly replicaId: string;
  readonly leaseSeconds: number;

  constructor(
    private readonly database: Database,
    options: { replicaId: string; leaseSeconds: number }
  ) {
    this.replicaId = options.replicaId;
    this.leaseSeconds = options.leaseSeconds;
  }

  /** Records that this replica is alive; returns how many replicas are (this one included). */
  async heartbeat(): Promise<number> {
    await this.database.query(
      `INSERT INTO relay_replicas (replica_id) VALUES ($1)
       ON CONFLICT (replica_id) DO UPDATE SET heartbeat_at = now()`,
      [this.replicaId]
    );
    const { rows } = await this.database.query<{ live: string }>(
      `SELECT count(*) AS live FROM relay_replicas WHERE heartbeat_at > now() - make_interval(secs => $1)`,
      [this.leaseSeconds]
    );
    return Math.max(1, Number(rows[0]?.live ?? 1));
  }

  /** Active orgs in all. */
  async activeOrgs(): Promise<number> {
    const { rows } = await this.database.query<{ n: string }>(
      `SELECT count(*) AS n FROM relay_orgs WHERE state = 'active'`
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Claims up to `max` unowned or expired orgs. */
  async claim(max: number): Promise<ClaimedLease[]> {
    if (max <= 0) return [];
    const { rows } = await this.database.query<{ org_id: string; epoch: string }>(
      `UPDATE relay_leases l
       SET owner = $1, epoch = l.epoch + 1, expires_at = now() + make_interval(secs => $2), claimed_at = now()
       WHERE l.org_id IN (
         SELECT c.org_id FROM relay_leases c JOIN relay_orgs o ON o.org_id = c.org_id
         WHERE o.state = 'active' AND (c.owner IS NULL OR c.expires_at IS NULL OR c.expires_at <= now())
         ORDER BY c.expires_at NULLS FIRST, c.org_id
         LIMIT $3
         FOR UPDATE OF c SKIP LOCKED)
       RETURNING l.org_id, l.epoch`,
      [this.replicaId, this.leaseSeconds, max]
    );
    return rows.map((row) => ({ orgId: row.org_id, epoch: Number(row.epoch) }));
  }

  /** Extends the leases this replica still holds; returns the org ids renewed (the rest are lost). */
  async renew(leases: readonly ClaimedLease[]): Promise<Set<string>> {
    if (leases.length === 0) return new Set();
    const { rows } = await this.database.query<{ org_id: string }>(
      `UPDATE relay_leases l SET expires_at = now() + make_interval(secs => $2)
       FROM unnest($3::text[], $4::bigint[]) AS mine(org_id, epoch)
       WHERE l.org_id = mine.org_id AND l.epoch = mine.epoch AND l.owner = $1 AND l.expires_at > now()
       RETURNING l.org_id`,
      [this.replicaId, this.leaseSeconds, leases.map((l) => l.orgId), leases.map((l) => l.epoch)]
    );
    return new Set(rows.map((row) => row.org_id));
  }

  /** Gives an org back (after its relay stopped): another replica may claim it at once. */
  async release(lease: ClaimedLease): Promise<void> {
    await this.database.query(
      `UPDATE relay_leases SET owner = NULL, expires_at = NULL WHERE org_id = $1 AND owner = $2 AND epoch = $3`,
      [lease.orgId, this.replicaId, lease.epoch]
    );
  }

  /** This replica stops: it no longer counts as alive. */
  async leave(): Promise<void> {
    await this.database.query('DELETE FROM relay_replicas WHERE replica_id = $1', [this.replicaId]);
    await this.database.query(`DELETE FROM relay_replicas WHERE heartbeat_at < now() - interval '1 day'`);
  }
}

/**
 * A lease as this replica sees it, on its own monotonic clock. The database sets the expiry to
 * (its now() + lease) when a claim or renewal runs, which is after the moment the query was sent,
 * so ending the lease locally at (send time + lease - margin) ends it before the database does.
 * The margin covers clock rate differences; a process paused past it (SIGSTOP, a long GC, a VM
 * migration) finds its lease ended when it resumes, before it hands anything more to a sink.
 */
export class Lease implements OwnershipFence {
  readonly orgId: string;
  readonly epoch: number;
  readonly #ttlMs: number;
  readonly #marginMs: number;
  #validUntil: number;
  #revoked: string | undefined;

  constructor(claimed: ClaimedLease, sentAt: number, leaseSeconds: number) {
    this.orgId = orgKey(claimed.orgId);
    this.epoch = claimed.epoch;
    this.#ttlMs = leaseSeconds * 1000;
    this.#marginMs = Math.max(500, this.#ttlMs * 0.1);
    this.#validUntil = sentAt + this.#ttlMs - this.#marginMs;
  }

  /** A renewal sent at `sentAt` (performance.now()) succeeded. */
  renewed(sentAt: number): void {
    if (this.#revoked) return;
    this.#validUntil = Math.max(this.#validUntil, sentAt + this.#ttlMs - this.#marginMs);
  }

  /** The database said the lease is gone (renewal refused, checkpoint refused). */
  revoke(reason: string): void {
    this.#revoked ??= reason;
  }

  get current(): boolean {
    return !this.#revoked && performance.now() < this.#validUntil;
  }

  /** milliseconds left on the local clock (negative once ended) */
  get remainingMs(): number {
    return this.#validUntil - performance.now();
  }

  assertCurrent(): void {
    if (this.#revoked) throw new LeaseLostError(this.orgId, this.epoch, this.#revoked);
    if (performance.now() >= this.#validUntil)
      throw new LeaseLostError(
        this.orgId,
        this.epoch,
        'not renewed in time (this replica was paused, or the database was unreachable)'
      );
  }
}
