import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FakeSalesforceServer } from '../servers/salesforce/server.ts';
import { FakeTethrServer } from '../servers/tethr/tethr-server.ts';
import { ConversationOrg, registerConversationRoutes } from './helpers/fake-conversations.ts';
import { waitFor } from './helpers/relay-env.ts';
import { freePort } from './helpers/ports.ts';
import { registerOrgsOAuth, ServiceEnv } from './helpers/service-env.ts';

// One `relay serve` process, transcripts mode, four orgs: one healthy; one whose Salesforce
// answers every read only after 30 s; one whose Salesforce is gone (connection refused); one whose
// Tethr instance answers 503 to everything. The healthy org's conversations keep arriving as fast
// as when all four were healthy: nothing of one org waits on another (own session, token cache,
// backoff, window and Tethr concurrency per org; one event loop that never blocks).

let env: ServiceEnv;
let slowSf: FakeSalesforceServer;
const slowOrgData = new ConversationOrg();
let downTethr: FakeTethrServer;
let closedPort = 0;

const HEALTHY = ServiceEnv.orgId(501);
const SLOW = ServiceEnv.orgId(502);
const SF_DOWN = ServiceEnv.orgId(503);
const TETHR_DOWN = ServiceEnv.orgId(504);

before(async () => {
  env = await new ServiceEnv().start({ keepaliveMs: 500 });
  slowSf = await new FakeSalesforceServer().start();
  // Same sign-in state as the main fake: Pub/Sub accepts the slow org's tokens too.
  registerOrgsOAuth(slowSf, env.oauth);
  registerConversationRoutes(slowSf, slowOrgData, (token) => env.oauth.issued.includes(token));
  closedPort = await freePort(); // nothing listens there: connection refused
  downTethr = await new FakeTethrServer(env.tethr.clientId, env.tethr.clientSecret).start();
  for (let i = 0; i < 10_000; i += 1) downTethr.faults.push({ status: 503 });
});
after(async () => {
  await env.stop();
  await slowSf.stop();
  await downTethr.stop();
});

/** Publishes `count` closed Cases for an org; returns when each was published, by record id. */
function publishCases(orgId: string, org: ConversationOrg, count: number): Map<string, number> {
  const sent = new Map<string, number>();
  const ids = Array.from({ length: count }, () => org.addCase(Date.now()));
  env.pubsub.publish(
    ids.map((recordId) => ({
      CreatedDate: Date.now(),
      CreatedById: '005000000000001AAA',
      Record_Id__c: recordId,
      Object_Type__c: 'Case',
      Closed_At__c: Date.now(),
      Case_Id__c: null,
      Channel__c: null
    })),
    orgId
  );
  for (const id of ids) sent.set(id, Date.now());
  return sent;
}

/** Latency (ms) from publishing to the capture arriving at Tethr, for each of `sent`. */
async function latencies(orgId: string, sent: Map<string, number>, timeoutMs: number): Promise<number[]> {
  const arrived = new Map<string, number>();
  await waitFor(
    () => {
      for (const id of sent.keys())
        if (!arrived.has(id) && env.tethr.captures.has(env.sessionId(orgId, id))) arrived.set(id, Date.now());
      return arrived.size === sent.size;
    },
    timeoutMs,
    () => `${arrived.size}/${sent.size} captures for ${orgId}`
  );
  return [...sent].map(([id, at]) => arrived.get(id)! - at).sort((a, b) => a - b);
}

it('a slow or failing org does not hold back the others', { timeout: 180_000 }, async () => {
  const transcripts = { mode: 'transcripts' as const, sink: 'tethr', startAt: 'earliest' as const };
  await env.addOrg(HEALTHY, transcripts);
  await env.addOrg(SLOW, transcripts, env.bundle(SLOW, slowSf.url));
  await env.addOrg(SF_DOWN, transcripts, env.bundle(SF_DOWN, `http://127.0.0.1:${closedPort}`));
  await env.addOrg(TETHR_DOWN, { ...transcripts, tethrUrl: downTethr.url });
  const replica = await env.spawnReplica('fair', { leaseSeconds: 5, args: ['--log-level', 'warn'] });
  await waitFor(
    () =>
      env.pubsub.streamsOf(HEALTHY) === 1 &&
      env.pubsub.streamsOf(SLOW) === 1 &&
      env.pubsub.streamsOf(TETHR_DOWN) === 1,
    30_000,
    () => replica.stderr.slice(-2000)
  );

  // Everyone healthy: the healthy org's baseline.
  const baseline = await latencies(HEALTHY, publishCases(HEALTHY, env.org, 20), 30_000);

  // Now the others misbehave, with plenty of work queued behind the trouble.
  slowOrgData.delayMs = 30_000;
  publishCases(SLOW, slowOrgData, 50);
  publishCases(TETHR_DOWN, env.org, 50);
  env.pubsub.publish(
    [
      {
        CreatedDate: Date.now(),
        CreatedById: '005000000000001AAA',
        Record_Id__c: '500000000000999AAA',
        Object_Type__c: 'Case',
        Closed_At__c: Date.now(),
        Case_Id__c: null,
        Channel__c: null
      }
    ],
    SF_DOWN
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const during: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    during.push(...(await latencies(HEALTHY, publishCases(HEALTHY, env.org, 20), 30_000)));
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  during.sort((a, b) => a - b);

  // The troubled orgs are still stuck while the healthy one went on.
  const slowDelivered = [...env.tethr.captures.keys()].filter((k) => k.startsWith(SLOW.slice(0, 15))).length;
  assert.equal(slowDelivered, 0, 'the slow org is still waiting on Salesforce');
  const tethrDownDelivered = [...env.tethr.captures.keys()].filter((k) =>
    k.startsWith(TETHR_DOWN.slice(0, 15))
  ).length;
  assert.equal(tethrDownDelivered, 0, "the Tethr-down org's captures went nowhere yet");
  assert.ok(downTethr.captureRequests > 0, 'and it kept trying its own Tethr');

  const p = (values: number[], q: number) =>
    values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  const base95 = p(baseline, 0.95);
  const during95 = p(during, 0.95);
  console.log(
    `fairness: healthy org p50/p95 ${p(baseline, 0.5)}/${base95} ms alone, ${p(during, 0.5)}/${during95} ms next to a slow, a down and a Tethr-down org`
  );
  // Flat: not a benchmark threshold, a bound far below the 30 s the slow org waits.
  assert.ok(
    during95 <= Math.max(3 * base95, base95 + 1_500),
    `healthy p95 ${during95} ms vs ${base95} ms alone`
  );

  // Once the slow org's Salesforce answers again, its backlog goes through.
  slowOrgData.delayMs = 0;
  await waitFor(
    () => [...env.tethr.captures.keys()].filter((k) => k.startsWith(SLOW.slice(0, 15))).length === 50,
    90_000,
    () => replica.stderr.slice(-2000)
  );
  replica.process.kill('SIGTERM');
  assert.equal(await replica.exited, 0, replica.stderr.slice(-2000));
});
