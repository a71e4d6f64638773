import type { TethrCapture } from '../../tethr/capture-model.ts';

/** What the pipeline hands a sink: an event record (--mode events) or a Tethr capture. */
export type SinkItem =
  /** an event as received (--mode events), already serialised: one JSON object, ending in a newline */
  | { kind: 'event'; key: string; line: string }
  | { kind: 'capture'; key: string; capture: TethrCapture; eventId: string; replayId: string };

export type SinkOutcome = 'delivered' | 'dead-lettered';

export interface Sink {
  readonly name: string;
  /** Resolves once the item is durably delivered (or dead-lettered); only then is it acknowledged. */
  write(item: SinkItem): Promise<SinkOutcome>;
  /**
   * Optional: several items, one acknowledgement for all of them (same guarantee as `write` for
   * each). Sinks that group-commit anyway offer it to save a promise chain per item.
   */
  writeBatch?(items: SinkItem[]): Promise<SinkOutcome[]>;
  close(): Promise<void>;
}
