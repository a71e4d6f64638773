import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { startLocalStack } from './helpers/local-stack-run.ts';
import { freeBase, freePort } from './helpers/ports.ts';
import { MAIN, RelayChild, TSX, waitFor } from './helpers/relay-env.ts';
import { freshDatabase, type TestDatabase } from './postgres/test-database.ts';

// Issue 10, "done when": a new user starts PostgreSQL and `relay serve`, adds two orgs against the
// local fakes and watches the metrics move. This runs what the local stack prints for the service
// (`relay orgs add --connection ...` per org, `relay serve ...`) against a real PostgreSQL, and
// reads /metrics twice: both orgs' delivered counts grow.

let dir = '';
let database: TestDatabase;
const children: RelayChild[] = [];

function spawnChild(args: string[], env: Record<string, string> = {}): RelayChild {
  const child = new RelayChild(
    spawn(process.execPath, ['--import', TSX, ...args], {
      cwd: dir,
      env: { ...process.env, ...env, SF_DISABLE_TELEMETRY: 'true', SF_AUTOUPDATE_DISABLE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
  );
  children.push(child);
  return child;
}

/** `npx tethr-sf relay orgs add ...` -> the test runner's `orgs:add ...` (likewise `relay serve`). */
function printedCommand(line: string): string[] {
  const [, , , sub, ...rest] = line.trim().split(/\s+/); // drop "npx tethr-sf relay"
  if (sub === 'orgs') return [`orgs:${rest[0]!}`, ...rest.slice(1)];
  if (sub === 'serve') return ['serve', ...rest];
  throw new Error(`not a relay service command: ${line}`);
}

/** tethr_relay_events_handled_total{org=...,outcome="delivered"} per org. */
function delivered(metrics: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of metrics.matchAll(
    /^tethr_relay_events_handled_total\{org="(\w+)",outcome="delivered",[^}]*\} (\d+)$/gm
  ))
    counts.set(m[1]!, Number(m[2]));
  return counts;
}

/** The metrics text, or '' while the server is not up yet. */
async function readMetrics(url: string): Promise<string> {
  try {
    return await (await fetch(url)).text();
  } catch {
    return '';
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-stack-service-'));
  database = await freshDatabase('stack');
});
after(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

it(
  'the printed service commands: two orgs added, relay serve relays both, and their metrics move',
  { timeout: 180_000 },
  async () => {
    const base = await freeBase();
    const {
      child: stack,
      lines,
      env
    } = await startLocalStack({
      cwd: dir,
      base,
      orgs: 2,
      name: 'stack',
      children
    });
    assert.ok(
      lines.includes('export TETHR_DATABASE_URL=postgres://tethr@127.0.0.1:5433/postgres'),
      'the database URL printed is the one docs/relay.md "Try the service" starts'
    );
    env.TETHR_DATABASE_URL = database.url;

    const addLines = lines.filter((l) => l.startsWith('npx tethr-sf relay orgs add --connection'));
    assert.equal(addLines.length, 2, 'one `relay orgs add` per org');
    for (const line of addLines) {
      const add = spawnChild([MAIN, ...printedCommand(line), '--json'], env);
      assert.equal(await add.exited, 0, add.stdout + add.stderr);
      assert.equal((JSON.parse(add.stdout) as { result: { outcome: string } }).result.outcome, 'added');
    }

    const serveLine = lines.find((l) => l.startsWith('npx tethr-sf relay serve'))!;
    assert.ok(serveLine.includes('--http-port 9464'), serveLine);
    const port = await freePort();
    const serve = spawnChild(
      [
        MAIN,
        ...printedCommand(serveLine.replace('--http-port 9464', `--http-port ${port}`)),
        '--lease-seconds',
        '3'
      ],
      env
    );
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    let first = new Map<string, number>();
    await waitFor(
      async () => {
        first = delivered(await readMetrics(metricsUrl));
        return first.size === 2 && [...first.values()].every((n) => n > 0);
      },
      90_000,
      () => serve.stderr.slice(-3000)
    );
    await waitFor(
      async () => {
        const later = delivered(await readMetrics(metricsUrl));
        return [...first].every(([org, n]) => (later.get(org) ?? 0) > n);
      },
      60_000,
      () => serve.stderr.slice(-3000)
    );
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    // The stack prints its status every --interval-seconds: wait for a line after the deliveries.
    await waitFor(
      () => /Tethr has [1-9]\d* captures/.test(stack.stdout),
      30_000,
      () => `Tethr holds no captures; the stack printed:\n${stack.stdout.slice(-2000)}`
    );

    serve.process.kill('SIGTERM');
    assert.equal(await serve.exited, 0, serve.stderr.slice(-2000));
    stack.process.kill('SIGINT');
    await stack.exited;
  }
);
