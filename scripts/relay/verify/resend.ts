import type { Channel } from '../../contracts/channels.ts';
import { closedRecordDelivery, type DeliveryParts } from '../backfill-delivery.ts';
import { DeadLetterFile, type DeadLetter } from '../dead-letters.ts';
import type { Sink, SinkItem, SinkOutcome } from '../sinks/sink.ts';
import { SessionIdSchemeMismatch } from './session-ids.ts';

// --resend: the missing conversations go through the normal delivery path (fetch, mapping,
// sink, dead letters) exactly as backfill sends them. Two additions only: the reason of each
// dead letter is kept so the report can say why a record is still missing, and every capture's
// sessionId is checked against the one reconciliation looked up, so a scheme mismatch stops the
// resend before anything is sent twice under a second sessionId.

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

/** Keeps what was dead-lettered during a resend, and still writes it to the file. */
class RecordingDeadLetters extends DeadLetterFile {
  readonly letters: DeadLetter[] = [];

  override write(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
    return super.write(letter);
  }
}

/** Refuses a capture whose sessionId is not one reconciliation expects (see above). */
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
  /** flushes the sink and the dead-letter file */
  close(): Promise<void>;
}

/**
 * `makeSink` builds the normal sink (the Tethr sink) around the dead-letter file the resend
 * writes, so the letters of payloads Tethr rejects are recorded too.
 */
export function deliveryResender(
  parts: Omit<DeliveryParts, 'deadLetters' | 'sink'> & {
    deadLetterPath: string;
    makeSink: (deadLetters: DeadLetterFile) => Sink;
  }
): DeliveryResender {
  const deadLetters = new RecordingDeadLetters(parts.deadLetterPath);
  const sink = new ExpectedSessionsSink(parts.makeSink(deadLetters));
  const delivery = closedRecordDelivery({ ...parts, sink, deadLetters });
  return {
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
        records.map(({ recordId }) => ({ recordId, eventId: 'verify-resend', replayId: '' }))
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
      await deadLetters.close();
    }
  };
}
