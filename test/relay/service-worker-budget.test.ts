import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, it } from 'node:test';
import { jsonLogger } from '../../scripts/relay/relay-logger.ts';
import { openDatabase, type Database } from '../../scripts/relay/service/database.ts';
import { Lease } from '../../scripts/relay/service/lease-store.ts';
import { ServiceMetrics } from '../../scripts/relay/service/metrics.ts';
import { DEFAULT_ORG_OPTIONS, parseOrgOptions } from '../../scripts/relay/service/org-options.ts';
import { OrgWorker } from '../../scripts/relay/service/org-worker.ts';
import { PgDeadLetterStore } from '../../scripts/relay/service/pg-dead-letter-store.ts';
import { waitFor } from './helpers/relay-env.ts';
import { freshDatabase, type TestDatabase } from './postgres/test-database.ts';

// An org's relay inside `relay serve` that fails is started again after a backoff by its worker.
// Its Connect budget (what it spent this hour, how long Salesforce told it to wait) belongs to the
// worker, not to one attempt: a restart must not forget it and spend the hour's budget again.
// The failure here: a database without the relay's tables, so reading the checkpoint fails at
// every start.

const ORG = '00D000000000851EAA';
let testDb: TestDatabase;
let database: Database;
before(async () => {
  testDb = await freshDatabase('worker');
  database = await openDatabase(testDb.url, { migrate: false });
});
after(async () => {
  await database.close();
  await testDb.drop();
});

it('keeps one Connect budget across the restarts of a failing org relay', { timeout: 30_000 }, async () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = jsonLogger({
    write: (text) => {
      for (const line of text.split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  const worker = new OrgWorker(
    {
      orgId: ORG.slice(0, 15),
      state: 'active',
      revision: 1,
      document: {
        schema: 'tethr-salesforce-credentials/v1',
        orgId: ORG,
        myDomainUrl: 'http://127.0.0.1:9',
        authFlow: 'client_credentials',
        consumerKey: 'key',
        consumerSecret: 'not-used',
        integrationUsername: 'tethr.api@example.com',
        namespace: '',
        eventTopic: '/event/Conversation_Closed__e',
        apiVersion: '66.0',
        channels: ['MessagingSession'],
        createdAt: new Date().toISOString()
      },
      options: parseOrgOptions({ ...DEFAULT_ORG_OPTIONS, mode: 'events', sink: 'ndjson:-' })
    },
    new Lease({ orgId: ORG, epoch: 1 }, performance.now(), 60),
    {
      database,
      replicaId: 'budget',
      pubsub: {
        acquire: () => assert.fail('the relay never gets as far as the stream'),
        release() {},
        close() {}
      },
      deadLetters: new PgDeadLetterStore(database),
      metrics: new ServiceMetrics({ replicaId: 'budget', defaultMetrics: false }),
      logger,
      tethrClient: () => assert.fail('no Tethr in events mode'),
      appCredential: undefined,
      limitsIntervalMs: 0
    }
  );
  const failures = () => lines.filter((l) => l.msg === 'org relay failed; starting it again after a backoff');
  await waitFor(
    () => failures().length >= 1,
    10_000,
    () => JSON.stringify(lines.slice(-3))
  );
  const budget = worker.connectBudget;
  assert.ok(budget, 'the first attempt made the budget');
  budget.refused();
  const blockedUntil = budget.blockedUntil;
  await waitFor(
    () => failures().length >= 2,
    15_000,
    () => JSON.stringify(lines.slice(-3))
  );
  assert.equal(worker.connectBudget, budget, 'the second attempt spends from the same budget');
  assert.equal(worker.connectBudget.blockedUntil, blockedUntil, "and still waits out Salesforce's refusal");
  await worker.stop();
});
