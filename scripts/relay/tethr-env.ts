import type { SfError } from '@salesforce/core/sfError';
import { loadMessages } from '../shared/messages.ts';
import { isLoopbackHost } from '../shared/url-policy.ts';
import { TethrClient } from '../tethr/tethr-client.ts';
import { TethrHttpError, TethrTokenError, TethrUnavailableError } from '../tethr/tethr-errors.ts';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.ts';
import type { RelayLogger } from './relay-logger.ts';

// Tethr's URL and credentials come only from the environment (a secret in a flag would end up
// in shell history and process listings).
export const TETHR_ENV = ['TETHR_API_URL', 'TETHR_API_CLIENT_ID', 'TETHR_API_CLIENT_SECRET'] as const;

const messages = loadMessages('relay');

export function tethrClientFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: { timeoutMs?: number; baseUrl?: string } = {}
): TethrClient {
  const missing = TETHR_ENV.filter(
    (name) => !env[name]?.trim() && !(name === 'TETHR_API_URL' && options.baseUrl)
  );
  if (missing.length > 0) throw messages.createError('error.TethrEnvMissing', [missing.join(', ')]);
  const baseUrl = parseTethrUrl(
    options.baseUrl ?? env.TETHR_API_URL!.trim(),
    options.baseUrl ? '--tethr-url' : 'TETHR_API_URL'
  );
  return new TethrClient({
    baseUrl,
    clientId: env.TETHR_API_CLIENT_ID!.trim(),
    clientSecret: env.TETHR_API_CLIENT_SECRET!.trim(),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {})
  });
}

/** https (or http to this machine only), no credentials in it; errors give a Tethr URL as the example. */
export function parseTethrUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw messages.createError('error.TethrUrlInvalid', [what, value]);
  }
  if (url.username || url.password) throw messages.createError('error.TethrUrlHasCredentials', [what]);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw messages.createError('error.TethrUrlInsecure', [what, `${url.protocol}//${url.host}`]);
}

/**
 * Asks Tethr for a token before the relay subscribes, so a wrong URL or secret stops the start
 * with its cause ("getaddrinfo ENOTFOUND ...") instead of surfacing as a warning per event. What
 * cannot fix itself (DNS, a refused connection, TLS, refused credentials) fails at once; a busy
 * Tethr (5xx, 429, timeouts) gets `attempts` tries with backoff.
 */
export async function checkTethr(
  client: TethrClient,
  options: { attempts?: number; policy?: BackoffPolicy; signal?: AbortSignal; logger?: RelayLogger } = {}
): Promise<void> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const origin = client.baseUrl.origin;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await client.authenticate();
      return;
    } catch (error) {
      const refusal = tethrStartError(error, origin);
      if (refusal) throw refusal;
      if (attempt + 1 >= attempts || options.signal?.aborted) {
        throw messages.createError(
          'error.TethrNotReady',
          [origin, attempts, (error as Error).message],
          [],
          error
        );
      }
      const delayMs = backoffDelay(attempt, options.policy ?? { baseMs: 500, capMs: 5_000 });
      options.logger?.log('warn', 'tethr token request failed at start, retrying', {
        attempt: attempt + 1,
        delayMs,
        error: (error as Error).message
      });
      await sleep(delayMs, options.signal);
    }
  }
}

const PERMANENT_NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID'
]);

/** The start-up refusal for errors no retry fixes; undefined for the ones worth another try. */
export function tethrStartError(error: unknown, origin: string): SfError | undefined {
  if (error instanceof TethrUnavailableError) {
    if (error.code && PERMANENT_NETWORK_CODES.has(error.code))
      return messages.createError('error.TethrUnreachable', [origin, error.reason], [], error);
    return undefined;
  }
  if (error instanceof TethrTokenError) {
    if (error.status === 400 || error.status === 401 || error.status === 403)
      return messages.createError(
        'error.TethrCredentialsRefused',
        [origin, `HTTP ${error.status}`],
        [],
        error
      );
    if (error.status === 404)
      return messages.createError(
        'error.TethrUnreachable',
        [origin, 'no /Token endpoint there (HTTP 404): is this a Tethr URL?'],
        [],
        error
      );
    return undefined;
  }
  if (error instanceof TethrHttpError) return undefined;
  return undefined;
}
