import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { fromCredentialsBundle } from '../../scripts/contracts/org-connection.ts';
import type { CredentialsBundle } from '../../scripts/contracts/credentials-bundle.ts';
import { DeadLetterFile, type DeadLetterStore } from '../../scripts/relay/dead-letters.ts';
import { LeaseLostError } from '../../scripts/relay/lease-lost.ts';
import { openDatabase, type Database } from '../../scripts/relay/service/database.ts';
import { Lease, LeaseStore } from '../../scripts/relay/service/lease-store.ts';
import { migrate, SCHEMA_VERSION } from '../../scripts/relay/service/migrations.ts';
import { DEFAULT_ORG_OPTIONS } from '../../scripts/relay/service/org-options.ts';
import { PgCheckpointStore } from '../../scripts/relay/service/pg-checkpoint-store.ts';
import { PgDeadLetterStore } from '../../scripts/relay/service/pg-dead-letter-store.ts';
import { TenantStore } from '../../scripts/relay/service/tenant-store.ts';
import { loadMessages } from '../../scripts/shared/messages.ts';
import { freshDatabase, type TestDatabase } from './postgres/test-database.ts';

// The relay service's state in a real PostgreSQL: migrations, tenants, leases with fencing epochs,
// checkpoints that only the current lease holder can write, and dead letters (the same interface
// tested against the file store).

const messages = loadMessages('relay');
let testDb: TestDatabase;
let db: Database;

function bundle(orgId: string): CredentialsBundle {
  return {
    schema: 'tethr-salesforce-credentials/v1',
    orgId,
    myDomainUrl: 'https://acme.my.salesforce.com',
    authFlow: 'client_credentials',
    consumerKey: '3MVG9.key',
    consumerSecret: 'secret-value',
    integrationUsername: 'tethr@acme.example',
    namespace: 'tethr',
    eventTopic: '/event/tethr__Conversation_Closed__e',
    apiVersion: '66.0',
    channels: ['Case'],
    createdAt: '2026-12-01T00:00:00.000Z'
  };
}

async function addOrg(orgId: string): Promise<void> {
  const b = bundle(orgId);
  await new TenantStore(db).put(
    fromCredentialsBundle(b),
    b as unknown as Record<string, unknown>,
    DEFAULT_ORG_OPTIONS
  );
}

before(async () => {
  testDb = await freshDatabase('state');
  db = await openDatabase(testDb.url);
});
after(async () => {
  await db.close();
  await testDb.drop();
});

describe('migrations', () => {
  it('apply once, are recorded, and refuse a schema newer than this relay', async () => {
    const again = await migrate(db);
    assert.deepEqual(again, { from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    const { rows } = await db.query<{ version: number }>(
      'SELECT version FROM relay_schema_migrations ORDER BY version'
    );
    assert.deepEqual(
      rows.map((r) => r.version),
      [1]
    );
    await db.query(`INSERT INTO relay_schema_migrations (version, name) VALUES (999, 'from the future')`);
    try {
      await assert.rejects(migrate(db), (error: Error) => {
        assert.equal(error.message, messages.getMessage('error.DatabaseTooNew', [999, SCHEMA_VERSION]));
        return true;
      });
    } finally {
      await db.query('DELETE FROM relay_schema_migrations WHERE version = 999');
    }
  });

  it('names the server when it cannot connect, without the password', async () => {
    await assert.rejects(openDatabase('postgres://tethr:hunter2@127.0.0.1:1/nowhere'), (error: Error) => {
      assert.ok(
        error.message.startsWith(
          messages
            .getMessage('error.DatabaseUnreachable', ['postgres://tethr@127.0.0.1:1/nowhere', ''])
            .trim()
        )
      );
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
  });
});

describe('tenants', () => {
  it('adds, updates only on change, lists without secrets, removes', async () => {
    const store = new TenantStore(db);
    const b = bundle('00D0000000000A1EAA');
    const connection = fromCredentialsBundle(b);
    assert.equal(await store.put(connection, b as never, DEFAULT_ORG_OPTIONS), 'added');
    assert.equal(await store.put(connection, b as never, DEFAULT_ORG_OPTIONS), 'unchanged');
    assert.equal(
      await store.put(connection, b as never, {
        ...DEFAULT_ORG_OPTIONS,
        mode: 'events',
        sink: 'ndjson:x.ndjson'
      }),
      'updated'
    );
    const snapshot = await store.snapshot();
    assert.equal(snapshot.get('00D0000000000A1')!.revision, 2);
    const listed = (await store.list()).find((t) => t.orgId === '00D0000000000A1')!;
    assert.equal(listed.mode, 'events');
    assert.equal(listed.owner, null);
    assert.ok(!JSON.stringify(listed).includes('secret-value'));
    assert.equal(await store.remove('00D0000000000A1EAA'), 'removed', 'nobody relays it: removed at once');
    assert.equal(await store.remove('00D0000000000A1EAA'), 'not-found');
  });

  it('an org a replica relays is marked removing until its owner finishes', async () => {
    await addOrg('00D0000000000A2EAA');
    const leases = new LeaseStore(db, { replicaId: 'r-remove', leaseSeconds: 30 });
    const [claimed] = await leases.claim(10).then((all) => all.filter((l) => l.orgId === '00D0000000000A2'));
    assert.ok(claimed);
    const store = new TenantStore(db);
    assert.equal(await store.remove('00D0000000000A2'), 'removing');
    assert.equal((await store.snapshot()).get('00D0000000000A2')!.state, 'removing');
    assert.equal(await store.finishRemoval('00D0000000000A2', 'someone-else', claimed.epoch), false);
    assert.equal(await store.finishRemoval('00D0000000000A2', 'r-remove', claimed.epoch), true);
    assert.equal((await store.snapshot()).has('00D0000000000A2'), false);
  });
});

describe('leases', () => {
  it('two replicas claiming at once split the orgs, each claim raising the epoch', async () => {
    for (let i = 0; i < 20; i += 1) await addOrg(`00D00000000B${String(i).padStart(3, '0')}EAA`);
    const a = new LeaseStore(db, { replicaId: 'r-a', leaseSeconds: 30 });
    const b = new LeaseStore(db, { replicaId: 'r-b', leaseSeconds: 30 });
    const [fromA, fromB] = await Promise.all([a.claim(15), b.claim(15)]);
    const ids = [...fromA, ...fromB].map((l) => l.orgId).filter((id) => id.startsWith('00D00000000B'));
    assert.equal(new Set(ids).size, ids.length, 'no org claimed twice');
    assert.ok(fromA.every((l) => l.epoch >= 1));
    // Nothing left to claim while the leases live.
    assert.deepEqual(await a.claim(50), []);
    await a.release(fromA[0]!);
    const [again] = await b.claim(1);
    assert.equal(again!.orgId, fromA[0]!.orgId);
    assert.equal(again!.epoch, fromA[0]!.epoch + 1, 'a new claim is a new epoch');
    await db.query(`UPDATE relay_leases SET owner = NULL, expires_at = NULL`);
  });

  it('renews only unexpired leases of the same epoch; an expired one must be claimed anew', async () => {
    await addOrg('00D0000000000C1EAA');
    const a = new LeaseStore(db, { replicaId: 'r-renew', leaseSeconds: 1 });
    const claimed = (await a.claim(100)).find((l) => l.orgId === '00D0000000000C1')!;
    assert.deepEqual([...(await a.renew([claimed]))], ['00D0000000000C1']);
    assert.deepEqual([...(await a.renew([{ ...claimed, epoch: claimed.epoch - 1 }]))], []);
    await db.query(
      `UPDATE relay_leases SET expires_at = now() - interval '1 second' WHERE org_id = '00D0000000000C1'`
    );
    assert.deepEqual([...(await a.renew([claimed]))], [], 'an expired lease is not revived');
    const reclaimed = (await a.claim(100)).find((l) => l.orgId === '00D0000000000C1')!;
    assert.equal(reclaimed.epoch, claimed.epoch + 1);
    await db.query(`UPDATE relay_leases SET owner = NULL, expires_at = NULL`);
  });

  it('counts live replicas by heartbeat', async () => {
    const a = new LeaseStore(db, { replicaId: 'hb-a', leaseSeconds: 30 });
    const b = new LeaseStore(db, { replicaId: 'hb-b', leaseSeconds: 30 });
    await a.heartbeat();
    const live = await b.heartbeat();
    assert.ok(live >= 2);
    await a.leave();
    assert.equal(await b.heartbeat(), live - 1);
    await b.leave();
  });

  it('a Lease ends on the local clock a margin before the database expiry', () => {
    const lease = new Lease({ orgId: '00D0000000000D1EAA', epoch: 3 }, performance.now() - 10_000, 10);
    assert.equal(lease.current, false);
    assert.throws(() => lease.assertCurrent(), LeaseLostError);
    const fresh = new Lease({ orgId: '00D0000000000D1EAA', epoch: 3 }, performance.now(), 10);
    assert.equal(fresh.current, true);
    assert.ok(fresh.remainingMs <= 9000 && fresh.remainingMs > 8000, `remaining ${fresh.remainingMs}`);
    fresh.revoke('refused');
    assert.throws(() => fresh.assertCurrent(), LeaseLostError);
  });
});

describe('fenced checkpoints', () => {
  it('a replica whose lease was taken over can no longer write, and never overwrites the newer position', async () => {
    await addOrg('00D0000000000E1EAA');
    const topic = '/event/tethr__Conversation_Closed__e';
    const a = new LeaseStore(db, { replicaId: 'fence-a', leaseSeconds: 30 });
    const b = new LeaseStore(db, { replicaId: 'fence-b', leaseSeconds: 30 });
    const claimA = (await a.claim(100)).find((l) => l.orgId === '00D0000000000E1')!;
    const leaseA = new Lease(claimA, performance.now(), 30);
    const storeA = new PgCheckpointStore(db, { lease: leaseA, owner: 'fence-a', topic });
    const checkpoint = (byte: number) => ({
      topic,
      replayId: Buffer.from([0, 0, 0xff, byte]),
      updatedAt: new Date().toISOString(),
      acknowledged: byte
    });
    await storeA.put(checkpoint(1));
    assert.deepEqual((await storeA.read())!.replayId, Buffer.from([0, 0, 0xff, 1]));

    // A is paused; its lease expires in the database and B claims the org (epoch + 1).
    await db.query(
      `UPDATE relay_leases SET expires_at = now() - interval '1 second' WHERE org_id = '00D0000000000E1'`
    );
    const claimB = (await b.claim(100)).find((l) => l.orgId === '00D0000000000E1')!;
    assert.equal(claimB.epoch, claimA.epoch + 1);
    const storeB = new PgCheckpointStore(db, {
      lease: new Lease(claimB, performance.now(), 30),
      owner: 'fence-b',
      topic
    });
    assert.deepEqual(
      (await storeB.read())!.replayId,
      Buffer.from([0, 0, 0xff, 1]),
      "B resumes from A's last write"
    );
    await storeB.put(checkpoint(7));

    // A resumes, its local clock not yet expired: the database refuses the write.
    await assert.rejects(storeA.put(checkpoint(2)), LeaseLostError);
    assert.equal(leaseA.current, false, 'the refusal ends the lease locally too');
    await assert.rejects(storeA.put(checkpoint(3)), LeaseLostError);
    const { rows } = await db.query<{ replay_id: Buffer; epoch: string }>(
      `SELECT replay_id, epoch FROM relay_checkpoints WHERE org_id = '00D0000000000E1'`
    );
    assert.deepEqual(rows[0]!.replay_id, Buffer.from([0, 0, 0xff, 7]));
    assert.equal(Number(rows[0]!.epoch), claimB.epoch);
  });

  it('an expired lease nobody claimed yet cannot write either', async () => {
    await addOrg('00D0000000000E2EAA');
    const a = new LeaseStore(db, { replicaId: 'fence-c', leaseSeconds: 30 });
    const claim = (await a.claim(100)).find((l) => l.orgId === '00D0000000000E2')!;
    const store = new PgCheckpointStore(db, {
      lease: new Lease(claim, performance.now(), 30),
      owner: 'fence-c',
      topic: '/t'
    });
    await db.query(
      `UPDATE relay_leases SET expires_at = now() - interval '1 second' WHERE org_id = '00D0000000000E2'`
    );
    await assert.rejects(
      store.put({
        topic: '/t',
        replayId: Buffer.from([1]),
        updatedAt: new Date().toISOString(),
        acknowledged: 1
      }),
      LeaseLostError
    );
  });
});

/** The same behaviour from both dead-letter stores: what `tethr-sf dead-letters` will build on. */
function deadLetterContract(
  name: string,
  make: () => Promise<{ store: DeadLetterStore; cleanup(): Promise<void> }>
) {
  describe(`dead letters: ${name}`, () => {
    it('writes, lists without payload, shows the payload only when asked, marks retried, removes, counts', async () => {
      const { store, cleanup } = await make();
      try {
        await store.write({
          reason: 'record-not-found',
          detail: 'gone',
          recordId: '500000000000001AAA',
          objectType: 'Case',
          eventId: 'e1',
          replayId: 'AAE='
        });
        await store.write({
          reason: 'tethr-rejected',
          detail: 'HTTP 400',
          recordId: '500000000000002AAA',
          objectType: 'Case',
          payload: { transcript: 'customer text' }
        });
        const listed = await store.list();
        assert.equal(listed.length, 2);
        assert.deepEqual(
          listed.map((l) => l.reason),
          ['tethr-rejected', 'record-not-found'],
          'newest first'
        );
        assert.ok(!JSON.stringify(listed).includes('customer text'), 'a listing never holds the payload');
        assert.equal(listed[0]!.hasPayload, true);
        assert.ok(listed.every((l) => /^\d{4}-\d{2}-\d{2}T/.test(l.at)));
        const id = listed[0]!.id;
        assert.equal((await store.get(id))!.payload, undefined);
        assert.deepEqual((await store.get(id, { withPayload: true }))!.payload, {
          transcript: 'customer text'
        });
        assert.equal(await store.count({ reason: 'tethr-rejected' }), 1);
        assert.equal(await store.markRetried(id), true);
        assert.equal(await store.markRetried(id), false);
        assert.equal(await store.count(), 1, 'retried letters are not counted by default');
        assert.equal((await store.list({ includeRetried: true })).length, 2);
        assert.ok((await store.get(id))!.retriedAt);
        const other = listed[1]!.id;
        assert.equal(await store.remove(other), true);
        assert.equal(await store.get(other), undefined);
        assert.equal(await store.remove(other), false);
      } finally {
        await cleanup();
      }
    });
  });
}

deadLetterContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tethr-dl-'));
  const store = new DeadLetterFile(join(dir, 'x.dead-letters.ndjson'), { orgId: '00D000000000001EAA' });
  return { store, cleanup: () => store.close().then(() => rm(dir, { recursive: true, force: true })) };
});

deadLetterContract('postgresql', async () => {
  const org = `00D0000000${String(Date.now() % 100000).padStart(5, '0')}`;
  return {
    store: new PgDeadLetterStore(db).forOrg(org),
    cleanup: async () => {
      await db.query('DELETE FROM relay_dead_letters WHERE org_id = $1', [org]);
    }
  };
});
