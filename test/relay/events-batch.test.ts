import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import avro from 'avsc';
import { after, before, it } from 'node:test';
import { fromCredentialsBundle } from '../../scripts/contracts/org-connection.ts';
import { BundleSession } from '../../scripts/org/bundle-auth.ts';
import { readBundle } from '../../scripts/org/credentials-bundle.ts';
import { FileCheckpointStore } from '../../scripts/relay/checkpoint-store.ts';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import { parsePubSubEndpoint } from '../../scripts/relay/pubsub-endpoint.ts';
import { silentLogger } from '../../scripts/relay/relay-logger.ts';
import { runRelay } from '../../scripts/relay/relay-runner.ts';
import { NdjsonSink } from '../../scripts/relay/sinks/ndjson-sink.ts';
import { closedEventRecord } from '../servers/pubsub/conversation-closed-schema.ts';
import { readNdjson, RelayEnv, waitFor } from './helpers/relay-env.ts';

// --mode events hands the events of one Pub/Sub response to the ndjson sink as one batch. An
// undecodable event in the middle of a response must not reorder the sink: the events before it
// go as a batch, it goes to the dead letters, the events after it follow one by one.

let env: RelayEnv;
before(async () => {
  env = await new RelayEnv().start();
});
after(async () => {
  await env.stop();
});

it('keeps stream order around an undecodable event inside a batched response', async () => {
  const bundle = await readBundle(env.bundlePath);
  const out = join(env.dir, 'batch.ndjson');
  const deadLetters = join(env.dir, 'batch.dead.ndjson');
  const checkpoint = join(env.dir, 'batch.checkpoint.json');
  const stop = new AbortController();
  const handled: string[] = [];
  const record = (i: number) =>
    closedEventRecord({ recordId: `500${String(i).padStart(15, '0')}`, objectType: 'Case' });
  const run = runRelay({
    connection: fromCredentialsBundle(bundle),
    session: new BundleSession(bundle),
    mode: 'events',
    sink: new NdjsonSink(out),
    deadLetters: new DeadLetterFile(deadLetters),
    checkpointPath: checkpoint,
    endpoint: parsePubSubEndpoint(env.pubsub.url),
    logger: silentLogger,
    signal: stop.signal,
    startAt: 'earliest',
    statusIntervalMs: 60_000,
    onEventHandled: (_latency, eventId) => handled.push(eventId ?? 'undecodable')
  });
  // The first response waits for GetSchema (per-event path); later ones find the schema cached.
  const first = env.pubsub.publish([record(0), record(1)]);
  let burst: typeof first = [];
  try {
    await waitFor(() => handled.length === 2);
    // One response: two good events, an undecodable one, two good ones.
    const type = avro.Type.forSchema(JSON.parse(env.schema.json) as avro.Schema, { wrapUnions: false });
    burst = env.pubsub.publishRaw([
      type.toBuffer(record(2)),
      type.toBuffer(record(3)),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01]),
      type.toBuffer(record(4)),
      type.toBuffer(record(5))
    ]);
    await waitFor(() => handled.length === 7);
  } finally {
    stop.abort();
  }
  const summary = await run;

  const ids = (await readNdjson(out)).map((line) => line.eventId);
  const delivered = [...first, ...burst.slice(0, 2), ...burst.slice(3)];
  assert.deepEqual(
    ids,
    delivered.map((e) => e.id),
    'stream order'
  );
  const letters = (await readFile(deadLetters, 'utf8')).split('\n').filter(Boolean);
  assert.equal(letters.length, 1);
  assert.equal((JSON.parse(letters[0]!) as { reason: string }).reason, 'undecodable-event');
  assert.equal(summary.delivered, 6);
  assert.equal(summary.deadLettered, 1);
  const saved = await new FileCheckpointStore(checkpoint).read();
  assert.deepEqual(saved!.replayId, burst.at(-1)!.replayId, 'checkpoint covers every event');
  assert.ok(env.pubsub.fetchRequests.every((r) => r.numRequested <= 100));
});
