import { constants as fsConstants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

// Records the relay could not deliver and must not retry forever: events it cannot decode,
// conversations it cannot read, payloads Tethr rejects as invalid. One JSON object per line,
// fsynced before the event counts as handled, mode 0600 (payloads hold customer text).
export interface DeadLetter {
  reason:
    | 'undecodable-event'
    | 'unknown-object-type'
    | 'record-not-found'
    | 'fetch-rejected'
    | 'mapping-failed'
    | 'tethr-rejected';
  detail: string;
  eventId?: string;
  replayId?: string;
  recordId?: string | null;
  objectType?: string | null;
  payload?: unknown;
}

export class DeadLetterFile {
  readonly path: string;
  #handle: Promise<FileHandle> | undefined;
  #queue: Promise<void> = Promise.resolve();
  count = 0;

  constructor(path: string) {
    this.path = path;
  }

  write(letter: DeadLetter): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), ...letter })}\n`;
    const next = this.#queue.then(async () => {
      const handle = await this.#open();
      await handle.appendFile(line);
      await handle.datasync();
      this.count += 1;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.#queue;
    if (this.#handle) await (await this.#handle).close();
    this.#handle = undefined;
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= mkdir(dirname(this.path), { recursive: true, mode: 0o700 }).then(() =>
      open(this.path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND, 0o600)
    );
    return this.#handle;
  }
}
