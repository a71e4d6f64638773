// `npm run bench`: our relay (--mode events, ndjson sink, checkpoint: durable) next to the npm
// package salesforce-pubsub-api-client consuming the same stream from the same local Pub/Sub
// server, plus the Salesforce API calls the transcripts mode spends per 1,000 closed Cases.
// Not a test: it prints a table and the machine it ran on. Both clients run in this process; the
// Pub/Sub server runs in a child process (pubsub-server-process.ts), a fresh one per client and
// round, so it does not take the measured client's event loop.
import { certPath, benchDir, keyPath } from './tls-fixture.ts';
import { fork } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import PubSubApiClient from 'salesforce-pubsub-api-client';
import type { SalesforceToken } from '../scripts/org/bundle-auth.ts';
import { fromCredentialsBundle } from '../scripts/contracts/org-connection.ts';
import { BundleSession } from '../scripts/org/bundle-auth.ts';
import { readBundle, type CredentialsBundle } from '../scripts/org/credentials-bundle.ts';
import { DeadLetterFile } from '../scripts/relay/dead-letters.ts';
import { parsePubSubEndpoint } from '../scripts/relay/pubsub-endpoint.ts';
import { jsonLogger, silentLogger } from '../scripts/relay/relay-logger.ts';
import { runRelay } from '../scripts/relay/relay-runner.ts';
import { NdjsonSink } from '../scripts/relay/sinks/ndjson-sink.ts';
import { RelayEnv, waitFor } from '../test/relay/helpers/relay-env.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TOPIC = '/event/Conversation_Closed__e';
// For profiling one client alone: BENCH_ONLY=ours or BENCH_ONLY=pozil (no table is printed).
const ONLY = process.env.BENCH_ONLY;

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
const now = (): number => performance.timeOrigin + performance.now();

interface BenchServer {
  port: number;
  /** stops the server process; returns when each event was written to the stream (now() time) */
  stop(): Promise<Map<string, number>>;
}

async function startServerProcess(): Promise<BenchServer> {
  const child = fork(
    new URL('./pubsub-server-process.ts', import.meta.url).pathname,
    [TOPIC, String(EVENTS), certPath, keyPath],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (message) => resolve(message as T));
      child.once('exit', (code) => reject(new Error(`bench Pub/Sub server exited with ${code}`)));
    });
  const { port } = await next<{ port: number }>();
  return {
    port,
    async stop() {
      const reply = next<{ sentAt: Array<[string, number]> }>();
      child.send('stop');
      const { sentAt } = await reply;
      await exited;
      return new Map(sentAt);
    }
  };
}

interface Run {
  /** this process's CPU time (user + system, µs) from start to the last acknowledgement */
  cpuMicros: number;
  acked: Map<string, number>;
  startedAt: number;
  endedAt: number;
}

interface RunResult {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
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

async function runOurs(server: BenchServer, dir: string, round: number): Promise<Run> {
  const bundle: CredentialsBundle = {
    schema: 'tethr-salesforce-credentials/v1',
    orgId: '00D000000000001EAA',
    myDomainUrl: 'https://localhost',
    authFlow: 'client_credentials',
    consumerKey: 'bench',
    consumerSecret: 'bench',
    integrationUsername: 'bench@example.com',
    namespace: '',
    eventTopic: TOPIC,
    apiVersion: '66.0',
    channels: ['Case'],
    createdAt: new Date().toISOString()
  };
  const token: SalesforceToken = {
    accessToken: 'bench-token',
    instanceUrl: 'https://localhost',
    issuedAt: Date.now()
  };
  const session = {
    token: async () => token,
    invalidate() {},
    request: () => Promise.reject(new Error('not used in events mode'))
  };
  const stop = new AbortController();
  const acked = new Map<string, number>();
  // The relay logs to stderr, which Node writes synchronously when it is a file or a pipe: the
  // same here, to a file.
  const logFd = openSync(join(dir, `ours-${round}.log`), 'a');
  let endedAt = 0;
  let cpuMicros = 0;
  const cpuAtStart = process.cpuUsage();
  const startedAt = now();
  const sink = new NdjsonSink(join(dir, `ours-${round}.ndjson`));
  const done = runRelay({
    connection: fromCredentialsBundle(bundle),
    session,
    mode: 'events',
    sink,
    deadLetters: new DeadLetterFile(join(dir, `ours-${round}.dead.ndjson`)),
    checkpointPath: join(dir, `ours-${round}.checkpoint.json`),
    endpoint: parsePubSubEndpoint(`https://localhost:${server.port}`),
    // The per-event JSON log line is part of the work: written to a file, not dropped.
    logger: jsonLogger({ write: (text) => writeSync(logFd, text) }),
    signal: stop.signal,
    startAt: 'earliest',
    statusIntervalMs: 60_000,
    onEventHandled: (_latency, eventId) => {
      if (eventId) acked.set(eventId, now());
      if (acked.size === EVENTS && !endedAt) {
        endedAt = now();
        const cpu = process.cpuUsage(cpuAtStart);
        cpuMicros = cpu.user + cpu.system;
        stop.abort();
      }
    }
  });
  const summary = await done;
  if (process.env.BENCH_DEBUG)
    process.stderr.write(
      `ours: ${sink.flushes} sink writes, ${sink.syncs} fdatasyncs, ${summary.checkpointWrites} checkpoint writes\n`
    );
  await new Promise((resolve) => setImmediate(resolve)); // the logger's last batch
  closeSync(logFd);
  return { acked, startedAt, endedAt, cpuMicros };
}

async function runPozil(server: BenchServer, dir: string, round: number): Promise<Run> {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const client = new PubSubApiClient(
    {
      authType: 'user-supplied',
      accessToken: 'bench-token',
      instanceUrl: 'https://localhost',
      organizationId: '00D000000000001EAA',
      pubSubEndpoint: `localhost:${server.port}`,
      rejectUnauthorizedSsl: false
    } as never,
    quiet as never
  );
  // What a user of the package would do: append each event to a file in the callback. No fsync
  // and no checkpoint: that is the durability the package leaves to its users.
  const fd = openSync(join(dir, `pozil-${round}.ndjson`), 'a');
  const acked = new Map<string, number>();
  let endedAt = 0;
  let cpuMicros = 0;
  const cpuAtStart = process.cpuUsage();
  const startedAt = now();
  await client.connect();
  await new Promise<void>((resolve) => {
    client.subscribeFromEarliestEvent(TOPIC, (_subscription, type, data) => {
      if (type !== 'event') return;
      const event = data as { id: string; replayId: number; payload: unknown };
      writeSync(
        fd,
        `${JSON.stringify({ eventId: event.id, replayId: event.replayId, fields: event.payload })}\n`
      );
      acked.set(event.id, now());
      if (acked.size === EVENTS && !endedAt) {
        endedAt = now();
        const cpu = process.cpuUsage(cpuAtStart);
        cpuMicros = cpu.user + cpu.system;
        resolve();
      }
    });
  });
  client.close();
  closeSync(fd);
  return { acked, startedAt, endedAt, cpuMicros };
}

async function apiCallsPerThousand(): Promise<{
  cases: { requests: number; counted: number };
  sessions: { requests: number; counted: number };
}> {
  const env = await new RelayEnv().start();
  try {
    const bundle = await readBundle(env.bundlePath);
    const measure = async (objectType: 'Case' | 'MessagingSession') => {
      const ids = Array.from({ length: 1000 }, (_, i) =>
        objectType === 'Case' ? env.org.addCase(Date.now() - i) : env.org.addMessagingSession(Date.now() - i)
      );
      const stop = new AbortController();
      let handled = 0;
      const run = runRelay({
        connection: fromCredentialsBundle(bundle),
        session: new BundleSession(bundle),
        mode: 'transcripts',
        sink: new NdjsonSink(join(env.dir, `${objectType}.ndjson`)),
        deadLetters: new DeadLetterFile(join(env.dir, `${objectType}.dead.ndjson`)),
        checkpointPath: join(env.dir, `${objectType}.checkpoint.json`),
        endpoint: parsePubSubEndpoint(env.pubsub.url),
        logger: silentLogger,
        signal: stop.signal,
        statusIntervalMs: 60_000,
        onEventHandled: () => {
          handled += 1;
          if (handled === ids.length) stop.abort();
        }
      });
      await waitFor(() => env.pubsub.activeStreams > 0);
      env.publish(ids.map((recordId) => ({ recordId, objectType })));
      const summary = await run;
      if (summary.deadLettered > 0)
        throw new Error(
          `${summary.deadLettered} ${objectType} records dead-lettered in the API-call measurement`
        );
      await waitFor(() => env.pubsub.activeStreams === 0);
      return { requests: summary.apiUsage.requests, counted: summary.apiUsage.countedCalls };
    };
    return { cases: await measure('Case'), sessions: await measure('MessagingSession') };
  } finally {
    await env.stop();
  }
}

async function main(): Promise<void> {
  const dir = benchDir;
  try {
    // salesforce-pubsub-api-client only speaks TLS: serve TLS with a throwaway self-signed cert
    // (tls-fixture.ts) for both clients. Ours verifies it through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
    // the package is told not to verify (rejectUnauthorizedSsl: false), as it ships its own roots.
    const ours: RunResult[] = [];
    const theirs: RunResult[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // A fresh server per client and round: same events, same batching (100 per response).
      for (const [name, run, results] of [
        ['pozil', runPozil, theirs],
        ['ours', runOurs, ours]
      ] as const) {
        if (ONLY && ONLY !== name) continue;
        const server = await startServerProcess();
        const measured = await run(server, dir, round);
        results.push(summarise(measured, await server.stop()));
        process.stderr.write(
          `round ${round + 1}/${ROUNDS} ${name}: ${Math.round(results.at(-1)!.eventsPerSecond)} events/s\n`
        );
      }
    }
    if (ONLY) return;
    const median = (runs: RunResult[], key: keyof RunResult) =>
      [...runs.map((r) => r[key])].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
    const api = await apiCallsPerThousand();
    const row = (name: string, runs: RunResult[], durable: string) =>
      `| ${name.padEnd(46)} | ${String(Math.round(median(runs, 'eventsPerSecond'))).padStart(10)} | ${median(runs, 'p50').toFixed(2).padStart(8)} | ${median(runs, 'p99').toFixed(2).padStart(8)} | ${median(runs, 'cpuMicrosPerEvent').toFixed(1).padStart(12)} | ${durable.padEnd(40)} |`;
    const lines = [
      `Machine: ${availableParallelism()} cores (nproc), ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${EVENTS} events x ${ROUNDS} rounds (median), TLS on 127.0.0.1, Pub/Sub server in a child process (one per client and round)`,
      '',
      '| client                                         | events/s   | p50 ms   | p99 ms   | CPU µs/event | durability                               |',
      '|------------------------------------------------|------------|----------|----------|--------------|------------------------------------------|',
      row('tethr-sf relay --mode events, ndjson sink', ours, 'fdatasync per batch + atomic checkpoint'),
      row('salesforce-pubsub-api-client 5.5 + file write', theirs, 'none (no fsync, no checkpoint)'),
      '',
      `Throughput ratio (ours / package): ${(median(ours, 'eventsPerSecond') / median(theirs, 'eventsPerSecond')).toFixed(2)}x`,
      'Latency: from the server writing the event to the stream until the sink acknowledged it.',
      "CPU: the client's process (user + system, fdatasync included), not the server's.",
      '',
      '| transcripts mode, per 1,000 closed records | HTTP requests | API calls counted by Salesforce |',
      '|--------------------------------------------|---------------|---------------------------------|',
      `| Case (IN query + subqueries)               | ${String(api.cases.requests).padStart(13)} | ${String(api.cases.counted).padStart(31)} |`,
      `| MessagingSession (query + Composite Batch) | ${String(api.sessions.requests).padStart(13)} | ${String(api.sessions.counted).padStart(31)} |`,
      '(plus one OAuth token request per relay start and per expired session)'
    ];
    console.log(lines.join('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
