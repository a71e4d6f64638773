import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readNdjson, RelayEnv, waitFor } from './helpers/relay-env.ts';

// The real relay process (the command class in a child process) against the local Pub/Sub,
// Salesforce and Tethr servers.

describe('tethr-sf relay against the local servers', () => {
  let env: RelayEnv;
  before(async () => {
    env = await new RelayEnv().start();
  });
  after(async () => {
    await env.stop();
  });

  it('sends closed Cases, Messaging sessions and chat transcripts to Tethr, batched, and checkpoints', async () => {
    const now = Date.now();
    const cases = Array.from({ length: 30 }, (_, i) => env.org.addCase(now - i * 1000));
    const session = env.org.addMessagingSession(now);
    const transcript = env.org.addChatTranscript(now);
    const checkpoint = join(env.dir, 'transcripts.checkpoint.json');
    const relay = env.spawn('relay', env.relayArgs(['--checkpoint', checkpoint, '--sink', 'tethr']));
    await relay.waitForSubscriber(env.pubsub);
    env.publish([
      ...cases.map((recordId) => ({ recordId, objectType: 'Case' as const })),
      { recordId: session, objectType: 'MessagingSession' },
      { recordId: transcript, objectType: 'LiveChatTranscript' }
    ]);
    await waitFor(
      () => env.tethr.captures.size === 32,
      20_000,
      () =>
        `captures ${env.tethr.captures.size}, rejected ${JSON.stringify(env.tethr.rejected)}\n${relay.stderr.slice(-2000)}`
    );
    assert.deepEqual(env.tethr.rejected, []);
    const firstCase = env.tethr.captures.get(env.sessionId(cases[0]!))!;
    assert.equal(firstCase.path, '/capture/v2/case');
    const chat = env.tethr.captures.get(env.sessionId(transcript))!;
    assert.equal(chat.path, '/capture/v2/chat');
    assert.equal(env.tethr.captures.get(env.sessionId(session))!.path, '/capture/v2/chat');
    // 30 Cases in one IN query (plus one per other channel), not one call per Case.
    const caseQueries = env.org.soql.filter((q) => q.includes('FROM Case WHERE Id IN'));
    assert.ok(caseQueries.length <= 2, `case queries: ${caseQueries.length}`);
    // Bearer reused: one Tethr token for all captures.
    assert.equal(env.tethr.tokenRequests, 1);

    await relay.waitForLog((l) => l.msg === 'status'); // --status-interval 1
    relay.process.kill('SIGTERM');
    assert.equal(await relay.exited, 0, relay.stderr.slice(-1500));
    const stopped = relay.logs().find((l) => l.msg === 'relay stopped');
    assert.ok(stopped, 'logs a final status');
    const handled = relay.logs().filter((l) => l.msg === 'event handled');
    assert.equal(handled.length, 32);
    assert.ok(handled.every((l) => typeof l.latencyMs === 'number'));
    // Secrets never reach the logs.
    for (const secret of ['sf-consumer-secret-123', env.tethr.clientSecret, '00DFAKE!'])
      assert.ok(!relay.stderr.includes(secret), secret);
    const mode = (await stat(checkpoint)).mode & 0o777;
    assert.equal(mode, 0o600);
  });

  it('--mode events writes each event with replay id and UUID to ndjson and resumes from the checkpoint', async () => {
    const out = join(env.dir, 'events.ndjson');
    const checkpoint = join(env.dir, 'events.checkpoint.json');
    const args = env.relayArgs(['--mode', 'events', '--sink', `ndjson:${out}`, '--checkpoint', checkpoint]);
    let relay = env.spawn('relay', args);
    await relay.waitForSubscriber(env.pubsub);
    const first = env.publish(
      Array.from({ length: 10 }, (_, i) => ({
        recordId: `500${String(i).padStart(15, '0')}`,
        objectType: 'Case' as const
      }))
    );
    await waitFor(async () => (await readNdjson(out)).length === 10);
    relay.process.kill('SIGINT');
    assert.equal(await relay.exited, 0);
    // Published while the relay is down: must arrive after the restart (CUSTOM replay).
    const second = env.publish(
      Array.from({ length: 5 }, (_, i) => ({
        recordId: `500${String(100 + i).padStart(15, '0')}`,
        objectType: 'Case' as const
      }))
    );
    relay = env.spawn('relay', args);
    await waitFor(
      async () => (await readNdjson(out)).length === 15,
      20_000,
      () => relay.stderr.slice(-2000)
    );
    const lines = await readNdjson(out);
    assert.deepEqual(
      lines.map((l) => l.eventId),
      [...first, ...second].map((e) => e.id)
    );
    assert.equal(lines[0]!.replayId, first[0]!.replayId.toString('base64'));
    assert.equal((lines[0]!.fields as Record<string, unknown>).Object_Type__c, 'Case');
    const resumed = env.pubsub.fetchRequests.filter((r) => r.first).at(-1)!;
    assert.equal(resumed.preset, 'CUSTOM');
    assert.equal(resumed.replayId, first.at(-1)!.replayId.toString('base64'));
    assert.ok(env.pubsub.fetchRequests.every((r) => r.numRequested <= 100));
    relay.process.kill('SIGTERM');
    await relay.exited;
  });
});
