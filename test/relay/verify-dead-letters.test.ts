import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { DeadLetterFile } from '../../scripts/relay/dead-letters.ts';
import { openDatabase, type Database } from '../../scripts/relay/service/database.ts';
import { PgDeadLetterStore } from '../../scripts/relay/service/pg-dead-letter-store.ts';
import { CombinedDeadLetterSource, DeadLetterFiles } from '../../scripts/relay/verify/dead-letter-source.ts';
import { PgDeadLetterSource } from '../../scripts/relay/verify/pg-dead-letter-source.ts';
import { freshDatabase, type TestDatabase } from './postgres/test-database.ts';

// Which closed conversations were dead-lettered locally: letters name their record by the
// Salesforce id (18 or 15 characters) or by the Tethr session id; files may have torn lines and
// tombstones (retried, removed); the relay service's letters are in PostgreSQL.

let dir: string;
let testDb: TestDatabase;
let db: Database;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tethr-dead-letters-'));
  testDb = await freshDatabase('letters');
  db = await openDatabase(testDb.url);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await db.close();
  await testDb.drop();
});

const ORG = '00D000000000001EAA';
const records = (...ids: string[]) =>
  ids.map((recordId) => ({ recordId, sessionId: `00D000000000001:${recordId}` }));

it('matches letters by record id, its 15-character form and the session id, newest first', async () => {
  const relay = join(dir, 'relay.ndjson');
  const backfill = join(dir, 'backfill.ndjson');
  const line = (letter: Record<string, unknown>) => `${JSON.stringify(letter)}\n`;
  await writeFile(
    relay,
    line({
      at: '2026-11-30T10:00:00.000Z',
      reason: 'record-not-found',
      recordId: '500000000000001AAA',
      detail: 'x'
    }) +
      line({ at: '2026-11-30T10:00:01.000Z', reason: 'undecodable-event', recordId: null, payload: 'AAAA' }) +
      line({ at: '2026-11-30T10:00:02.000Z', reason: 'fetch-rejected', recordId: '500000000000002' }) +
      '{"at":"2026-11-30T10:00:03.000Z","reason":"tethr-rej' // torn by a crash
  );
  await writeFile(
    backfill,
    line({
      at: '2026-12-01T08:00:00.000Z',
      reason: 'tethr-rejected',
      recordId: '00D000000000001:500000000000003AAA'
    }) + line({ at: '2026-12-01T09:00:00.000Z', reason: 'tethr-rejected', recordId: '500000000000001AAA' })
  );
  const source = new DeadLetterFiles([relay, backfill, join(dir, 'absent.ndjson')]);
  const letters = await source.lettersFor(
    records('500000000000001AAA', '500000000000002AAA', '500000000000003AAA', '500000000000004AAA')
  );
  assert.deepEqual(Object.fromEntries(letters), {
    '500000000000001AAA': { reason: 'tethr-rejected', at: '2026-12-01T09:00:00.000Z' },
    '500000000000002AAA': { reason: 'fetch-rejected', at: '2026-11-30T10:00:02.000Z' },
    '500000000000003AAA': { reason: 'tethr-rejected', at: '2026-12-01T08:00:00.000Z' }
  });
  assert.deepEqual(source.describe(), [
    { source: relay, found: true },
    { source: backfill, found: true },
    { source: join(dir, 'absent.ndjson'), found: false }
  ]);
});

it('leaves out letters a tombstone marks retried or removed, as DeadLetterFile reads them', async () => {
  const path = join(dir, 'tombstones.ndjson');
  const file = new DeadLetterFile(path, { orgId: ORG });
  for (const recordId of ['500000000000011AAA', '500000000000012AAA', '500000000000013AAA'])
    await file.write({ reason: 'record-not-found', detail: 'gone', recordId, objectType: 'Case' });
  const [third, second, first] = await file.list();
  assert.ok(await file.markRetried(first!.id));
  assert.ok(await file.remove(second!.id));
  await file.close();
  // An older line without an id (line 6) and its tombstone, as markRetried writes it for such a line.
  await writeFile(
    path,
    `${JSON.stringify({ at: '2026-11-30T10:00:00.000Z', reason: 'fetch-rejected', recordId: '500000000000014AAA' })}\n` +
      `${JSON.stringify({ id: 'line:6', retriedAt: '2026-12-01T00:00:00.000Z' })}\n`,
    { flag: 'a' }
  );
  const letters = await new DeadLetterFiles([path]).lettersFor(
    records('500000000000011AAA', '500000000000012AAA', '500000000000013AAA', '500000000000014AAA')
  );
  assert.deepEqual([...letters.keys()], ['500000000000013AAA']);
  assert.equal(letters.get('500000000000013AAA')!.at, third!.at);
  const listed = (await new DeadLetterFile(path).list()).map((l) => l.recordId);
  assert.deepEqual(listed, ['500000000000013AAA'], 'the file store agrees');
});

it("reads the relay service's letters of one org from the database, not retried ones, and combines sources", async () => {
  const store = new PgDeadLetterStore(db);
  const mine = store.forOrg(ORG);
  await mine.write({
    reason: 'record-not-found',
    detail: 'x',
    recordId: '500000000000021AAA',
    objectType: 'Case'
  });
  await mine.write({ reason: 'fetch-rejected', detail: 'x', recordId: '500000000000022' });
  await mine.write({ reason: 'tethr-rejected', detail: 'x', recordId: '00D000000000001:500000000000023AAA' });
  await mine.write({ reason: 'mapping-failed', detail: 'x', recordId: '500000000000024AAA' });
  await store
    .forOrg('00D000000000002EAA')
    .write({ reason: 'record-not-found', detail: 'x', recordId: '500000000000025AAA' });
  const retried = (await mine.list({ reason: 'mapping-failed' }))[0]!;
  assert.ok(await mine.markRetried(retried.id));

  const source = new PgDeadLetterSource(db, ORG);
  const ids = [
    '500000000000021AAA',
    '500000000000022AAA',
    '500000000000023AAA',
    '500000000000024AAA',
    '500000000000025AAA'
  ];
  const letters = await source.lettersFor(records(...ids));
  assert.deepEqual(
    Object.fromEntries([...letters].map(([id, l]) => [id, l.reason])),
    {
      '500000000000021AAA': 'record-not-found',
      '500000000000022AAA': 'fetch-rejected',
      '500000000000023AAA': 'tethr-rejected'
    },
    "the 15-character id and the session id match; a retried letter and another org's do not count"
  );
  assert.equal(source.describe()[0]!.source, `relay_dead_letters (org 00D000000000001) in ${db.describe}`);

  const file = join(dir, 'combined.ndjson');
  await writeFile(
    file,
    `${JSON.stringify({ at: '2999-01-01T00:00:00.000Z', reason: 'mapping-failed', recordId: '500000000000021AAA' })}\n`
  );
  const combined = new CombinedDeadLetterSource([source, new DeadLetterFiles([file])]);
  const both = await combined.lettersFor(records(...ids));
  assert.equal(both.get('500000000000021AAA')!.reason, 'mapping-failed', 'the newest letter wins');
  assert.equal(both.size, 3);
  assert.equal(combined.describe().length, 2);
});
