import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { BackfillResult } from '../../scripts/commands/backfill.ts';
import type { DeadLettersListResult } from '../../scripts/commands/dead-letters-list.ts';
import type { DeadLettersRetryResult } from '../../scripts/commands/dead-letters-retry.ts';
import type { DeadLettersShowResult } from '../../scripts/commands/dead-letters-show.ts';
import type { VerifyResult } from '../../scripts/commands/verify.ts';
import { orgKey } from '../../scripts/contracts/org-connection.ts';
import { PgDeadLetterStore } from '../../scripts/relay/service/pg-dead-letter-store.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { useTemporarySfHome } from '../commands/sf-home.ts';
import { runCommandAs, succeeded } from '../commands/run-command.ts';
import { ServiceEnv } from './helpers/service-env.ts';
import { testServerUrl } from './postgres/test-database.ts';

// The relay service's side: dead letters, verify and backfill of one service org (--org-id),
// with the org's connection, session-id scheme and Tethr from its tenant row and its dead letters
// in a real PostgreSQL. The org is stored with --session-id record-id, so every session id below
// proves the stored option was the source.

// The PostgreSQL server first: the temporary sf home moves TMPDIR where the postgres user cannot go.
await testServerUrl();
const sfHome = await useTemporarySfHome();
const { default: List } = await import('../../scripts/commands/dead-letters-list.ts');
const { default: Show } = await import('../../scripts/commands/dead-letters-show.ts');
const { default: Retry } = await import('../../scripts/commands/dead-letters-retry.ts');
const { default: Verify } = await import('../../scripts/commands/verify.ts');
const { default: Backfill } = await import('../../scripts/commands/backfill.ts');
const messages = loadMessages('dead-letters');
const serviceMessages = loadMessages('service-org');
const ORG = ServiceEnv.orgId(801);
/** What retry and backfill both answer when --session-id contradicts the org's stored scheme. */
const SESSION_ID_CONFLICTS_WITH_TENANT = serviceMessages.getMessage('error.SessionIdConflictsWithTenant', [
  'org-and-record',
  orgKey(ORG),
  'record-id'
]);

let env: ServiceEnv;
before(async () => {
  env = await new ServiceEnv().start();
  Object.assign(process.env, { TETHR_DATABASE_URL: env.testDb.url, ...env.tethrEnv });
  await env.addOrg(ORG, { sessionIdScheme: 'record-id' });
});
after(async () => {
  delete process.env.TETHR_DATABASE_URL;
  await env.stop();
  await sfHome.restore();
});

it("lists, shows and retries a service org's dead letters in the database, under its stored session-id scheme", async () => {
  const now = Date.now();
  const readable = env.org.addCase(now - 120_000);
  const refused = env.org.addCase(now - 110_000);
  const store = new PgDeadLetterStore(env.db).forOrg(ORG);
  await store.write({
    reason: 'fetch-rejected',
    detail: 'INSUFFICIENT_ACCESS',
    recordId: readable,
    objectType: 'Case'
  });
  await store.write({
    reason: 'tethr-rejected',
    detail: 'HTTP 400',
    recordId: refused,
    payload: { sessionId: refused, request: { metadata: { salesforce: { objectType: 'Case' } } } }
  });
  await store.write({ reason: 'undecodable-event', detail: 'Avro decode failed', payload: 'AAAA' });
  env.tethr.refuseSessionIds.add(refused);

  const listed = succeeded(await runCommandAs<DeadLettersListResult>(List, ['--org-id', ORG, '--json']));
  assert.equal(listed.source, `relay_dead_letters (org ${orgKey(ORG)}) in ${env.db.describe}`);
  assert.deepEqual(
    listed.letters.map((l) => [l.reason, l.objectType, l.recordId, l.sessionId]),
    [
      ['undecodable-event', null, null, null],
      ['tethr-rejected', null, refused, refused],
      ['fetch-rejected', 'Case', readable, readable]
    ],
    'record-id scheme: the session id is the record id'
  );
  const [, rejectedLetter] = listed.letters;
  const shown = succeeded(
    await runCommandAs<DeadLettersShowResult>(Show, [rejectedLetter!.id, '--org-id', ORG])
  );
  assert.equal(shown.letter.payload, undefined);
  const withPayload = succeeded(
    await runCommandAs<DeadLettersShowResult>(Show, [rejectedLetter!.id, '--org-id', ORG, '--payload'])
  );
  assert.deepEqual((withPayload.letter.payload as { sessionId: string }).sessionId, refused);

  const conflicting = await runCommandAs<DeadLettersRetryResult>(Retry, [
    '--all',
    '--org-id',
    ORG,
    '--session-id',
    'org-and-record'
  ]);
  assert.equal(conflicting.error?.message, SESSION_ID_CONFLICTS_WITH_TENANT);

  const retried = await runCommandAs<DeadLettersRetryResult>(Retry, ['--all', '--org-id', ORG]);
  assert.equal(retried.exitCode, 1, retried.stderr);
  const result = retried.result!;
  assert.equal(result.sessionIdScheme, 'record-id');
  assert.deepEqual(
    result.letters.map((l) => [l.recordId, l.outcome, l.letter]),
    [
      [readable, 'delivered', 'marked-retried'],
      [refused, 'failed-again', 'replaced'],
      [null, 'not-retryable', 'kept']
    ]
  );
  assert.ok(env.tethr.captures.has(readable), 'delivered under the bare record id');
  const { rows } = await env.db.query<{ reason: string; record_id: string | null; retried: boolean }>(
    `SELECT reason, record_id, retried_at IS NOT NULL AS retried FROM relay_dead_letters WHERE org_id = $1 ORDER BY id`,
    [orgKey(ORG)]
  );
  assert.deepEqual(
    rows.map((r) => [r.reason, r.record_id, r.retried]),
    [
      ['fetch-rejected', readable, true],
      ['undecodable-event', null, false],
      ['tethr-rejected', refused, false]
    ],
    'the refused record has one letter, the new one'
  );
  const missing = await runCommandAs<DeadLettersShowResult>(Show, ['999999', '--org-id', ORG]);
  assert.equal(
    missing.error?.message,
    messages.getMessage('error.LetterNotFound', ['999999', listed.source])
  );
});

it('verify --org-id counts the database dead letters and looks sessions up under the stored scheme', async () => {
  const now = Date.now();
  const since = new Date(now - 3 * 3_600_000).toISOString();
  const until = new Date(now - 2 * 3_600_000).toISOString();
  const delivered = env.org.addCase(now - 2.5 * 3_600_000);
  const lost = env.org.addCase(now - 2.4 * 3_600_000);
  const rejected = env.org.addCase(now - 2.3 * 3_600_000);
  env.tethr.captures.set(delivered, { path: '/capture/v2/case', body: {}, posts: 1 });
  await new PgDeadLetterStore(env.db)
    .forOrg(ORG)
    .write({ reason: 'tethr-rejected', detail: 'HTTP 400', recordId: rejected, objectType: 'Case' });
  const args = ['--org-id', ORG, '--since', since, '--until', until, '--channels', 'Case', '--json'];
  const first = succeeded(await runCommandAs<VerifyResult>(Verify, args));
  assert.equal(first.sessionIdScheme, 'record-id');
  assert.deepEqual(
    [first.totals.closed, first.totals.complete, first.totals.missing, first.totals.deadLettered],
    [3, 1, 2, 1]
  );
  assert.deepEqual(
    first.missing.map((m) => [m.recordId, m.sessionId, m.deadLetter?.reason]),
    [
      [lost, lost, undefined],
      [rejected, rejected, 'tethr-rejected']
    ]
  );
  assert.deepEqual(first.deadLetterSources, [
    { source: `relay_dead_letters (org ${orgKey(ORG)}) in ${env.db.describe}`, found: true }
  ]);

  // --resend writes what fails again to the org's dead letters in the database.
  env.tethr.refuseSessionIds.add(lost);
  const resent = succeeded(await runCommandAs<VerifyResult>(Verify, [...args, '--resend']));
  assert.equal(resent.resend!.recovered, 1);
  assert.equal(resent.resend!.deadLetterFile, `relay_dead_letters (org ${orgKey(ORG)})`);
  assert.deepEqual(
    resent.resend!.stillMissing.map((m) => [m.recordId, m.why, m.reason]),
    [[lost, 'dead-lettered', 'tethr-rejected']]
  );
  assert.ok(env.tethr.captures.has(rejected), 'resent under the bare record id');
  const letters = succeeded(
    await runCommandAs<DeadLettersListResult>(List, ['--org-id', ORG, '--reason', 'tethr-rejected', '--json'])
  );
  assert.ok(letters.letters.some((l) => l.recordId === lost));
  env.tethr.refuseSessionIds.delete(lost);
});

it("backfill --org-id sends under the stored scheme and writes the org's dead letters to the database", async () => {
  const now = Date.now();
  const since = new Date(now - 10 * 3_600_000).toISOString();
  const until = new Date(now - 9 * 3_600_000).toISOString();
  const closed = env.org.addCase(now - 9.5 * 3_600_000);
  const refused = env.org.addCase(now - 9.4 * 3_600_000);
  env.tethr.refuseSessionIds.add(refused);
  const cursor = join(env.dir, 'backfill.cursor.json');
  const result = succeeded(
    await runCommandAs<BackfillResult>(Backfill, [
      '--org-id',
      ORG,
      '--since',
      since,
      '--until',
      until,
      '--channels',
      'Case',
      '--cursor',
      cursor,
      '--json'
    ])
  );
  assert.equal(result.sessionIdScheme, 'record-id');
  assert.equal(result.deadLetterFile, `relay_dead_letters (org ${orgKey(ORG)})`);
  assert.deepEqual([result.channels.Case!.delivered, result.channels.Case!.deadLettered], [1, 1]);
  assert.ok(env.tethr.captures.has(closed));
  const { rows } = await env.db.query<{ record_id: string }>(
    `SELECT record_id FROM relay_dead_letters WHERE org_id = $1 AND record_id = $2`,
    [orgKey(ORG), refused]
  );
  assert.equal(rows.length, 1);
  const conflicting = await runCommandAs<BackfillResult>(Backfill, [
    '--org-id',
    ORG,
    '--since',
    since,
    '--session-id',
    'org-and-record'
  ]);
  assert.equal(conflicting.error?.message, SESSION_ID_CONFLICTS_WITH_TENANT);
});
