import { withTimeout } from '../shared/with-timeout.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import { LeaseLostError } from './lease-lost.ts';
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
//
// A store that refuses because the org's lease is gone (LeaseLostError) is not retried: the
// relay must stop, and `onLeaseLost` says so. A store that keeps failing otherwise (disk full,
// database down) is retried every 500 ms, but a flush waits only until its deadline: shutdown
// must end, and what was not written is replayed on restart (at-least-once, never lost).
export class Checkpointer {
  readonly #store: CheckpointStore;
  readonly #acker: OrderedAcknowledger;
  readonly #topic: string;
  readonly #onCommitted: (committed: number) => void;
  readonly #onError: (error: unknown) => void;
  readonly #onLeaseLost: (error: LeaseLostError) => void;
  #fenced = false;
  #closed = false;
  #running: Promise<void> | undefined;
  #syncing: Promise<void> | undefined;
  #dirty = false;
  #baseAcknowledged: number;
  committed = 0;
  lastWrittenAt: number | undefined;

  constructor(options: {
    store: CheckpointStore;
    acker: OrderedAcknowledger;
    topic: string;
    previouslyAcknowledged?: number;
    onCommitted: (committed: number) => void;
    onError: (error: unknown) => void;
    onLeaseLost?: (error: LeaseLostError) => void;
  }) {
    this.#store = options.store;
    this.#acker = options.acker;
    this.#topic = options.topic;
    this.#onCommitted = options.onCommitted;
    this.#onError = options.onError;
    this.#onLeaseLost = options.onLeaseLost ?? options.onError;
    this.#baseAcknowledged = options.previouslyAcknowledged ?? 0;
  }

  /** Call after the watermark moved. */
  schedule(): void {
    if (this.#fenced || this.#closed) return;
    this.#dirty = true;
    // Start on the next microtask: the acknowledgements of one sink flush resume one microtask
    // each, and waiting for them lets a single write cover the whole flush.
    this.#running ??= Promise.resolve()
      .then(() => this.#loop())
      .finally(() => {
        this.#running = undefined;
      });
  }

  /**
   * Resolves when everything acknowledged so far is on disk. With `deadlineMs`, gives up after
   * that long (returning false) and stops retrying: the last chance before the relay stops.
   */
  async flush(deadlineMs?: number): Promise<boolean> {
    const written = this.#flushAll().then(() => true);
    if (deadlineMs === undefined) return written;
    const done = (await withTimeout(written, deadlineMs)) ?? false;
    if (!done) this.#closed = true;
    return done;
  }

  async #flushAll(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#fenced || this.#closed) return;
    if (this.#dirty) {
      this.schedule();
      await this.#running;
    }
    await this.#syncing;
    await this.#store.sync();
  }

  async #loop(): Promise<void> {
    while (this.#dirty && !this.#closed) {
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
        if (error instanceof LeaseLostError) {
          this.#fenced = true;
          this.#dirty = false;
          this.#onLeaseLost(error);
          return;
        }
        // The watermark is still in memory; the next acknowledgement (or flush) tries again.
        this.#dirty = true;
        this.#onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}
