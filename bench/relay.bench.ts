// `npm run bench`: measurements, not tests. Each section prints a table; the machine comes first.
//   events       the relay (--mode events, ndjson sink, checkpoint) side by side with the npm
//                package salesforce-pubsub-api-client and the minimal durable consumer
//                (bench/minimal-consumer.ts), BENCH_EVENTS per round (100k), BENCH_ROUNDS rounds,
//                the order rotating every round; medians and ratios
//   density      `relay serve` with 1, 100 and 1,000 idle orgs in one process (memory, CPU), and
//                events/s across 100 busy orgs (bench/service-bench.ts)
//   transcripts  transcripts mode with 50 ms Salesforce and 100 ms Tethr latency injected, by Tethr
//                concurrency (bench/transcripts-bench.ts)
//   api          Salesforce API calls per 1,000 closed records in transcripts mode
// BENCH_SECTIONS=events,density picks sections.
import { benchDir } from './tls-fixture.ts';
import { rm } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { runClient, startServerProcess, type ClientName, type Run } from './events-clients.ts';
import { apiCallsPerThousand } from './api-calls.ts';
import { densityBench } from './service-bench.ts';
import { transcriptsBench } from './transcripts-bench.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? 'events,density,transcripts,api').split(','));
// For profiling one client alone: BENCH_ONLY=relay|npm-client|minimal (no table is printed).
const ONLY = process.env.BENCH_ONLY as ClientName | undefined;

interface RunResult {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summarise({ acked, startedAt, endedAt, cpuMicros }: Run, sentAt: Map<string, number>): RunResult {
  const latencies = [...acked].map(([id, at]) => at - sentAt.get(id)!).sort((a, b) => a - b);
  return {
    eventsPerSecond: EVENTS / ((endedAt - startedAt) / 1000),
    cpuMicrosPerEvent: cpuMicros / EVENTS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99)
  };
}

async function eventsSection(dir: string): Promise<string[]> {
  const clients: ClientName[] = ONLY ? [ONLY] : ['npm-client', 'minimal', 'relay'];
  const results = new Map<ClientName, RunResult[]>(clients.map((c) => [c, []]));
  const ratios = { npm: [] as number[], minimal: [] as number[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    // Rotate the order every round, so no client always runs first (or last) on a warm machine.
    const order = clients.map((_, i) => clients[(i + round) % clients.length]!);
    const perRound = new Map<ClientName, number>();
    for (const name of order) {
      const server = await startServerProcess(EVENTS);
      const run = await runClient(name, server, dir, round, EVENTS);
      const result = summarise(run, await server.stop());
      results.get(name)!.push(result);
      perRound.set(name, result.eventsPerSecond);
      process.stderr.write(
        `round ${round + 1}/${ROUNDS} ${name}: ${Math.round(result.eventsPerSecond)} events/s\n`
      );
    }
    if (!ONLY) {
      ratios.npm.push(perRound.get('relay')! / perRound.get('npm-client')!);
      ratios.minimal.push(perRound.get('relay')! / perRound.get('minimal')!);
    }
  }
  if (ONLY) return [];
  const m = (name: ClientName, key: keyof RunResult) => median(results.get(name)!.map((r) => r[key]));
  const row = (name: ClientName, label: string, durable: string) =>
    `| ${label.padEnd(46)} | ${String(Math.round(m(name, 'eventsPerSecond'))).padStart(8)} | ${m(name, 'p50').toFixed(2).padStart(6)} | ${m(name, 'p99').toFixed(2).padStart(7)} | ${m(name, 'cpuMicrosPerEvent').toFixed(1).padStart(12)} | ${durable} |`;
  const rounds = (name: ClientName) =>
    results
      .get(name)!
      .map((r) => Math.round(r.eventsPerSecond))
      .join(' / ');
  return [
    `Events mode: ${EVENTS} events x ${ROUNDS} rounds (medians), TLS on 127.0.0.1, Pub/Sub server in a child process (one per client and round), order rotating per round`,
    '',
    '| client                                         | events/s | p50 ms | p99 ms  | CPU µs/event | durability |',
    '|------------------------------------------------|----------|--------|---------|--------------|------------|',
    row(
      'relay',
      'tethr-sf relay --mode events, ndjson sink',
      'fdatasync per batch, checkpoint after the sink (≤ 1 window repeated per crash)'
    ),
    row(
      'minimal',
      'minimal durable consumer (bench/)',
      'fdatasync per batch, no checkpoint (a crash loses its place)'
    ),
    row('npm-client', 'salesforce-pubsub-api-client 5.5 + file write', 'none (no fsync, no checkpoint)'),
    '',
    `Relay / npm client: ${median(ratios.npm).toFixed(2)}x (rounds ${ratios.npm.map((r) => r.toFixed(2)).join(', ')})`,
    `Relay / minimal consumer: ${median(ratios.minimal).toFixed(2)}x (rounds ${ratios.minimal.map((r) => r.toFixed(2)).join(', ')})`,
    `Rounds (events/s): relay ${rounds('relay')}; minimal ${rounds('minimal')}; npm client ${rounds('npm-client')}`,
    'Latency: from the server writing the event to the stream until the sink acknowledged it. CPU: the client process (user + system).',
    ''
  ];
}

async function main(): Promise<void> {
  const lines = [
    `Machine: ${availableParallelism()} cores (nproc), ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
    ''
  ];
  try {
    if (SECTIONS.has('events')) lines.push(...(await eventsSection(benchDir)));
    if (ONLY) return;
    if (SECTIONS.has('density')) lines.push(...(await densityBench(benchDir)));
    if (SECTIONS.has('transcripts')) lines.push(...(await transcriptsBench()));
    if (SECTIONS.has('api')) lines.push(...(await apiCallsPerThousand()));
    console.log(lines.join('\n'));
  } finally {
    await rm(benchDir, { recursive: true, force: true });
  }
}

await main();
