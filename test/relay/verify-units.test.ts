import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDuration } from '../../scripts/commands/duration-flag.ts';
import { caseSafeId } from '../../scripts/relay/salesforce-id.ts';
import {
  DEFAULT_ORG_OPTIONS,
  parseOrgOptions,
  verifiesOnSchedule
} from '../../scripts/relay/service/org-options.ts';
import { recordIdOf } from '../../scripts/relay/verify/retry-dead-letters.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';

// The small pieces of dead-letter retry and the scheduled reconciliation.

const durationMessages = loadMessages('duration-flag');
const relayMessages = loadMessages('relay');

it('turns a 15-character record id into the 18-character form Salesforce returns', () => {
  // Salesforce's own example (the case-safe id of 001D000000IqhSL).
  assert.equal(caseSafeId('001D000000IqhSL'), '001D000000IqhSLIAZ');
  assert.equal(caseSafeId('500000000000001'), '500000000000001AAA');
  assert.equal(caseSafeId('001D000000IqhSLIAZ'), '001D000000IqhSLIAZ', 'an 18-character id stays');
  assert.equal(recordIdOf({ recordId: '00D000000000001:500000000000001AAA' }), '500000000000001AAA');
  assert.equal(recordIdOf({ recordId: '001D000000IqhSL' }), '001D000000IqhSLIAZ');
  assert.equal(recordIdOf({ recordId: null }), null);
});

it('reads schedule durations with a unit, and 0 or off where never is allowed', () => {
  assert.equal(parseDuration('90s', '--verify-every'), 90);
  assert.equal(parseDuration('15m', '--verify-lag'), 900);
  assert.equal(parseDuration('1h', '--verify-every'), 3600);
  assert.equal(parseDuration('2d', '--verify-window'), 172_800);
  assert.equal(parseDuration('off', '--verify-every', true), 0);
  assert.equal(parseDuration('0', '--verify-every', true), 0);
  assert.throws(
    () => parseDuration('100', '--verify-every'),
    (error: Error) =>
      error.message === durationMessages.getMessage('error.InvalidDuration', ['--verify-every', '100'])
  );
  assert.throws(() => parseDuration('0', '--verify-window'));
  assert.throws(() => parseDuration('1.5h', '--verify-every'));
});

it("stores the scheduled reconciliation with the org's options: hourly over 24 hours by default, no resend", () => {
  assert.deepEqual(
    [
      DEFAULT_ORG_OPTIONS.verifyEverySeconds,
      DEFAULT_ORG_OPTIONS.verifyWindowSeconds,
      DEFAULT_ORG_OPTIONS.verifyLagSeconds,
      DEFAULT_ORG_OPTIONS.verifyResend
    ],
    [3600, 86_400, 900, false]
  );
  // A row written before these options existed gets the defaults.
  const old = parseOrgOptions({ mode: 'transcripts', sink: 'tethr', sessionIdScheme: 'record-id' });
  assert.equal(old.verifyEverySeconds, 3600);
  assert.ok(verifiesOnSchedule(old));
  assert.ok(!verifiesOnSchedule({ ...old, verifyEverySeconds: 0 }));
  assert.ok(!verifiesOnSchedule({ ...old, sink: 'ndjson:out.ndjson' }), 'no Tethr to ask');
  assert.ok(!verifiesOnSchedule(parseOrgOptions({ mode: 'events', sink: 'ndjson:out.ndjson' })));
  assert.throws(
    () => parseOrgOptions({ verifyResend: 'yes' }),
    (error: Error) =>
      error.message ===
      relayMessages.getMessage('error.InvalidOrgOption', ['verifyResend', 'must be true or false, not "yes"'])
  );
});
