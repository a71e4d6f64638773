import { constants as fsConstants, writeSync } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Sink, SinkItem, SinkOutcome } from './sink.ts';

// Appends one JSON object per line and acknowledges a line only once it is on disk.
//
// Lines written in one synchronous run (one Pub/Sub response) form a group: one write() for it.
// Writes happen one at a time, in order, so the file keeps the order of the stream. Each group's
// fdatasync starts as soon as its write returned, without waiting for the previous group's
// fdatasync: concurrent fdatasyncs on one file share the file system's journal commits, so
// several groups reach the disk in about the time of one (measured on ext4: 4 concurrent
// append+fdatasync ~0.7 ms each vs ~3 ms one after another). The relay's flow-control window
// (at most 100 events not yet checkpointed) makes the time to disk, not the CPU, the limit on
// throughput, so overlapping the flushes is what lets the window keep moving.
//
// An fdatasync covers every write that completed before it started, so when one finishes, every
// group written before it is acknowledged (a later fdatasync can finish first). `-` means stdout
// (acknowledged once the stream accepted the write).

const MAX_SYNCS_IN_FLIGHT = 3;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Group {
  seq: number;
  waiters: Waiter[];
}

export class NdjsonSink implements Sink {
  readonly name: string;
  readonly #path: string;
  #handle: Promise<FileHandle> | undefined;
  #buffer: string[] = [];
  #waiters: Waiter[] = [];
  #scheduled = false;
  /** groups written or being written, oldest first, not yet acknowledged */
  #unsynced: Group[] = [];
  #writing: Promise<void> = Promise.resolve();
  #syncsInFlight = 0;
  #nextGroup = 1;
  /** the newest group whose write() returned */
  #lastWritten = 0;
  /** the newest group an fdatasync was started for */
  #lastSynced = 0;
  #failure: unknown;
  #idle: Array<() => void> = [];
  /** write() calls made (one per group) */
  flushes = 0;
  /** fdatasync calls made */
  syncs = 0;

  constructor(path: string) {
    this.#path = path;
    this.name = path === '-' ? 'ndjson:-' : `ndjson:${path}`;
  }

  write(item: SinkItem): Promise<SinkOutcome> {
    return new Promise<SinkOutcome>((resolve, reject) => {
      this.#buffer.push(line(item));
      this.#waiters.push({ resolve: () => resolve('delivered'), reject });
      this.#schedule();
    });
  }

  /**
   * A batch is a group of its own (with whatever single writes were waiting): one write() and its
   * own fdatasync, overlapping with the fdatasyncs of the batches before it.
   */
  writeBatch(items: SinkItem[]): Promise<SinkOutcome[]> {
    return new Promise<SinkOutcome[]>((resolve, reject) => {
      for (const item of items) this.#buffer.push(line(item));
      this.#waiters.push({ resolve: () => resolve(items.map(() => 'delivered')), reject });
      this.#flushGroup();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // The lines of one Pub/Sub response are written in one synchronous run: a microtask after it
    // sees them all, without waiting for a turn of the event loop.
    queueMicrotask(() => this.#flushGroup());
  }

  async close(): Promise<void> {
    while (this.#scheduled || this.#unsynced.length > 0)
      await new Promise<void>((resolve) => this.#idle.push(resolve));
    if (this.#handle) await (await this.#handle).close();
    this.#handle = undefined;
  }

  #flushGroup(): void {
    this.#scheduled = false;
    if (this.#buffer.length === 0) return;
    const chunk = this.#buffer.join('');
    const group: Group = { seq: this.#nextGroup++, waiters: this.#waiters };
    this.#buffer = [];
    this.#waiters = [];
    this.#unsynced.push(group);
    this.#writing = this.#writing.then(async () => {
      if (this.#failure) return this.#settle(this.#failure);
      try {
        await this.#append(chunk);
        this.flushes += 1;
        this.#lastWritten = group.seq;
        this.#startSync();
      } catch (error) {
        // Nothing after a failed write may be acknowledged: the file may now miss lines.
        this.#failure = error;
        this.#settle(error);
      }
    });
  }

  #startSync(): void {
    if (this.#path === '-') return this.#acknowledge(this.#lastWritten);
    if (this.#syncsInFlight >= MAX_SYNCS_IN_FLIGHT || this.#lastWritten <= this.#lastSynced) return;
    // An fdatasync covers only the groups whose write returned before it started.
    const upTo = this.#lastWritten;
    this.#lastSynced = upTo;
    this.#syncsInFlight += 1;
    this.syncs += 1;
    void this.#handle!.then((handle) => handle.datasync()).then(
      () => {
        this.#syncsInFlight -= 1;
        this.#acknowledge(upTo);
        this.#startSync();
      },
      (error: unknown) => {
        this.#syncsInFlight -= 1;
        this.#failure = error;
        this.#settle(error);
      }
    );
  }

  /** Acknowledges every group up to `seq` still waiting (a later fdatasync may finish first). */
  #acknowledge(seq: number): void {
    let done = 0;
    while (done < this.#unsynced.length && this.#unsynced[done]!.seq <= seq) done += 1;
    for (const group of this.#unsynced.splice(0, done)) for (const waiter of group.waiters) waiter.resolve();
    this.#notifyIdle();
  }

  #settle(error: unknown): void {
    for (const group of this.#unsynced.splice(0)) for (const waiter of group.waiters) waiter.reject(error);
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#scheduled || this.#unsynced.length > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #append(chunk: string): Promise<void> {
    if (this.#path === '-') {
      await new Promise<void>((resolve, reject) =>
        process.stdout.write(chunk, (error) => (error ? reject(error) : resolve()))
      );
      return;
    }
    this.#handle ??= openForAppend(this.#path);
    const handle = await this.#handle;
    // A write into the page cache takes microseconds: done on the event loop, it saves a
    // thread-pool round trip per group, which the window would otherwise wait for. The slow
    // part, fdatasync, runs on the thread pool.
    const bytes = Buffer.from(chunk);
    for (let offset = 0; offset < bytes.length;)
      offset += writeSync(handle.fd, bytes, offset, bytes.length - offset);
  }
}

function line(item: SinkItem): string {
  if (item.kind === 'event') return item.line;
  return `${JSON.stringify({ key: item.key, eventId: item.eventId, replayId: item.replayId, ...item.capture })}\n`;
}

/**
 * A process killed in the middle of a write can leave a torn last line. Its event was never
 * acknowledged, so it will be delivered again; starting on a fresh line keeps the torn fragment
 * from swallowing the next record (readers skip the one unparsable line).
 */
async function openForAppend(path: string): Promise<FileHandle> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_APPEND, 0o600);
  const { size } = await handle.stat();
  if (size > 0) {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await handle.appendFile('\n');
  }
  return handle;
}
