import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DeadLetter } from '../dead-letters.ts';

// Where reconciliation learns which closed conversations were dead-lettered locally. Today: the
// dead-letter files the relay, backfill and verify --resend write. The relay service's database
// store (phase 2) implements the same interface, so reconciliation does not care which it reads.

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
 * Tethr session id (payloads Tethr rejected), so both are matched. Only reason and time are kept
 * in memory: the files also hold payloads with customer text, which reconciliation never needs.
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
      this.#found.set(
        path,
        await readLetters(path, (key, letter) => {
          const known = index.get(key);
          if (!known || known.at < letter.at) index.set(key, letter);
        })
      );
    }
    return index;
  }
}

/** Feeds every well-formed letter of a file to `add`; false when the file does not exist. */
async function readLetters(
  path: string,
  add: (key: string, letter: DeadLetterSummary) => void
): Promise<boolean> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve, reject) => {
    stream.once('ready', () => resolve(true));
    stream.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? resolve(false) : reject(error)
    );
  });
  if (!opened) return false;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    let letter: Partial<DeadLetter> & { at?: unknown };
    try {
      letter = JSON.parse(line) as typeof letter;
    } catch {
      continue; // a line torn by a crash mid-write: its record was never acknowledged
    }
    if (typeof letter.recordId !== 'string' || !letter.recordId || typeof letter.reason !== 'string')
      continue;
    const summary = { reason: letter.reason, at: typeof letter.at === 'string' ? letter.at : '' };
    add(letter.recordId, summary);
    if (letter.recordId.length === 18) add(letter.recordId.slice(0, 15), summary);
  }
  return true;
}

function newest(letters: Array<DeadLetterSummary | undefined>): DeadLetterSummary | undefined {
  let best: DeadLetterSummary | undefined;
  for (const letter of letters) if (letter && (!best || best.at < letter.at)) best = letter;
  return best;
}
