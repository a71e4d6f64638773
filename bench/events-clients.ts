import { fork } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import PubSubApiClient from 'salesforce-pubsub-api-client';
import { DeadLetterFile } from '../scripts/relay/dead-letters.ts';
import { parsePubSubEndpoint } from '../scripts/relay/pubsub-endpoint.ts';
import { jsonLogger } from '../scripts/relay/relay-logger.ts';
import { runRelay } from '../scripts/relay/relay-runner.ts';
import { NdjsonSink } from '../scripts/relay/sinks/ndjson-sink.ts';
import { conversationClosedSchema } from '../test/servers/pubsub/conversation-closed-schema.ts';
import { runMinimalConsumer } from './minimal-consumer.ts';
import { certPath, keyPath } from './tls-fixture.ts';

// The three consumers of the events benchmark, each against a fresh Pub/Sub server in a child
// process (pubsub-server-process.ts) holding the same events, so the server's work (protobuf, TLS)
// runs on the other core and not on the measured client's event loop.

export const TOPIC = '/event/Conversation_Closed__e';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const now = (): number => performance.timeOrigin + performance.now();

export interface BenchServer {
  port: number;
  /** stops the server process; returns when each event was written to the stream (now() time) */
  stop(): Promise<Map<string, number>>;
}

export async function startServerProcess(events: number): Promise<BenchServer> {
  const child = fork(
    new URL('./pubsub-server-process.ts', import.meta.url).pathname,
    [TOPIC, String(events), certPath, keyPath],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    }
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

export interface Run {
  /** this process's CPU time (user + system, µs) from start to the last acknowledgement */
  cpuMicros: number;
  acked: Map<string, number>;
  startedAt: number;
  endedAt: number;
}

export type ClientName = 'relay' | 'npm-client' | 'minimal';

export async function runClient(
  name: ClientName,
  server: BenchServer,
  dir: string,
  round: number,
  events: number
): Promise<Run> {
  if (name === 'relay') return runOurs(server, dir, round, events);
  if (name === 'npm-client') return runPozil(server, dir, round, events);
  return runMinimalConsumer({
    target: `localhost:${server.port}`,
    topic: TOPIC,
    schemaId: conversationClosedSchema('').id,
    events,
    outPath: join(dir, `minimal-${round}.ndjson`),
    now
  });
}

async function runOurs(server: BenchServer, dir: string, round: number, events: number): Promise<Run> {
  const session = {
    token: async () => ({
      accessToken: 'bench-token',
      instanceUrl: 'https://localhost',
      issuedAt: Date.now()
    }),
    invalidate() {},
    request: () => Promise.reject(new Error('not used in events mode'))
  };
  const stop = new AbortController();
  const acked = new Map<string, number>();
  // The relay logs to stderr, which Node writes synchronously when it is a file or a pipe: the
  // same here, to a file, at the default level (info: one line per batch in events mode).
  const logFd = openSync(join(dir, `relay-${round}.log`), 'a');
  let endedAt = 0;
  let cpuMicros = 0;
  const cpuAtStart = process.cpuUsage();
  const startedAt = now();
  const summary = await runRelay({
    connection: {
      orgId: '00D000000000001EAA',
      eventTopic: TOPIC,
      apiVersion: '66.0',
      channels: ['Case']
    },
    session,
    mode: 'events',
    sink: new NdjsonSink(join(dir, `relay-${round}.ndjson`)),
    deadLetters: new DeadLetterFile(join(dir, `relay-${round}.dead.ndjson`)),
    checkpointPath: join(dir, `relay-${round}.checkpoint`),
    endpoint: parsePubSubEndpoint(`https://localhost:${server.port}`),
    logger: jsonLogger({ write: (text) => writeSync(logFd, text) }),
    signal: stop.signal,
    startAt: 'earliest',
    statusIntervalMs: 60_000,
    limitsIntervalMs: 0,
    onEventHandled: (_latency, eventId) => {
      if (eventId) acked.set(eventId, now());
      if (acked.size === events && !endedAt) {
        endedAt = now();
        const cpu = process.cpuUsage(cpuAtStart);
        cpuMicros = cpu.user + cpu.system;
        stop.abort();
      }
    }
  });
  if (process.env.BENCH_DEBUG) process.stderr.write(`relay: ${summary.checkpointWrites} checkpoint writes\n`);
  await new Promise((resolve) => setImmediate(resolve)); // the logger's last batch
  closeSync(logFd);
  return { acked, startedAt, endedAt, cpuMicros };
}

async function runPozil(server: BenchServer, dir: string, round: number, events: number): Promise<Run> {
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
  const fd = openSync(join(dir, `npm-client-${round}.ndjson`), 'a');
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
      if (acked.size === events && !endedAt) {
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
