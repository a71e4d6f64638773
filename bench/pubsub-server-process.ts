// The benchmark's Pub/Sub server, run in a child process (one per client and round) so that the
// server's work (protobuf encoding, TLS) runs on the machine's other core instead of competing
// with the client being measured for one event loop. Both clients are measured this way.
//
// Protocol with the parent over the IPC channel:
//   child -> { port }                      once the server listens and holds all the events
//   parent -> 'stop'
//   child -> { sentAt: [eventId, epochMs][] } then exits
// Send times are wall-clock milliseconds with sub-millisecond precision
// (performance.timeOrigin + performance.now()), comparable with the parent's.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  closedEventRecord,
  conversationClosedSchema
} from '../test/servers/pubsub/conversation-closed-schema.ts';
import { FakePubSubServer } from '../test/servers/pubsub/pubsub-server.ts';

const [topic, events, certPath, keyPath] = process.argv.slice(2);
if (!topic || !events || !certPath || !keyPath || !process.send)
  throw new Error('usage: forked by relay.bench.ts with <topic> <events> <cert.pem> <key.pem>');

const schema = conversationClosedSchema('');
const server = await new FakePubSubServer({
  topic,
  schemaJson: schema.json,
  schemaId: schema.id,
  keepaliveMs: 5000,
  maxBatch: 100,
  tls: { cert: readFileSync(certPath), key: readFileSync(keyPath) }
}).start();
server.recordSendTimes = true;
server.publish(
  Array.from({ length: Number(events) }, (_, i) =>
    closedEventRecord({ recordId: `500${String(i).padStart(15, '0')}`, objectType: 'Case' })
  )
);
process.on('message', (message) => {
  if (message !== 'stop') return;
  const origin = performance.timeOrigin;
  const sentAt = [...server.sentAt].map(([id, at]) => [id, origin + at] as const);
  void server.stop().then(() => process.send!({ sentAt }, () => process.exit(0)));
});
process.send({ port: server.port });
