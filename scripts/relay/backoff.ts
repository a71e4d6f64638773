// Capped exponential backoff with full jitter (delay drawn from [0, min(cap, base * 2^attempt)]):
// many relays retrying against one recovering service spread out instead of arriving together.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 30_000 };

export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random = Math.random
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}

/** Resolves after `ms`, or at once when `signal` aborts (shutdown must not wait out a backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryOptions {
  policy?: BackoffPolicy;
  signal?: AbortSignal;
  /** return false to stop retrying and rethrow */
  shouldRetry: (error: unknown, attempt: number) => boolean;
  /** a server-given minimum wait (Retry-After), if any */
  minDelayMs?: (error: unknown) => number | undefined;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** runs before every attempt, outside the retry: a throw ends the retries (e.g. a lost lease) */
  beforeAttempt?: () => void;
}

/** The error a retry ends with when it is stopped before its first attempt. */
export class RetryAbortedError extends Error {
  constructor() {
    super('stopped before the first attempt');
    this.name = 'RetryAbortedError';
  }
}

/**
 * Runs `task` until it succeeds, `shouldRetry` says no, or `signal` aborts (then the last error is
 * thrown). A signal aborted before the first attempt runs nothing: work queued behind a stop (a
 * capture waiting for a free slot when the relay drains or loses its lease) is not sent.
 */
export async function retry<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    if (attempt === 0 && options.signal?.aborted) throw new RetryAbortedError();
    options.beforeAttempt?.();
    try {
      return await task(attempt);
    } catch (error) {
      if (options.signal?.aborted || !options.shouldRetry(error, attempt)) throw error;
      const delay = Math.max(backoffDelay(attempt, options.policy), options.minDelayMs?.(error) ?? 0);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}
