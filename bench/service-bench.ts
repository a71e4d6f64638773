import { fork, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freshDatabase } from '../test/relay/postgres/test-database.ts';

// Density of `relay serve`: one replica process with 1, 100 and 1,000 idle orgs (streams open,
// keepalives flowing), its memory after a full GC and its CPU over 10 idle seconds; then 100 busy
// orgs, 1,000 events each, and the events per second they reach together. The fakes (Salesforce
// token endpoint, multi-tenant Pub/Sub) run in a process of their own; PostgreSQL is a throwaway
// cluster (or TETHR_TEST_DATABASE_URL).

interface Stats {
  rss: number;
  heapUsed: number;
  handled: number;
  cpu: { user: number; system: number };
}

function ask<T>(
  child: ChildProcess,
  message: unknown,
  match: (reply: Record<string, unknown>) => boolean
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench child exited with ${code}`));
    const onMessage = (reply: unknown) => {
      if (!match(reply as Record<string, unknown>)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reply as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message !== undefined) child.send(message as never);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(
  orgs: number,
  dir: string,
  busy: boolean
): Promise<{
  rssMb: number;
  heapMb: number;
  idleCpuPercent: number;
  connections: number;
  busyEventsPerSecond?: number;
}> {
  const db = await freshDatabase('bench');
  const fakes = fork(new URL('./fakes-process.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  });
  const { sf, pubsub } = await ask<{ sf: string; pubsub: string }>(fakes, undefined, (r) => 'sf' in r);
  const out = join(dir, `density-${orgs}`);
  await mkdir(out, { recursive: true });
  const relay = fork(
    new URL('./service-process.ts', import.meta.url).pathname,
    [db.url, pubsub, sf, String(orgs), out],
    {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    }
  );
  try {
    await ask(relay, undefined, (r) => r.ready === true);
    const deadline = Date.now() + 180_000;
    let connections = 0;
    for (;;) {
      const state = await ask<{ streams: number; connections: number }>(
        fakes,
        { streams: true },
        (r) => 'streams' in r
      );
      connections = state.connections;
      if (state.streams >= orgs) break;
      if (Date.now() > deadline) throw new Error(`only ${state.streams} of ${orgs} streams after 3 minutes`);
      await sleep(500);
    }
    await sleep(10_000); // settle: first /limits reads, schema look-ups, JIT
    const before = await ask<Stats>(relay, 'stats', (r) => 'rss' in r);
    const startedAt = performance.now();
    await sleep(10_000);
    const after = await ask<Stats>(relay, 'stats', (r) => 'rss' in r);
    const cpuMicros = after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
    const result: Awaited<ReturnType<typeof measure>> = {
      rssMb: before.rss / 2 ** 20,
      heapMb: before.heapUsed / 2 ** 20,
      idleCpuPercent: (cpuMicros / 1000 / (performance.now() - startedAt)) * 100,
      connections
    };
    if (busy) {
      const perOrg = 1000;
      const ids = Array.from({ length: orgs }, (_, i) => `00D${String(i + 1).padStart(12, '0')}EAA`);
      const start = performance.now();
      await ask(fakes, { publish: ids, count: perOrg }, (r) => 'published' in r);
      for (;;) {
        const stats = await ask<Stats>(relay, 'stats', (r) => 'rss' in r);
        if (stats.handled >= orgs * perOrg) break;
        if (performance.now() - start > 300_000)
          throw new Error(`busy orgs: ${stats.handled} of ${orgs * perOrg} after 5 minutes`);
        await sleep(100);
      }
      result.busyEventsPerSecond = (orgs * perOrg) / ((performance.now() - start) / 1000);
    }
    return result;
  } finally {
    relay.send('stop');
    await new Promise((resolve) => relay.once('exit', resolve));
    fakes.send('stop');
    await new Promise((resolve) => fakes.once('exit', resolve));
    await db.drop();
  }
}

export async function densityBench(dir: string): Promise<string[]> {
  const sizes = (process.env.BENCH_DENSITY ?? '1,100,1000').split(',').map(Number);
  const results = new Map<number, Awaited<ReturnType<typeof measure>>>();
  for (const orgs of sizes) {
    results.set(orgs, await measure(orgs, dir, orgs === 100));
    process.stderr.write(`density ${orgs} orgs: ${results.get(orgs)!.rssMb.toFixed(1)} MB RSS\n`);
  }
  const one = results.get(1);
  const rows = sizes.map((orgs) => {
    const r = results.get(orgs)!;
    const perOrg = one && orgs > 1 ? `${((r.rssMb - one.rssMb) / (orgs - 1)).toFixed(2)} MB` : '';
    return `| ${String(orgs).padStart(5)} | ${r.rssMb.toFixed(1).padStart(8)} | ${r.heapMb.toFixed(1).padStart(9)} | ${perOrg.padStart(18)} | ${r.idleCpuPercent.toFixed(1).padStart(13)} | ${String(r.connections).padStart(11)} |`;
  });
  const busy = results.get(100)?.busyEventsPerSecond;
  return [
    'Density: one `relay serve` replica (events mode, ndjson sink per org, PostgreSQL checkpoints), idle orgs with open streams, keepalives every 5 s',
    '',
    '| orgs  | RSS MB   | heap MB   | RSS per extra org  | idle CPU %    | gRPC conns  |',
    '|-------|----------|-----------|--------------------|---------------|-------------|',
    ...rows,
    '',
    busy ? `Busy: 100 orgs x 1,000 events in one replica: ${Math.round(busy)} events/s in all.` : '',
    ''
  ];
}
