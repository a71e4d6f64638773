import { sleep } from './backoff.ts';
import type { RelayLogger } from './relay-logger.ts';

// Enhanced Messaging transcripts come from Connect REST conversation entries, one call per
// session, and Connect counts those per user, per app, per hour (1,000 by default); when the
// budget is spent it answers 503 Service Unavailable (Connect REST API Developer Guide, "Connect
// REST API Limits"). A dead letter would be wrong (the data is there, only the budget is spent),
// and retrying every few seconds would only spend more refusals. So each org spends from its own
// sliding one-hour budget, set a little below the limit, and after a refusal every call waits,
// 5 minutes at first and doubling up to an hour, before it tries again.
// UNCONFIRMED: whether the hour is rolling or fixed, and the exact limit for conversation entries
// (Salesforce documents 1,000 for Chatter resources); `--connect-hourly-limit` sets it per org.

export const DEFAULT_CONNECT_HOURLY_LIMIT = 900;
const HOUR_MS = 3_600_000;
const FIRST_REFUSAL_WAIT_MS = 5 * 60_000;

export class HourlyBudget {
  readonly perHour: number;
  readonly #now: () => number;
  readonly #logger: RelayLogger | undefined;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #calls: number[] = [];
  #blockedUntil = 0;
  #refusals = 0;
  #queue: Promise<void> = Promise.resolve();
  spent = 0;

  constructor(
    options: {
      perHour?: number;
      logger?: RelayLogger;
      /** the clock and the wait, replaceable in tests */
      now?: () => number;
      sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    } = {}
  ) {
    this.perHour = Math.max(1, options.perHour ?? DEFAULT_CONNECT_HOURLY_LIMIT);
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? sleep;
    this.#logger = options.logger;
  }

  get blockedUntil(): number {
    return this.#blockedUntil;
  }

  /** calls still allowed in the current hour */
  get remaining(): number {
    this.#expire();
    return Math.max(0, this.perHour - this.#calls.length);
  }

  /** Waits until `count` calls fit (callers queue in order); resolves early only if `signal` aborts (then throws). */
  take(count: number, signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#wait(Math.min(count, this.perHour), signal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Salesforce refused a call for the hourly limit; returns how long every call now waits. */
  refused(): number {
    this.#refusals += 1;
    const wait = Math.min(HOUR_MS, FIRST_REFUSAL_WAIT_MS * 2 ** (this.#refusals - 1));
    this.#blockedUntil = Math.max(this.#blockedUntil, this.#now() + wait);
    this.#logger?.log('warn', 'connect api hourly limit refused the call; waiting before the next one', {
      until: new Date(this.#blockedUntil).toISOString(),
      refusals: this.#refusals
    });
    return wait;
  }

  async #wait(count: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const now = this.#now();
      this.#expire();
      let until = this.#blockedUntil > now ? this.#blockedUntil : 0;
      if (!until && this.#calls.length + count > this.perHour) {
        until = this.#calls[this.#calls.length + count - this.perHour - 1]! + HOUR_MS;
      }
      if (!until) {
        for (let i = 0; i < count; i += 1) this.#calls.push(now);
        this.spent += count;
        if (this.#blockedUntil <= now) this.#refusals = 0;
        return;
      }
      await this.#sleep(Math.min(until - now, 60_000), signal);
    }
  }

  #expire(): void {
    const cutoff = this.#now() - HOUR_MS;
    let drop = 0;
    while (drop < this.#calls.length && this.#calls[drop]! <= cutoff) drop += 1;
    if (drop > 0) this.#calls.splice(0, drop);
  }
}
