import { Metadata, type ClientDuplexStream } from '@grpc/grpc-js';
import type { SalesforceToken } from '../org/bundle-auth.ts';
import type { FetchRequest, FetchResponse, PubSubClient } from './pubsub-proto.ts';

/** The Pub/Sub API's auth headers (Salesforce: Pub/Sub API "Supported Authentication"). */
export function pubsubMetadata(token: SalesforceToken, orgId: string): Metadata {
  const metadata = new Metadata();
  metadata.set('accesstoken', token.accessToken);
  metadata.set('instanceurl', token.instanceUrl);
  metadata.set('tenantid', orgId);
  return metadata;
}

export type StartPosition =
  { preset: 'LATEST' } | { preset: 'EARLIEST' } | { preset: 'CUSTOM'; replayId: Buffer };

export interface StreamCallbacks {
  onResponse(response: FetchResponse): void;
  onEnd(error: unknown): void;
}

/**
 * One Subscribe call. It only moves bytes and counts credit: how many events the server may still
 * send (`serverPending`). Deciding when to ask for more is the caller's job (flow control).
 */
export class PubSubStream {
  readonly #call: ClientDuplexStream<FetchRequest, FetchResponse>;
  #ended = false;
  serverPending = 0;

  constructor(
    client: PubSubClient,
    metadata: Metadata,
    topic: string,
    start: StartPosition,
    numRequested: number,
    callbacks: StreamCallbacks
  ) {
    this.#call = client.Subscribe(metadata);
    const finish = (error: unknown): void => {
      if (this.#ended) return;
      this.#ended = true;
      callbacks.onEnd(error);
    };
    this.#call.on('data', (response: FetchResponse) => {
      this.serverPending = Math.max(0, this.serverPending - response.events.length);
      callbacks.onResponse(response);
    });
    this.#call.on('error', (error) => finish(error));
    this.#call.on('end', () => finish(undefined));
    const first: FetchRequest = {
      topic_name: topic,
      replay_preset: start.preset,
      num_requested: numRequested
    };
    if (start.preset === 'CUSTOM') first.replay_id = start.replayId;
    this.serverPending = numRequested;
    this.#call.write(first);
  }

  get ended(): boolean {
    return this.#ended;
  }

  request(count: number): void {
    if (this.#ended || count <= 0) return;
    this.serverPending += count;
    this.#call.write({ num_requested: count });
  }

  cancel(): void {
    if (this.#ended) return;
    this.#call.cancel();
  }
}
