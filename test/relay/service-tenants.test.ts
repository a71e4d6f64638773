import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { orgKey } from '../../scripts/contracts/org-connection.ts';
import { writeBundle } from '../../scripts/org/credentials-bundle.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { waitFor } from './helpers/relay-env.ts';
import { ServiceEnv } from './helpers/service-env.ts';

// Orgs added, changed and removed while `relay serve` runs, through the commands an operator uses
// (`tethr-sf relay orgs add|remove|list`, `relay checkpoint show`): an added org starts, a changed
// one restarts with its new options, a removed one drains, writes its last checkpoint and stops.

const messages = loadMessages('relay');
let env: ServiceEnv;
before(async () => {
  env = await new ServiceEnv().start({ keepaliveMs: 300 });
});
after(async () => {
  await env.stop();
});

async function bundleFile(orgId: string): Promise<string> {
  const path = join(env.dir, `${orgKey(orgId)}.credentials.json`);
  await writeBundle(path, env.bundle(orgId));
  return path;
}

it('picks up orgs added, changed and removed while it runs', { timeout: 180_000 }, async () => {
  const first = ServiceEnv.orgId(701);
  const added = ServiceEnv.orgId(702);
  const sinkOf = (orgId: string) => `ndjson:out/${orgKey(orgId)}.ndjson`;

  const addFirst = await env.command('orgs:add', [
    '--credentials',
    await bundleFile(first),
    '--mode',
    'events',
    '--sink',
    sinkOf(first),
    '--start-at',
    'earliest'
  ]);
  assert.equal(addFirst.status, 0, addFirst.stderr);
  assert.equal((addFirst.json.result as Record<string, unknown>).outcome, 'added');
  const replica = await env.spawnReplica('tenants', { leaseSeconds: 30, args: ['--log-level', 'info'] });
  const base = await env.httpBase('tenants');
  const early = env.publish(first, 5);
  await env.waitForOutput('tenants', first, 5);

  // Added while running: starts without a restart (and well before the 10 s tick: NOTIFY).
  const addedAt = Date.now();
  const addSecond = await env.command('orgs:add', [
    '--credentials',
    await bundleFile(added),
    '--mode',
    'events',
    '--sink',
    sinkOf(added),
    '--start-at',
    'earliest'
  ]);
  assert.equal(addSecond.status, 0, addSecond.stderr);
  const secondEvents = env.publish(added, 7);
  await env.waitForOutput('tenants', added, 7);
  console.log(
    `tenants: an added org delivered its first events ${Date.now() - addedAt} ms after \`relay orgs add\``
  );
  assert.deepEqual(
    (await env.output('tenants', added)).map((l) => l.eventId),
    secondEvents.map((e) => e.id)
  );

  // Listed with its owner; no secret in the listing.
  const listed = await env.command('orgs:list', []);
  assert.equal(listed.status, 0, listed.stderr);
  const rows = listed.json.result as Array<Record<string, unknown>>;
  assert.deepEqual(rows.map((r) => r.orgId).sort(), [orgKey(first), orgKey(added)]);
  assert.ok(rows.every((r) => r.owner === 'tenants'));
  assert.ok(!JSON.stringify(listed.json).includes(env.oauth.secret));

  // Changed while running: the org's relay restarts with the new sink and resumes from its checkpoint.
  const change = await env.command('orgs:add', [
    '--credentials',
    await bundleFile(first),
    '--mode',
    'events',
    '--sink',
    'ndjson:out/changed.ndjson',
    '--start-at',
    'earliest'
  ]);
  assert.equal((change.json.result as Record<string, unknown>).outcome, 'updated');
  await replica.waitForLog(
    (l) => l.msg === 'org changed: restarting its relay' && l.orgId === orgKey(first),
    30_000
  );
  await waitFor(() => env.pubsub.streamsOf(first) === 1, 30_000);
  const afterChange = env.publish(first, 3);
  await env.waitForOutput('tenants', 'changed', 3);
  assert.deepEqual(
    (await env.output('tenants', 'changed')).map((l) => l.eventId),
    afterChange.map((e) => e.id),
    'the new sink gets only what came after the checkpoint'
  );
  assert.equal((await env.output('tenants', first)).length, early.length);

  // Removed while streaming: drains, writes its last checkpoint, closes its stream, and is gone.
  const removing = env.publish(added, 200);
  const removed = await env.command('orgs:remove', ['--org-id', added]);
  assert.equal(removed.status, 0, removed.stderr);
  assert.equal((removed.json.result as Record<string, unknown>).outcome, 'removing');
  await replica.waitForLog((l) => l.msg === 'org removed' && l.orgId === orgKey(added), 30_000);
  await waitFor(() => env.pubsub.streamsOf(added) === 0, 10_000);
  const delivered = await env.output('tenants', added);
  const { rows: checkpoints } = await env.db.query<{ replay_id: Buffer }>(
    'SELECT replay_id FROM relay_checkpoints WHERE org_id = $1',
    [orgKey(added)]
  );
  const lastDelivered = delivered.at(-1)!.replayId;
  assert.equal(
    checkpoints[0]!.replay_id.toString('base64'),
    lastDelivered,
    'the last checkpoint covers everything it delivered'
  );
  assert.ok(delivered.length <= secondEvents.length + removing.length);
  const { rows: gone } = await env.db.query('SELECT 1 FROM relay_orgs WHERE org_id = $1', [orgKey(added)]);
  assert.equal(gone.length, 0);
  env.publish(added, 5);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal((await env.output('tenants', added)).length, delivered.length, 'nothing more after removal');
  const again = await env.command('orgs:remove', ['--org-id', added]);
  assert.equal(again.status, 1);
  assert.equal(
    (again.json as { message?: string }).message,
    messages.getMessage('error.OrgNotFound', [orgKey(added)])
  );

  // The service-side checkpoint, readable with the inspect command.
  const shown = await env.command('checkpoint:show', ['--org-id', first]);
  assert.equal(shown.status, 0, shown.stderr);
  const view = (shown.json.result as Array<Record<string, unknown>>)[0]!;
  assert.equal(view.replayId, afterChange.at(-1)!.replayId.toString('base64'));
  assert.equal(
    view.backfillCommand,
    messages.getMessage('command.BackfillSinceServiceOrg', [orgKey(first), String(view.updatedAt)])
  );

  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.doesNotMatch(metrics, new RegExp(`org="${orgKey(added)}"`), "a removed org's series are gone");
  assert.match(
    metrics,
    new RegExp(`tethr_relay_stream_connected\\{org="${orgKey(first)}",replica="tenants"\\} 1`)
  );

  replica.process.kill('SIGTERM');
  assert.equal(await replica.exited, 0, replica.stderr.slice(-2000));
});
