import { Metadata, type ClientDuplexStream } from '@grpc/grpc-js';
import type { FetchRequest, FetchResponse, PubSubClient } from './pubsub-proto.ts';

/** An access token as the Pub/Sub headers need it. */
export interface PubSubToken {
  accessToken: string;
  instanceUrl: string;
}

/**
 * The Pub/Sub API's auth headers (Salesforce: Pub/Sub API "Supported Authentication"). They go
 * with each call, not with the channel, which is what lets one channel carry many orgs' streams.
 */
export function pubsubMetadata(token: PubSubToken, orgId: string): Metadata {
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
  /** the server answered: response headers or a first response arrived (once per stream) */
  onAnswer(): void;
  onEnd(error: unknown): void;
}

/**
 * One Subscribe call. It only moves bytes and counts credit: how many events the server may still
 * send (`serverPending`). Deciding when to ask for more is the caller's job (flow-control.ts).
 */
export class PubSubStream {
  readonly #call: ClientDuplexStream<FetchRequest, FetchResponse>;
  #ended = false;
  #answered = false;
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
    const answer = (): void => {
      if (this.#answered || this.#ended) return;
      this.#answered = true;
      callbacks.onAnswer();
    };
    this.#call.on('metadata', answer);
    this.#call.on('data', (response: FetchResponse) => {
      answer();
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

  get answered(): boolean {
    return this.#answered;
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
