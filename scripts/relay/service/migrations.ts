import { loadMessages } from '../../shared/messages.ts';
import type { Database } from './database.ts';

// The relay service's schema, applied by the service itself: each migration runs once, in order,
// in one transaction, under an advisory lock so that replicas starting together do not race.
// Migrations are append-only: a released one is never edited, a change is a new version.
//
// Tables (all keyed by the 15-character org id, orgKey()):
//   relay_orgs         the tenants: the connection document as Tethr received it, per-org options,
//                      a revision that changes when either does, and the state (active | removing)
//   relay_leases       who relays each org: owner replica, fencing epoch, expiry (database time)
//   relay_checkpoints  the replay id per org and topic (bytes, never a number) and the epoch that wrote it
//   relay_dead_letters what could not be delivered, with the payload kept apart from the listing
//   relay_replicas     replicas alive (heartbeats), so each knows its share of the orgs

const messages = loadMessages('relay');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'relay service state',
    sql: `
      CREATE TABLE relay_orgs (
        org_id      text PRIMARY KEY,
        connection  jsonb NOT NULL,
        options     jsonb NOT NULL DEFAULT '{}'::jsonb,
        state       text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'removing')),
        revision    bigint NOT NULL DEFAULT 1,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE relay_leases (
        org_id      text PRIMARY KEY REFERENCES relay_orgs (org_id) ON DELETE CASCADE,
        owner       text,
        epoch       bigint NOT NULL DEFAULT 0,
        expires_at  timestamptz,
        claimed_at  timestamptz
      );
      CREATE TABLE relay_checkpoints (
        org_id       text NOT NULL,
        topic        text NOT NULL,
        replay_id    bytea NOT NULL,
        epoch        bigint NOT NULL,
        acknowledged bigint NOT NULL DEFAULT 0,
        updated_at   timestamptz NOT NULL,
        PRIMARY KEY (org_id, topic)
      );
      CREATE TABLE relay_dead_letters (
        id          bigserial PRIMARY KEY,
        org_id      text NOT NULL,
        at          timestamptz NOT NULL DEFAULT now(),
        reason      text NOT NULL,
        detail      text NOT NULL,
        event_id    text,
        replay_id   text,
        record_id   text,
        object_type text,
        payload     jsonb,
        retried_at  timestamptz
      );
      CREATE INDEX relay_dead_letters_org_at ON relay_dead_letters (org_id, at DESC);
      CREATE TABLE relay_replicas (
        replica_id   text PRIMARY KEY,
        started_at   timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      );
    `
  }
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

export async function migrate(database: Database): Promise<{ from: number; to: number }> {
  return database.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('tethr_relay_migrations'))`);
    await tx.query(`
      CREATE TABLE IF NOT EXISTS relay_schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await tx.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM relay_schema_migrations'
    );
    const from = rows[0]?.version ?? 0;
    if (from > SCHEMA_VERSION) throw messages.createError('error.DatabaseTooNew', [from, SCHEMA_VERSION]);
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      await tx.query(migration.sql);
      await tx.query('INSERT INTO relay_schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name
      ]);
    }
    return { from, to: SCHEMA_VERSION };
  });
}
