import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { closedEventRecord } from '../servers/pubsub/conversation-closed-schema.ts';
import { orgKey } from '../../scripts/contracts/org-connection.ts';
import type { RelayOrgOptions } from '../../scripts/relay/service/org-options.ts';
import { waitFor } from './helpers/relay-env.ts';
import { ServiceEnv } from './helpers/service-env.ts';

// The relay service's scheduled reconciliation (relay orgs add --verify-every ...): with a short
// interval, conversations the relay delivered are complete in Tethr; conversations that closed
// without an event (a flow that failed to publish: the gap injected here) are missing. The
// missing count shows as a metric; with --verify-resend the next run sends them through the
// normal delivery path and the metric goes back to 0. Every run logs one JSON line with its counts.

let env: ServiceEnv;
const ORG = ServiceEnv.orgId(901);
const KEY = orgKey(ORG);

before(async () => {
  env = await new ServiceEnv().start({ keepaliveMs: 300 });
});
after(async () => {
  await env.stop();
});

const base: Partial<RelayOrgOptions> = {
  mode: 'transcripts',
  sink: 'tethr',
  startAt: 'earliest',
  verifyWindowSeconds: 3_600,
  verifyLagSeconds: 0
};

function metric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{org="${KEY}",replica="verify"} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

it(
  'reconciles an org on its interval, exports the missing count and resends the gap',
  { timeout: 180_000 },
  async () => {
    await env.addOrg(ORG, { ...base, verifyEverySeconds: 0 });
    const replica = await env.spawnReplica('verify', { leaseSeconds: 3, args: ['--log-level', 'info'] });
    const http = await env.httpBase('verify');
    const metrics = async () => (await fetch(`${http}/metrics`)).text();

    // Delivered by the relay: each has its event.
    const delivered = Array.from({ length: 3 }, (_, i) => env.org.addCase(Date.now() - 600_000 + i * 1000));
    env.pubsub.publish(
      delivered.map((recordId) => closedEventRecord({ recordId, objectType: 'Case' })),
      ORG
    );
    await waitFor(
      () => delivered.every((id) => env.tethr.captures.has(env.sessionId(ORG, id))),
      60_000,
      () => replica.stderr.slice(-3000)
    );
    // The gap: closed in Salesforce, no event ever published.
    const lost = Array.from({ length: 2 }, (_, i) => env.org.addCase(Date.now() - 300_000 + i * 1000));

    // Reconcile every second, without resending: the metric shows the gap, and stays there.
    await env.addOrg(ORG, { ...base, verifyEverySeconds: 1 });
    await waitFor(
      async () => metric(await metrics(), 'tethr_relay_verify_missing') === lost.length,
      60_000,
      () => replica.stderr.slice(-3000)
    );
    let text = await metrics();
    assert.equal(metric(text, 'tethr_relay_verify_still_missing'), lost.length);
    assert.equal(metric(text, 'tethr_relay_verify_resent_total'), undefined, 'nothing resent');
    // The run sets its metrics before it writes its log line: wait for the line, do not assume it.
    const isFound = (l: Record<string, unknown>) =>
      l.msg === 'scheduled verify' && l.orgId === KEY && l.missing === lost.length;
    await replica.waitForLog(isFound);
    const found = replica.logs().find(isFound)!;
    assert.deepEqual(
      [found.closed, found.complete, found.missing, found.resent, found.stillMissing, found.level],
      [delivered.length + lost.length, delivered.length, lost.length, 0, lost.length, 'warn']
    );
    for (const id of lost) assert.ok(!env.tethr.captures.has(env.sessionId(ORG, id)));

    // With --verify-resend: the next run sends the gap, and the one after finds nothing missing.
    await env.addOrg(ORG, { ...base, verifyEverySeconds: 1, verifyResend: true });
    await waitFor(
      () => lost.every((id) => env.tethr.captures.has(env.sessionId(ORG, id))),
      60_000,
      () => replica.stderr.slice(-3000)
    );
    await waitFor(
      async () => metric(await metrics(), 'tethr_relay_verify_missing') === 0,
      60_000,
      () => replica.stderr.slice(-3000)
    );
    text = await metrics();
    assert.equal(metric(text, 'tethr_relay_verify_still_missing'), 0);
    const isResent = (l: Record<string, unknown>) => l.msg === 'scheduled verify' && Number(l.resent) > 0;
    await replica.waitForLog(isResent);
    const resent = replica.logs().find(isResent)!;
    assert.deepEqual(
      [resent.missing, resent.resent, resent.recovered, resent.stillMissing],
      [lost.length, lost.length, lost.length, 0]
    );
    // The normal delivery path: the resent captures are what the relay sends (its mapping, its sessionId).
    for (const id of lost) {
      const capture = env.tethr.captures.get(env.sessionId(ORG, id))!;
      assert.equal(capture.path, '/capture/v2/case');
      assert.equal((capture.body as { sessionId: string }).sessionId, env.sessionId(ORG, id));
    }
    assert.match(
      text,
      new RegExp(`tethr_relay_verify_runs_total\\{org="${KEY}",outcome="ok",replica="verify"\\} [1-9]`)
    );
    assert.ok(!replica.logs().some((l) => l.msg === 'scheduled verify failed'), replica.stderr.slice(-3000));

    // Off again: no more runs.
    await env.addOrg(ORG, { ...base, verifyEverySeconds: 0 });
    await replica.waitForLog((l) => l.msg === 'org changed: restarting its relay' && l.orgId === KEY);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const runs = replica.logs().filter((l) => l.msg === 'scheduled verify').length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(replica.logs().filter((l) => l.msg === 'scheduled verify').length, runs);

    replica.process.kill('SIGTERM');
    assert.equal(await replica.exited, 0, replica.stderr.slice(-2000));
  }
);

it(
  'runs one reconciliation at a time per replica, however many orgs are due',
  { timeout: 180_000 },
  async () => {
    const orgs = [902, 903, 904].map((n) => ServiceEnv.orgId(n));
    for (const orgId of orgs) await env.addOrg(orgId, { ...base, verifyEverySeconds: 1 });
    // Each run waits a little on Salesforce, so runs that overlapped would show it.
    env.org.delayMs = 150;
    const replica = await env.spawnReplica('busy', { leaseSeconds: 3, args: ['--log-level', 'info'] });
    const runsOf = () =>
      replica
        .logs()
        .filter((l) => l.msg === 'scheduled verify' && orgs.map(orgKey).includes(String(l.orgId)))
        .map((l) => ({
          org: String(l.orgId),
          end: Date.parse(String(l.ts)),
          start: Date.parse(String(l.ts)) - Number(l.durationMs)
        }));
    await waitFor(
      () => orgs.every((orgId) => runsOf().filter((r) => r.org === orgKey(orgId)).length >= 2),
      90_000,
      () => replica.stderr.slice(-3000)
    );
    env.org.delayMs = 0;
    const runs = runsOf().sort((a, b) => a.start - b.start);
    for (let i = 1; i < runs.length; i += 1)
      assert.ok(
        runs[i]!.start >= runs[i - 1]!.end - 5,
        `runs overlap: ${JSON.stringify(runs.slice(i - 1, i + 1))}`
      );
    replica.process.kill('SIGTERM');
    assert.equal(await replica.exited, 0, replica.stderr.slice(-2000));
  }
);
