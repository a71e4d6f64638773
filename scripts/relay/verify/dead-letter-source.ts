import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DeadLetter } from '../dead-letters.ts';

// Where reconciliation learns which closed conversations were dead-lettered locally: the
// dead-letter files the relay, backfill and verify --resend write (here), or the relay service's
// database (pg-dead-letter-source.ts); several at once through CombinedDeadLetterSource.
// Reconciliation does not care which it reads. A letter marked retried (sent again and
// delivered) or removed no longer counts.

export interface DeadLetterSummary {
  reason: DeadLetter['reason'];
  /** when the newest letter for the record was written */
  at: string;
}

/** A closed record as reconciliation knows it: its Salesforce id and its Tethr session id. */
export interface ReconciledRecord {
  recordId: string;
  sessionId: string;
}

export interface DeadLetterSource {
  /** what was read, for reports: file paths (and whether they existed), or a database name */
  describe(): Array<{ source: string; found: boolean }>;
  /** the newest dead letter of each of these records that has one, keyed by record id */
  lettersFor(records: readonly ReconciledRecord[]): Promise<Map<string, DeadLetterSummary>>;
}

/**
 * Dead-letter files (NDJSON, one letter per line). A letter names its record by the Salesforce
 * id (fetch and mapping failures, possibly the 15-character form a flow published) or by the
 * Tethr session id (payloads Tethr rejected), so both are matched. Tombstone lines
 * (`{"id", "retriedAt"}`, `{"id", "removedAt"}`, written by DeadLetterFile.markRetried and
 * remove) take their letter out of the count, the way DeadLetterFile reads them. Only reason and
 * time are kept in memory: the files also hold payloads with customer text, which reconciliation
 * never needs.
 */
export class DeadLetterFiles implements DeadLetterSource {
  readonly #paths: string[];
  #index: Promise<Map<string, DeadLetterSummary>> | undefined;
  readonly #found = new Map<string, boolean>();

  constructor(paths: readonly string[]) {
    this.#paths = [...new Set(paths)];
  }

  describe(): Array<{ source: string; found: boolean }> {
    return this.#paths.map((source) => ({ source, found: this.#found.get(source) ?? false }));
  }

  async lettersFor(records: readonly ReconciledRecord[]): Promise<Map<string, DeadLetterSummary>> {
    const index = await (this.#index ??= this.#load());
    const result = new Map<string, DeadLetterSummary>();
    for (const { recordId, sessionId } of records) {
      const letter = newest([index.get(recordId), index.get(recordId.slice(0, 15)), index.get(sessionId)]);
      if (letter) result.set(recordId, letter);
    }
    return result;
  }

  /** Reads the files again on the next look-up (after a resend wrote new letters). */
  refresh(): void {
    this.#index = undefined;
  }

  async #load(): Promise<Map<string, DeadLetterSummary>> {
    const index = new Map<string, DeadLetterSummary>();
    for (const path of this.#paths) {
      const letters = await readLetters(path);
      this.#found.set(path, letters !== undefined);
      for (const { keys, summary } of letters?.values() ?? []) {
        for (const key of keys) {
          const known = index.get(key);
          if (!known || known.at < summary.at) index.set(key, summary);
        }
      }
    }
    return index;
  }
}

/** Several sources as one: the newest letter of a record wins, whichever source holds it. */
export class CombinedDeadLetterSource implements DeadLetterSource {
  constructor(private readonly sources: readonly DeadLetterSource[]) {}

  describe(): Array<{ source: string; found: boolean }> {
    return this.sources.flatMap((source) => source.describe());
  }

  async lettersFor(records: readonly ReconciledRecord[]): Promise<Map<string, DeadLetterSummary>> {
    const result = new Map<string, DeadLetterSummary>();
    for (const found of await Promise.all(this.sources.map((s) => s.lettersFor(records))))
      for (const [recordId, letter] of found) {
        const known = result.get(recordId);
        if (!known || known.at < letter.at) result.set(recordId, letter);
      }
    return result;
  }
}

interface IndexedLetter {
  /** the record id as written, and its 15-character form */
  keys: string[];
  summary: DeadLetterSummary;
}

/**
 * The live letters of a file by letter id (DeadLetterFile's ids: the `id` field, or `line:N` for
 * older lines without one), tombstones applied; undefined when the file does not exist.
 */
async function readLetters(path: string): Promise<Map<string, IndexedLetter> | undefined> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve, reject) => {
    stream.once('ready', () => resolve(true));
    stream.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? resolve(false) : reject(error)
    );
  });
  if (!opened) return undefined;
  const letters = new Map<string, IndexedLetter>();
  let lineNumber = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (!line.trim()) continue;
    let letter: Partial<DeadLetter> & {
      id?: unknown;
      at?: unknown;
      retriedAt?: unknown;
      removedAt?: unknown;
    };
    try {
      letter = JSON.parse(line) as typeof letter;
    } catch {
      continue; // a line torn by a crash mid-write: its record was never acknowledged
    }
    if (letter.reason === undefined && typeof letter.id === 'string') {
      if (letter.retriedAt || letter.removedAt) letters.delete(letter.id);
      continue;
    }
    if (typeof letter.recordId !== 'string' || !letter.recordId || typeof letter.reason !== 'string')
      continue;
    const id = typeof letter.id === 'string' ? letter.id : `line:${lineNumber}`;
    letters.set(id, {
      keys:
        letter.recordId.length === 18 ? [letter.recordId, letter.recordId.slice(0, 15)] : [letter.recordId],
      summary: { reason: letter.reason, at: typeof letter.at === 'string' ? letter.at : '' }
    });
  }
  return letters;
}

export function newest(letters: Array<DeadLetterSummary | undefined>): DeadLetterSummary | undefined {
  let best: DeadLetterSummary | undefined;
  for (const letter of letters) if (letter && (!best || best.at < letter.at)) best = letter;
  return best;
}
