import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../helpers/ports.ts';

// A real PostgreSQL for the tests, never a mock. `TETHR_TEST_DATABASE_URL` names a server (CI and
// `npm test` start one with with-postgres.sh); without it, the first test file that asks starts a
// throwaway cluster of its own, the same way, and stops it when the process exits. Each caller gets
// a fresh database on that server, dropped afterwards.

let baseUrl: Promise<string> | undefined;

export function testServerUrl(): Promise<string> {
  baseUrl ??= process.env.TETHR_TEST_DATABASE_URL
    ? Promise.resolve(process.env.TETHR_TEST_DATABASE_URL)
    : startThrowawayCluster();
  return baseUrl;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(prefix = 'relay'): Promise<TestDatabase> {
  const server = await testServerUrl();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    }
  };
}

function postgresBinDir(): string {
  if (process.env.TETHR_PG_BINDIR) return process.env.TETHR_PG_BINDIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  if (versions.length === 0)
    throw new Error(
      "No PostgreSQL found for the relay service tests: run `npm run setup` (installs Debian's postgresql), or set TETHR_TEST_DATABASE_URL."
    );
  return join(root, versions.at(-1)!, 'bin');
}

async function startThrowawayCluster(): Promise<string> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'tethr-pg-'));
  const root = userInfo().uid === 0;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (program: string, args: string[]) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, program), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, program), args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'tethr', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'postgres.log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
    'start'
  ]);
  process.once('exit', () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return `postgres://tethr@127.0.0.1:${port}/postgres`;
}
