import { orgKey, type OrgConnection } from '../../contracts/org-connection.ts';
import { connectionFromDocument } from '../connection-source.ts';
import type { Database } from './database.ts';
import { parseOrgOptions, type RelayOrgOptions } from './org-options.ts';

// The relay service's tenants (relay_orgs), as `tethr-sf relay orgs add|remove|list` manage them
// and `relay serve` reads them. An org is added with its lease row (unowned, epoch 0). Removing an
// org that a replica is relaying marks it `removing`: the owner drains it, writes its last
// checkpoint and deletes it; one nobody relays goes at once. The checkpoint stays, so an org added
// again within Pub/Sub's 72 hours resumes where it stopped (its new lease row starts at the
// checkpoint's epoch).

export type TenantState = 'active' | 'removing';

/** Replicas LISTEN here; adding, changing or removing an org NOTIFYs it (picked up at once). */
export const TENANTS_CHANNEL = 'tethr_relay_orgs';

export interface Tenant {
  orgId: string;
  state: TenantState;
  revision: number;
  document: Record<string, unknown>;
  options: RelayOrgOptions | { invalid: string };
}

export interface TenantListing {
  orgId: string;
  state: TenantState;
  revision: number;
  instanceUrl: string | null;
  app: string | null;
  channels: string[];
  mode: string | null;
  sink: string | null;
  owner: string | null;
  epoch: number;
  leaseExpiresAt: string | null;
  checkpointAt: string | null;
  deadLetters: number;
  updatedAt: string;
}

export type AddOutcome = 'added' | 'updated' | 'unchanged';
export type RemoveOutcome = 'removed' | 'removing' | 'not-found';

export class TenantStore {
  constructor(private readonly database: Database) {}

  /** Adds the org, or replaces its connection and options (a new revision when anything changed). */
  async put(
    connection: OrgConnection,
    document: Record<string, unknown>,
    options: RelayOrgOptions
  ): Promise<AddOutcome> {
    const key = orgKey(connection.orgId);
    return this.database.transaction(async (tx) => {
      const existing = await tx.query<{ connection: unknown; options: unknown; state: TenantState }>(
        'SELECT connection, options, state FROM relay_orgs WHERE org_id = $1 FOR UPDATE',
        [key]
      );
      const row = existing.rows[0];
      if (!row) {
        await tx.query('INSERT INTO relay_orgs (org_id, connection, options) VALUES ($1, $2, $3)', [
          key,
          document,
          options
        ]);
        // An org added again keeps its checkpoint (written under its old lease's epoch, which
        // went with the removed lease row): the new lease starts from that epoch, so the first
        // claim outranks the checkpoint instead of being refused as stale.
        await tx.query(
          `INSERT INTO relay_leases (org_id, epoch)
           SELECT $1, COALESCE(MAX(epoch), 0) FROM relay_checkpoints WHERE org_id = $1`,
          [key]
        );
        await tx.query(`SELECT pg_notify('${TENANTS_CHANNEL}', $1)`, [key]);
        return 'added';
      }
      if (row.state === 'active' && sameJson(row.connection, document) && sameJson(row.options, options))
        return 'unchanged';
      await tx.query(
        `UPDATE relay_orgs SET connection = $2, options = $3, state = 'active', revision = revision + 1, updated_at = now()
         WHERE org_id = $1`,
        [key, document, options]
      );
      await tx.query(`SELECT pg_notify('${TENANTS_CHANNEL}', $1)`, [key]);
      return 'updated';
    });
  }

  /** Removes the org (at once when no replica holds a live lease on it, otherwise via its owner). */
  async remove(orgId: string): Promise<RemoveOutcome> {
    const key = orgKey(orgId);
    return this.database.transaction(async (tx) => {
      const found = await tx.query<{ live: boolean }>(
        `SELECT (l.owner IS NOT NULL AND l.expires_at > now()) AS live
         FROM relay_orgs o LEFT JOIN relay_leases l USING (org_id) WHERE o.org_id = $1 FOR UPDATE OF o`,
        [key]
      );
      const row = found.rows[0];
      if (!row) return 'not-found';
      if (!row.live) {
        await tx.query('DELETE FROM relay_orgs WHERE org_id = $1', [key]);
        return 'removed';
      }
      await tx.query(
        `UPDATE relay_orgs SET state = 'removing', revision = revision + 1, updated_at = now() WHERE org_id = $1`,
        [key]
      );
      await tx.query(`SELECT pg_notify('${TENANTS_CHANNEL}', $1)`, [key]);
      return 'removing';
    });
  }

  /** Deletes an org its owner finished draining, if it is still marked for removal. */
  async finishRemoval(orgId: string, owner: string, epoch: number): Promise<boolean> {
    const result = await this.database.query(
      `DELETE FROM relay_orgs o USING relay_leases l
       WHERE o.org_id = $1 AND o.state = 'removing' AND l.org_id = o.org_id AND l.owner = $2 AND l.epoch = $3`,
      [orgKey(orgId), owner, epoch]
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Deletes orgs marked for removal whose owner is gone (lease expired or released). */
  async sweepRemovals(): Promise<number> {
    const result = await this.database.query(
      `DELETE FROM relay_orgs o USING relay_leases l
       WHERE o.state = 'removing' AND l.org_id = o.org_id AND (l.owner IS NULL OR l.expires_at <= now())`
    );
    return result.rowCount ?? 0;
  }

  /** Every tenant with its document and options, for the service. */
  async snapshot(): Promise<Map<string, Tenant>> {
    const { rows } = await this.database.query<TenantRow>(
      'SELECT org_id, state, revision, connection, options FROM relay_orgs'
    );
    return new Map(rows.map((row) => [row.org_id, tenantOf(row)]));
  }

  /** One tenant (the commands that work on a service org: verify, backfill, dead-letters retry). */
  async get(orgId: string): Promise<Tenant | undefined> {
    const { rows } = await this.database.query<TenantRow>(
      'SELECT org_id, state, revision, connection, options FROM relay_orgs WHERE org_id = $1',
      [orgKey(orgId)]
    );
    return rows[0] ? tenantOf(rows[0]) : undefined;
  }

  /** What `relay orgs list` shows: no secret, no payload. */
  async list(): Promise<TenantListing[]> {
    const { rows } = await this.database.query<{
      org_id: string;
      state: TenantState;
      revision: string;
      connection: Record<string, unknown>;
      options: Record<string, unknown>;
      owner: string | null;
      epoch: string | null;
      expires_at: Date | null;
      checkpoint_at: Date | null;
      dead_letters: string;
      updated_at: Date;
    }>(
      `SELECT o.org_id, o.state, o.revision, o.connection, o.options, o.updated_at,
              CASE WHEN l.expires_at > now() THEN l.owner END AS owner, l.epoch, l.expires_at,
              (SELECT max(c.updated_at) FROM relay_checkpoints c WHERE c.org_id = o.org_id) AS checkpoint_at,
              (SELECT count(*) FROM relay_dead_letters d WHERE d.org_id = o.org_id AND d.retried_at IS NULL) AS dead_letters
       FROM relay_orgs o LEFT JOIN relay_leases l USING (org_id)
       ORDER BY o.org_id`
    );
    return rows.map((row) => {
      let connection: OrgConnection | undefined;
      try {
        connection = connectionFromDocument(row.connection, `relay_orgs ${row.org_id}`);
      } catch {
        connection = undefined;
      }
      return {
        orgId: row.org_id,
        state: row.state,
        revision: Number(row.revision),
        instanceUrl: connection?.instanceUrl ?? null,
        app: connection ? `${connection.app} (${connection.authFlow})` : null,
        channels: connection?.channels ?? [],
        mode: typeof row.options.mode === 'string' ? row.options.mode : null,
        sink: typeof row.options.sink === 'string' ? row.options.sink : null,
        owner: row.owner,
        epoch: Number(row.epoch ?? 0),
        leaseExpiresAt: row.owner && row.expires_at ? row.expires_at.toISOString() : null,
        checkpointAt: row.checkpoint_at?.toISOString() ?? null,
        deadLetters: Number(row.dead_letters),
        updatedAt: row.updated_at.toISOString()
      };
    });
  }
}

type TenantRow = {
  org_id: string;
  state: TenantState;
  revision: string;
  connection: Record<string, unknown>;
  options: unknown;
};

function tenantOf(row: TenantRow): Tenant {
  let options: Tenant['options'];
  try {
    options = parseOrgOptions(row.options);
  } catch (error) {
    options = { invalid: (error as Error).message };
  }
  return {
    orgId: row.org_id,
    state: row.state,
    revision: Number(row.revision),
    document: row.connection,
    options
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])])
    );
  return value;
}
