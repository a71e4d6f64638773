import type { Channel } from '../../contracts/channels.ts';
import { closedRecordDelivery, type DeliveryParts } from '../backfill-delivery.ts';
import type {
  DeadLetter,
  DeadLetterQuery,
  DeadLetterRecord,
  DeadLetterStore,
  DeadLetterSummary
} from '../dead-letters.ts';
import type { Sink, SinkItem, SinkOutcome } from '../sinks/sink.ts';
import { SessionIdSchemeMismatch } from './session-ids.ts';

// Sending closed records again, for verify --resend, the service's scheduled reconciliation and
// dead-letters retry: the records go through the normal delivery path (fetch, mapping, sink, dead
// letters) exactly as backfill sends them, under the org's session-id scheme. Two additions only:
// the reason of each dead letter is kept so the caller can say why a record is still missing, and
// every capture's sessionId is checked against the one the caller expects, so a scheme mismatch
// stops the resend before anything is sent twice under a second sessionId.

export type ResendOutcome =
  | { outcome: 'delivered' }
  | { outcome: 'dead-lettered'; reason: DeadLetter['reason']; detail: string }
  | { outcome: 'abandoned' };

export interface Resender {
  /** Sends these records of one channel again; one outcome per record id. */
  resend(
    channel: Channel,
    records: ReadonlyArray<{ recordId: string; sessionId: string }>
  ): Promise<Map<string, ResendOutcome>>;
}

/** Passes every letter on to the store, and keeps what was written during a resend. */
class RecordingDeadLetters implements DeadLetterStore {
  readonly letters: DeadLetter[] = [];

  constructor(private readonly inner: DeadLetterStore) {}

  get location(): string {
    return this.inner.location;
  }

  write(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
    return this.inner.write(letter);
  }

  list(query?: DeadLetterQuery): Promise<DeadLetterSummary[]> {
    return this.inner.list(query);
  }

  get(id: string, options?: { withPayload?: boolean }): Promise<DeadLetterRecord | undefined> {
    return this.inner.get(id, options);
  }

  markRetried(id: string): Promise<boolean> {
    return this.inner.markRetried(id);
  }

  remove(id: string): Promise<boolean> {
    return this.inner.remove(id);
  }

  count(query?: Omit<DeadLetterQuery, 'limit'>): Promise<number> {
    return this.inner.count(query);
  }

  /** The store belongs to the caller. */
  async close(): Promise<void> {}
}

/** Refuses a capture whose sessionId is not one the caller expects (see above). */
class ExpectedSessionsSink implements Sink {
  readonly name: string;
  expected = new Set<string>();

  constructor(private readonly inner: Sink) {
    this.name = inner.name;
  }

  write(item: SinkItem): Promise<SinkOutcome> {
    if (item.kind === 'capture' && !this.expected.has(item.capture.sessionId))
      return Promise.reject(new SessionIdSchemeMismatch(item.capture.sessionId, [...this.expected][0] ?? ''));
    return this.inner.write(item);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface DeliveryResender extends Resender {
  /** where the letters of what fails again go */
  readonly deadLetterLocation: string;
  /** flushes the sink (the dead-letter store belongs to the caller, who closes it) */
  close(): Promise<void>;
}

/**
 * `deadLetters` is the store what fails again is written to (a file for verify, the org's
 * PostgreSQL store in the service, the retried letters' own store for dead-letters retry).
 * `makeSink` builds the normal sink (the Tethr sink) around it, so the letters of payloads Tethr
 * rejects are recorded too. `eventId` marks the letters this path writes (verify-resend, retry).
 */
export function deliveryResender(
  parts: Omit<DeliveryParts, 'sink'> & {
    makeSink: (deadLetters: DeadLetterStore) => Sink;
    eventId?: string;
  }
): DeliveryResender {
  const deadLetters = new RecordingDeadLetters(parts.deadLetters);
  const sink = new ExpectedSessionsSink(parts.makeSink(deadLetters));
  const delivery = closedRecordDelivery({ ...parts, sink, deadLetters });
  const eventId = parts.eventId ?? 'verify-resend';
  return {
    deadLetterLocation: parts.deadLetters.location,
    async resend(channel, records) {
      sink.expected = new Set(records.map((r) => r.sessionId));
      const recordOf = new Map<string, string>();
      for (const { recordId, sessionId } of records) {
        recordOf.set(recordId, recordId);
        recordOf.set(sessionId, recordId);
      }
      const first = deadLetters.letters.length;
      const outcomes = await delivery.deliver(
        channel,
        records.map(({ recordId }) => ({ recordId, eventId, replayId: '' }))
      );
      const letters = new Map<string, DeadLetter>();
      for (const letter of deadLetters.letters.slice(first)) {
        const recordId = letter.recordId ? recordOf.get(letter.recordId) : undefined;
        if (recordId) letters.set(recordId, letter);
      }
      const result = new Map<string, ResendOutcome>();
      records.forEach(({ recordId }, i) => {
        const outcome = outcomes[i];
        const letter = letters.get(recordId);
        if (outcome === 'delivered') result.set(recordId, { outcome: 'delivered' });
        else if (outcome === 'dead-lettered')
          result.set(recordId, {
            outcome: 'dead-lettered',
            reason: letter?.reason ?? 'tethr-rejected',
            detail: (letter?.detail ?? '').slice(0, 300)
          });
        else result.set(recordId, { outcome: 'abandoned' });
      });
      return result;
    },
    async close() {
      await sink.close();
    }
  };
}
