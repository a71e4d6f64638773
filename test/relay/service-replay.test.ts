import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { orgKey } from '../../scripts/contracts/org-connection.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { ServiceEnv } from './helpers/service-env.ts';

// A service org whose stored replay id fell out of Pub/Sub's retention while no replica ran: the
// loud log line's advice names the org for `backfill --org-id` (its checkpoint and dead letters
// are in the database, there is no checkpoint file to move aside), and `relay checkpoint show`
// prints the same command.

const messages = loadMessages('relay');
let env: ServiceEnv;
before(async () => {
  env = await new ServiceEnv().start({ keepaliveMs: 300 });
});
after(async () => {
  await env.stop();
});

it(
  'advises `backfill --org-id` when a service org resumes past retention',
  { timeout: 120_000 },
  async () => {
    const orgId = ServiceEnv.orgId(801);
    await env.addOrg(orgId, ServiceEnv.eventsOptions());
    const first = await env.spawnReplica('replay', { args: ['--log-level', 'info'] });
    env.publish(orgId, 3);
    await env.waitForOutput('replay', orgId, 3);
    first.process.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.stderr.slice(-2000));
    const { rows } = await env.db.query<{ updated_at: Date }>(
      'SELECT updated_at FROM relay_checkpoints WHERE org_id = $1',
      [orgKey(orgId)]
    );
    const savedAt = rows[0]!.updated_at.toISOString();

    // While no replica ran, three more closed and the first four fell out of retention.
    const later = env.publish(orgId, 3);
    env.pubsub.purge(orgId, 4);
    const second = await env.spawnReplica('replay-again', { args: ['--log-level', 'info'] });
    await second.waitForLog((l) => String(l.msg).includes('STORED REPLAY ID REJECTED'), 30_000);
    const loud = second.logs().find((l) => String(l.msg).includes('STORED REPLAY ID REJECTED'))!;
    assert.equal(
      loud.action,
      messages.getMessage('action.BackfillTheGapServiceOrg', [orgKey(orgId), savedAt, 'EARLIEST'])
    );
    // EARLIEST: what is still retained arrives.
    await env.waitForOutput('replay-again', orgId, 2);
    assert.deepEqual(
      (await env.output('replay-again', orgId)).map((l) => l.eventId),
      later.slice(1).map((e) => e.id)
    );

    const shown = await env.command('checkpoint:show', ['--org-id', orgId]);
    assert.equal(shown.status, 0, shown.stderr);
    const view = (shown.json.result as Array<Record<string, unknown>>)[0]!;
    assert.equal(
      view.backfillCommand,
      messages.getMessage('command.BackfillSinceServiceOrg', [orgKey(orgId), String(view.updatedAt)])
    );
    second.process.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.stderr.slice(-2000));
  }
);

it(
  'resumes an org added again after removal from its checkpoint, without a refused first claim',
  { timeout: 120_000 },
  async () => {
    const orgId = ServiceEnv.orgId(802);
    await env.addOrg(orgId, ServiceEnv.eventsOptions());
    const replica = await env.spawnReplica('readd', { args: ['--log-level', 'info'] });
    const before = env.publish(orgId, 3);
    await env.waitForOutput('readd', orgId, 3);
    assert.equal(await env.removeOrg(orgId), 'removing');
    await replica.waitForLog((l) => l.msg === 'org removed' && l.orgId === orgKey(orgId), 30_000);

    // Its checkpoint was last written under epoch 5, as after four moves between replicas.
    await env.db.query('UPDATE relay_checkpoints SET epoch = 5 WHERE org_id = $1', [orgKey(orgId)]);

    await env.addOrg(orgId, ServiceEnv.eventsOptions());
    const after = env.publish(orgId, 2);
    await env.waitForOutput('readd', orgId, 5);
    assert.deepEqual(
      (await env.output('readd', orgId)).map((l) => l.eventId),
      [...before, ...after].map((e) => e.id),
      'resumed after its checkpoint: nothing twice'
    );
    assert.ok(
      !replica
        .logs()
        .some((l) => String(l.msg).includes('lease') && l.level === 'warn' && l.orgId === orgKey(orgId)),
      replica.stderr.slice(-2000)
    );
    const { rows: leases } = await env.db.query<{ epoch: string }>(
      'SELECT epoch FROM relay_leases WHERE org_id = $1',
      [orgKey(orgId)]
    );
    assert.equal(Number(leases[0]!.epoch), 6, 'the first claim after re-adding outranks the checkpoint');
    replica.process.kill('SIGTERM');
    assert.equal(await replica.exited, 0, replica.stderr.slice(-2000));
  }
);
