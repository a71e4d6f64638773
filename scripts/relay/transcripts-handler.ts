import type { Channel } from '../contracts/channels.ts';
import type { ClosedEvent } from './closed-event.ts';
import { ConversationBatcher } from './conversation-batcher.ts';
import type { ConversationDelivery, DeliveryOutcome } from './conversation-delivery.ts';

interface Waiting {
  event: ClosedEvent;
  resolve: (outcome: DeliveryOutcome) => void;
  reject: (error: unknown) => void;
}

// --mode transcripts: each closed record waits briefly with others of its channel (up to
// `batchSize`, or `lingerMs` after the first), so one SOQL query reads up to 100 conversations;
// then the delivery fetches, maps and hands them to the sink. Resolves per event.
export class TranscriptsHandler {
  readonly #delivery: ConversationDelivery;
  readonly #batchers = new Map<Channel, ConversationBatcher<Waiting>>();

  constructor(options: {
    delivery: ConversationDelivery;
    channels: readonly Channel[];
    batchSize?: number;
    lingerMs?: number;
  }) {
    this.#delivery = options.delivery;
    for (const channel of options.channels) {
      this.#batchers.set(
        channel,
        new ConversationBatcher<Waiting>(options.batchSize ?? 100, options.lingerMs ?? 100, (items) =>
          this.#deliverBatch(channel, items)
        )
      );
    }
  }

  /** Whether the org sends this channel at all (a switched-off channel's events are skipped). */
  handles(channel: Channel): boolean {
    return this.#batchers.has(channel);
  }

  deliver(channel: Channel, event: ClosedEvent): Promise<DeliveryOutcome> {
    const batcher = this.#batchers.get(channel)!;
    return new Promise((resolve, reject) => batcher.add({ event, resolve, reject }));
  }

  flushNow(): void {
    for (const batcher of this.#batchers.values()) batcher.flushNow();
  }

  #deliverBatch(channel: Channel, items: Waiting[]): void {
    const requests = items.map(({ event }) => ({
      recordId: event.recordId!,
      eventId: event.eventId,
      replayId: event.replayId.toString('base64')
    }));
    this.#delivery.deliver(channel, requests).then(
      (outcomes) => outcomes.forEach((outcome, index) => items[index]!.resolve(outcome)),
      (error: unknown) => items.forEach((item) => item.reject(error))
    );
  }
}
