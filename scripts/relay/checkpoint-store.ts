import { constants as fsConstants, writeSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { SfError } from '@salesforce/core/sfError';
import { loadMessages } from '../shared/messages.ts';
import { writePrivateFileAtomic } from '../shared/private-file.ts';

const messages = loadMessages('relay');

// The checkpoint is one small file with two fixed-size slots that are written alternately, each
// a JSON line with a sequence number and a CRC-32. A write is one pwrite of one slot plus
// fdatasync on a file that is kept open: durable before the relay moves on, and about a third of
// the cost of temp-file + fsync + rename + directory fsync, which matters because the flow-control
// window only reopens once the checkpoint is on disk. A write torn by a crash fails its CRC, and
// the other slot still holds the previous checkpoint, so reading never sees a half-written value.
// The file is created atomically (writeFileAtomic), mode 0600. It is not a JSON document (two
// padded slots), so its default name ends in `.checkpoint`, not `.json`:
// `tethr-sf relay checkpoint show <file>` prints it.
//
// Why a file and not SQLite: the state is one value per subscription; a file needs no native
// module (better-sqlite3) and no experimental API (node:sqlite), and has no WAL files to manage.
// `tethr-sf relay serve` keeps the same values in PostgreSQL (service/pg-checkpoint-store.ts),
// behind the same CheckpointStore interface.

export const CHECKPOINT_SCHEMA = 'tethr-relay-checkpoint/v2';
const SLOT_BYTES = 1024;

export interface Checkpoint {
  topic: string;
  /** the replay id exactly as Pub/Sub sent it: opaque bytes, never a number */
  replayId: Buffer;
  updatedAt: string;
  /** events whose sink acknowledgement this checkpoint covers, over the file's lifetime */
  acknowledged: number;
}

/**
 * Where a relay keeps its position. `put` makes a checkpoint survive a crash of this process and
 * may refuse (the PostgreSQL store refuses once the org's lease is lost); `sync` makes every put
 * before it survive a power loss.
 */
export interface CheckpointStore {
  /** for logs and messages: the file path, or the database and org */
  readonly location: string;
  /** puts made by this process */
  readonly writes: number;
  read(): Promise<Checkpoint | undefined>;
  put(checkpoint: Checkpoint): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

interface SlotRecord {
  schema: typeof CHECKPOINT_SCHEMA;
  seq: number;
  topic: string;
  replayId: string;
  updatedAt: string;
  acknowledged: number;
}

export class FileCheckpointStore implements CheckpointStore {
  readonly path: string;
  writes = 0;
  #handle: FileHandle | undefined;
  #seq = 0;
  #syncedSeq = 0;
  #syncing: Promise<void> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  get location(): string {
    return this.path;
  }

  async read(): Promise<Checkpoint | undefined> {
    const latest = await this.#latest();
    if (!latest) return undefined;
    return {
      topic: latest.topic,
      replayId: Buffer.from(latest.replayId, 'base64'),
      updatedAt: latest.updatedAt,
      acknowledged: latest.acknowledged
    };
  }

  /**
   * `onWritten` runs once the slot is in the operating system's hands (it survives a crash of this
   * process, not yet a power loss); the returned promise resolves after fdatasync.
   */
  async write(checkpoint: Checkpoint, onWritten?: () => void): Promise<void> {
    await this.put(checkpoint);
    onWritten?.();
    await this.sync();
  }

  /**
   * Writes the next slot (one pwrite): survives a crash of this process. `sync()` makes it
   * survive a power loss. A put may run while an earlier put's fdatasync is still going: every
   * slot that passes its CRC is a checkpoint that was true when it was written, so whatever mix
   * of slots a power loss leaves, reading returns a valid (at worst older) checkpoint.
   */
  async put(checkpoint: Checkpoint): Promise<void> {
    if (!this.#handle) await this.#open(checkpoint);
    this.#seq += 1;
    const slot = encodeSlot({
      schema: CHECKPOINT_SCHEMA,
      seq: this.#seq,
      topic: checkpoint.topic,
      replayId: checkpoint.replayId.toString('base64'),
      updatedAt: checkpoint.updatedAt,
      acknowledged: checkpoint.acknowledged
    });
    // One pwrite into the page cache, on the event loop: flow-control credit waits for it, and a
    // thread-pool round trip would cost more than the write itself.
    if (writeSync(this.#handle!.fd, slot, 0, SLOT_BYTES, (this.#seq % 2) * SLOT_BYTES) !== SLOT_BYTES)
      throw new Error(`short write to checkpoint ${this.path}`);
    this.writes += 1;
  }

  /**
   * Resolves once every put made before the call is on disk. Calls made while an fdatasync runs
   * share the next one, so a burst of puts costs one or two fdatasyncs.
   */
  async sync(): Promise<void> {
    const target = this.#seq;
    while (this.#syncedSeq < target) {
      if (this.#syncing) {
        await this.#syncing.catch(() => undefined);
        continue;
      }
      const upTo = this.#seq;
      this.#syncing = this.#handle!.datasync()
        .then(() => {
          this.#syncedSeq = Math.max(this.#syncedSeq, upTo);
        })
        .finally(() => {
          this.#syncing = undefined;
        });
      await this.#syncing;
    }
  }

  async close(): Promise<void> {
    while (this.#syncing) await this.#syncing.catch(() => undefined);
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async #open(first: Checkpoint): Promise<void> {
    const latest = await this.#latest();
    if (!latest) {
      // New file: both slots exist from the start, so later writes never change its size.
      const initial = encodeSlot({
        schema: CHECKPOINT_SCHEMA,
        seq: 0,
        topic: first.topic,
        replayId: first.replayId.toString('base64'),
        updatedAt: first.updatedAt,
        acknowledged: first.acknowledged
      });
      await writePrivateFileAtomic(
        this.path,
        Buffer.concat([initial, Buffer.alloc(SLOT_BYTES, ' ')]).toString('latin1')
      );
    }
    this.#seq = latest?.seq ?? 0;
    this.#syncedSeq = this.#seq;
    this.#handle = await open(this.path, fsConstants.O_RDWR);
  }

  async #latest(): Promise<SlotRecord | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const slots = [0, 1]
      .map((i) => decodeSlot(bytes.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES)))
      .filter((s) => s !== undefined);
    if (slots.length === 0) throw corrupt(this.path);
    return slots.reduce((a, b) => (b.seq > a.seq ? b : a));
  }
}

function encodeSlot(record: SlotRecord): Buffer {
  const body = JSON.stringify(record);
  const line = `${body.slice(0, -1)},"crc":${crc32(body)}}`;
  if (Buffer.byteLength(line) > SLOT_BYTES - 1) throw new Error('checkpoint record too large for its slot');
  const slot = Buffer.alloc(SLOT_BYTES, ' ');
  slot.write(line, 0, 'utf8');
  slot[SLOT_BYTES - 1] = 0x0a;
  return slot;
}

function decodeSlot(bytes: Buffer): SlotRecord | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8').trim()) as SlotRecord & { crc?: number };
    const { crc, ...record } = parsed;
    if (record.schema !== CHECKPOINT_SCHEMA || crc !== crc32(JSON.stringify(record))) return undefined;
    if (
      typeof record.topic !== 'string' ||
      typeof record.replayId !== 'string' ||
      typeof record.seq !== 'number'
    )
      return undefined;
    return record;
  } catch {
    return undefined;
  }
}

function corrupt(path: string): SfError {
  return messages.createError('error.CheckpointCorrupt', [path], [path]);
}
