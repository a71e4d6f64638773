// Groups closed-record events of one channel so the fetcher reads many conversations per API
// call. A batch goes out when it is full or when its first item has waited `lingerMs`, so a
// lone event is not held back for long and a burst costs few calls.
export class ConversationBatcher<T> {
  readonly #size: number;
  readonly #lingerMs: number;
  readonly #flush: (items: T[]) => void;
  #items: T[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(size: number, lingerMs: number, flush: (items: T[]) => void) {
    this.#size = size;
    this.#lingerMs = lingerMs;
    this.#flush = flush;
  }

  add(item: T): void {
    this.#items.push(item);
    if (this.#items.length >= this.#size) this.flushNow();
    else this.#timer ??= setTimeout(() => this.flushNow(), this.#lingerMs);
  }

  flushNow(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#flush(items);
  }
}
