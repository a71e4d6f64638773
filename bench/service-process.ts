// One `relay serve` replica for the service benchmark, in-process RelayService with N orgs added
// to a fresh database. IPC with the parent:
//   argv: <database url> <pubsub url> <sf url> <orgs> <dir>
//   child -> { ready: true }                       once the orgs are added and the service runs
//   parent -> 'stats'   child -> { rss, heapUsed, handled }   (after a full GC)
//   parent -> 'stop'    (drains, releases, exits)
import { join } from 'node:path';
import { fromCredentialsBundle } from '../scripts/contracts/org-connection.ts';
import type { CredentialsBundle } from '../scripts/contracts/credentials-bundle.ts';
import { parsePubSubEndpoint } from '../scripts/relay/pubsub-endpoint.ts';
import { jsonLogger } from '../scripts/relay/relay-logger.ts';
import { openDatabase } from '../scripts/relay/service/database.ts';
import { DEFAULT_ORG_OPTIONS } from '../scripts/relay/service/org-options.ts';
import { RelayService } from '../scripts/relay/service/relay-service.ts';
import { TenantStore } from '../scripts/relay/service/tenant-store.ts';
import { consumerKeyOf } from '../test/relay/helpers/orgs-oauth.ts';

const [url, pubsubUrl, sfUrl, orgCount, dir] = process.argv.slice(2);
if (!url || !pubsubUrl || !sfUrl || !orgCount || !dir || !process.send)
  throw new Error('forked by bench/service-bench.ts');
const database = await openDatabase(url, { max: 10 });
const tenants = new TenantStore(database);
const orgs = Array.from({ length: Number(orgCount) }, (_, i) => `00D${String(i + 1).padStart(12, '0')}EAA`);
for (const orgId of orgs) {
  const bundle: CredentialsBundle = {
    schema: 'tethr-salesforce-credentials/v1',
    orgId,
    myDomainUrl: sfUrl,
    authFlow: 'client_credentials',
    consumerKey: consumerKeyOf(orgId),
    consumerSecret: 'bench-secret',
    integrationUsername: 'bench@example.com',
    namespace: '',
    eventTopic: '/event/Conversation_Closed__e',
    apiVersion: '66.0',
    channels: ['Case'],
    createdAt: new Date().toISOString()
  };
  await tenants.put(fromCredentialsBundle(bundle), bundle as unknown as Record<string, unknown>, {
    ...DEFAULT_ORG_OPTIONS,
    mode: 'events',
    sink: `ndjson:${join(dir, `${orgId.slice(0, 15)}.ndjson`)}`,
    startAt: 'latest'
  });
}
const stop = new AbortController();
const service = new RelayService({
  database,
  replicaId: 'bench',
  leaseSeconds: 30,
  endpoint: parsePubSubEndpoint(pubsubUrl),
  logger: jsonLogger({ level: 'error' }),
  signal: stop.signal,
  statusIntervalMs: 600_000
});
const running = service.run();
process.on('message', (message: unknown) => {
  if (message === 'stats') {
    (globalThis as { gc?: () => void }).gc?.();
    const metric = service.metrics.registry.getSingleMetric('tethr_relay_events_handled_total');
    void Promise.resolve(metric?.get()).then((value) => {
      const handled = (value?.values ?? []).reduce((sum, v) => sum + v.value, 0);
      const memory = process.memoryUsage();
      process.send!({ rss: memory.rss, heapUsed: memory.heapUsed, handled, cpu: process.cpuUsage() });
    });
  }
  if (message === 'stop') {
    stop.abort();
    void running.then(() => database.close()).then(() => process.exit(0));
  }
});
process.send({ ready: true });
