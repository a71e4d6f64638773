import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

// Records the relay could not deliver and must not retry forever: events it cannot decode,
// conversations it cannot read, payloads Tethr rejects as invalid. Written durably before the
// event counts as handled. Two stores share one interface, so the commands that list, show and
// retry dead letters work over either: the file (one JSON object per line, mode 0600, fsynced;
// `tethr-sf relay`, `tethr-sf backfill`) and PostgreSQL (`tethr-sf relay serve`,
// service/pg-dead-letter-store.ts). Payloads hold customer text: listings never include them;
// `get(id, { withPayload: true })` returns them when someone asks.

export type DeadLetterReason =
  | 'undecodable-event'
  | 'unknown-object-type'
  | 'record-not-found'
  | 'fetch-rejected'
  | 'mapping-failed'
  | 'tethr-rejected';

export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  'undecodable-event',
  'unknown-object-type',
  'record-not-found',
  'fetch-rejected',
  'mapping-failed',
  'tethr-rejected'
];

/** What the pipeline writes. */
export interface DeadLetter {
  reason: DeadLetterReason;
  detail: string;
  eventId?: string;
  replayId?: string;
  /** the Salesforce record id (never the Tethr session id) */
  recordId?: string | null;
  objectType?: string | null;
  payload?: unknown;
}

/** A stored dead letter without its payload: what listings show. */
export interface DeadLetterSummary {
  id: string;
  /** the org it belongs to (the PostgreSQL store keeps every org's; a file holds one org's) */
  orgId: string | null;
  at: string;
  reason: DeadLetterReason;
  detail: string;
  eventId: string | null;
  replayId: string | null;
  recordId: string | null;
  objectType: string | null;
  hasPayload: boolean;
  /** set once someone sent it again (`markRetried`) */
  retriedAt: string | null;
}

export interface DeadLetterRecord extends DeadLetterSummary {
  /** only when asked for with `withPayload` */
  payload?: unknown;
}

export interface DeadLetterQuery {
  orgId?: string;
  reason?: DeadLetterReason;
  /** ISO 8601: letters written at or after */
  since?: string;
  /** include letters already marked retried (default: no) */
  includeRetried?: boolean;
  /** newest first, at most this many (default 100) */
  limit?: number;
}

export interface DeadLetterStore {
  /** where the letters are, for logs and messages: a file path or the database table */
  readonly location: string;
  write(letter: DeadLetter): Promise<void>;
  list(query?: DeadLetterQuery): Promise<DeadLetterSummary[]>;
  get(id: string, options?: { withPayload?: boolean }): Promise<DeadLetterRecord | undefined>;
  /** marks a letter as sent again; false when there is no such (unretried) letter */
  markRetried(id: string): Promise<boolean>;
  /** deletes a letter for good; false when there is no such letter */
  remove(id: string): Promise<boolean>;
  count(query?: Omit<DeadLetterQuery, 'limit'>): Promise<number>;
  close(): Promise<void>;
}

interface FileLine extends DeadLetter {
  id?: string;
  at: string;
  orgId?: string;
}

interface Tombstone {
  id: string;
  retriedAt?: string;
  removedAt?: string;
}

/**
 * The file store. Letters are appended and never rewritten in place: marking one retried or
 * removing it appends a small tombstone line (`{"id", "retriedAt"}` / `{"id", "removedAt"}`), so a
 * crash can never tear an earlier letter. Older files without ids give each line the id `line:N`.
 */
export class DeadLetterFile implements DeadLetterStore {
  readonly path: string;
  readonly #orgId: string | null;
  #handle: Promise<FileHandle> | undefined;
  #queue: Promise<void> = Promise.resolve();
  /** letters written by this process */
  written = 0;

  constructor(path: string, options: { orgId?: string } = {}) {
    this.path = path;
    this.#orgId = options.orgId ?? null;
  }

  get location(): string {
    return this.path;
  }

  write(letter: DeadLetter): Promise<void> {
    const line: FileLine = {
      id: randomUUID(),
      at: new Date().toISOString(),
      ...(this.#orgId ? { orgId: this.#orgId } : {}),
      ...letter
    };
    return this.#append(line).then(() => {
      this.written += 1;
    });
  }

  async list(query: DeadLetterQuery = {}): Promise<DeadLetterSummary[]> {
    const letters = (await this.#read()).filter((l) => matches(l, query));
    return letters
      .reverse()
      .slice(0, query.limit ?? 100)
      .map(withoutPayload);
  }

  async get(id: string, options: { withPayload?: boolean } = {}): Promise<DeadLetterRecord | undefined> {
    const found = (await this.#read()).find((l) => l.id === id);
    if (!found) return undefined;
    return options.withPayload ? found : withoutPayload(found);
  }

  async markRetried(id: string): Promise<boolean> {
    const found = (await this.#read()).find((l) => l.id === id);
    if (!found || found.retriedAt) return false;
    await this.#append({ id, retriedAt: new Date().toISOString() });
    return true;
  }

  async remove(id: string): Promise<boolean> {
    if (!(await this.#read()).some((l) => l.id === id)) return false;
    await this.#append({ id, removedAt: new Date().toISOString() });
    return true;
  }

  async count(query: Omit<DeadLetterQuery, 'limit'> = {}): Promise<number> {
    return (await this.#read()).filter((l) => matches(l, query)).length;
  }

  async close(): Promise<void> {
    await this.#queue;
    if (this.#handle) await (await this.#handle).close();
    this.#handle = undefined;
  }

  #append(line: FileLine | Tombstone): Promise<void> {
    const text = `${JSON.stringify(line)}\n`;
    const next = this.#queue.then(async () => {
      const handle = await this.#open();
      await handle.appendFile(text);
      await handle.datasync();
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #read(): Promise<DeadLetterRecord[]> {
    await this.#queue;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const letters = new Map<string, DeadLetterRecord>();
    text.split('\n').forEach((raw, index) => {
      if (!raw.trim()) return;
      let parsed: Partial<FileLine & Tombstone>;
      try {
        parsed = JSON.parse(raw) as Partial<FileLine & Tombstone>;
      } catch {
        return; // a line torn by a crash mid-append
      }
      if (parsed.reason === undefined && parsed.id) {
        const letter = letters.get(parsed.id);
        if (parsed.removedAt) letters.delete(parsed.id);
        else if (letter && parsed.retriedAt) letter.retriedAt = parsed.retriedAt;
        return;
      }
      const id = parsed.id ?? `line:${index + 1}`;
      letters.set(id, {
        id,
        orgId: parsed.orgId ?? this.#orgId,
        at: parsed.at ?? '',
        reason: parsed.reason as DeadLetterReason,
        detail: parsed.detail ?? '',
        eventId: parsed.eventId ?? null,
        replayId: parsed.replayId ?? null,
        recordId: parsed.recordId ?? null,
        objectType: parsed.objectType ?? null,
        hasPayload: parsed.payload !== undefined,
        retriedAt: null,
        ...(parsed.payload !== undefined ? { payload: parsed.payload } : {})
      });
    });
    return [...letters.values()];
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= mkdir(dirname(this.path), { recursive: true, mode: 0o700 }).then(() =>
      open(this.path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND, 0o600)
    );
    return this.#handle;
  }
}

function withoutPayload(letter: DeadLetterRecord): DeadLetterSummary {
  const summary: DeadLetterRecord = { ...letter };
  delete summary.payload;
  return summary;
}

function matches(letter: DeadLetterSummary, query: Omit<DeadLetterQuery, 'limit'>): boolean {
  if (query.orgId && letter.orgId && letter.orgId.slice(0, 15) !== query.orgId.slice(0, 15)) return false;
  if (query.reason && letter.reason !== query.reason) return false;
  if (query.since && letter.at < query.since) return false;
  if (!query.includeRetried && letter.retriedAt) return false;
  return true;
}
