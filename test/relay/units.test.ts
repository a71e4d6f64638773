import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata, status } from '@grpc/grpc-js';
import avro from 'avsc';
import { backoffDelay, retry } from '../../scripts/relay/backoff.ts';
import { FileCheckpointStore } from '../../scripts/relay/checkpoint-store.ts';
import { Checkpointer } from '../../scripts/relay/checkpointer.ts';
import { toClosedEvent } from '../../scripts/relay/closed-event.ts';
import { OrderedAcknowledger } from '../../scripts/relay/ordered-acknowledger.ts';
import { classifyStreamError, REPLAY_ID_CORRUPTED } from '../../scripts/relay/pubsub-errors.ts';
import { redactFields } from '../../scripts/relay/relay-logger.ts';
import { SchemaCache } from '../../scripts/relay/schema-cache.ts';
import { NdjsonSink } from '../../scripts/relay/sinks/ndjson-sink.ts';
import { closedEventRecord, conversationClosedSchema } from '../servers/pubsub/conversation-closed-schema.ts';

const rid = (n: number) => Buffer.from([0, 0, 0, n]);

describe('OrderedAcknowledger', () => {
  it('moves the watermark only over an acknowledged prefix', () => {
    const acker = new OrderedAcknowledger();
    const seqs = [1, 2, 3, 4].map((n) => acker.track(rid(n)));
    assert.equal(acker.ack(seqs[2]!), false);
    assert.equal(acker.watermark, undefined);
    assert.equal(acker.ack(seqs[0]!), true);
    assert.deepEqual(acker.watermark, rid(1));
    assert.equal(acker.ack(seqs[1]!), true);
    assert.deepEqual(acker.watermark, rid(3), 'jumps over the already acknowledged third');
    assert.equal(acker.pending(), 1);
    assert.equal(acker.ack(seqs[1]!), false, 'a second ack is ignored');
  });

  it('stays correct across compaction with thousands of out-of-order acks', () => {
    const acker = new OrderedAcknowledger();
    const seqs = Array.from({ length: 5000 }, (_, i) => acker.track(Buffer.from(String(i))));
    for (let i = seqs.length - 1; i >= 0; i -= 2) acker.ack(seqs[i]!);
    assert.equal(acker.watermark, undefined);
    for (let i = 0; i < seqs.length; i += 2) acker.ack(seqs[i]!);
    assert.equal(acker.watermark!.toString(), '4999');
    assert.equal(acker.acknowledged, 5000);
    const later = acker.track(Buffer.from('x'));
    acker.ack(later);
    assert.equal(acker.watermark!.toString(), 'x');
  });

  it('takes a keepalive replay id only when nothing is in flight', () => {
    const acker = new OrderedAcknowledger();
    const seq = acker.track(rid(1));
    assert.equal(acker.idle(rid(9)), false);
    acker.ack(seq);
    assert.equal(acker.idle(rid(9)), true);
    assert.deepEqual(acker.watermark, rid(9));
  });
});

describe('checkpoint store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tethr-ckpt-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips the replay id as opaque bytes, mode 0600, atomically replaced', async () => {
    const store = new FileCheckpointStore(join(dir, 'a', 'c.json'));
    assert.equal(await store.read(), undefined);
    const replayId = Buffer.from([0xff, 0, 0x10, 0x80, 1, 2, 3, 4, 5]); // not a safe JS number
    await store.write({ topic: '/event/X__e', replayId, updatedAt: 'now', acknowledged: 3 });
    await store.write({ topic: '/event/X__e', replayId, updatedAt: 'now', acknowledged: 4 });
    const read = await store.read();
    assert.deepEqual(read!.replayId, replayId);
    assert.equal(read!.acknowledged, 4);
    assert.equal((await stat(store.path)).mode & 0o777, 0o600);
  });

  it('refuses a corrupt file with an action', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"half":');
    await assert.rejects(new FileCheckpointStore(path).read(), /Checkpoint file .* is unreadable/);
  });

  it('coalesces writes and reports what is committed', async () => {
    const store = new FileCheckpointStore(join(dir, 'co.json'));
    const acker = new OrderedAcknowledger();
    const committed: number[] = [];
    const checkpointer = new Checkpointer({
      store,
      acker,
      topic: 't',
      onCommitted: (n) => committed.push(n),
      onError: (error) => assert.fail(String(error))
    });
    for (let i = 0; i < 200; i += 1) {
      acker.ack(acker.track(rid(i % 250)));
      checkpointer.schedule();
    }
    await checkpointer.flush();
    assert.ok(store.writes < 10, `writes ${store.writes}`);
    assert.equal(committed.at(-1), 200);
    assert.equal((await store.read())!.acknowledged, 200);
  });

  it('gives up a final flush at its deadline when the store keeps failing, and stops retrying', async () => {
    let puts = 0;
    const failing = {
      location: 'broken store',
      writes: 0,
      read: () => Promise.resolve(undefined),
      put: () => {
        puts += 1;
        return Promise.reject(new Error('ENOSPC: no space left on device'));
      },
      sync: () => Promise.resolve(),
      close: () => Promise.resolve()
    };
    const acker = new OrderedAcknowledger();
    const errors: unknown[] = [];
    const checkpointer = new Checkpointer({
      store: failing,
      acker,
      topic: 't',
      onCommitted: () => assert.fail('nothing was written'),
      onError: (error) => errors.push(error)
    });
    acker.ack(acker.track(rid(1)));
    checkpointer.schedule();
    assert.equal(await checkpointer.flush(200), false);
    const afterDeadline = puts;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.ok(puts <= afterDeadline + 1, `kept retrying: ${afterDeadline} then ${puts}`);
    assert.ok(errors.length >= 1);
  });
});

describe('Avro decoding of Salesforce event schemas', () => {
  it('decodes long timestamps and ["null", T] unions, with and without the namespace', async () => {
    for (const namespace of ['', 'tethr'] as const) {
      const schema = conversationClosedSchema(namespace);
      let lookups = 0;
      const cache = new SchemaCache(async (id) => {
        lookups += 1;
        assert.equal(id, schema.id);
        return schema.json;
      });
      const record = closedEventRecord(
        {
          recordId: '500000000000001AAA',
          objectType: 'Case',
          closedAt: 1764095983000,
          caseId: null,
          channel: 'Email'
        },
        namespace
      );
      const payload = avro.Type.forSchema(JSON.parse(schema.json) as avro.Schema, {
        wrapUnions: false
      }).toBuffer(record);
      const [a, b] = await Promise.all([cache.type(schema.id), cache.type(schema.id)]);
      assert.equal(a, b);
      assert.equal(lookups, 1, 'one GetSchema per schema id');
      const fields = a!.type.fromBuffer(payload) as Record<string, unknown>;
      const event = toClosedEvent('uuid-1', schema.id, rid(1), fields);
      assert.equal(event.recordId, '500000000000001AAA');
      assert.equal(event.objectType, 'Case');
      assert.equal(event.closedAt, 1764095983000);
      assert.equal(event.caseId, null);
      assert.equal(event.channel, 'Email');
      assert.equal(typeof event.createdDate, 'number');
    }
  });

  it('a failed schema lookup is not cached', async () => {
    let calls = 0;
    const cache = new SchemaCache(async () => {
      calls += 1;
      if (calls === 1) throw new Error('UNAVAILABLE');
      return conversationClosedSchema().json;
    });
    await assert.rejects(cache.type('s'));
    await cache.type('s');
    assert.equal(calls, 2);
  });
});

describe('backoff', () => {
  it('is capped exponential with full jitter', () => {
    const policy = { baseMs: 100, capMs: 1000 };
    assert.equal(
      backoffDelay(0, policy, () => 1),
      100
    );
    assert.equal(
      backoffDelay(3, policy, () => 1),
      800
    );
    assert.equal(
      backoffDelay(10, policy, () => 1),
      1000
    );
    assert.equal(
      backoffDelay(10, policy, () => 0),
      0
    );
  });

  it('retries until success and honours a server minimum delay', async () => {
    let attempts = 0;
    const delays: number[] = [];
    const value = await retry(
      async () => {
        attempts += 1;
        if (attempts < 3) throw new Error('503');
        return 'ok';
      },
      {
        policy: { baseMs: 1, capMs: 2 },
        shouldRetry: () => true,
        minDelayMs: () => 5,
        onRetry: (_e, _a, d) => delays.push(d)
      }
    );
    assert.equal(value, 'ok');
    assert.deepEqual(delays, [5, 5]);
  });

  it('runs nothing when aborted before the first attempt', async () => {
    const controller = new AbortController();
    controller.abort();
    let attempts = 0;
    await assert.rejects(
      retry(
        () => {
          attempts += 1;
          return Promise.reject(new Error('down'));
        },
        { signal: controller.signal, shouldRetry: () => true }
      ),
      { name: 'RetryAbortedError' }
    );
    assert.equal(attempts, 0);
  });

  it('stops at once with the last error when aborted during a backoff', async () => {
    const controller = new AbortController();
    await assert.rejects(
      retry(
        () => {
          setImmediate(() => controller.abort());
          return Promise.reject(new Error('down'));
        },
        { signal: controller.signal, shouldRetry: () => true, policy: { baseMs: 60_000, capMs: 60_000 } }
      ),
      /down/
    );
  });

  it('ends the retries when beforeAttempt throws, without running the task again', async () => {
    let attempts = 0;
    await assert.rejects(
      retry(
        () => {
          attempts += 1;
          return Promise.reject(new Error('down'));
        },
        {
          shouldRetry: () => true,
          policy: { baseMs: 0, capMs: 0 },
          beforeAttempt: () => {
            if (attempts === 2) throw new Error('lease lost');
          }
        }
      ),
      /lease lost/
    );
    assert.equal(attempts, 2);
  });
});

describe('ndjson sink', () => {
  it('acknowledges after the line is on disk, group-committing concurrent writes, repairing a torn last line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tethr-ndjson-'));
    const path = join(dir, 'out.ndjson');
    await writeFile(path, '{"torn":');
    const sink = new NdjsonSink(path);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sink.write({ kind: 'event', key: String(i), line: `${JSON.stringify({ i })}\n` })
      )
    );
    assert.ok(sink.flushes <= 3, `flushes ${sink.flushes}`);
    await sink.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    assert.equal(lines[0], '{"torn":');
    assert.deepEqual(JSON.parse(lines[1]!), { i: 0 });
    assert.equal(lines.filter(Boolean).length, 51);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('ndjson sink, overlapping flushes', () => {
  it('keeps stream order when groups overlap and acknowledges each batch once it is on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tethr-ndjson-'));
    const path = join(dir, 'out.ndjson');
    const sink = new NdjsonSink(path);
    const acknowledged: number[] = [];
    const pending: Array<Promise<unknown>> = [];
    // Eight groups started in separate microtask runs, so their fdatasyncs overlap.
    for (let group = 0; group < 8; group += 1) {
      const items = Array.from({ length: 10 }, (_, i) => ({
        kind: 'event' as const,
        key: `${group}-${i}`,
        line: `${JSON.stringify({ n: group * 10 + i })}\n`
      }));
      pending.push(
        sink.writeBatch(items).then((outcomes) => {
          assert.deepEqual(outcomes, Array(10).fill('delivered'));
          acknowledged.push(group);
        })
      );
      await Promise.resolve();
      await Promise.resolve();
    }
    await Promise.all(pending);
    assert.deepEqual(acknowledged, [0, 1, 2, 3, 4, 5, 6, 7], 'acknowledged in the order written');
    assert.ok(sink.syncs >= 1 && sink.syncs <= sink.flushes, `syncs ${sink.syncs}, writes ${sink.flushes}`);
    await sink.close();
    const numbers = (await readFile(path, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { n: number }).n);
    assert.deepEqual(
      numbers,
      Array.from({ length: 80 }, (_, i) => i)
    );
    await rm(dir, { recursive: true, force: true });
  });
});

describe('checkpoint store, put and sync', () => {
  it('a put is readable at once (process crash safe); sync resolves after fdatasync', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tethr-ckpt-'));
    const store = new FileCheckpointStore(join(dir, 'c.json'));
    for (let n = 1; n <= 5; n += 1)
      await store.put({ topic: 't', replayId: rid(n), updatedAt: 'now', acknowledged: n });
    // Read by another store, as a restarted process would.
    const read = await new FileCheckpointStore(store.path).read();
    assert.deepEqual(read!.replayId, rid(5));
    assert.equal(read!.acknowledged, 5);
    await Promise.all([store.sync(), store.sync()]);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('pub/sub errors', () => {
  it('classifies stream errors by gRPC status and Pub/Sub error-code trailer', () => {
    const error = (code: status, errorCode?: string) => {
      const metadata = new Metadata();
      if (errorCode) metadata.set('error-code', errorCode);
      return Object.assign(new Error('x'), { code, metadata });
    };
    assert.equal(classifyStreamError(error(status.INVALID_ARGUMENT, REPLAY_ID_CORRUPTED)), 'invalid-replay');
    assert.equal(classifyStreamError(error(status.UNAUTHENTICATED)), 'auth');
    assert.equal(classifyStreamError(error(status.PERMISSION_DENIED)), 'fatal');
    assert.equal(classifyStreamError(error(status.UNAVAILABLE)), 'transient');
    assert.equal(classifyStreamError(error(status.INTERNAL)), 'transient');
  });
});

describe('log redaction', () => {
  it('replaces values under credential-like keys, at any depth', () => {
    assert.deepEqual(
      redactFields({ accessToken: 'a', nested: { client_secret: 'b', ok: 1 }, password: 'c', msg: 'fine' }),
      {
        accessToken: '[redacted]',
        nested: { client_secret: '[redacted]', ok: 1 },
        password: '[redacted]',
        msg: 'fine'
      }
    );
  });
});
