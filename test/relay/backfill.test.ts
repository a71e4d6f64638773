import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { BundleSession } from '../../scripts/org/bundle-auth.ts';
import { readBundle } from '../../scripts/org/credentials-bundle.ts';
import { runBackfill } from '../../scripts/relay/backfill-runner.ts';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import { silentLogger } from '../../scripts/relay/relay-logger.ts';
import { NdjsonSink } from '../../scripts/relay/sinks/ndjson-sink.ts';
import { readNdjson, RelayEnv } from './helpers/relay-env.ts';

let env: RelayEnv;
const since = '2026-11-01T00:00:00.000Z';
const until = '2026-11-02T00:00:00.000Z';
let inWindow: string[] = [];

before(async () => {
  env = await new RelayEnv().start();
  env.org.pageSize = 7; // several query pages
  const base = Date.parse(since);
  inWindow = [
    ...Array.from({ length: 20 }, (_, i) => env.org.addCase(base + i * 60_000)),
    env.org.addMessagingSession(base + 3_600_000),
    env.org.addChatTranscript(base + 7_200_000)
  ];
  env.org.addCase(Date.parse(until) + 1000); // outside the window
});
after(async () => {
  await env.stop();
});

it('tethr-sf backfill sends what closed in the window to Tethr and reports per channel', async () => {
  const child = env.spawn('backfill', [
    '--since',
    since,
    '--until',
    until,
    '--sink',
    'tethr',
    '--cursor',
    join(env.dir, 'b1.cursor.json'),
    '--json'
  ]);
  assert.equal(await child.exited, 0, child.stderr.slice(-2000));
  const result = JSON.parse(child.stdout) as {
    result: { channels: Record<string, { delivered: number; done: boolean }>; interrupted: boolean };
  };
  assert.equal(result.result.interrupted, false);
  assert.equal(result.result.channels.Case!.delivered, 20);
  assert.equal(result.result.channels.MessagingSession!.delivered, 1);
  assert.equal(result.result.channels.LiveChatTranscript!.delivered, 1);
  assert.deepEqual([...env.tethr.captures.keys()].sort(), [...inWindow].sort());
  assert.deepEqual(env.tethr.rejected, []);
});

it('resumes from its cursor after an interruption, skipping nothing', async () => {
  const bundle = await readBundle(env.bundlePath);
  const out = join(env.dir, 'b2.ndjson');
  const cursorPath = join(env.dir, 'b2.cursor.json');
  const run = (signal: AbortSignal, onProgress?: (p: { done: number }) => void) =>
    runBackfill({
      bundle,
      session: new BundleSession(bundle),
      channels: ['Case'],
      since,
      until,
      sink: new NdjsonSink(out),
      deadLetters: new DeadLetterFile(join(env.dir, 'b2.dead.ndjson')),
      cursorPath,
      logger: silentLogger,
      signal,
      batchSize: 5,
      ...(onProgress ? { onProgress } : {})
    });
  const stop = new AbortController();
  const first = await run(stop.signal, ({ done }) => {
    if (done >= 10) stop.abort();
  });
  assert.equal(first.interrupted, true);
  const cursor = JSON.parse(await readFile(cursorPath, 'utf8')) as {
    channels: { Case: { after: string; done: boolean } };
  };
  assert.equal(cursor.channels.Case.done, false);
  const second = await run(new AbortController().signal);
  assert.equal(second.interrupted, false);
  const ids = new Set((await readNdjson(out)).map((l) => l.key));
  assert.equal(ids.size, 20);
  const resumedQuery = env.org.soql.filter((q) => q.startsWith('SELECT Id, ClosedDate FROM Case')).at(-1)!;
  assert.match(resumedQuery, new RegExp(`ClosedDate >= ${cursor.channels.Case.after.replace(/\./g, '\\.')}`));
});
