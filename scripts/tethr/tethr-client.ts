import type { CaptureResponse, TethrCapture } from './capture-model.ts';
import { parseRetryAfter, TethrHttpError, TethrTokenError, TethrUnavailableError } from './tethr-errors.ts';

export interface TethrClientOptions {
  /** e.g. https://yourcompany.Audio.Tethr.com */
  baseUrl: URL;
  clientId: string;
  clientSecret: string;
  /** per HTTP request; a capture that takes longer is retried (the sessionId makes that safe) */
  timeoutMs?: number;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

// Tethr's bearer token lasts about 30 minutes (expires_in says exactly). We reuse it until a
// minute before it expires, and fetch a new one at once when a capture answers 401 (revoked).
const DEFAULT_LIFETIME_S = 30 * 60;
const REFRESH_MARGIN_MS = 60_000;

export class TethrClient {
  readonly #options: Required<TethrClientOptions>;
  #token: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;
  tokenRequests = 0;

  constructor(options: TethrClientOptions) {
    this.#options = { timeoutMs: 30_000, ...options };
  }

  async capture(capture: TethrCapture): Promise<CaptureResponse> {
    const first = await this.#post(capture, await this.#bearer());
    if (first.status !== 401) return this.#result(first, capture);
    this.invalidate();
    return this.#result(await this.#post(capture, await this.#bearer()), capture);
  }

  /**
   * A call to another Tethr endpoint (the status API) with the same bearer handling as a
   * capture: one new token on 401. Resolves with the body of a 2xx answer; any other status
   * rejects with TethrHttpError, so callers classify it like a capture failure.
   */
  async request(what: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> {
    const send = async () =>
      this.#send(what, new URL(path, this.#options.baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${await this.#bearer()}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' })
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      });
    let response = await send();
    if (response.status === 401) {
      this.invalidate();
      response = await send();
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      throw new TethrHttpError(
        what,
        response.status,
        detail,
        parseRetryAfter(response.headers.get('retry-after'))
      );
    }
    return response.text();
  }

  invalidate(): void {
    this.#token = undefined;
  }

  /** Requests (or reuses) a bearer token: proves at start that Tethr answers and takes our credentials. */
  async authenticate(): Promise<void> {
    await this.#bearer();
  }

  get baseUrl(): URL {
    return this.#options.baseUrl;
  }

  async #bearer(): Promise<string> {
    if (this.#token && this.#token.expiresAt - REFRESH_MARGIN_MS > Date.now()) return this.#token.value;
    this.#pending ??= this.#fetchToken().finally(() => {
      this.#pending = undefined;
    });
    this.#token = await this.#pending;
    return this.#token.value;
  }

  async #fetchToken(): Promise<CachedToken> {
    this.tokenRequests += 1;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.#options.clientId,
      client_secret: this.#options.clientSecret
    });
    const response = await this.#send('Tethr token request', new URL('/Token', this.#options.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body
    });
    if (!response.ok) {
      // The token endpoint's body is not echoed: it could reflect the submitted form.
      throw new TethrTokenError(response.status, '', parseRetryAfter(response.headers.get('retry-after')));
    }
    const json = (await response.json()) as {
      access_token?: unknown;
      token_type?: unknown;
      expires_in?: unknown;
    };
    if (typeof json.access_token !== 'string' || String(json.token_type).toLowerCase() !== 'bearer') {
      throw new TethrTokenError(response.status, 'the answer holds no bearer access_token');
    }
    const lifetime = Number(json.expires_in);
    const seconds = Number.isFinite(lifetime) && lifetime > 0 ? lifetime : DEFAULT_LIFETIME_S;
    return { value: json.access_token, expiresAt: Date.now() + seconds * 1000 };
  }

  #post(capture: TethrCapture, bearer: string): Promise<Response> {
    return this.#send(`Tethr capture of ${capture.sessionId}`, new URL(capture.path, this.#options.baseUrl), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        accept: 'application/json'
      },
      body: JSON.stringify(capture.request)
    });
  }

  async #result(response: Response, capture: TethrCapture): Promise<CaptureResponse> {
    if (response.ok) {
      const text = await response.text();
      const parsed = text ? (JSON.parse(text) as Partial<CaptureResponse>) : {};
      return { id: typeof parsed.id === 'string' ? parsed.id : '' };
    }
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    throw new TethrHttpError(
      `Tethr capture of ${capture.sessionId}`,
      response.status,
      detail,
      parseRetryAfter(response.headers.get('retry-after'))
    );
  }

  async #send(what: string, url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.#options.timeoutMs) });
    } catch (error) {
      throw new TethrUnavailableError(what, error);
    }
  }
}
