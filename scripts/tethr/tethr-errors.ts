/** A non-2xx answer from Tethr. The body is kept short: it may echo parts of our payload. */
export class TethrHttpError extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  readonly detail: string;

  constructor(what: string, status: number, detail: string, retryAfterMs?: number) {
    super(`${what} failed with HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'TethrHttpError';
    this.status = status;
    this.detail = detail;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The token endpoint refused our client credentials. Never a reason to drop a payload: every
 * capture would fail the same way until the credentials are fixed, so captures wait and retry.
 */
export class TethrTokenError extends TethrHttpError {
  constructor(status: number, detail: string, retryAfterMs?: number) {
    super('Tethr token request', status, detail, retryAfterMs);
    this.name = 'TethrTokenError';
    this.message +=
      status === 400 || status === 401 || status === 403
        ? ' (check TETHR_API_CLIENT_ID and TETHR_API_CLIENT_SECRET)'
        : '';
  }
}

/** Tethr did not answer in time, or the connection failed: safe to retry (sessionId is idempotent). */
export class TethrUnavailableError extends Error {
  /** the network's own reason, e.g. "getaddrinfo ENOTFOUND tethr.invalid" (fetch says only "fetch failed") */
  readonly reason: string;
  /** the system error code when there is one (ENOTFOUND, ECONNREFUSED, ...) */
  readonly code: string | undefined;

  constructor(what: string, cause: unknown) {
    const { reason, code } = networkReason(cause);
    super(`${what} did not complete: ${reason}`, { cause });
    this.name = 'TethrUnavailableError';
    this.reason = reason;
    this.code = code;
  }
}

/** The innermost cause of a failed fetch, which names what went wrong (DNS, refused, TLS, timeout). */
export function networkReason(error: unknown): { reason: string; code: string | undefined } {
  let current: unknown = error;
  let reason = current instanceof Error ? current.message : String(current);
  let code: string | undefined;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const errno = (current as NodeJS.ErrnoException).code;
    if (typeof errno === 'string') code = errno;
    if (current.name === 'TimeoutError') reason = 'no answer before the timeout';
    else if (current.message) reason = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return { reason, code };
}

export type TethrFailureKind = 'retry' | 'reject';

/**
 * What to do after a failed capture. Retry: 5xx, 408, 429, 401 (token revoked; the client already
 * fetched a new one once), a refused token request, timeouts and network errors. Reject: any other 4xx means Tethr judged
 * the payload invalid, and sending it again cannot succeed, so it goes to the dead-letter file.
 */
export function classifyTethrFailure(error: unknown): TethrFailureKind {
  if (error instanceof TethrTokenError) return 'retry';
  if (error instanceof TethrHttpError) {
    const { status } = error;
    if (status >= 500 || status === 401 || status === 408 || status === 429) return 'retry';
    if (status >= 400) return 'reject';
  }
  return 'retry';
}

export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
