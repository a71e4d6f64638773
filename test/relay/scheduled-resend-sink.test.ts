import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import type { OwnershipFence } from '../../scripts/relay/lease-lost.ts';
import { silentLogger } from '../../scripts/relay/relay-logger.ts';
import { scheduledResendSink } from '../../scripts/relay/service/scheduled-verify.ts';
import { chatCapture } from '../../scripts/tethr/capture-model.ts';
import { TethrClient } from '../../scripts/tethr/tethr-client.ts';
import { FakeTethrServer } from '../servers/tethr/tethr-server.ts';
import { fenceLostWhen } from './helpers/fences.ts';

// The scheduled reconciliation's resends go to Tethr only while this replica holds the org's
// lease: checked before the write and before every Tethr attempt, so a resend that waits out a
// 503 while the lease is lost (a paused replica, another replica took the org) posts nothing more.

let tethr: FakeTethrServer;
let dir: string;
before(async () => {
  tethr = await new FakeTethrServer().start();
  dir = await mkdtemp(join(tmpdir(), 'scheduled-resend-'));
});
after(async () => {
  await tethr.stop();
  await rm(dir, { recursive: true, force: true });
});

const item = (sessionId: string) => ({
  kind: 'capture' as const,
  key: sessionId,
  eventId: 'scheduled-verify',
  replayId: '',
  capture: chatCapture({
    sessionId,
    utcStart: '2026-11-25T10:00:00.000Z',
    utcEnd: '2026-11-25T10:10:00.000Z',
    participants: [
      {
        referenceId: 'c1',
        type: 'Customer',
        messages: [{ content: 'hi', utcTimestamp: '2026-11-25T10:01:00.000Z' }]
      }
    ]
  })
});

function sink(deadLetters: DeadLetterFile, lease: OwnershipFence) {
  return scheduledResendSink({
    client: new TethrClient({
      baseUrl: new URL(tethr.url),
      clientId: tethr.clientId,
      clientSecret: tethr.clientSecret,
      timeoutMs: 500
    }),
    deadLetters,
    logger: silentLogger,
    policy: { baseMs: 5, capMs: 20 },
    signal: new AbortController().signal,
    tethrConcurrency: 8,
    lease
  });
}

it('posts nothing more once the lease is lost while a resend retries a 503', async () => {
  const deadLetters = new DeadLetterFile(join(dir, 'retry.ndjson'));
  tethr.faults.push({ status: 503 }, { status: 503 }, { status: 503 });
  const before = tethr.captureRequests;
  // the first attempt goes out; by its retry another replica owns the org
  const lease = fenceLostWhen(() => tethr.captureRequests > before);
  await assert.rejects(sink(deadLetters, lease).write(item('00D000000000001:5005g000000001AAA')), {
    name: 'LeaseLostError'
  });
  assert.equal(tethr.captureRequests - before, 1, 'the retry was not sent');
  await deadLetters.close();
  await assert.rejects(stat(deadLetters.path), { code: 'ENOENT' }, 'and nothing was dead-lettered');
  tethr.faults.length = 0;
});

it('writes nothing when the lease is already gone, and delivers while it holds', async () => {
  const deadLetters = new DeadLetterFile(join(dir, 'gone.ndjson'));
  let lost = true;
  const lease = fenceLostWhen(() => lost);
  const s = sink(deadLetters, lease);
  const before = tethr.captureRequests;
  await assert.rejects(s.write(item('00D000000000001:5005g000000002AAA')), { name: 'LeaseLostError' });
  assert.equal(tethr.captureRequests, before);
  lost = false;
  assert.equal(await s.write(item('00D000000000001:5005g000000003AAA')), 'delivered');
  assert.equal(tethr.captures.get('00D000000000001:5005g000000003AAA')!.posts, 1);
  await s.close();
});
