import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHANNEL_REGISTRY, CHANNELS } from '../../scripts/contracts/channels.ts';
import type { SessionIdScheme } from '../../scripts/contracts/org-connection.ts';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import { silentLogger } from '../../scripts/relay/relay-logger.ts';
import { TethrSink } from '../../scripts/relay/sinks/tethr-sink.ts';
import { deliveryResender } from '../../scripts/relay/verify/resend.ts';
import { otherScheme, sessionIdOf, SessionIdSchemeMismatch } from '../../scripts/relay/verify/session-ids.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import type { VerifyResult } from '../../scripts/commands/verify.ts';
import { useTemporarySfHome } from '../commands/sf-home.ts';
import { runCommandAs, succeeded, type CommandRun } from '../commands/run-command.ts';
import { writeConnectionFile } from '../../scripts/org/connection-files.ts';
import { packagedConnectionFile } from '../org/fixtures.ts';
import { RelayEnv } from './helpers/relay-env.ts';
import { deliverNow, deliveryParts, schemeOfDelivered } from './helpers/verify-support.ts';

// `tethr-sf verify` against the local Salesforce and Tethr: a window where some sessions are
// complete, in progress, excluded, unknown to Tethr or rejected by it; the table, --json and
// --resend; status calls counted per batch.

const sfHome = await useTemporarySfHome();
const { default: Verify } = await import('../../scripts/commands/verify.ts');
const messages = loadMessages('verify');
const ORG_ID = '00D000000000001EAA';

let env: RelayEnv;
let scheme: SessionIdScheme;
let relayDeadLetters: string;
const sid = (recordId: string) => sessionIdOf(ORG_ID, recordId, scheme);

before(async () => {
  env = await new RelayEnv().start();
  Object.assign(process.env, env.tethrEnv);
  relayDeadLetters = join(env.dir, 'relay.dead-letters.ndjson');
});
after(async () => {
  await env.stop();
  await sfHome.restore();
});

async function verify(args: string[]): Promise<CommandRun<VerifyResult>> {
  return runVerify([
    '--credentials',
    env.bundlePath,
    '--dead-letter',
    relayDeadLetters,
    '--resend-dead-letter',
    join(env.dir, 'verify.dead-letters.ndjson'),
    '--session-id',
    scheme,
    ...args
  ]);
}

async function runVerify(argv: string[]): Promise<CommandRun<VerifyResult>> {
  return runCommandAs<VerifyResult>(Verify, argv);
}

/** The rows of a printed table: first cell -> the others. */
function tableRows(stdout: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const cells = line
      .split('│')
      .map((c) => c.trim())
      .filter(Boolean);
    if (cells.length >= 2) rows.set(cells[0]!, cells.slice(1));
  }
  return rows;
}

describe('a window with complete, in-progress, excluded, unknown and rejected sessions', () => {
  const now = Date.now();
  const since = new Date(now - 6 * 3_600_000).toISOString();
  const until = new Date(now - 5 * 3_600_000).toISOString();
  const at = (minutes: number) => now - 6 * 3_600_000 + minutes * 60_000;
  let cases: string[] = [];
  let session = '';
  let transcript = '';
  let rejected = '';
  let neverSent = '';

  before(async () => {
    cases = Array.from({ length: 7 }, (_, i) => env.org.addCase(at(i + 1)));
    session = env.org.addMessagingSession(at(20));
    transcript = env.org.addChatTranscript(at(30));
    env.org.addCase(now - 4 * 3_600_000); // after the window
    env.org.addCase(now - 7 * 3_600_000); // before it
    await deliverNow(env, 'Case', cases.slice(0, 5), relayDeadLetters);
    await deliverNow(env, 'MessagingSession', [session], relayDeadLetters);
    scheme = schemeOfDelivered(env, ORG_ID, cases[0]!);
    env.tethr.sessionStatuses.set(sid(cases[3]!), 'InProgress');
    env.tethr.sessionStatuses.set(sid(cases[4]!), 'Excluded');
    rejected = cases[6]!;
    env.tethr.refuseSessionIds.add(sid(rejected));
    await deliverNow(env, 'Case', [rejected], relayDeadLetters); // dead-lettered: tethr-rejected
    neverSent = cases[5]!;
    env.tethr.omitFromStatus.add(sid(transcript)); // Tethr returns no status for it
  });

  it('prints closed, complete, in progress, not found, unknown, excluded, dead-lettered and missing per channel', async () => {
    const requests = env.tethr.statusRequests;
    const run = await verify(['--since', since, '--until', until, '--batch-size', '3']);
    const result = succeeded(run);
    const rows = tableRows(run.stdout);
    //                                               closed complete inProgress notFound unknown excluded deadLettered missing
    assert.deepEqual(rows.get(CHANNEL_REGISTRY.Case.label), ['7', '3', '1', '2', '0', '1', '1', '2']);
    assert.deepEqual(rows.get(CHANNEL_REGISTRY.MessagingSession.label), [
      '1',
      '1',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0'
    ]);
    assert.deepEqual(rows.get(CHANNEL_REGISTRY.LiveChatTranscript.label), [
      '1',
      '0',
      '0',
      '0',
      '1',
      '0',
      '0',
      '1'
    ]);
    assert.deepEqual(rows.get(messages.getMessage('total')), ['9', '4', '1', '2', '1', '1', '1', '3']);
    assert.ok(
      run.stdout.includes(
        messages.getMessage('info.missing', [
          3,
          `--credentials ${env.bundlePath} --since ${since} --until ${until} `
        ])
      ),
      run.stdout
    );
    // Batched: 7 Cases in batches of 3, one session, one transcript = 5 status requests.
    assert.equal(env.tethr.statusRequests - requests, 5);
    assert.deepEqual(
      env.tethr.statusBatches.slice(-5).map((b) => b.length),
      [3, 3, 1, 1, 1]
    );
    assert.equal(result.tethrStatusCalls, 5);
    for (const channel of CHANNELS)
      assert.ok(
        run.stderr.includes(messages.getMessage('progress.check', [CHANNEL_REGISTRY[channel].label]))
      );
    assert.ok(!run.stderr.includes('Components'));
  });

  it('--json gives the same counts and the ids of the missing ones, with their dead letters', async () => {
    const result = succeeded(await verify(['--since', since, '--until', until, '--json']));
    assert.deepEqual(result.totals, {
      closed: 9,
      complete: 4,
      inProgress: 1,
      concluded: 0,
      notFound: 2,
      unknown: 1,
      excluded: 1,
      deadLettered: 1,
      missing: 3
    });
    assert.deepEqual(
      result.missing.map((m) => [m.channel, m.recordId, m.sessionId, m.status, m.deadLetter?.reason]),
      [
        ['Case', neverSent, sid(neverSent), 'NotFound', undefined],
        ['Case', rejected, sid(rejected), 'NotFound', 'tethr-rejected'],
        ['LiveChatTranscript', transcript, sid(transcript), 'Unknown', undefined]
      ]
    );
    assert.deepEqual(result.deadLetterSources, [{ source: relayDeadLetters, found: true }]);
    assert.equal(result.resend, undefined);
  });

  it('--resend sends the missing ones through the delivery path and says what is still missing and why', async () => {
    env.tethr.omitFromStatus.clear(); // Tethr answers for the transcript again
    const captures = env.tethr.captureRequests;
    const run = await verify(['--since', since, '--until', until, '--resend']);
    const result = succeeded(run);
    assert.equal(env.tethr.captureRequests - captures, 3, 'only the three missing ones are sent');
    assert.equal(env.tethr.captures.get(sid(neverSent))!.path, '/capture/v2/case');
    assert.equal(env.tethr.captures.get(sid(transcript))!.path, '/capture/v2/chat');
    assert.equal(env.tethr.captures.get(sid(cases[0]!))!.posts, 1, 'complete ones are not sent again');
    assert.equal(result.resend!.attempted, 3);
    assert.equal(result.resend!.recovered, 2);
    assert.deepEqual(
      result.resend!.stillMissing.map((m) => [m.recordId, m.why, m.reason]),
      [[rejected, 'dead-lettered', 'tethr-rejected']]
    );
    assert.match(result.resend!.stillMissing[0]!.detail!, /HTTP 400/);
    assert.ok(run.stdout.includes(messages.getMessage('info.resent', [3, 2, 1])), run.stdout);
    for (const secret of [env.tethr.clientSecret, env.oauth.clients[0]!.consumerSecret])
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'no secret in the output');
    const why = run.stdout.split('\n').find((line) => line.includes(rejected));
    assert.ok(why?.includes(messages.getMessage('why.dead-lettered', ['tethr-rejected', '']).trim()), why);
  });

  it('after the cause is fixed, --resend closes the gap and a second verify shows zero missing', async () => {
    env.tethr.refuseSessionIds.clear();
    const fixed = succeeded(await verify(['--since', since, '--until', until, '--resend', '--json']));
    assert.deepEqual(
      [fixed.resend!.attempted, fixed.resend!.recovered, fixed.resend!.stillMissing.length],
      [1, 1, 0]
    );
    const run = await verify(['--since', since, '--until', until]);
    const result = succeeded(run);
    assert.equal(result.totals.missing, 0);
    assert.deepEqual(result.missing, []);
    assert.equal(result.totals.closed, 9);
    assert.ok(run.stdout.includes(messages.getMessage('info.noneMissing')));
    // The rejected one keeps its dead letter (in the relay's file) though Tethr now holds it.
    assert.equal(result.totals.deadLettered, 1);
  });
});

describe('--connection', () => {
  it("reads a v2 connection file of the packaged app, signing in with Tethr's credential from TETHR_SF_*", async () => {
    const now = Date.now();
    const since = new Date(now - 6 * 3_600_000).toISOString();
    const until = new Date(now - 5 * 3_600_000).toISOString();
    const file = join(env.dir, 'packaged.connection.json');
    await writeConnectionFile(
      file,
      packagedConnectionFile(env.sf.url, {
        channels: [...CHANNELS],
        authFlow: 'client_credentials',
        namespace: ''
      })
    );
    process.env.TETHR_SF_CONSUMER_KEY = env.oauth.clients[0]!.consumerKey;
    process.env.TETHR_SF_CONSUMER_SECRET = env.oauth.clients[0]!.consumerSecret;
    try {
      const run = await runVerify([
        '--connection',
        file,
        '--since',
        since,
        '--until',
        until,
        '--session-id',
        scheme,
        '--json'
      ]);
      const result = succeeded(run);
      assert.equal(result.orgId, ORG_ID);
      assert.equal(result.totals.closed, 9);
      assert.equal(result.totals.missing, 0);
      const both = await runVerify(['--connection', file, '--credentials', env.bundlePath, '--since', since]);
      assert.match(both.error?.message ?? '', /--connection|--credentials/);
    } finally {
      delete process.env.TETHR_SF_CONSUMER_KEY;
      delete process.env.TETHR_SF_CONSUMER_SECRET;
    }
  });
});

describe('guards', () => {
  const now = Date.now();
  const since = new Date(now - 12 * 3_600_000).toISOString();
  const until = new Date(now - 11 * 3_600_000).toISOString();
  let delivered: string[] = [];
  before(async () => {
    delivered = [env.org.addCase(now - 11.5 * 3_600_000), env.org.addCase(now - 11.4 * 3_600_000)];
    await deliverNow(env, 'Case', delivered, relayDeadLetters);
    scheme = schemeOfDelivered(env, ORG_ID, delivered[0]!);
  });

  it('finds the scheme Tethr knows the sessions under when everything looks missing, and resends nothing', async () => {
    const captures = env.tethr.captureRequests;
    const run = await runVerify([
      '--credentials',
      env.bundlePath,
      '--dead-letter',
      relayDeadLetters,
      '--since',
      since,
      '--until',
      until,
      '--session-id',
      otherScheme(scheme),
      '--resend'
    ]);
    assert.equal(run.error?.name, 'SessionIdSchemeDetectedError');
    assert.equal(
      run.error?.message,
      messages.getMessage('error.SessionIdSchemeDetected', [scheme, sid(delivered[0]!), otherScheme(scheme)])
    );
    assert.deepEqual(
      run.error?.actions,
      messages.getMessages('error.SessionIdSchemeDetected.actions', [scheme])
    );
    assert.equal(env.tethr.captureRequests, captures);
  });

  it('stops a resend that would store a conversation a second time under the other scheme, before sending', async () => {
    // One session is (also) known under the other scheme, so the window does not look all-missing,
    // and the other one is known under this one: resending it under the other would duplicate it.
    const wrong = otherScheme(scheme);
    env.tethr.captures.set(sessionIdOf(ORG_ID, delivered[0]!, wrong), {
      path: '/capture/v2/case',
      body: {},
      posts: 1
    });
    const captures = env.tethr.captureRequests;
    const run = await runVerify([
      '--credentials',
      env.bundlePath,
      '--dead-letter',
      relayDeadLetters,
      '--resend-dead-letter',
      join(env.dir, 'guard.dead-letters.ndjson'),
      '--since',
      since,
      '--until',
      until,
      '--session-id',
      wrong,
      '--resend'
    ]);
    assert.equal(run.error?.name, 'ResendWouldDuplicateError', run.error?.message);
    assert.equal(
      run.error?.message,
      messages.getMessage('error.ResendWouldDuplicate', [1, scheme, sid(delivered[1]!), wrong])
    );
    assert.deepEqual(
      run.error?.actions,
      messages.getMessages('error.ResendWouldDuplicate.actions', [scheme])
    );
    assert.equal(env.tethr.captureRequests, captures, 'nothing sent under a second sessionId');
  });

  it("refuses a capture whose sessionId is not the one looked up (the delivery path's own guard)", async () => {
    const { connection, rest, client } = await deliveryParts(env);
    const signal = new AbortController().signal;
    const resender = deliveryResender({
      connection,
      rest,
      deadLetters: new DeadLetterFile(join(env.dir, 'mismatch.dead-letters.ndjson')),
      logger: silentLogger,
      policy: { baseMs: 10, capMs: 50 },
      signal,
      sessionIdScheme: 'org-and-record',
      makeSink: (deadLetters) => new TethrSink({ client, deadLetters, logger: silentLogger, signal })
    });
    const captures = env.tethr.captureRequests;
    await assert.rejects(
      resender.resend('Case', [{ recordId: delivered[1]!, sessionId: delivered[1]! }]),
      (error: Error) =>
        error instanceof SessionIdSchemeMismatch &&
        error.sent === sessionIdOf(ORG_ID, delivered[1]!, 'org-and-record')
    );
    assert.equal(env.tethr.captureRequests, captures);
  });

  it('retries a status request Tethr answers 503, and fails with the cause when Tethr refuses', async () => {
    env.tethr.statusFaults.push({ status: 503 }, { status: 429 });
    const result = succeeded(await verify(['--since', since, '--until', until, '--json']));
    assert.equal(result.totals.complete, 2);
    const saved = process.env.TETHR_API_CLIENT_SECRET;
    process.env.TETHR_API_CLIENT_SECRET = 'not-the-secret';
    try {
      const refused = await runVerify(['--credentials', env.bundlePath, '--since', since, '--until', until]);
      assert.equal(refused.error?.name, 'TethrStatusFailedError');
      assert.match(refused.error!.message, /token request failed with HTTP 400/);
    } finally {
      process.env.TETHR_API_CLIENT_SECRET = saved;
    }
  });

  it('needs the Tethr environment variables, and says which', async () => {
    const saved = process.env.TETHR_API_URL;
    delete process.env.TETHR_API_URL;
    try {
      const run = await runVerify(['--credentials', env.bundlePath, '--since', since]);
      assert.equal(run.error?.message, messages.getMessage('error.TethrEnvMissing', ['TETHR_API_URL']));
    } finally {
      process.env.TETHR_API_URL = saved;
    }
  });
});

describe('an org whose relay sends record-id session ids', () => {
  const now = Date.now();
  const since = new Date(now - 20 * 3_600_000).toISOString();
  const until = new Date(now - 19 * 3_600_000).toISOString();
  let delivered: string[] = [];
  let lost = '';
  before(async () => {
    delivered = [env.org.addCase(now - 19.8 * 3_600_000), env.org.addCase(now - 19.7 * 3_600_000)];
    lost = env.org.addCase(now - 19.6 * 3_600_000);
    await deliverNow(env, 'Case', delivered, relayDeadLetters, 'record-id');
  });

  it('--session-id record-id looks up and resends under the bare record ids', async () => {
    const args = ['--credentials', env.bundlePath, '--since', since, '--until', until, '--channels', 'Case'];
    const resent = succeeded(await runVerify([...args, '--session-id', 'record-id', '--resend', '--json']));
    assert.equal(resent.sessionIdScheme, 'record-id');
    assert.deepEqual(
      resent.missing.map((m) => [m.recordId, m.sessionId]),
      [[lost, lost]]
    );
    assert.equal(resent.resend!.recovered, 1);
    assert.ok(env.tethr.captures.has(lost), 'sent under the record id, as the relay would');
    assert.ok(!env.tethr.captures.has(sessionIdOf(ORG_ID, lost, 'org-and-record')));
    const again = succeeded(await runVerify([...args, '--session-id', 'record-id', '--json']));
    assert.equal(again.totals.missing, 0);
  });
});

describe('a long window', () => {
  it('shows progress per channel while it checks, in batches', async () => {
    const now = Date.now();
    const since = new Date(now - 30 * 3_600_000).toISOString();
    const until = new Date(now - 29 * 3_600_000).toISOString();
    for (let i = 0; i < 250; i += 1) env.org.addCase(now - 30 * 3_600_000 + i * 1000);
    const requests = env.tethr.statusRequests;
    const run = await verify(['--since', since, '--until', until, '--channels', 'Case']);
    const result = succeeded(run);
    assert.equal(result.totals.closed, 250);
    // 100 + 100 + 50, and one look-up of 20 under the other scheme: nothing in the window was
    // ever delivered, so verify checks it is not looking under the wrong sessionIds.
    assert.equal(env.tethr.statusRequests - requests, 4);
    assert.deepEqual(
      env.tethr.statusBatches.slice(-4).map((b) => b.length),
      [100, 100, 50, 20]
    );
    assert.match(run.stderr, /Check Cases in Tethr \| .* \| 250\/250 conversations/);
  });
});
