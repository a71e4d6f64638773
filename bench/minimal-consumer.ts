import { closeSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Metadata, credentials } from '@grpc/grpc-js';
import avro from 'avsc';
import { loadPubSubPackage, type FetchResponse } from '../scripts/relay/pubsub-proto.ts';

// The smallest durable Pub/Sub consumer we could write: the limit of this machine for "receive,
// decode, write, fdatasync". It keeps 100 events outstanding (topping up as events arrive), decodes
// each event with avsc, writes one JSON line per event, and counts an event done once an
// fdatasync that started after its write finished (up to 3 fdatasyncs in flight, as the relay's
// ndjson sink). It keeps no checkpoint, does no logging and handles no errors: a crash loses its
// place in the stream. The relay is measured against it to see what its guarantees cost.

export interface MinimalRun {
  acked: Map<string, number>;
  startedAt: number;
  endedAt: number;
  cpuMicros: number;
}

export async function runMinimalConsumer(options: {
  target: string;
  topic: string;
  schemaId: string;
  events: number;
  outPath: string;
  now: () => number;
}): Promise<MinimalRun> {
  const { PubSub } = loadPubSubPackage();
  const client = new PubSub(options.target, credentials.createSsl(), {
    'grpc.max_receive_message_length': 32 * 1024 * 1024
  });
  const metadata = new Metadata();
  metadata.set('accesstoken', 'bench-token');
  metadata.set('instanceurl', 'https://localhost');
  metadata.set('tenantid', '00D000000000001EAA');
  // The schema first (the relay caches it per schema id too): GetSchema for the bench's one schema.
  const schemaJson = await new Promise<string>((resolve, reject) =>
    client.GetSchema({ schema_id: options.schemaId }, metadata, (error, info) =>
      error ? reject(error) : resolve(info!.schema_json)
    )
  );
  const type = avro.Type.forSchema(JSON.parse(schemaJson) as avro.Schema, { wrapUnions: false });
  const fd = openSync(options.outPath, 'a');
  const handle = await open(options.outPath, 'r+');
  const acked = new Map<string, number>();
  const cpuAtStart = process.cpuUsage();
  const startedAt = options.now();
  let endedAt = 0;
  let cpuMicros = 0;
  let written: string[] = [];
  const pending: string[][] = [];
  let syncs = 0;
  let outstanding = 0;
  void outstanding;
  const call = client.Subscribe(metadata);
  call.on('error', () => undefined); // CANCELLED when we end it below
  const request = (n: number) => {
    outstanding += n;
    call.write({ num_requested: n });
  };
  await new Promise<void>((resolve) => {
    const sync = () => {
      if (syncs >= 3 || written.length === 0) return;
      const batch = written;
      written = [];
      pending.push(batch);
      syncs += 1;
      void handle.datasync().then(() => {
        syncs -= 1;
        const at = options.now();
        // An fdatasync covers every write before it started: everything pending up to this batch.
        const index = pending.indexOf(batch);
        for (const done of pending.splice(0, index + 1)) for (const id of done) acked.set(id, at);
        if (acked.size >= options.events && !endedAt) {
          endedAt = at;
          const cpu = process.cpuUsage(cpuAtStart);
          cpuMicros = cpu.user + cpu.system;
          resolve();
        }
        sync();
      });
    };
    call.on('data', (response: FetchResponse) => {
      outstanding -= response.events.length;
      if (response.events.length === 0) return;
      request(response.events.length); // top up to 100 outstanding at once
      let chunk = '';
      for (const consumerEvent of response.events) {
        const raw = consumerEvent.event!;
        const fields = type.fromBuffer(raw.payload) as Record<string, unknown>;
        chunk += `${JSON.stringify({ eventId: raw.id, replayId: consumerEvent.replay_id.toString('base64'), fields })}\n`;
        written.push(raw.id);
      }
      writeSync(fd, chunk);
      sync();
    });
    call.write({ topic_name: options.topic, replay_preset: 'EARLIEST', num_requested: 100 });
    outstanding = 100;
  });
  call.cancel();
  client.close();
  closeSync(fd);
  await handle.close();
  return { acked, startedAt, endedAt, cpuMicros };
}
