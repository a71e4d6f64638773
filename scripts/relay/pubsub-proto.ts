import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  loadPackageDefinition,
  type Client,
  type ChannelCredentials,
  type ClientDuplexStream,
  type ClientOptions,
  type Metadata,
  type ServiceError
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

// The official pubsub_api.proto (forcedotcom/pub-sub-api) as shipped by the npm package
// salesforce-pubsub-api-client; we load it from there instead of keeping a copy that could drift.
export function pubsubProtoPath(): string {
  const require = createRequire(import.meta.url);
  // The package's "exports" hide package.json, so resolve its entry point (dist/client.cjs) and
  // step up to the package root, where the proto lives.
  return join(dirname(require.resolve('salesforce-pubsub-api-client')), '..', 'pubsub_api.proto');
}

/** Loader options shared by the client and the test server: bytes stay Buffers, enums strings. */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true
} as const;

export interface FetchRequest {
  topic_name?: string;
  replay_preset?: 'LATEST' | 'EARLIEST' | 'CUSTOM';
  replay_id?: Buffer;
  num_requested: number;
  auth_refresh?: string;
}

export interface ConsumerEvent {
  event: { id: string; schema_id: string; payload: Buffer; headers?: unknown[] } | null;
  replay_id: Buffer;
}

export interface FetchResponse {
  events: ConsumerEvent[];
  latest_replay_id: Buffer;
  rpc_id: string;
  pending_num_requested: number;
}

export interface SchemaInfo {
  schema_json: string;
  schema_id: string;
  rpc_id?: string;
}

export interface PubSubClient extends Client {
  Subscribe(metadata: Metadata): ClientDuplexStream<FetchRequest, FetchResponse>;
  GetSchema(
    request: { schema_id: string },
    metadata: Metadata,
    callback: (error: ServiceError | null, value?: SchemaInfo) => void
  ): void;
}

type PubSubConstructor = new (
  target: string,
  credentials: ChannelCredentials,
  options?: ClientOptions
) => PubSubClient;

let loaded: { PubSub: PubSubConstructor & { service: unknown } } | undefined;

/** The generated service (parsed once per process: the proto does not change while we run). */
export function loadPubSubPackage(): { PubSub: PubSubConstructor & { service: unknown } } {
  if (loaded) return loaded;
  const definition = loadSync(pubsubProtoPath(), PROTO_LOADER_OPTIONS);
  const root = loadPackageDefinition(definition) as unknown as {
    eventbus: { v1: { PubSub: PubSubConstructor & { service: unknown } } };
  };
  loaded = root.eventbus.v1;
  return loaded;
}
