import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeadLettersListResult } from '../../scripts/commands/dead-letters-list.ts';
import type { DeadLettersRetryResult } from '../../scripts/commands/dead-letters-retry.ts';
import type { DeadLettersShowResult } from '../../scripts/commands/dead-letters-show.ts';
import type { VerifyResult } from '../../scripts/commands/verify.ts';
import { tethrSessionId } from '../../scripts/contracts/org-connection.ts';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { useTemporarySfHome } from '../commands/sf-home.ts';
import { runCommandAs, succeeded } from '../commands/run-command.ts';
import { RelayEnv } from './helpers/relay-env.ts';
import { deliverNow } from './helpers/verify-support.ts';

// `tethr-sf dead-letters list|show|retry` on a dead-letter file, against the local Salesforce
// and Tethr: letters of every kind (a payload Tethr rejected, records Salesforce did not return or
// refused, an event without a record); listings without customer text; retry through the normal
// delivery path once the cause is fixed, marking only what was delivered, replacing what failed
// again with its new letter.

const sfHome = await useTemporarySfHome();
const { default: List } = await import('../../scripts/commands/dead-letters-list.ts');
const { default: Show } = await import('../../scripts/commands/dead-letters-show.ts');
const { default: Retry } = await import('../../scripts/commands/dead-letters-retry.ts');
const { default: Verify } = await import('../../scripts/commands/verify.ts');
const messages = loadMessages('dead-letters');
const ORG_ID = '00D000000000001EAA';
const sid = (recordId: string) => tethrSessionId(ORG_ID, recordId);

let env: RelayEnv;
let file: string;
before(async () => {
  env = await new RelayEnv().start();
  Object.assign(process.env, env.tethrEnv);
  file = join(env.dir, 'relay.dead-letters.ndjson');
});
after(async () => {
  await env.stop();
  await sfHome.restore();
});

const where = () => ['--dead-letter', file, '--credentials', env.bundlePath];

describe('list, show and retry on a dead-letter file', () => {
  const now = Date.now();
  let rejected = '';
  let hidden = '';
  let session = '';
  const gone = '500000000000999AAA';

  before(async () => {
    rejected = env.org.addCase(now - 60_000);
    hidden = env.org.addCase(now - 50_000);
    session = env.org.addMessagingSession(now - 40_000);
    env.tethr.refuseSessionIds.add(sid(rejected));
    assert.deepEqual(await deliverNow(env, 'Case', [rejected], file), ['dead-lettered']);
    const letters = new DeadLetterFile(file, { orgId: ORG_ID });
    await letters.write({
      reason: 'record-not-found',
      detail: `Case ${hidden} was not returned: deleted, or not visible to the integration user.`,
      eventId: 'e-2',
      replayId: 'AAAAAAAAAAI=',
      recordId: hidden.slice(0, 15), // as a flow may publish it
      objectType: 'Case'
    });
    await letters.write({
      reason: 'fetch-rejected',
      detail: 'INVALID_FIELD: No such column',
      recordId: session,
      objectType: 'MessagingSession'
    });
    await letters.write({
      reason: 'undecodable-event',
      detail: 'Avro decode failed',
      eventId: 'e-4',
      payload: 'c2VjcmV0IGN1c3RvbWVyIHRleHQ='
    });
    await letters.write({ reason: 'record-not-found', detail: 'gone', recordId: gone, objectType: 'Case' });
    await letters.close();
  });

  it('lists reason, when, record and session id, newest first, and no customer text', async () => {
    const listed = await runCommandAs<DeadLettersListResult>(List, where());
    const result = succeeded(listed);
    assert.equal(result.source, file);
    assert.equal(result.total, 5);
    assert.deepEqual(
      result.letters.map((l) => [l.reason, l.objectType, l.recordId, l.sessionId, l.retriedAt]),
      [
        ['record-not-found', 'Case', gone, sid(gone), null],
        ['undecodable-event', null, null, null, null],
        ['fetch-rejected', 'MessagingSession', session, sid(session), null],
        ['record-not-found', 'Case', hidden, sid(hidden), null], // the 18-character form the relay sends
        ['tethr-rejected', 'Case', rejected, sid(rejected), null]
      ]
    );
    assert.ok(result.letters[4]!.hasPayload);
    assert.ok(!('payload' in result.letters[4]!));
    for (const text of ['Where is my order', 'c2VjcmV0', 'Order not delivered'])
      assert.ok(!listed.stdout.includes(text), `the listing shows ${text}`);
    assert.ok(listed.stdout.includes(messages.getMessage('info.source', [file])));
    assert.match(listed.stdout, new RegExp(`│ ${rejected} +│ ${sid(rejected).replace('.', '\\.')} +│`));
    const only = succeeded(
      await runCommandAs<DeadLettersListResult>(List, [...where(), '--reason', 'record-not-found', '--json'])
    );
    assert.deepEqual(
      only.letters.map((l) => l.recordId),
      [gone, hidden]
    );
    const limited = await runCommandAs<DeadLettersListResult>(List, [...where(), '--limit', '2']);
    assert.ok(limited.stdout.includes(messages.getMessage('info.more', [2, 5])));
  });

  it('shows one letter; the payload only with --payload', async () => {
    const [letter] = succeeded(
      await runCommandAs<DeadLettersListResult>(List, [...where(), '--reason', 'tethr-rejected'])
    ).letters;
    const shown = await runCommandAs<DeadLettersShowResult>(Show, [letter!.id, ...where()]);
    const result = succeeded(shown);
    assert.equal(result.letter.detail.length > 0, true);
    assert.equal(result.letter.payload, undefined);
    assert.ok(shown.stdout.includes(messages.getMessage('info.payloadHidden')));
    assert.ok(!shown.stdout.includes('Where is my order'));
    const full = await runCommandAs<DeadLettersShowResult>(Show, [letter!.id, ...where(), '--payload']);
    const payload = succeeded(full).letter.payload as { sessionId: string };
    assert.equal(payload.sessionId, sid(rejected));
    assert.ok(full.stdout.includes('Where is my order'), 'the capture, customer text and all');
    const missing = await runCommandAs<DeadLettersShowResult>(Show, ['no-such-id', ...where()]);
    assert.equal(missing.error?.message, messages.getMessage('error.LetterNotFound', ['no-such-id', file]));
  });

  it('refuses a retry without the connection, or without saying which letters', async () => {
    const noConnection = await runCommandAs<DeadLettersRetryResult>(Retry, ['--all', '--dead-letter', file]);
    assert.equal(noConnection.error?.message, messages.getMessage('error.RetryNeedsConnection', [file]));
    const none = await runCommandAs<DeadLettersRetryResult>(Retry, where());
    assert.equal(none.error?.message, messages.getMessage('error.ChooseLetters'));
    const unknown = await runCommandAs<DeadLettersRetryResult>(Retry, ['no-such-id', ...where()]);
    assert.equal(unknown.error?.message, messages.getMessage('error.LetterNotFound', ['no-such-id', file]));
  });

  it('keeps what fails again as a dead letter with its new reason, and exits 1', async () => {
    const [letter] = succeeded(
      await runCommandAs<DeadLettersListResult>(List, [...where(), '--reason', 'tethr-rejected'])
    ).letters;
    const posts = env.tethr.captureRequests;
    const retried = await runCommandAs<DeadLettersRetryResult>(Retry, [letter!.id, ...where()]);
    assert.equal(retried.exitCode, 1);
    const result = retried.result!;
    assert.equal(env.tethr.captureRequests, posts + 1, 'sent once more');
    assert.deepEqual(
      result.letters.map((l) => [l.id, l.outcome, l.reason, l.letter]),
      [[letter!.id, 'failed-again', 'tethr-rejected', 'replaced']]
    );
    const after = succeeded(
      await runCommandAs<DeadLettersListResult>(List, [...where(), '--reason', 'tethr-rejected'])
    ).letters;
    assert.equal(after.length, 1, 'still one letter for the record');
    assert.notEqual(after[0]!.id, letter!.id, 'the new attempt wrote it');
    assert.equal(after[0]!.recordId, rejected);
  });

  it('once the causes are fixed, delivers through the normal path and marks only what was delivered', async () => {
    env.tethr.refuseSessionIds.delete(sid(rejected));
    const soql = env.org.soql.length;
    const retried = await runCommandAs<DeadLettersRetryResult>(Retry, [...where(), '--all']);
    assert.equal(retried.exitCode, 1, 'one record is still gone');
    const result = retried.result!;
    assert.deepEqual(
      [result.attempted, result.delivered, result.failedAgain, result.notRetryable, result.interrupted],
      [5, 3, 1, 1, 0]
    );
    const byRecord = new Map(result.letters.map((l) => [l.recordId, l]));
    assert.equal(byRecord.get(rejected)!.outcome, 'delivered');
    assert.equal(byRecord.get(hidden)!.letter, 'marked-retried');
    assert.equal(byRecord.get(session)!.outcome, 'delivered');
    assert.equal(byRecord.get(gone)!.outcome, 'failed-again');
    assert.equal(byRecord.get(gone)!.reason, 'record-not-found');
    assert.deepEqual(byRecord.get(null), {
      id: byRecord.get(null)!.id,
      recordId: null,
      objectType: null,
      sessionId: null,
      outcome: 'not-retryable',
      reason: 'no-record',
      letter: 'kept'
    });
    // The normal delivery path: one read per channel, the records' own session ids.
    assert.deepEqual(
      env.org.soql.slice(soql).map((q) => /FROM (\w+) WHERE Id IN \(([^)]*)\)/.exec(q)?.slice(1)),
      [
        ['Case', `'${hidden}', '${gone}', '${rejected}'`], // in the order they failed
        ['MessagingSession', `'${session}'`]
      ]
    );
    for (const id of [rejected, hidden, session])
      assert.ok(env.tethr.captures.has(sid(id)), `${id} is in Tethr`);

    const left = succeeded(await runCommandAs<DeadLettersListResult>(List, where()));
    assert.deepEqual(
      left.letters.map((l) => [l.reason, l.recordId]),
      [
        ['record-not-found', gone],
        ['undecodable-event', null]
      ]
    );
    const all = succeeded(await runCommandAs<DeadLettersListResult>(List, [...where(), '--include-retried']));
    assert.equal(all.letters.filter((l) => l.retriedAt).length, 3);
    // Nothing to do for the delivered ones: retrying one again is refused.
    const again = await runCommandAs<DeadLettersRetryResult>(Retry, [byRecord.get(hidden)!.id, ...where()]);
    assert.match(
      again.error?.message ?? '',
      new RegExp(`^Dead letter ${byRecord.get(hidden)!.id} was already retried`)
    );
  });

  it('removes delivered letters with --remove; verify no longer counts retried ones', async () => {
    // The missing record appears (restored from the recycle bin, say).
    const template = env.org.cases.get(hidden)!;
    env.org.cases.set(gone, { ...template, record: { ...template.record, Id: gone } });
    const retried = await runCommandAs<DeadLettersRetryResult>(Retry, [
      ...where(),
      '--reason',
      'record-not-found',
      '--remove'
    ]);
    const result = succeeded(retried);
    assert.equal(retried.exitCode, 0);
    assert.deepEqual(
      result.letters.map((l) => [l.recordId, l.outcome, l.letter]),
      [[gone, 'delivered', 'removed']]
    );
    const all = succeeded(await runCommandAs<DeadLettersListResult>(List, [...where(), '--include-retried']));
    assert.ok(!all.letters.some((l) => l.recordId === gone), 'removed for good');

    const verify = await runCommandAs<VerifyResult>(Verify, [
      '--credentials',
      env.bundlePath,
      '--dead-letter',
      file,
      '--since',
      new Date(now - 120_000).toISOString(),
      '--until',
      new Date(now).toISOString(),
      '--json'
    ]);
    const counted = succeeded(verify);
    assert.equal(counted.totals.closed, 4);
    assert.equal(counted.totals.deadLettered, 0, 'retried and removed letters are not dead letters any more');
    assert.equal(counted.totals.missing, 0);
  });
});
