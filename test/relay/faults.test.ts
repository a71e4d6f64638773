import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Channel } from '../../scripts/contracts/channels.ts';
import { fromCredentialsBundle } from '../../scripts/contracts/org-connection.ts';
import { BundleSession } from '../../scripts/org/bundle-auth.ts';
import { readBundle } from '../../scripts/org/credentials-bundle.ts';
import { FileCheckpointStore } from '../../scripts/relay/checkpoint-store.ts';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import { parsePubSubEndpoint } from '../../scripts/relay/pubsub-endpoint.ts';
import { jsonLogger } from '../../scripts/relay/relay-logger.ts';
import { runRelay, type RelaySummary } from '../../scripts/relay/relay-runner.ts';
import { TethrSink } from '../../scripts/relay/sinks/tethr-sink.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { TethrClient } from '../../scripts/tethr/tethr-client.ts';
import { RelayEnv, waitFor } from './helpers/relay-env.ts';

// Faults while the relay runs (in-process here, with short timeouts and backoff so the test is
// quick): Tethr down (5xx, timeouts), 401 from Tethr and from Salesforce (REST and Pub/Sub),
// the stream dropped, Salesforce 503s, an undecodable event and a payload Tethr rejects.
// Nothing may be lost and nothing may stay stuck.

let env: RelayEnv;
before(async () => {
  env = await new RelayEnv().start({ keepaliveMs: 200 });
});
after(async () => {
  await env.stop();
});

function startRelay(extra: {
  checkpoint: string;
  deadLetters: string;
  onInvalidReplay?: 'earliest' | 'latest' | 'fail';
  startAt?: 'earliest' | 'latest';
  channels?: Channel[];
}) {
  const stop = new AbortController();
  const hardStop = new AbortController();
  const logs: string[] = [];
  const logger = jsonLogger({ write: (line) => logs.push(line) });
  const deadLetters = new DeadLetterFile(extra.deadLetters);
  const policy = { baseMs: 20, capMs: 200 };
  const done = readBundle(env.bundlePath).then((bundle) =>
    runRelay({
      connection: {
        ...fromCredentialsBundle(bundle),
        ...(extra.channels ? { channels: extra.channels } : {})
      },
      session: new BundleSession(bundle),
      mode: 'transcripts',
      sink: new TethrSink({
        client: new TethrClient({
          baseUrl: new URL(env.tethr.url),
          clientId: env.tethr.clientId,
          clientSecret: env.tethr.clientSecret,
          timeoutMs: 300
        }),
        deadLetters,
        logger,
        policy,
        signal: hardStop.signal
      }),
      deadLetters,
      checkpointPath: extra.checkpoint,
      endpoint: parsePubSubEndpoint(env.pubsub.url),
      logger,
      signal: stop.signal,
      stopRetries: hardStop,
      backoff: policy,
      lingerMs: 20,
      statusIntervalMs: 200,
      ...(extra.onInvalidReplay ? { onInvalidReplay: extra.onInvalidReplay } : {}),
      ...(extra.startAt ? { startAt: extra.startAt } : {})
    })
  );
  return {
    stop: () => stop.abort(),
    done: done as Promise<RelaySummary>,
    logs: () =>
      logs
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
  };
}

it('loses nothing and gets stuck nowhere through Tethr, Salesforce and stream faults', async () => {
  const now = Date.now();
  const cases = Array.from({ length: 40 }, (_, i) => env.org.addCase(now - i * 1000));
  const refused = cases[7]!;
  env.tethr.refuseSessionIds.add(env.sessionId(refused));
  const checkpoint = join(env.dir, 'faults.checkpoint.json');
  const deadLetterPath = join(env.dir, 'faults.dead-letters.ndjson');
  const relay = startRelay({ checkpoint, deadLetters: deadLetterPath });
  await waitFor(() => env.pubsub.activeStreams === 1);

  // Tethr down: five 503s and two stalls longer than the client's timeout.
  env.tethr.faults.push(
    { status: 503 },
    { status: 503 },
    { delayMs: 1000 },
    { status: 502 },
    { status: 503 },
    { delayMs: 1000 },
    { status: 429 }
  );
  env.publish(cases.slice(0, 10).map((recordId) => ({ recordId, objectType: 'Case' })));
  await waitFor(
    () => env.tethr.captures.size >= 9,
    15_000,
    () => `captures ${env.tethr.captures.size}`
  );

  // 401 from Tethr (token revoked) and from Salesforce (REST 401 and Pub/Sub UNAUTHENTICATED).
  env.tethr.revokeTokens();
  env.revokeSalesforceTokens();
  await waitFor(() => env.pubsub.activeStreams === 1, 10_000);
  env.publish(cases.slice(10, 20).map((recordId) => ({ recordId, objectType: 'Case' })));
  await waitFor(
    () => env.tethr.captures.size >= 19,
    15_000,
    () => `captures ${env.tethr.captures.size}`
  );

  // Salesforce 503s on the fetch, a malformed event, then the stream dropped mid-flow.
  env.org.failNext = 3;
  env.pubsub.publishRaw([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01])]);
  env.publish(cases.slice(20, 30).map((recordId) => ({ recordId, objectType: 'Case' })));
  env.pubsub.dropStreams();
  env.publish(cases.slice(30).map((recordId) => ({ recordId, objectType: 'Case' })));
  await waitFor(
    () => env.tethr.captures.size === 39,
    15_000,
    () => `captures ${env.tethr.captures.size}`
  );

  // Everything handled: the checkpoint reaches the last event (nothing stuck behind a fault).
  const last = env.pubsub.events.at(-1)!.replayId;
  await waitFor(
    async () => (await new FileCheckpointStore(checkpoint).read())?.replayId.equals(last) ?? false,
    10_000,
    () => 'checkpoint did not reach the last event'
  );
  relay.stop();
  const summary = await relay.done;

  for (const id of cases)
    if (id !== refused) assert.ok(env.tethr.captures.has(env.sessionId(id)), `capture of ${id}`);
  assert.equal(summary.received, 41);
  assert.equal(summary.delivered, 39);
  assert.equal(summary.deadLettered, 2);
  const letters = (await readFile(deadLetterPath, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(letters.map((l) => l.reason).sort(), ['tethr-rejected', 'undecodable-event']);
  assert.equal(letters.find((l) => l.reason === 'tethr-rejected')!.recordId, refused);
  assert.ok(summary.reconnects >= 2, `reconnects ${summary.reconnects}`);
  const logs = relay.logs();
  assert.ok(logs.some((l) => l.msg === 'tethr capture failed, retrying'));
  assert.ok(logs.some((l) => l.msg === 'salesforce fetch failed, retrying'));
  assert.ok(logs.some((l) => l.msg === 'pub/sub rejected the access token; requesting a new one'));
  const text = JSON.stringify(logs);
  for (const secret of [env.tethr.clientSecret, 'sf-consumer-secret-123', '00DFAKE!'])
    assert.ok(!text.includes(secret), `log leaks ${secret}`);
});

it('falls back to EARLIEST, loudly, when the stored replay id is past retention', async () => {
  const checkpoint = join(env.dir, 'stale.checkpoint.json');
  const stale = env.pubsub.events[0]!.replayId;
  await new FileCheckpointStore(checkpoint).write({
    topic: '/event/Conversation_Closed__e',
    replayId: stale,
    updatedAt: '2026-11-01T00:00:00.000Z',
    acknowledged: 1
  });
  const fresh = env.org.addCase(Date.now());
  env.publish([{ recordId: fresh, objectType: 'Case' }]);
  env.pubsub.retainedFrom = env.pubsub.events.length - 1; // only the newest event is retained
  const relay = startRelay({ checkpoint, deadLetters: join(env.dir, 'stale.dead-letters.ndjson') });
  await waitFor(() => env.tethr.captures.has(env.sessionId(fresh)), 15_000);
  relay.stop();
  await relay.done;
  const loud = relay
    .logs()
    .find((l) => l.level === 'error' && String(l.msg).includes('STORED REPLAY ID REJECTED'));
  assert.ok(loud, 'logs the rejected replay id as an error');
  // The action names the saved checkpoint's time as the backfill's start.
  assert.equal(
    loud.action,
    loadMessages('relay').getMessage('action.BackfillTheGap', ['2026-11-01T00:00:00.000Z', 'EARLIEST'])
  );
  assert.equal(loud.savedAt, '2026-11-01T00:00:00.000Z');
  const resubscribe = env.pubsub.fetchRequests.filter((r) => r.first).slice(-2);
  assert.deepEqual(
    resubscribe.map((r) => r.preset),
    ['CUSTOM', 'EARLIEST']
  );
});

it('acknowledges events of a channel the connection leaves out, warning once per channel', async () => {
  const now = Date.now();
  const sessions = [1, 2, 3].map((i) => env.org.addMessagingSession(now - i * 1000));
  const kase = env.org.addCase(now);
  const checkpoint = join(env.dir, 'channel-off.checkpoint.json');
  const relay = startRelay({
    checkpoint,
    deadLetters: join(env.dir, 'channel-off.dead-letters.ndjson'),
    startAt: 'latest',
    channels: ['Case']
  });
  await waitFor(() => env.pubsub.activeStreams === 1);
  env.publish([
    ...sessions.map((recordId) => ({ recordId, objectType: 'MessagingSession' as const })),
    { recordId: kase, objectType: 'Case' as const }
  ]);
  await waitFor(() => env.tethr.captures.has(env.sessionId(kase)), 15_000);
  relay.stop();
  const summary = await relay.done;
  assert.equal(summary.skipped, 3);
  assert.ok(sessions.every((id) => !env.tethr.captures.has(env.sessionId(id))));
  const warnings = relay.logs().filter((l) => l.level === 'warn' && l.objectType === 'MessagingSession');
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.deepEqual(warnings[0]!.channels, ['Case']);
  assert.equal(warnings[0]!.action, loadMessages('relay').getMessage('action.ChannelNotInConnection'));
});
