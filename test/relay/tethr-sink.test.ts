import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import type { OwnershipFence } from '../../scripts/relay/lease-lost.ts';
import { FencedSink } from '../../scripts/relay/sinks/fenced-sink.ts';
import { NdjsonSink } from '../../scripts/relay/sinks/ndjson-sink.ts';
import { silentLogger } from '../../scripts/relay/relay-logger.ts';
import { TethrSink } from '../../scripts/relay/sinks/tethr-sink.ts';
import { chatCapture } from '../../scripts/tethr/capture-model.ts';
import { TethrClient } from '../../scripts/tethr/tethr-client.ts';
import { FakeTethrServer } from '../servers/tethr/tethr-server.ts';
import { fenceLostWhen } from './helpers/fences.ts';

const item = (sessionId: string, valid = true) => ({
  kind: 'capture' as const,
  key: sessionId,
  eventId: `event-${sessionId}`,
  replayId: 'AAAAAQ==',
  capture: chatCapture({
    sessionId,
    utcStart: '2026-11-25T10:00:00.000Z',
    utcEnd: '2026-11-25T10:10:00.000Z',
    participants: [
      {
        referenceId: 'c1',
        type: 'Customer',
        messages: [
          { content: 'hi', utcTimestamp: valid ? '2026-11-25T10:01:00.000Z' : '2026-11-25T11:00:00.000Z' }
        ]
      }
    ]
  })
});

describe('TethrSink', () => {
  let tethr: FakeTethrServer;
  let dir: string;
  before(async () => {
    tethr = await new FakeTethrServer().start();
    dir = await mkdtemp(join(tmpdir(), 'tethr-sink-'));
  });
  after(async () => {
    await tethr.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const sink = (
    deadLetters: DeadLetterFile,
    signal?: AbortSignal,
    fence?: OwnershipFence,
    maxConcurrent?: number
  ) =>
    new TethrSink({
      client: new TethrClient({
        baseUrl: new URL(tethr.url),
        clientId: tethr.clientId,
        clientSecret: tethr.clientSecret,
        timeoutMs: 200
      }),
      deadLetters,
      logger: silentLogger,
      policy: { baseMs: 5, capMs: 20 },
      ...(signal ? { signal } : {}),
      ...(fence ? { fence } : {}),
      ...(maxConcurrent ? { maxConcurrent } : {})
    });

  it('retries 5xx, 429 and timeouts until Tethr takes the capture', async () => {
    tethr.faults.push({ status: 500 }, { status: 429 }, { delayMs: 500 }, { status: 503 });
    const s = sink(new DeadLetterFile(join(dir, 'a.ndjson')));
    assert.equal(await s.write(item('0Mw000000000001AAA')), 'delivered');
    assert.equal(s.retries, 4);
    assert.equal(tethr.captures.get('0Mw000000000001AAA')!.posts, 1);
  });

  it('writes a payload Tethr rejects to the dead-letter file (0600) and moves on', async () => {
    const deadLetters = new DeadLetterFile(join(dir, 'b.ndjson'));
    assert.equal(await sink(deadLetters).write(item('0Mw000000000002AAA', false)), 'dead-lettered');
    await deadLetters.close();
    const letter = JSON.parse(await readFile(deadLetters.path, 'utf8')) as Record<string, unknown>;
    assert.equal(letter.reason, 'tethr-rejected');
    assert.equal(letter.recordId, '0Mw000000000002AAA');
    assert.match(String(letter.detail), /HTTP 400/);
    assert.equal((await stat(deadLetters.path)).mode & 0o777, 0o600);
  });

  it('posts nothing more once the lease is lost mid-retry, and dead-letters nothing', async () => {
    const deadLetters = new DeadLetterFile(join(dir, 'fenced.ndjson'));
    tethr.faults.push({ status: 503 }, { status: 503 }, { status: 503 });
    const before = tethr.captureRequests;
    // the first attempt goes out; by the first retry another replica owns the org
    const fence = fenceLostWhen(() => tethr.captureRequests > before);
    const s = sink(deadLetters, undefined, fence);
    await assert.rejects(s.write(item('0Mw000000000004AAA')), { name: 'LeaseLostError' });
    assert.equal(tethr.captureRequests - before, 1);
    assert.equal(tethr.captures.has('0Mw000000000004AAA'), false);
    await deadLetters.close();
    await assert.rejects(stat(deadLetters.path), { code: 'ENOENT' });
    tethr.faults.length = 0;
  });

  it('does not post a capture that waited for a free slot while the lease was lost', async () => {
    let lost = false;
    const fence = fenceLostWhen(() => lost);
    const s = new FencedSink(sink(new DeadLetterFile(join(dir, 'slot.ndjson')), undefined, fence, 1), fence);
    tethr.faults.push({ delayMs: 150 });
    const before = tethr.captureRequests;
    const first = s.write(item('0Mw000000000005AAA'));
    const queued = s.write(item('0Mw000000000006AAA'));
    setTimeout(() => (lost = true), 50);
    assert.equal(await first, 'delivered');
    await assert.rejects(queued, { name: 'LeaseLostError' });
    assert.equal(tethr.captureRequests - before, 1);
    assert.equal(tethr.captures.has('0Mw000000000006AAA'), false);
    await assert.rejects(s.write(item('0Mw000000000007AAA')), { name: 'LeaseLostError' });
    assert.equal(tethr.captureRequests - before, 1);
  });

  it('refuses a batch after the lease is lost with a rejection, and writes none of it', async () => {
    let lost = false;
    const file = join(dir, 'fenced-batch.ndjson');
    const fence = fenceLostWhen(() => lost);
    const s = new FencedSink(new NdjsonSink(file), fence);
    assert.deepEqual(await s.writeBatch!([item('0Mw000000000008AAA')]), ['delivered']);
    lost = true;
    let batch: Promise<unknown> | undefined;
    assert.doesNotThrow(() => (batch = s.writeBatch!([item('0Mw000000000009AAA')])));
    await assert.rejects(batch!, { name: 'LeaseLostError' });
    await s.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /0Mw000000000008AAA/);
  });

  it('gives up only when shut down, leaving the event unacknowledged', async () => {
    const controller = new AbortController();
    tethr.faults.push(...Array.from({ length: 50 }, () => ({ status: 503 })));
    const pending = sink(new DeadLetterFile(join(dir, 'c.ndjson')), controller.signal).write(
      item('0Mw000000000003AAA')
    );
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(pending, /HTTP 503/);
    tethr.faults.length = 0;
  });
});
