import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { orgKey } from '../../scripts/contracts/org-connection.ts';
import { waitFor } from './helpers/relay-env.ts';
import { ServiceEnv } from './helpers/service-env.ts';

// Replicas of `relay serve` sharing orgs through leases, against a real PostgreSQL:
// - kill -9 of one replica mid-stream: its orgs move to the others within the lease time,
//   nothing is lost, and each moved org repeats at most one window of deliveries;
// - a replica frozen (SIGSTOP) past its lease and then resumed delivers nothing more and writes
//   no checkpoint: the new owner's position stands.

const WINDOW = 20;

function uniqueIds(lines: Array<Record<string, unknown>>): Set<unknown> {
  return new Set(lines.map((l) => l.eventId));
}

describe('relay serve replicas', () => {
  let env: ServiceEnv;
  before(async () => {
    // Paced delivery: 5 events per response, 20 ms apart (250 a second per org), so a kill lands
    // mid-stream.
    env = await new ServiceEnv().start({ keepaliveMs: 500, paceMs: 20, maxBatch: 5 });
  });
  after(async () => {
    await env.stop();
  });

  it(
    'kill -9 of one of three replicas moves its orgs; nothing lost, at most one window repeated per org',
    { timeout: 180_000 },
    async () => {
      const ORGS = 12;
      const EVENTS = 1000;
      const orgs = Array.from({ length: ORGS }, (_, i) => ServiceEnv.orgId(100 + i));
      for (const orgId of orgs) await env.addOrg(orgId, ServiceEnv.eventsOptions({ numRequested: WINDOW }));
      const names = ['r1', 'r2', 'r3'];
      for (const name of names)
        await env.spawnReplica(name, { leaseSeconds: 3, args: ['--log-level', 'warn'] });
      // Spread: each replica holds its share (4) before the stream starts.
      await waitFor(
        async () => {
          const owners = [...(await env.owners()).values()];
          return names.every((n) => owners.filter((o) => o === n).length === ORGS / names.length);
        },
        30_000,
        () => 'replicas did not settle on 4 orgs each'
      );
      const published = new Map(orgs.map((orgId) => [orgId, env.publish(orgId, EVENTS)]));
      const before = await env.owners();
      const victim = 'r2';
      const victimOrgs = orgs.filter((o) => before.get(orgKey(o)) === victim);
      assert.equal(victimOrgs.length, 4);
      // Kill once the victim is well into its orgs' streams.
      await waitFor(async () => {
        let delivered = 0;
        for (const orgId of victimOrgs) delivered += (await env.output(victim, orgId)).length;
        return delivered >= victimOrgs.length * 250;
      }, 60_000);
      env.replicas.get(victim)!.process.kill('SIGKILL');
      const killedAt = Date.now();
      await env.replicas.get(victim)!.exited;

      // Its orgs move to the survivors within the lease time (plus a tick and the claim).
      await waitFor(async () => {
        const owners = await env.owners();
        return victimOrgs.every((o) => ['r1', 'r3'].includes(owners.get(orgKey(o)) ?? ''));
      }, 30_000);
      const movedAfterMs = Date.now() - killedAt;
      assert.ok(movedAfterMs < 3_000 * 4, `orgs moved after ${movedAfterMs} ms (lease 3 s)`);

      await waitFor(
        async () => {
          for (const orgId of orgs) if (uniqueIds(await env.allOutput(orgId)).size < EVENTS) return false;
          return true;
        },
        120_000,
        () => [...env.replicas.values()].map((r) => r.stderr.slice(-1500)).join('\n---\n')
      );
      let totalDuplicates = 0;
      for (const orgId of orgs) {
        const lines = await env.allOutput(orgId);
        const ids = published.get(orgId)!.map((e) => e.id);
        assert.deepEqual([...uniqueIds(lines)].sort(), [...ids].sort(), `org ${orgId}: every event arrived`);
        const duplicates = lines.length - EVENTS;
        totalDuplicates += duplicates;
        if (victimOrgs.includes(orgId)) {
          assert.ok(duplicates <= WINDOW, `org ${orgId}: ${duplicates} duplicates > window ${WINDOW}`);
          const taken = (await env.output('r1', orgId)).length + (await env.output('r3', orgId)).length;
          assert.ok(
            taken > 0 && taken < EVENTS + WINDOW,
            `org ${orgId}: the kill landed mid-stream (survivors delivered ${taken})`
          );
        } else assert.equal(duplicates, 0, `org ${orgId} never moved and repeats nothing`);
      }
      const { rows } = await env.db.query<{ org_id: string; epoch: string }>(
        'SELECT org_id, epoch FROM relay_checkpoints'
      );
      for (const orgId of victimOrgs)
        assert.ok(
          Number(rows.find((r) => r.org_id === orgKey(orgId))!.epoch) >= 2,
          'the new owner writes under a new epoch'
        );
      assert.equal(env.pubsub.overRequested, 0);
      console.log(
        `failover: ${victimOrgs.length} orgs moved in ${movedAfterMs} ms; ${totalDuplicates} duplicate lines (bound ${victimOrgs.length} x ${WINDOW})`
      );

      for (const name of ['r1', 'r3']) env.replicas.get(name)!.process.kill('SIGTERM');
      for (const name of ['r1', 'r3']) assert.equal(await env.replicas.get(name)!.exited, 0);
      for (const orgId of orgs) await env.removeOrg(orgId);
    }
  );

  it(
    'a replica frozen past its lease cannot deliver or checkpoint as owner once it resumes',
    { timeout: 120_000 },
    async () => {
      const orgId = ServiceEnv.orgId(900);
      const key = orgKey(orgId);
      await env.addOrg(orgId, ServiceEnv.eventsOptions({ numRequested: WINDOW }));
      const frozen = await env.spawnReplica('frozen', { leaseSeconds: 3, args: ['--log-level', 'info'] });
      await waitFor(
        async () => (await env.owners()).get(key) === 'frozen',
        30_000,
        () => frozen.stderr.slice(-2000)
      );
      const { rows: claimRows } = await env.db.query<{ epoch: string }>(
        'SELECT epoch FROM relay_leases WHERE org_id = $1',
        [key]
      );
      const frozenEpoch = Number(claimRows[0]!.epoch);
      const taker = await env.spawnReplica('taker', { leaseSeconds: 3, args: ['--log-level', 'info'] });
      await env.httpBase('taker');

      // A steady stream; freeze the owner in the middle of it.
      const published = env.publish(orgId, 300);
      await waitFor(async () => (await env.output('frozen', orgId)).length >= 60, 30_000);
      frozen.process.kill('SIGSTOP');
      const atStop = (await env.output('frozen', orgId)).length;
      // More events while it sleeps: the server keeps writing into its stream until its credit is spent.
      const more = env.publish(orgId, 100);

      // Past the lease, the other replica claims the org with a newer epoch and carries on.
      await waitFor(
        async () => (await env.owners()).get(key) === 'taker',
        30_000,
        () => taker.stderr.slice(-2000)
      );
      const { rows: takenRows } = await env.db.query<{ epoch: string }>(
        'SELECT epoch FROM relay_leases WHERE org_id = $1',
        [key]
      );
      const takerEpoch = Number(takenRows[0]!.epoch);
      assert.equal(takerEpoch, frozenEpoch + 1);
      const all = [...published, ...more].map((e) => e.id);
      await waitFor(
        async () =>
          uniqueIds([...(await env.output('frozen', orgId)), ...(await env.output('taker', orgId))]).size ===
          all.length,
        60_000
      );

      // Resume the frozen owner and give it time to act on whatever it still had.
      frozen.process.kill('SIGCONT');
      await frozen.waitForLog(
        (l) =>
          l.msg === 'lease lost: stopping this org without delivering or checkpointing' ||
          l.msg === 'lease lost',
        20_000
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));

      assert.equal(
        (await env.output('frozen', orgId)).length,
        atStop,
        'nothing delivered by the frozen replica after it resumed'
      );
      const { rows: checkpointRows } = await env.db.query<{ epoch: string; replay_id: Buffer }>(
        'SELECT epoch, replay_id FROM relay_checkpoints WHERE org_id = $1',
        [key]
      );
      assert.equal(Number(checkpointRows[0]!.epoch), takerEpoch, "the checkpoint is the new owner's");
      assert.deepEqual(
        checkpointRows[0]!.replay_id,
        more.at(-1)!.replayId,
        'and it stays at the newest position'
      );
      assert.equal((await env.owners()).get(key), 'taker');
      const lost = frozen.logs().find((l) => String(l.msg).startsWith('lease lost'));
      assert.ok(lost, 'the resumed replica says it lost the lease');
      // Nothing lost across both.
      const union = uniqueIds([
        ...(await env.output('frozen', orgId)),
        ...(await env.output('taker', orgId))
      ]);
      assert.equal(union.size, all.length);

      frozen.process.kill('SIGTERM');
      taker.process.kill('SIGTERM');
      assert.equal(await frozen.exited, 0, frozen.stderr.slice(-2000));
      assert.equal(await taker.exited, 0, taker.stderr.slice(-2000));
    }
  );
});
