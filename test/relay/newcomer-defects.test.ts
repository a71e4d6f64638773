import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fromCredentialsBundle } from '../../scripts/contracts/org-connection.ts';
import { BundleSession } from '../../scripts/org/bundle-auth.ts';
import { readBundle } from '../../scripts/org/credentials-bundle.ts';
import { FileCheckpointStore } from '../../scripts/relay/checkpoint-store.ts';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import { parsePubSubEndpoint } from '../../scripts/relay/pubsub-endpoint.ts';
import { jsonLogger } from '../../scripts/relay/relay-logger.ts';
import { runRelay } from '../../scripts/relay/relay-runner.ts';
import { NdjsonSink } from '../../scripts/relay/sinks/ndjson-sink.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { freePort } from './helpers/ports.ts';
import { readNdjson, RelayEnv, spawnMain, waitFor } from './helpers/relay-env.ts';

// Defects a newcomer hit with the single-org relay (issue 12), each tested the way it was seen:
//  6  "subscribed" logged before any connection existed (a closed port alternated it with failures)
//  7  a bad Tethr URL noticed only per event, without the DNS cause; a Salesforce URL as the
//     example; Ctrl-C waiting the whole drain for deliveries that could not progress
//  8  a checkpoint named .json that is not JSON, no way to read it, a rejection without the time
// 13  events mode writing CreatedDate as epoch milliseconds

const messages = loadMessages('relay');
let env: RelayEnv;
before(async () => {
  env = await new RelayEnv().start({ keepaliveMs: 300 });
});
after(async () => {
  await env.stop();
});

function collect() {
  const text: string[] = [];
  return {
    logger: jsonLogger({ write: (chunk) => text.push(chunk) }),
    lines: () =>
      text
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
  };
}

describe('defect 6: "subscribed" only once Pub/Sub answered', () => {
  it('never logs "subscribed" against a closed port, and logs it after the server accepted the stream', async () => {
    const bundle = await readBundle(env.bundlePath);
    const log = collect();
    const stop = new AbortController();
    const run = runRelay({
      connection: fromCredentialsBundle(bundle),
      session: {
        token: async () => ({ accessToken: 'x', instanceUrl: env.sf.url, issuedAt: 0 }),
        invalidate() {},
        request: () => Promise.reject(new Error('unused'))
      },
      mode: 'events',
      sink: new NdjsonSink(join(env.dir, 'closed.ndjson')),
      deadLetters: new DeadLetterFile(join(env.dir, 'closed.dead.ndjson')),
      checkpointPath: join(env.dir, 'closed.checkpoint'),
      // a port that was free a moment ago: nothing listens there
      endpoint: parsePubSubEndpoint(`http://127.0.0.1:${await freePort()}`),
      logger: log.logger,
      signal: stop.signal,
      backoff: { baseMs: 20, capMs: 100 },
      limitsIntervalMs: 0
    });
    await waitFor(
      () => log.lines().filter((l) => l.msg === 'pub/sub did not answer; retrying with backoff').length >= 3,
      10_000
    );
    stop.abort();
    await run;
    assert.equal(
      log.lines().filter((l) => l.msg === 'subscribed').length,
      0,
      'no "subscribed" without a server'
    );

    const live = collect();
    const liveStop = new AbortController();
    const liveRun = runRelay({
      connection: fromCredentialsBundle(bundle),
      session: new BundleSession(bundle),
      mode: 'events',
      sink: new NdjsonSink(join(env.dir, 'live.ndjson')),
      deadLetters: new DeadLetterFile(join(env.dir, 'live.dead.ndjson')),
      checkpointPath: join(env.dir, 'live.checkpoint'),
      endpoint: parsePubSubEndpoint(env.pubsub.url),
      logger: live.logger,
      signal: liveStop.signal,
      limitsIntervalMs: 0
    });
    await waitFor(() => live.lines().some((l) => l.msg === 'subscribed'), 10_000);
    assert.ok(
      env.pubsub.activeStreams >= 1,
      'the server holds the stream by the time "subscribed" is logged'
    );
    liveStop.abort();
    await liveRun;
  });
});

describe('defect 7: the Tethr side checked at start', () => {
  it('a Tethr URL that does not resolve stops the start at once, naming the DNS cause', async () => {
    const relay = env.spawn(
      'relay',
      env.relayArgs(['--checkpoint', join(env.dir, 'dns.checkpoint'), '--json']),
      {
        TETHR_API_URL: 'https://tethr.invalid'
      }
    );
    assert.equal(await relay.exited, 1);
    const result = JSON.parse(relay.stdout) as { name: string; message: string; actions: string[] };
    assert.equal(result.name, 'TethrUnreachableError');
    assert.equal(
      result.message,
      messages.getMessage('error.TethrUnreachable', [
        'https://tethr.invalid',
        'getaddrinfo ENOTFOUND tethr.invalid'
      ])
    );
    assert.deepEqual(result.actions, messages.getMessages('error.TethrUnreachable.actions'));
    assert.ok(!relay.stderr.includes('"msg":"subscribed"'), 'it never subscribed');
  });

  it('refused Tethr credentials stop the start with the cause', async () => {
    const relay = env.spawn(
      'relay',
      env.relayArgs(['--checkpoint', join(env.dir, 'cred.checkpoint'), '--json']),
      {
        TETHR_API_CLIENT_SECRET: 'wrong'
      }
    );
    assert.equal(await relay.exited, 1);
    const result = JSON.parse(relay.stdout) as { message: string };
    assert.equal(
      result.message,
      messages.getMessage('error.TethrCredentialsRefused', [env.tethr.url, 'HTTP 400'])
    );
    assert.ok(!relay.stderr.includes(env.tethr.clientSecret));
  });

  it('an invalid TETHR_API_URL gets a Tethr URL as its example', async () => {
    for (const [value, key] of [
      ['not a url', 'error.TethrUrlInvalid'],
      ['http://tethr.example.com', 'error.TethrUrlInsecure']
    ] as const) {
      const relay = env.spawn(
        'relay',
        env.relayArgs(['--checkpoint', join(env.dir, 'url.checkpoint'), '--json']),
        { TETHR_API_URL: value }
      );
      assert.equal(await relay.exited, 1);
      const result = JSON.parse(relay.stdout) as { actions: string[] };
      assert.deepEqual(result.actions, messages.getMessages(`${key}.actions`));
      assert.ok(
        result.actions.every(
          (a) => a.includes('https://yourcompany.Audio.Tethr.com') && !a.includes('salesforce.com')
        )
      );
    }
  });

  it('Ctrl-C does not wait out the drain for a delivery that cannot progress', async () => {
    const caseId = env.org.addCase(Date.now());
    const checkpoint = join(env.dir, 'stuck.checkpoint');
    const relay = env.spawn('relay', env.relayArgs(['--checkpoint', checkpoint]));
    await relay.waitForSubscriber(env.pubsub);
    for (let i = 0; i < 500; i += 1) env.tethr.faults.push({ status: 503 });
    env.publish([{ recordId: caseId, objectType: 'Case' }]);
    await relay.waitForLog((l) => l.msg === 'tethr capture failed, retrying', 15_000);
    const stoppedAt = Date.now();
    relay.process.kill('SIGINT');
    assert.equal(await relay.exited, 0, relay.stderr.slice(-2000));
    const tookMs = Date.now() - stoppedAt;
    env.tethr.faults.length = 0;
    assert.ok(tookMs < 10_000, `stopped after ${tookMs} ms, not the 30 s drain`);
    assert.ok(!relay.logs().some((l) => String(l.msg).startsWith('drain timeout')));
    const saved = await new FileCheckpointStore(checkpoint).read();
    const event = env.pubsub.events.at(-1)!;
    assert.ok(!saved || !saved.replayId.equals(event.replayId), 'the undelivered event stays unacknowledged');
  });
});

describe('a stop during the start', () => {
  it('SIGTERM while the relay reads files and takes its lock ends it, with the lock released', async () => {
    const checkpoint = join(env.dir, 'early-stop.checkpoint');
    for (let round = 0; round < 3; round += 1) {
      const relay = env.spawn('relay', env.relayArgs(['--checkpoint', checkpoint]));
      // As soon as the lock exists: the relay is still starting (token, subscription to come).
      await waitFor(
        () =>
          access(`${checkpoint}.lock`).then(
            () => true,
            () => false
          ),
        20_000
      );
      relay.process.kill('SIGTERM');
      const exited = await Promise.race([
        relay.exited,
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref())
      ]);
      if (exited === 'hung') relay.process.kill('SIGKILL');
      assert.equal(exited, 0, `round ${round}: ${relay.stderr.slice(-2000)}`);
      await assert.rejects(access(`${checkpoint}.lock`), { code: 'ENOENT' });
    }
  });
});

describe('defect 8: a readable checkpoint', () => {
  it('names the default checkpoint .checkpoint, renames the old .json name, and `relay checkpoint show` prints it', async () => {
    const { dir } = env;
    const legacy = join(dir, '.tethr', `relay-${env.orgId}.checkpoint.json`);
    const current = join(dir, '.tethr', `relay-${env.orgId}.checkpoint`);
    const out = join(dir, 'names.ndjson');
    // A checkpoint under the old default name (as a relay before this change wrote it).
    const first = env.spawn(
      'relay',
      env.relayArgs(['--mode', 'events', '--sink', `ndjson:${out}`, '--checkpoint', legacy])
    );
    await first.waitForSubscriber(env.pubsub);
    env.publish([{ recordId: '500000000000777AAA', objectType: 'Case' }]);
    await waitFor(async () => (await readNdjson(out)).length === 1);
    first.process.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    const relay = env.spawn('relay', env.relayArgs(['--mode', 'events', '--sink', `ndjson:${out}`]));
    await relay.waitForLog((l) => String(l.msg).startsWith('checkpoint renamed'));
    relay.process.kill('SIGTERM');
    assert.equal(await relay.exited, 0);
    await assert.rejects(access(legacy));
    const saved = (await new FileCheckpointStore(current).read())!;

    const run = async (args: string[]) => {
      const child = spawnMain(['checkpoint:show', ...args], { cwd: dir });
      return { code: await child.exited, stdout: child.stdout };
    };
    const json = await run([current, '--json']);
    assert.equal(json.code, 0);
    const view = (JSON.parse(json.stdout) as { result: Array<Record<string, unknown>> }).result[0]!;
    assert.equal(view.replayId, saved.replayId.toString('base64'));
    assert.equal(view.updatedAt, saved.updatedAt);
    assert.equal(view.topic, '/event/Conversation_Closed__e');
    assert.equal(view.backfillCommand, messages.getMessage('command.BackfillSince', [saved.updatedAt]));
    const human = await run([current]);
    assert.ok(
      human.stdout.includes(saved.updatedAt) && human.stdout.includes(saved.replayId.toString('base64'))
    );
    assert.ok(human.stdout.includes(String(view.backfillCommand)));
  });

  it('the "replay id rejected" error names the time the checkpoint was saved', async () => {
    const checkpoint = join(env.dir, 'rejected.checkpoint');
    await new FileCheckpointStore(checkpoint).write({
      topic: '/event/Conversation_Closed__e',
      replayId: Buffer.from([9, 9, 9, 9, 9, 9, 9, 9]),
      updatedAt: '2026-11-20T08:15:00.000Z',
      acknowledged: 10
    });
    const relay = env.spawn(
      'relay',
      env.relayArgs([
        '--checkpoint',
        checkpoint,
        '--on-invalid-replay',
        'fail',
        '--json',
        '--sink',
        `ndjson:${join(env.dir, 'rej.ndjson')}`
      ])
    );
    assert.equal(await relay.exited, 1);
    const result = JSON.parse(relay.stdout) as { message: string; actions: string[] };
    assert.equal(result.message, messages.getMessage('error.ReplayIdRejected', ['2026-11-20T08:15:00.000Z']));
    assert.deepEqual(
      result.actions,
      messages.getMessages('error.ReplayIdRejected.actions', ['2026-11-20T08:15:00.000Z'])
    );
  });
});

describe('defect 13: events mode times in ISO 8601 UTC', () => {
  it('writes CreatedDate and other DateTime fields as ISO 8601, not epoch milliseconds', async () => {
    const out = join(env.dir, 'iso.ndjson');
    const relay = env.spawn(
      'relay',
      env.relayArgs([
        '--mode',
        'events',
        '--sink',
        `ndjson:${out}`,
        '--checkpoint',
        join(env.dir, 'iso.checkpoint')
      ])
    );
    await relay.waitForSubscriber(env.pubsub);
    const closedAt = Date.parse('2026-11-25T18:39:43.123Z');
    env.publish([{ recordId: '500000000000123AAA', objectType: 'Case', closedAt }]);
    await waitFor(async () => (await readNdjson(out)).length === 1);
    relay.process.kill('SIGTERM');
    await relay.exited;
    const fields = (await readNdjson(out))[0]!.fields as Record<string, unknown>;
    assert.equal(fields.CreatedDate, '2026-11-25T18:39:43.123Z');
    assert.equal(fields.Closed_At__c, '2026-11-25T18:39:43.123Z');
    assert.equal(fields.Record_Id__c, '500000000000123AAA');
  });
});
