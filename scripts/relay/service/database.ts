import pg from 'pg';
import { loadMessages } from '../../shared/messages.ts';
import { migrate } from './migrations.ts';

// A thin layer over node-postgres (pg): one pool per process, parameterised queries, transactions,
// and the relay's schema migrated on open. Nothing here speaks the protocol itself.

const messages = loadMessages('relay');

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult<T>>;
}

export class Database implements Queryable {
  readonly pool: pg.Pool;
  /** the URL without its password, for logs and messages */
  readonly describe: string;

  constructor(pool: pg.Pool, describe: string) {
    this.pool = pool;
    this.describe = describe;
  }

  query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<pg.QueryResult<T>> {
    return this.pool.query<T>(sql, params as unknown[]);
  }

  /** Runs `work` in one transaction (READ COMMITTED), committing if it resolves. */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({
        query: <R extends Row>(sql: string, params: readonly unknown[] = []) =>
          client.query<R>(sql, params as unknown[])
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface OpenOptions {
  /** shown in pg_stat_activity: which replica holds which connection */
  applicationName?: string;
  /** pool size (default 10: the service's queries are few and short) */
  max?: number;
  /** reports errors of idle connections (a restarted server); the pool replaces them */
  onIdleError?: (error: Error) => void;
  /** apply pending migrations (default true) */
  migrate?: boolean;
}

/** Connects, checks the server answers, and brings the relay's schema up to date. */
export async function openDatabase(url: string | undefined, options: OpenOptions = {}): Promise<Database> {
  if (!url?.trim()) throw messages.createError('error.DatabaseUrlMissing');
  const describe = describeUrl(url.trim());
  const pool = new pg.Pool({
    connectionString: url.trim(),
    application_name: options.applicationName ?? 'tethr-relay',
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // A query the server does not answer must not hold a lease renewal forever.
    query_timeout: 15_000
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  const database = new Database(pool, describe);
  try {
    await database.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw messages.createError('error.DatabaseUnreachable', [describe, (error as Error).message], [], error);
  }
  if (options.migrate !== false) {
    try {
      await migrate(database);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }
  return database;
}

/** postgres://user:secret@host:5432/db -> postgres://user@host:5432/db */
export function describeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw messages.createError('error.DatabaseUrlInvalid');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw messages.createError('error.DatabaseUrlInvalid');
  parsed.password = '';
  parsed.search = '';
  return parsed.toString();
}
