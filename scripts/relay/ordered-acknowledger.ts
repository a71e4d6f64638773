// Sinks finish out of order (a Tethr retry can hold one event while later ones succeed), but a
// replay id may be checkpointed only when its event AND every event received before it have
// been acknowledged. This keeps events in receipt order and moves a watermark over the
// acknowledged prefix. Sequence numbers are local; the replay ids stay opaque bytes.

interface Slot {
  replayId: Buffer;
  acked: boolean;
}

export class OrderedAcknowledger {
  #slots: Slot[] = [];
  #head = 0;
  #firstSeq = 0;
  #watermark: Buffer | undefined;
  #acknowledged = 0;

  /** Registers a received event; returns its sequence number for `ack`. */
  track(replayId: Buffer): number {
    this.#slots.push({ replayId, acked: false });
    return this.#firstSeq + this.#slots.length - 1;
  }

  /** Marks one event acknowledged; returns true when the watermark moved. */
  ack(seq: number): boolean {
    const slot = this.#slots[seq - this.#firstSeq];
    if (!slot || slot.acked) return false;
    slot.acked = true;
    let moved = false;
    while (this.#head < this.#slots.length && this.#slots[this.#head]!.acked) {
      this.#watermark = this.#slots[this.#head]!.replayId;
      this.#head += 1;
      this.#acknowledged += 1;
      moved = true;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#slots.length) this.#compact();
    return moved;
  }

  /**
   * A keepalive's latest_replay_id when nothing is in flight: everything received so far is
   * acknowledged, so the checkpoint may move up to the topic's tip. This keeps the stored replay id
   * inside the 72-hour retention on a quiet topic.
   */
  idle(latestReplayId: Buffer): boolean {
    if (this.pending() !== 0 || latestReplayId.length === 0) return false;
    if (this.#watermark?.equals(latestReplayId)) return false;
    this.#watermark = latestReplayId;
    return true;
  }

  /** The replay id that may be checkpointed now (undefined until something was acknowledged). */
  get watermark(): Buffer | undefined {
    return this.#watermark;
  }

  /** Events acknowledged in order since start. */
  get acknowledged(): number {
    return this.#acknowledged;
  }

  /** Received but not yet covered by the watermark. */
  pending(): number {
    return this.#slots.length - this.#head;
  }

  #compact(): void {
    this.#slots = this.#slots.slice(this.#head);
    this.#firstSeq += this.#head;
    this.#head = 0;
  }
}
