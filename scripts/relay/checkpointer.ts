import type { FileCheckpointStore } from './checkpoint-store.ts';
import type { OrderedAcknowledger } from './ordered-acknowledger.ts';

// Writes the acknowledger's watermark to the store, one write at a time: while a write runs,
// newer watermarks only replace the value the next write takes. So a burst of acknowledgements
// costs one or two writes, not one per event. `committed` counts the events the stored
// checkpoint covers; flow control releases Pub/Sub credit only for those, which bounds what a
// crash can replay.
//
// A write is the slot's pwrite; its fdatasync (power-loss durability) follows without holding up
// the next pwrite, because the flow-control window turns over only as fast as checkpoints are
// written, and a disk flush in that loop would cost the stream about a millisecond per turn.
// `flush()` waits for the fdatasync too.
export class Checkpointer {
  readonly #store: FileCheckpointStore;
  readonly #acker: OrderedAcknowledger;
  readonly #topic: string;
  readonly #onCommitted: (committed: number) => void;
  readonly #onError: (error: unknown) => void;
  #running: Promise<void> | undefined;
  #syncing: Promise<void> | undefined;
  #dirty = false;
  #baseAcknowledged: number;
  committed = 0;
  lastWrittenAt: number | undefined;

  constructor(options: {
    store: FileCheckpointStore;
    acker: OrderedAcknowledger;
    topic: string;
    previouslyAcknowledged?: number;
    onCommitted: (committed: number) => void;
    onError: (error: unknown) => void;
  }) {
    this.#store = options.store;
    this.#acker = options.acker;
    this.#topic = options.topic;
    this.#onCommitted = options.onCommitted;
    this.#onError = options.onError;
    this.#baseAcknowledged = options.previouslyAcknowledged ?? 0;
  }

  /** Call after the watermark moved. */
  schedule(): void {
    this.#dirty = true;
    // Start on the next microtask: the acknowledgements of one sink flush resume one microtask
    // each, and waiting for them lets a single write cover the whole flush.
    this.#running ??= Promise.resolve()
      .then(() => this.#loop())
      .finally(() => {
        this.#running = undefined;
      });
  }

  /** Resolves when everything acknowledged so far is on disk. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#dirty) {
      this.schedule();
      await this.#running;
    }
    await this.#syncing;
    await this.#store.sync();
  }

  async #loop(): Promise<void> {
    while (this.#dirty) {
      this.#dirty = false;
      const replayId = this.#acker.watermark;
      const acknowledged = this.#acker.acknowledged;
      if (!replayId) continue;
      try {
        await this.#store.put({
          topic: this.#topic,
          replayId,
          updatedAt: new Date().toISOString(),
          acknowledged: this.#baseAcknowledged + acknowledged
        });
        this.lastWrittenAt = Date.now();
        if (acknowledged > this.committed) {
          this.committed = acknowledged;
          this.#onCommitted(acknowledged);
        }
        this.#syncing = this.#store.sync().catch((error: unknown) => {
          // Written but maybe not on disk: write it again (and fdatasync) on the next turn.
          this.#onError(error);
          setTimeout(() => this.schedule(), 500);
        });
      } catch (error) {
        // The watermark is still in memory; the next acknowledgement (or flush) tries again.
        this.#dirty = true;
        this.#onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}
