import type { ChannelOptions } from '@grpc/grpc-js';
import { channelCredentials, type PubSubEndpoint } from './pubsub-endpoint.ts';
import { loadPubSubPackage, type PubSubClient } from './pubsub-proto.ts';

// One pool of gRPC channels for every org's stream. The Pub/Sub auth headers travel with each call
// (pubsub-stream.ts), so a channel is not tied to an org; an HTTP/2 connection carries about 100
// concurrent streams (Salesforce's servers, like most, cap concurrent streams per connection), so
// the pool opens another channel once each open one carries `streamsPerChannel` orgs. A relay for
// 1,000 orgs holds 10 connections instead of 1,000. Each org keeps its channel for as long as it
// runs (its reconnects and GetSchema calls use it too).

export const STREAMS_PER_CHANNEL = 100;

export interface PubSubConnector {
  /** a client on the least busy channel; the caller holds a stream slot until `release` */
  acquire(): PubSubClient;
  release(client: PubSubClient): void;
  close(): void;
}

interface PooledChannel {
  client: PubSubClient;
  streams: number;
}

const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': 32 * 1024 * 1024,
  'grpc.keepalive_time_ms': 60_000,
  // Without this, grpc-js shares one connection between clients with equal options: the pool
  // would be one HTTP/2 connection however many channels it opens.
  'grpc.use_local_subchannel_pool': 1
};

export class PubSubChannelPool implements PubSubConnector {
  readonly #endpoint: PubSubEndpoint;
  readonly #streamsPerChannel: number;
  readonly #channels: PooledChannel[] = [];
  readonly #byClient = new Map<PubSubClient, PooledChannel>();

  constructor(endpoint: PubSubEndpoint, options: { streamsPerChannel?: number } = {}) {
    this.#endpoint = endpoint;
    this.#streamsPerChannel = Math.max(1, options.streamsPerChannel ?? STREAMS_PER_CHANNEL);
  }

  acquire(): PubSubClient {
    let best: PooledChannel | undefined;
    for (const channel of this.#channels)
      if (channel.streams < this.#streamsPerChannel && (!best || channel.streams < best.streams))
        best = channel;
    if (!best) {
      const { PubSub } = loadPubSubPackage();
      best = {
        client: new PubSub(this.#endpoint.target, channelCredentials(this.#endpoint), CHANNEL_OPTIONS),
        streams: 0
      };
      this.#channels.push(best);
      this.#byClient.set(best.client, best);
    }
    best.streams += 1;
    return best.client;
  }

  release(client: PubSubClient): void {
    const channel = this.#byClient.get(client);
    if (!channel) return;
    channel.streams = Math.max(0, channel.streams - 1);
    // Keep one idle channel open for the next org; close the others.
    if (channel.streams === 0 && this.#channels.filter((c) => c.streams === 0).length > 1) {
      this.#channels.splice(this.#channels.indexOf(channel), 1);
      this.#byClient.delete(client);
      client.close();
    }
  }

  get stats(): { channels: number; streams: number } {
    return { channels: this.#channels.length, streams: this.#channels.reduce((n, c) => n + c.streams, 0) };
  }

  close(): void {
    for (const channel of this.#channels) channel.client.close();
    this.#channels.length = 0;
    this.#byClient.clear();
  }
}
