import type { OwnershipFence } from '../lease-lost.ts';
import type { Sink, SinkItem, SinkOutcome } from './sink.ts';

/**
 * A sink that writes only while this replica owns the org. The relay checks its lease when it
 * hands work out, but a write can start later (after a fetch, a linger timer, a wait for a free
 * Tethr slot): checking again right before the write closes that gap, so a replica paused past
 * its lease delivers nothing once it resumes. (The Tethr sink checks before every retry too.)
 */
export class FencedSink implements Sink {
  readonly name: string;
  readonly writeBatch?: (items: SinkItem[]) => Promise<SinkOutcome[]>;

  constructor(
    private readonly inner: Sink,
    private readonly fence: OwnershipFence
  ) {
    this.name = inner.name;
    const batch = inner.writeBatch?.bind(inner);
    if (batch) this.writeBatch = (items) => this.#whileOwned(() => batch(items));
  }

  write(item: SinkItem): Promise<SinkOutcome> {
    return this.#whileOwned(() => this.inner.write(item));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** A lost lease is a rejection, as any failed write is, never a throw out of the caller's call. */
  #whileOwned<T>(write: () => Promise<T>): Promise<T> {
    try {
      this.fence.assertCurrent();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return write();
  }
}
