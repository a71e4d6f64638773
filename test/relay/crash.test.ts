import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { readNdjson, RelayEnv, waitFor } from './helpers/relay-env.ts';

// kill -9 of the relay at random points of a 3,000-event stream, restarting each time with the
// same checkpoint: every event must reach the sink, and each crash may replay at most one
// flow-control window (num_requested) of events.

const EVENTS = 3000;
const KILLS = 3;
const WINDOW = 100;

let env: RelayEnv;
before(async () => {
  // Paced delivery (25 events per response, 5 ms apart) so kills land mid-stream.
  env = await new RelayEnv().start({ paceMs: 5, maxBatch: 25 });
});
after(async () => {
  await env.stop();
});

it(`survives ${KILLS} kill -9 during ${EVENTS} events without losing one`, async () => {
  const out = join(env.dir, 'crash.ndjson');
  const args = env.relayArgs([
    '--mode',
    'events',
    '--sink',
    `ndjson:${out}`,
    '--checkpoint',
    join(env.dir, 'crash.checkpoint.json'),
    '--start-at',
    'earliest',
    '--num-requested',
    String(WINDOW),
    '--log-level',
    'warn'
  ]);
  const published = env.publish(
    Array.from({ length: EVENTS }, (_, i) => ({
      recordId: `500${String(i).padStart(15, '0')}`,
      objectType: 'Case' as const
    }))
  );
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let kill = 0; kill < KILLS; kill += 1) {
    const before = (await readNdjson(out)).length;
    const target = before + 150 + Math.floor(random() * 400);
    const relay = env.spawn('relay', args);
    await waitFor(
      async () => (await readNdjson(out)).length >= target,
      30_000,
      () => relay.stderr.slice(-2000)
    );
    relay.process.kill('SIGKILL');
    await relay.exited;
  }
  const relay = env.spawn('relay', args);
  await waitFor(
    async () => new Set((await readNdjson(out)).map((l) => l.eventId)).size === EVENTS,
    60_000,
    () => relay.stderr.slice(-2000)
  );
  relay.process.kill('SIGTERM');
  assert.equal(await relay.exited, 0, relay.stderr.slice(-2000));

  const lines = await readNdjson(out);
  const ids = new Set(lines.map((l) => l.eventId));
  assert.deepEqual([...ids].sort(), published.map((e) => e.id).sort(), 'every event reached the sink');
  const duplicates = lines.length - EVENTS;
  assert.ok(duplicates <= KILLS * WINDOW, `duplicates ${duplicates} exceed ${KILLS} x ${WINDOW}`);
  // Events reach the sink in stream order (first occurrence of each).
  const order: string[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const id = line.eventId as string;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
  }
  assert.deepEqual(
    order,
    published.map((e) => e.id)
  );
  console.log(`crash test: ${KILLS} kills, ${duplicates} duplicate lines (bound ${KILLS * WINDOW})`);
});
