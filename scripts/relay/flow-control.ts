// Pub/Sub flow control for one stream. Salesforce adds up num_requested over every FetchRequest
// of one Subscribe call and treats anything above 100 as 100 (Pub/Sub API developer guide, "Pull
// Subscription and Flow Control"), so at most 100 events may be outstanding per stream.
//
// Two bounds, both per stream and both set by the window (1..100, `--num-requested`):
// - outstanding: what the server may still send is at most `window`. The relay tops it up with a
//   new FetchRequest as soon as less than half a window is on its way, instead of waiting for the
//   window to run dry (an idle wire was a quarter of the relay's time when credit came back only
//   after each checkpoint);
// - unsaved deliveries: at most `window` events are handed to the sink beyond the written
//   checkpoint, so a crash (kill -9) repeats at most one window of deliveries. Events received
//   while the sink is that far ahead wait, decoded, in memory; they were never delivered, so
//   replaying them after a crash is no duplicate.
// Received but not checkpointed events stay below BUFFERED_WINDOWS x window: memory is bounded too.

export const MAX_OUTSTANDING = 100;

/**
 * Received but not yet checkpointed, at most this many windows: one in the sink, the rest decoded
 * in memory or on the wire. It bounds memory, not durability (see above); measured: with fewer,
 * the stream waits for the disk instead of overlapping with it.
 */
const BUFFERED_WINDOWS = 4;

export function clampWindow(requested: number | undefined): number {
  return Math.max(1, Math.min(MAX_OUTSTANDING, Math.floor(requested ?? MAX_OUTSTANDING)));
}

export class FlowControl {
  readonly window: number;
  readonly #topUpBelow: number;
  readonly #minRequest: number;
  readonly #maxUnsaved: number;

  /** events per sink batch at most (a response larger than the window is cut) */
  readonly sinkBatch: number;

  constructor(window: number | undefined) {
    this.window = clampWindow(window);
    this.sinkBatch = this.window;
    this.#topUpBelow = Math.max(1, Math.ceil(this.window / 2));
    // Asking for a handful of events at a time would cut the stream into tiny responses.
    this.#minRequest = Math.max(1, Math.ceil(this.window / 4));
    this.#maxUnsaved = BUFFERED_WINDOWS * this.window;
  }

  /**
   * Events to ask for now (0: none). `serverPending`: what the server may still send on this
   * stream; `unsaved`: received and not yet covered by a written checkpoint.
   */
  toRequest(serverPending: number, unsaved: number): number {
    if (serverPending >= this.#topUpBelow) return 0;
    const room = Math.min(this.window - serverPending, this.#maxUnsaved - serverPending - unsaved);
    if (room <= 0) return 0;
    if (room < this.#minRequest && serverPending > 0) return 0;
    return room;
  }

  /** The first FetchRequest of a stream. */
  initialRequest(unsaved: number): number {
    return Math.max(0, Math.min(this.window, this.#maxUnsaved - unsaved));
  }

  /** Whether `size` more events may go to the sink while `inSink` delivered events are unsaved. */
  mayDispatch(inSink: number, size: number): boolean {
    return inSink + size <= this.window;
  }
}
