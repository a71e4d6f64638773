import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fromCredentialsBundle } from '../scripts/contracts/org-connection.ts';
import { BundleSession } from '../scripts/org/bundle-auth.ts';
import { readBundle } from '../scripts/org/credentials-bundle.ts';
import { DeadLetterFile } from '../scripts/relay/dead-letters.ts';
import { parsePubSubEndpoint } from '../scripts/relay/pubsub-endpoint.ts';
import { silentLogger } from '../scripts/relay/relay-logger.ts';
import { runRelay } from '../scripts/relay/relay-runner.ts';
import { TethrSink } from '../scripts/relay/sinks/tethr-sink.ts';
import { TethrClient } from '../scripts/tethr/tethr-client.ts';
import { RelayEnv, waitFor } from '../test/relay/helpers/relay-env.ts';

// Transcripts mode with the latency of real services injected: every Salesforce REST request
// answers after 50 ms, every Tethr request after 100 ms. One org, closed Cases (one SOQL query per
// 100, then one capture each), at several Tethr concurrencies: conversations per second, and the
// 50th/99th percentile from receipt to Tethr's answer. Chooses the default concurrency.

const LEVELS = (process.env.BENCH_CONCURRENCY ?? '8,16,32,64,128').split(',').map(Number);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1500);

export async function transcriptsBench(): Promise<string[]> {
  const env = await new RelayEnv().start({ keepaliveMs: 5000 });
  const rows: string[] = [];
  try {
    const bundle = await readBundle(env.bundlePath);
    env.org.delayMs = 50;
    for (const concurrency of LEVELS) {
      const ids = Array.from({ length: CONVERSATIONS }, () => env.org.addCase(Date.now()));
      for (let i = 0; i < CONVERSATIONS + 10; i += 1) env.tethr.faults.push({ delayMs: 100 });
      const stop = new AbortController();
      const latencies: number[] = [];
      const deadLetters = new DeadLetterFile(join(env.dir, `t-${concurrency}.dead.ndjson`));
      const client = new TethrClient({
        baseUrl: new URL(env.tethr.url),
        clientId: env.tethr.clientId,
        clientSecret: env.tethr.clientSecret
      });
      await client.authenticate();
      const run = runRelay({
        connection: fromCredentialsBundle(bundle),
        session: new BundleSession(bundle),
        mode: 'transcripts',
        sink: new TethrSink({ client, deadLetters, logger: silentLogger, maxConcurrent: concurrency }),
        deadLetters,
        checkpointPath: join(env.dir, `t-${concurrency}.checkpoint`),
        endpoint: parsePubSubEndpoint(env.pubsub.url),
        logger: silentLogger,
        signal: stop.signal,
        statusIntervalMs: 600_000,
        limitsIntervalMs: 0,
        onEventHandled: (latencyMs) => {
          latencies.push(latencyMs);
          if (latencies.length === CONVERSATIONS) stop.abort();
        }
      });
      await waitFor(() => env.pubsub.activeStreams > 0, 30_000);
      const start = performance.now();
      env.publish(ids.map((recordId) => ({ recordId, objectType: 'Case' as const })));
      await run;
      const seconds = (performance.now() - start) / 1000;
      env.tethr.faults.length = 0;
      await waitFor(() => env.pubsub.activeStreams === 0, 30_000);
      latencies.sort((a, b) => a - b);
      const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
      rows.push(
        `| ${String(concurrency).padStart(11)} | ${String(Math.round(CONVERSATIONS / seconds)).padStart(15)} | ${Math.round(p(0.5)).toString().padStart(6)} | ${Math.round(p(0.99)).toString().padStart(6)} |`
      );
      process.stderr.write(
        `transcripts concurrency ${concurrency}: ${Math.round(CONVERSATIONS / seconds)} conversations/s\n`
      );
    }
  } finally {
    await env.stop();
  }
  return [
    `Transcripts mode, ${CONVERSATIONS} closed Cases per level, Salesforce answering after 50 ms and Tethr after 100 ms (window 100)`,
    '',
    '| concurrency | conversations/s | p50 ms | p99 ms |',
    '|-------------|-----------------|--------|--------|',
    ...rows,
    ''
  ];
}
