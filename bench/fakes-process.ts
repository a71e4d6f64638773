// The fakes of the service benchmark in a process of their own (so that the relay process's
// memory and CPU are the relay's alone): a Salesforce token endpoint for any number of orgs and a
// multi-tenant Pub/Sub server. IPC with the parent:
//   child -> { sf, pubsub }                    once both listen
//   parent -> { publish: orgIds, count }       child -> { published: n }
//   parent -> { streams: true }                child -> { streams: n }
//   parent -> 'stop'
import {
  conversationClosedSchema,
  closedEventRecord
} from '../test/servers/pubsub/conversation-closed-schema.ts';
import { FakePubSubServer } from '../test/servers/pubsub/pubsub-server.ts';
import { FakeSalesforceServer } from '../test/servers/salesforce/server.ts';
import { registerOrgsOAuth, type OrgsOAuthState } from '../test/relay/helpers/orgs-oauth.ts';

if (!process.send) throw new Error('forked by bench/service-bench.ts');
const oauth: OrgsOAuthState = { secret: 'bench-secret', issued: [] };
const sf = await new FakeSalesforceServer().start();
registerOrgsOAuth(sf, oauth);
sf.route('GET', /^\/services\/data\/v\d+\.\d\/limits\/?$/, () => ({
  json: {
    DailyApiRequests: { Max: 100000, Remaining: 99000 },
    DailyDeliveredPlatformEvents: { Max: 50000, Remaining: 50000 }
  }
}));
const schema = conversationClosedSchema('');
const pubsub = await new FakePubSubServer({
  topic: '/event/Conversation_Closed__e',
  schemaJson: schema.json,
  schemaId: schema.id,
  acceptToken: (token) => oauth.issued.includes(token),
  multiTenant: true,
  keepaliveMs: 5000,
  maxBatch: 100
}).start();
process.on('message', (message: unknown) => {
  if (message === 'stop') {
    void Promise.all([sf.stop(), pubsub.stop()]).then(() => process.exit(0));
    return;
  }
  const m = message as { publish?: string[]; count?: number; streams?: boolean };
  if (m.streams) process.send!({ streams: pubsub.activeStreams, connections: pubsub.connections });
  if (m.publish) {
    const record = closedEventRecord({ recordId: '500000000000001AAA', objectType: 'Case' });
    for (const orgId of m.publish)
      pubsub.publish(
        Array.from({ length: m.count ?? 1 }, () => record),
        orgId
      );
    process.send!({ published: m.publish.length * (m.count ?? 1) });
  }
});
process.send({ sf: sf.url, pubsub: pubsub.url });
