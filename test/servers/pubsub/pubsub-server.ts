import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData
} from '@grpc/grpc-js';
import avro from 'avsc';
import {
  loadPubSubPackage,
  type FetchRequest,
  type FetchResponse
} from '../../../scripts/relay/pubsub-proto.ts';

// A local Pub/Sub API server for tests and the benchmark, built from the same official
// pubsub_api.proto the relay loads. It serves Avro-encoded events with Salesforce's schema shape,
// honours num_requested (never sends more than the client asked for, and, as Salesforce does,
// counts at most 100 outstanding per stream: more is dropped and recorded in `overRequested`),
// the replay presets LATEST / EARLIEST / CUSTOM, sends empty keepalive responses carrying
// latest_replay_id, checks the accesstoken header, answers the response headers once it accepts a
// subscription, and lets a test drop every stream or expire old replay ids.
//
// One server can stand for many orgs (`multiTenant`): each `tenantid` header (the org id, first 15
// characters) then has its own event log and replay ids, as each org has its own event bus.

export const REPLAY_ID_CORRUPTED = 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted';
const AUTH_ERROR = 'sfdc.platform.eventbus.grpc.service.auth.error';

export interface StoredEvent {
  id: string;
  replayId: Buffer;
  payload: Buffer;
}

interface ActiveStream {
  call: ServerDuplexStream<FetchRequest, FetchResponse>;
  tenant: string;
  log: TenantLog;
  cursor: number;
  credit: number;
  sentSinceKeepalive: boolean;
  subscribed: boolean;
  paced?: NodeJS.Timeout;
}

interface TenantLog {
  events: StoredEvent[];
  nextReplay: bigint;
  /** index of the oldest event still inside "retention"; older replay ids are rejected */
  retainedFrom: number;
}

export interface FakePubSubOptions {
  topic: string;
  schemaJson: string;
  schemaId: string;
  /** which access tokens are valid right now; default: any non-empty token */
  acceptToken?: (token: string, tenant: string) => boolean;
  keepaliveMs?: number;
  /** events per FetchResponse at most (Salesforce batches too) */
  maxBatch?: number;
  tls?: { cert: Buffer; key: Buffer };
  /** wait this long between FetchResponses (to make a stream last long enough to crash into) */
  paceMs?: number;
  /** one event log per tenantid header instead of one for everyone */
  multiTenant?: boolean;
  /** listen here instead of on a free port */
  port?: number;
}

export class FakePubSubServer {
  readonly fetchRequests: Array<{
    numRequested: number;
    preset?: string;
    replayId?: string;
    first: boolean;
    tenant: string;
  }> = [];
  readonly subscribeMetadata: Array<Record<string, string>> = [];
  schemaRequests = 0;
  /** events requested beyond Salesforce's 100 outstanding per stream (dropped, as Salesforce does) */
  overRequested = 0;
  /** the most events any stream had outstanding at once */
  maxOutstanding = 0;
  /** event id -> performance.now() when it was written to a stream (filled when recordSendTimes) */
  readonly sentAt = new Map<string, number>();
  recordSendTimes = false;
  acceptToken: (token: string, tenant: string) => boolean;
  /** the client connections (host:port of the peer) that opened streams, per tenant */
  readonly peers = new Map<string, string>();
  #server: Server | undefined;
  #streams = new Set<ActiveStream>();
  #logs = new Map<string, TenantLog>();
  #type: avro.Type;
  #keepalive: NodeJS.Timeout | undefined;
  url = '';
  port = 0;

  constructor(readonly options: FakePubSubOptions) {
    this.#type = avro.Type.forSchema(JSON.parse(options.schemaJson) as avro.Schema, { wrapUnions: false });
    this.acceptToken = options.acceptToken ?? ((token) => token.length > 0);
  }

  /** The single-tenant log (or tenant `tenant`'s). */
  eventsFor(tenant = ''): StoredEvent[] {
    return this.#log(tenant).events;
  }

  get events(): StoredEvent[] {
    return this.eventsFor('');
  }

  get retainedFrom(): number {
    return this.#log('').retainedFrom;
  }

  set retainedFrom(index: number) {
    this.#log('').retainedFrom = index;
  }

  async start(): Promise<this> {
    const { PubSub } = loadPubSubPackage();
    this.#server = new Server();
    this.#server.addService(PubSub.service as never, {
      Subscribe: (call: ServerDuplexStream<FetchRequest, FetchResponse>) => this.#subscribe(call),
      GetSchema: (call: ServerUnaryCall<{ schema_id: string }, unknown>, callback: sendUnaryData<unknown>) =>
        this.#getSchema(call, callback),
      GetTopic: (call: ServerUnaryCall<{ topic_name: string }, unknown>, callback: sendUnaryData<unknown>) =>
        callback(null, {
          topic_name: call.request.topic_name,
          can_subscribe: true,
          can_publish: false,
          schema_id: this.options.schemaId,
          rpc_id: randomUUID()
        })
    });
    const credentials = this.options.tls
      ? ServerCredentials.createSsl(
          null,
          [{ cert_chain: this.options.tls.cert, private_key: this.options.tls.key }],
          false
        )
      : ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) =>
      this.#server!.bindAsync(`127.0.0.1:${this.options.port ?? 0}`, credentials, (error, port) =>
        error ? reject(error) : resolve(port)
      )
    );
    this.url = this.options.tls ? `https://localhost:${this.port}` : `http://127.0.0.1:${this.port}`;
    this.#keepalive = setInterval(() => this.#sendKeepalives(), this.options.keepaliveMs ?? 1000);
    this.#keepalive.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.#keepalive);
    for (const stream of this.#streams) stream.call.end();
    this.#streams.clear();
    await new Promise<void>((resolve) => {
      if (!this.#server) return resolve();
      this.#server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.#server?.forceShutdown();
        resolve();
      }, 500).unref();
    });
  }

  /** Appends events (avsc records with the schema's field names) and wakes the subscribers. */
  publish(records: Array<Record<string, unknown>>, tenant = ''): StoredEvent[] {
    return this.publishRaw(
      records.map((record) => this.#type.toBuffer(record)),
      tenant
    );
  }

  /** Appends already-encoded payloads, e.g. deliberately broken ones. */
  publishRaw(payloads: Buffer[], tenant = ''): StoredEvent[] {
    const log = this.#log(tenant);
    const added = payloads.map((payload) => {
      log.nextReplay += 1n + BigInt(log.events.length % 3); // replay ids are not contiguous
      const replayId = Buffer.alloc(8);
      replayId.writeBigUInt64BE(log.nextReplay);
      const event = { id: randomUUID(), replayId, payload };
      log.events.push(event);
      return event;
    });
    for (const stream of this.#streams) if (stream.log === log) this.#send(stream);
    return added;
  }

  /** Restores events kept from an earlier run (the local stack keeps its event bus across restarts). */
  restore(events: StoredEvent[], tenant = ''): void {
    const log = this.#log(tenant);
    log.events.push(...events);
    const last = events.at(-1);
    if (last) log.nextReplay = last.replayId.readBigUInt64BE();
  }

  /**
   * Lets the tenant's first `upTo` events (default: all so far) fall out of retention, as 72 hours
   * would: a replay id among them is rejected (except the newest, which a subscriber may resume
   * right after), EARLIEST starts after them. Returns how many are out of retention now.
   */
  purge(tenant = '', upTo?: number): number {
    const log = this.#log(tenant);
    log.retainedFrom = Math.max(log.retainedFrom, Math.min(upTo ?? log.events.length, log.events.length));
    return log.retainedFrom;
  }

  /** Ends every open Subscribe with UNAVAILABLE, as a network drop or server restart would. */
  dropStreams(): number {
    const count = this.#streams.size;
    for (const stream of this.#streams)
      this.#fail(stream, status.UNAVAILABLE, 'stream dropped by the test server');
    return count;
  }

  /** Ends every open Subscribe with UNAUTHENTICATED (the access token expired). */
  expireSessions(): void {
    for (const stream of this.#streams)
      this.#fail(stream, status.UNAUTHENTICATED, 'access token expired', AUTH_ERROR);
  }

  get activeStreams(): number {
    return this.#streams.size;
  }

  /** Open streams of one tenant. */
  streamsOf(tenant: string): number {
    const key = this.#key(tenant);
    let count = 0;
    for (const stream of this.#streams) if (stream.tenant === key) count += 1;
    return count;
  }

  /** Distinct client connections carrying the open streams. */
  get connections(): number {
    return new Set([...this.#streams].map((s) => s.call.getPeer())).size;
  }

  #key(tenant: string): string {
    return this.options.multiTenant ? tenant.slice(0, 15) : '';
  }

  #log(tenant: string): TenantLog {
    const key = this.#key(tenant);
    let log = this.#logs.get(key);
    if (!log) {
      log = { events: [], nextReplay: 1_000_000n, retainedFrom: 0 };
      this.#logs.set(key, log);
    }
    return log;
  }

  #subscribe(call: ServerDuplexStream<FetchRequest, FetchResponse>): void {
    const tenant = this.#key(String(call.metadata.get('tenantid')[0] ?? ''));
    const stream: ActiveStream = {
      call,
      tenant,
      log: this.#log(tenant),
      cursor: 0,
      credit: 0,
      sentSinceKeepalive: false,
      subscribed: false
    };
    this.subscribeMetadata.push(flatten(call.metadata));
    const token = String(call.metadata.get('accesstoken')[0] ?? '');
    call.on('data', (request: FetchRequest) => {
      const first = !stream.subscribed;
      this.fetchRequests.push({
        numRequested: request.num_requested,
        first,
        tenant,
        ...(first ? { preset: request.replay_preset, replayId: request.replay_id?.toString('base64') } : {})
      });
      if (first) {
        if (!this.acceptToken(token, tenant))
          return this.#fail(stream, status.UNAUTHENTICATED, 'Invalid access token', AUTH_ERROR);
        if (request.topic_name !== this.options.topic)
          return this.#fail(stream, status.NOT_FOUND, `Unknown topic ${request.topic_name}`);
        const start = this.#startIndex(stream.log, request);
        if (start === undefined) {
          return this.#fail(
            stream,
            status.INVALID_ARGUMENT,
            'The Replay ID validation failed.',
            REPLAY_ID_CORRUPTED
          );
        }
        stream.cursor = start;
        stream.subscribed = true;
        this.#streams.add(stream);
        this.peers.set(tenant, call.getPeer());
        // The subscription is accepted: the response headers go out now, before any event.
        call.sendMetadata(new Metadata());
      }
      if (request.num_requested > 100 || request.num_requested < 0) {
        return this.#fail(stream, status.INVALID_ARGUMENT, 'num_requested must be between 1 and 100');
      }
      // Salesforce adds up num_requested over a stream's FetchRequests and treats more than 100
      // as 100 ("Pull Subscription and Flow Control"): the excess is silently lost, which a
      // client counting its credit would never notice. Record it so tests can assert it never happens.
      const total = stream.credit + request.num_requested;
      if (total > 100) this.overRequested += total - 100;
      stream.credit = Math.min(100, total);
      this.maxOutstanding = Math.max(this.maxOutstanding, stream.credit);
      this.#send(stream);
    });
    call.on('end', () => {
      this.#streams.delete(stream);
      call.end();
    });
    call.on('error', () => this.#streams.delete(stream));
    call.on('cancelled', () => this.#streams.delete(stream));
  }

  #startIndex(log: TenantLog, request: FetchRequest): number | undefined {
    if (request.replay_preset === 'EARLIEST') return log.retainedFrom;
    if (request.replay_preset === 'CUSTOM') {
      const replayId = request.replay_id ?? Buffer.alloc(0);
      const index = log.events.findIndex((event) => event.replayId.equals(replayId));
      if (index < 0 || index < log.retainedFrom - 1) return undefined;
      return index + 1;
    }
    return log.events.length;
  }

  #send(stream: ActiveStream): void {
    const max = this.options.maxBatch ?? 50;
    const events = stream.log.events;
    if (stream.paced) return;
    while (stream.credit > 0 && stream.cursor < events.length && this.#streams.has(stream)) {
      const count = Math.min(stream.credit, max, events.length - stream.cursor);
      const batch = events.slice(stream.cursor, stream.cursor + count);
      stream.cursor += count;
      stream.credit -= count;
      stream.sentSinceKeepalive = true;
      if (this.recordSendTimes) {
        const now = performance.now();
        for (const event of batch) if (!this.sentAt.has(event.id)) this.sentAt.set(event.id, now);
      }
      stream.call.write({
        events: batch.map((event) => ({
          event: { id: event.id, schema_id: this.options.schemaId, payload: event.payload, headers: [] },
          replay_id: event.replayId
        })),
        latest_replay_id: batch.at(-1)!.replayId,
        rpc_id: randomUUID(),
        pending_num_requested: stream.credit
      });
      if (this.options.paceMs) {
        stream.paced = setTimeout(() => {
          stream.paced = undefined;
          this.#send(stream);
        }, this.options.paceMs);
        return;
      }
    }
  }

  #sendKeepalives(): void {
    for (const stream of this.#streams) {
      if (stream.sentSinceKeepalive) {
        stream.sentSinceKeepalive = false;
        continue;
      }
      // Salesforce's keepalive: no events, the latest replay id the subscription has reached.
      const events = stream.log.events;
      const latest = stream.cursor > 0 ? events[stream.cursor - 1]!.replayId : Buffer.alloc(0);
      stream.call.write({
        events: [],
        latest_replay_id: latest,
        rpc_id: randomUUID(),
        pending_num_requested: stream.credit
      });
    }
  }

  #getSchema(call: ServerUnaryCall<{ schema_id: string }, unknown>, callback: sendUnaryData<unknown>): void {
    this.schemaRequests += 1;
    const token = String(call.metadata.get('accesstoken')[0] ?? '');
    const tenant = this.#key(String(call.metadata.get('tenantid')[0] ?? ''));
    if (!this.acceptToken(token, tenant))
      return callback(serviceError(status.UNAUTHENTICATED, 'Invalid access token', AUTH_ERROR));
    if (call.request.schema_id !== this.options.schemaId)
      return callback(serviceError(status.NOT_FOUND, `Unknown schema ${call.request.schema_id}`));
    callback(null, {
      schema_json: this.options.schemaJson,
      schema_id: this.options.schemaId,
      rpc_id: randomUUID()
    });
  }

  #fail(stream: ActiveStream, code: status, details: string, errorCode?: string): void {
    this.#streams.delete(stream);
    stream.call.emit('error', serviceError(code, details, errorCode));
  }
}

function serviceError(code: status, details: string, errorCode?: string) {
  const metadata = new Metadata();
  if (errorCode) metadata.set('error-code', errorCode);
  metadata.set('rpc-id', randomUUID());
  return { code, details: `${details} rpcId: ${randomUUID()}`, metadata, name: 'Error', message: details };
}

function flatten(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) out[key] = String(value);
  return out;
}
