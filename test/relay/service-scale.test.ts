import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { orgKey } from '../../scripts/contracts/org-connection.ts';
import { waitFor } from './helpers/relay-env.ts';
import { ServiceEnv } from './helpers/service-env.ts';

// 200 orgs in one `relay serve` process: every org's events reach that org's sink and no other,
// the streams share a couple of gRPC connections (about 100 streams per channel), nobody asks
// Pub/Sub for more than 100 outstanding events, and /healthz, /readyz and /metrics answer.

const ORGS = 200;
const EVENTS_PER_ORG = 15;

let env: ServiceEnv;
before(async () => {
  env = await new ServiceEnv().start({ keepaliveMs: 1000 });
});
after(async () => {
  await env.stop();
});

it(
  `relays ${ORGS} orgs in one process, each org's events to its own sink`,
  { timeout: 240_000 },
  async () => {
    const orgs = Array.from({ length: ORGS }, (_, i) => ServiceEnv.orgId(i + 1));
    for (const orgId of orgs) await env.addOrg(orgId, ServiceEnv.eventsOptions());
    const published = new Map(orgs.map((orgId) => [orgId, env.publish(orgId, EVENTS_PER_ORG)]));

    const replica = await env.spawnReplica('solo', { leaseSeconds: 10, args: ['--log-level', 'warn'] });
    await waitFor(
      async () => {
        for (const orgId of orgs) if ((await env.output('solo', orgId)).length < EVENTS_PER_ORG) return false;
        return true;
      },
      180_000,
      () => replica.stderr.slice(-3000)
    );

    for (const orgId of orgs) {
      const lines = await env.output('solo', orgId);
      const expected = published.get(orgId)!.map((e) => e.id);
      assert.deepEqual(
        lines.map((l) => l.eventId),
        expected,
        `org ${orgId} got exactly its own events, in order`
      );
      // Each line's replay id is one of this org's replay ids (no mix-up between orgs).
      const replayIds = new Set(published.get(orgId)!.map((e) => e.replayId.toString('base64')));
      assert.ok(lines.every((l) => replayIds.has(String(l.replayId))));
    }
    assert.equal(env.pubsub.activeStreams, ORGS);
    assert.ok(
      env.pubsub.connections <= 3,
      `streams share channels: ${env.pubsub.connections} connections for ${ORGS} streams`
    );
    assert.equal(env.pubsub.overRequested, 0, 'never more than 100 outstanding per stream');
    // Every tenant header named its own org.
    assert.deepEqual(
      new Set(env.pubsub.subscribeMetadata.map((m) => m.tenantid!.slice(0, 15))),
      new Set(orgs.map((o) => orgKey(o)))
    );

    const base = await env.httpBase('solo');
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 20_000);
    const ready = (await (await fetch(`${base}/readyz`)).json()) as Record<string, unknown>;
    assert.equal(ready.orgs, ORGS);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const first = orgKey(orgs[0]!);
    assert.match(
      metrics,
      new RegExp(
        `tethr_relay_events_handled_total\\{org="${first}",outcome="delivered",replica="solo"\\} ${EVENTS_PER_ORG}`
      )
    );
    assert.match(metrics, new RegExp(`tethr_relay_lease_owned\\{org="${first}",replica="solo"\\} 1`));
    assert.match(metrics, /tethr_relay_orgs_owned\{replica="solo"\} 200/);

    // Checkpoints are in the database, one per org, written under the lease's epoch.
    const { rows } = await env.db.query<{ n: string }>('SELECT count(*) AS n FROM relay_checkpoints');
    assert.equal(Number(rows[0]!.n), ORGS);

    replica.process.kill('SIGTERM');
    assert.equal(await replica.exited, 0, replica.stderr.slice(-2000));
    const owners = await env.owners();
    assert.ok(
      [...owners.values()].every((owner) => owner === null),
      'SIGTERM released every lease'
    );
    // Every line of the replica's log names its org (or is a replica-wide line naming the replica).
    for (const line of replica.logs()) assert.ok(line.orgId || line.replicaId, JSON.stringify(line));
  }
);
