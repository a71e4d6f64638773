import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHANNEL_REGISTRY, CHANNELS } from '../../scripts/contracts/channels.ts';
import { fromCredentialsBundle } from '../../scripts/contracts/org-connection.ts';
import { BundleSession, SalesforceApiError } from '../../scripts/org/bundle-auth.ts';
import { readBundle } from '../../scripts/org/credentials-bundle.ts';
import { runBackfill, type BackfillOptions } from '../../scripts/relay/backfill-runner.ts';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import type { SalesforceRest } from '../../scripts/relay/fetchers/salesforce-rest.ts';
import { silentLogger } from '../../scripts/relay/relay-logger.ts';
import { NdjsonSink } from '../../scripts/relay/sinks/ndjson-sink.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { useTemporarySfHome } from '../commands/sf-home.ts';
import { runCommand } from '../commands/run-command.ts';
import { writeConnectionFile } from '../../scripts/org/connection-files.ts';
import { packagedConnectionFile } from '../org/fixtures.ts';
import { readNdjson, RelayEnv, type RelayChild } from './helpers/relay-env.ts';

const sfHome = await useTemporarySfHome();
const { default: Backfill } = await import('../../scripts/commands/backfill.ts');
const backfillMessages = loadMessages('backfill');
const timeMessages = loadMessages('iso-time');

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
  await sfHome.restore();
});

/** The record id in a Tethr sessionId, whichever scheme formed it (00D...:500... or 500...). */
function recordOf(sessionId: string): string {
  return sessionId.split(':').at(-1)!;
}

/** The rows of the result table a command printed: label -> cells. */
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

async function finished(child: RelayChild): Promise<RelayChild> {
  assert.equal(await child.exited, 0, `${child.stdout}\n${child.stderr.slice(-2000)}`);
  return child;
}

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
    result: {
      channels: Record<string, { delivered: number; done: boolean; outcome: string }>;
      interrupted: boolean;
    };
  };
  assert.equal(result.result.interrupted, false);
  assert.equal(result.result.channels.Case!.delivered, 20);
  assert.equal(result.result.channels.MessagingSession!.delivered, 1);
  assert.equal(result.result.channels.LiveChatTranscript!.delivered, 1);
  for (const channel of CHANNELS) assert.equal(result.result.channels[channel]!.outcome, 'delivered');
  assert.deepEqual([...env.tethr.captures.keys()].map(recordOf).sort(), [...inWindow].sort());
  assert.deepEqual(env.tethr.rejected, []);
});

it('--session-id record-id sends under the bare record ids, as a relay with --session-id record-id does', async () => {
  const out = join(env.dir, 'record-id.ndjson');
  const run = await runCommand(Backfill, [
    '--credentials',
    env.bundlePath,
    '--since',
    since,
    '--until',
    until,
    '--channels',
    'Case',
    '--sink',
    `ndjson:${out}`,
    '--cursor',
    join(env.dir, 'record-id.cursor.json'),
    '--session-id',
    'record-id',
    '--json'
  ]);
  assert.equal(run.error, undefined, run.error?.message);
  assert.equal((run.result as unknown as { sessionIdScheme: string }).sessionIdScheme, 'record-id');
  const lines = await readNdjson(out);
  assert.equal(lines.length, 20);
  // The ndjson sink keys each line by the capture's sessionId.
  for (const line of lines) assert.match(String(line.key), /^500\w{15}$/, 'no org id in the session id');
});

it("--connection reads a v2 connection file (packaged app, Tethr's credential from TETHR_SF_*)", async () => {
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
    const out = join(env.dir, 'connection.ndjson');
    const run = await runCommand(Backfill, [
      '--connection',
      file,
      '--since',
      since,
      '--until',
      until,
      '--sink',
      `ndjson:${out}`,
      '--cursor',
      join(env.dir, 'connection.cursor.json'),
      '--json'
    ]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.deepEqual(new Set((await readNdjson(out)).map((l) => recordOf(String(l.key)))), new Set(inWindow));
  } finally {
    delete process.env.TETHR_SF_CONSUMER_KEY;
    delete process.env.TETHR_SF_CONSUMER_SECRET;
  }
});

async function runnerOptions(
  name: string,
  overrides: Partial<BackfillOptions> = {}
): Promise<BackfillOptions & { out: string }> {
  const bundle = await readBundle(env.bundlePath);
  const out = join(env.dir, `${name}.ndjson`);
  return {
    connection: fromCredentialsBundle(bundle),
    session: new BundleSession(bundle),
    channels: ['Case'],
    since,
    until,
    sink: new NdjsonSink(out),
    deadLetters: new DeadLetterFile(join(env.dir, `${name}.dead.ndjson`)),
    cursorPath: join(env.dir, `${name}.cursor.json`),
    logger: silentLogger,
    signal: new AbortController().signal,
    out,
    ...overrides
  };
}

it('resumes from its cursor after an interruption, skipping nothing', async () => {
  const stop = new AbortController();
  const first = await runBackfill({
    ...(await runnerOptions('b2')),
    signal: stop.signal,
    batchSize: 5,
    onProgress: ({ done }) => {
      if (done >= 10) stop.abort();
    }
  });
  assert.equal(first.interrupted, true);
  assert.equal(first.channels.Case!.outcome, 'interrupted');
  const options = await runnerOptions('b2');
  const cursor = JSON.parse(await readFile(options.cursorPath, 'utf8')) as {
    channels: { Case: { after: string; done: boolean } };
  };
  assert.equal(cursor.channels.Case.done, false);
  const second = await runBackfill({ ...options, batchSize: 5 });
  assert.equal(second.interrupted, false);
  assert.equal(second.resumed, true);
  const ids = new Set((await readNdjson(options.out)).map((l) => recordOf(String(l.key))));
  assert.equal(ids.size, 20);
  const resumedQuery = env.org.soql.filter((q) => q.startsWith('SELECT Id, ClosedDate FROM Case')).at(-1)!;
  assert.match(resumedQuery, new RegExp(`ClosedDate >= ${cursor.channels.Case.after.replace(/\./g, '\\.')}`));
});

it('skips a channel whose object the org does not have, and says why', async () => {
  const bundle = await readBundle(env.bundlePath);
  const session = new BundleSession(bundle);
  // Salesforce's answer to SOQL on an object the org lacks (no legacy Chat here).
  const noChat: SalesforceRest = {
    request: <T>(path: string, init?: RequestInit) => {
      if (decodeURIComponent(path).includes('FROM LiveChatTranscript'))
        return Promise.reject(
          new SalesforceApiError(
            'GET',
            path,
            400,
            'INVALID_TYPE',
            "sObject type 'LiveChatTranscript' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name."
          )
        );
      return session.request<T>(path, init);
    }
  };
  const summary = await runBackfill({
    ...(await runnerOptions('b3')),
    session: noChat,
    channels: ['Case', 'LiveChatTranscript', 'MessagingSession']
  });
  assert.equal(summary.interrupted, false);
  assert.deepEqual(
    Object.fromEntries(Object.entries(summary.channels).map(([c, r]) => [c, [r.outcome, r.delivered]])),
    { Case: ['delivered', 20], LiveChatTranscript: ['skipped', 0], MessagingSession: ['delivered', 1] }
  );
  assert.equal(summary.channels.LiveChatTranscript!.reason, CHANNEL_REGISTRY.LiveChatTranscript.missingHint);
});

// Issue 12, defect 1: `--until` defaulted to "now" on every run and the cursor demanded an exact
// match, so every rerun (and every later backfill of the org) failed with BackfillCursorMismatch.
describe('reruns without --until (issue 12, defect 1)', () => {
  const now = Date.now();
  const windowStart = new Date(now - 3 * 3_600_000).toISOString();
  const gapStart = new Date(now - 2 * 3_600_000).toISOString();
  let recent: string[] = [];
  before(() => {
    recent = [
      env.org.addCase(now - 150 * 60_000), // only in the first window
      env.org.addCase(now - 90 * 60_000),
      env.org.addMessagingSession(now - 80 * 60_000),
      env.org.addChatTranscript(now - 70 * 60_000)
    ];
  });

  it('rerunning the same command reports the window as done and sends nothing again', async () => {
    const first = await finished(env.spawn('backfill', ['--since', windowStart, '--json']));
    const firstResult = (JSON.parse(first.stdout) as { result: { until: string; cursor: string } }).result;
    const captured = new Set([...env.tethr.captures.keys()].map(recordOf));
    for (const id of recent) assert.ok(captured.has(id), id);
    const captures = env.tethr.captureRequests;

    const again = await finished(env.spawn('backfill', ['--since', windowStart, '--json']));
    const result = (
      JSON.parse(again.stdout) as {
        result: {
          until: string;
          cursor: string;
          resumed: boolean;
          channels: Record<string, { outcome: string }>;
        };
      }
    ).result;
    assert.equal(result.resumed, true);
    assert.equal(result.until, firstResult.until, 'the window keeps the end its first run fixed');
    assert.equal(result.cursor, firstResult.cursor);
    for (const channel of CHANNELS) assert.equal(result.channels[channel]!.outcome, 'already-done', channel);
    assert.equal(env.tethr.captureRequests, captures, 'nothing sent twice');
  });

  it('a later backfill of the same org (the "backfill the gap" recovery) runs with default files', async () => {
    const captures = env.tethr.captureRequests;
    const gap = await finished(env.spawn('backfill', ['--since', gapStart, '--json']));
    const result = (
      JSON.parse(gap.stdout) as {
        result: { channels: Record<string, { delivered: number; outcome: string }> };
      }
    ).result;
    assert.deepEqual(Object.fromEntries(CHANNELS.map((c) => [c, result.channels[c]!.delivered])), {
      Case: 1,
      MessagingSession: 1,
      LiveChatTranscript: 1
    });
    assert.equal(env.tethr.captureRequests, captures + 3);
    const explicit = await finished(
      env.spawn('backfill', ['--since', windowStart, '--until', new Date(now).toISOString(), '--json'])
    );
    assert.equal(
      (JSON.parse(explicit.stdout) as { result: { interrupted: boolean } }).result.interrupted,
      false
    );
    const files = (await readdir(join(env.dir, '.tethr'))).filter((f) => f.endsWith('.cursor.json'));
    assert.equal(files.length, 3, `one cursor per window: ${files.join(', ')}`);
  });

  it('still refuses an explicit --cursor that belongs to another window, saying how to resume it', async () => {
    const cursor = join(env.dir, 'shared.cursor.json');
    await finished(env.spawn('backfill', ['--since', since, '--until', until, '--cursor', cursor, '--json']));
    Object.assign(process.env, env.tethrEnv);
    const run = await runCommand(Backfill, [
      '--credentials',
      env.bundlePath,
      '--since',
      windowStart,
      '--cursor',
      cursor
    ]);
    assert.equal(run.error?.name, 'BackfillCursorMismatchError');
    assert.deepEqual(
      run.error?.actions,
      backfillMessages.getMessages('error.BackfillCursorMismatch.actions', [since, until])
    );
  });
});

// Issue 12, defect 2: without --json stdout was empty, stderr showed one "Components" bar for
// the first channel only, and a finished window printed nothing at all.
describe('human output (issue 12, defect 2)', () => {
  const now = Date.now();
  const windowStart = new Date(now - 9 * 3_600_000).toISOString();
  const windowEnd = new Date(now - 8 * 3_600_000).toISOString();
  before(() => {
    env.org.addCase(now - 8.5 * 3_600_000);
    env.org.addCase(now - 8.4 * 3_600_000);
    env.org.addMessagingSession(now - 8.3 * 3_600_000);
    env.org.addChatTranscript(now - 8.2 * 3_600_000);
  });

  it('prints a result per channel, with progress per channel in conversations', async () => {
    const run = await finished(env.spawn('backfill', ['--since', windowStart, '--until', windowEnd]));
    const rows = tableRows(run.stdout);
    assert.deepEqual(rows.get(CHANNEL_REGISTRY.Case.label), [
      '2',
      '0',
      backfillMessages.getMessage('result.delivered')
    ]);
    assert.deepEqual(rows.get(CHANNEL_REGISTRY.MessagingSession.label), ['1', '0', 'done']);
    assert.deepEqual(rows.get(CHANNEL_REGISTRY.LiveChatTranscript.label), ['1', '0', 'done']);
    assert.ok(
      run.stdout.includes(backfillMessages.getMessage('info.window', [windowStart, windowEnd, 'tethr']))
    );
    assert.ok(!run.stderr.includes('Components'), run.stderr);
    for (const channel of CHANNELS)
      assert.ok(
        run.stderr.includes(`Backfill ${CHANNEL_REGISTRY[channel].label}`),
        `progress for ${channel}`
      );
    assert.match(run.stderr, /2\/2 conversations/);
  });

  it('rerunning a finished window says it is done and how to send what closed later', async () => {
    const run = await finished(env.spawn('backfill', ['--since', windowStart, '--until', windowEnd]));
    const rows = tableRows(run.stdout);
    for (const channel of CHANNELS)
      assert.equal(
        rows.get(CHANNEL_REGISTRY[channel].label)?.[2],
        backfillMessages.getMessage('result.already-done')
      );
    assert.ok(
      run.stdout.includes(
        backfillMessages.getMessage('info.alreadyDone', [`--credentials ${env.bundlePath} `, windowEnd])
      ),
      run.stdout
    );
  });
});

// Issue 12, defect 4: --since/--until went through Date.parse (local time, rolled-over dates).
describe('strict ISO 8601 windows (issue 12, defect 4)', () => {
  const refuse = async (args: string[]) => {
    const run = await runCommand(Backfill, ['--credentials', env.bundlePath, ...args]);
    assert.ok(run.error, `refused: ${args.join(' ')}`);
    assert.notEqual(run.exitCode, 0);
    return run.error;
  };

  it('refuses a slashed, an impossible and a zone-less date before touching the org', async () => {
    const requests = env.sf.requests.length;
    assert.equal(
      (await refuse(['--since', '12/01/2026'])).message,
      timeMessages.getMessage('error.AmbiguousDate', ['--since', '12/01/2026'])
    );
    assert.equal(
      (await refuse(['--since', '2026-11-01', '--until', '2026-02-30'])).message,
      timeMessages.getMessage('error.ImpossibleDate', [
        '--until',
        '2026-02-30',
        timeMessages.getMessage('problem.day', ['February 2026', 28])
      ])
    );
    assert.equal(
      (await refuse(['--since', '2026-11-01T00:00'])).message,
      timeMessages.getMessage('error.MissingTimeZone', ['--since', '2026-11-01T00:00'])
    );
    assert.equal(env.sf.requests.length, requests);
  });

  it('says --since is in the future instead of "swap the two dates"', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const error = await refuse(['--since', future]);
    assert.equal(error.name, 'SinceInFutureError');
    assert.ok(error.message.startsWith(`--since ${future}T00:00:00.000Z is in the future`), error.message);
    assert.equal((await refuse(['--since', '2026-11-02', '--until', '2026-11-01'])).name, 'EmptyWindowError');
  });
});
