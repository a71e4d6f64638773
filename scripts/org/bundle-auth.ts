import { SfError } from '@salesforce/core/sfError';
import type { CredentialsBundle } from './credentials-bundle.ts';
import { diagnoseTokenError, type Diagnosis } from './oauth-diagnosis.ts';
import { assertAllowedUrl } from '../shared/url-policy.ts';

export interface SalesforceToken {
  accessToken: string;
  instanceUrl: string;
  /** epoch milliseconds, from Salesforce's issued_at when present */
  issuedAt: number;
}

/** A refused token request, with Salesforce's own error and what it most likely means. */
export class OAuthTokenError extends SfError {
  public readonly error: string;
  public readonly errorDescription: string;
  public readonly status: number;
  public readonly diagnosis: Diagnosis;

  public constructor(error: string, errorDescription: string, status: number, diagnosis: Diagnosis) {
    super(
      `Salesforce refused the token request: ${error || `HTTP ${status}`}${errorDescription ? ` (${errorDescription})` : ''}. ${diagnosis.cause}`,
      'OAuthTokenError',
      diagnosis.actions
    );
    this.error = error;
    this.errorDescription = errorDescription;
    this.status = status;
    this.diagnosis = diagnosis;
  }
}

/** A REST call that Salesforce answered with an error status. */
export class SalesforceApiError extends SfError {
  public readonly status: number;
  public readonly errorCode: string;

  public constructor(method: string, path: string, status: number, errorCode: string, detail: string) {
    super(
      `${method} ${path} failed with HTTP ${status}${errorCode ? ` ${errorCode}` : ''}: ${detail}`,
      'SalesforceApiError',
      [apiErrorAction(status, errorCode)]
    );
    this.status = status;
    this.errorCode = errorCode;
  }
}

function apiErrorAction(status: number, errorCode: string): string {
  if (errorCode === 'API_CURRENTLY_DISABLED' || errorCode === 'API_DISABLED_FOR_ORG') {
    return 'Give the integration user "API Enabled" (permission set Tethr_Integration_User); the org edition must include API access.';
  }
  if (errorCode === 'INVALID_TYPE' || errorCode === 'INSUFFICIENT_ACCESS' || status === 403) {
    return 'The integration user lacks access to this object or resource: check the permission set Tethr_Integration_User.';
  }
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED')
    return "The org's daily API request limit is used up; wait for the rolling 24-hour window.";
  return "Check the request and the user's permissions; the error code above is Salesforce's own.";
}

function tokenEndpoint(bundle: CredentialsBundle): string {
  const base = assertAllowedUrl(bundle.myDomainUrl, 'myDomainUrl');
  return new URL('/services/oauth2/token', base).toString();
}

function tokenForm(bundle: CredentialsBundle): URLSearchParams {
  if (bundle.authFlow === 'client_credentials') {
    return new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: bundle.consumerKey,
      client_secret: bundle.consumerSecret
    });
  }
  // Legacy username-password flow: Salesforce expects the security token appended to the password.
  return new URLSearchParams({
    grant_type: 'password',
    client_id: bundle.consumerKey,
    client_secret: bundle.consumerSecret,
    username: bundle.integrationUsername,
    password: `${bundle.password ?? ''}${bundle.securityToken ?? ''}`
  });
}

/** Obtains an access token with the bundle's own credentials, the way Tethr will. */
export async function requestToken(
  bundle: CredentialsBundle,
  options: { signal?: AbortSignal } = {}
): Promise<SalesforceToken> {
  const endpoint = tokenEndpoint(bundle);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: tokenForm(bundle),
      signal: options.signal ?? null,
      redirect: 'error'
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new SfError(
      `Cannot reach ${new URL(endpoint).origin} for a token: ${(error as Error).message}.`,
      'TokenEndpointUnreachable',
      ['Check myDomainUrl in the bundle and the network path to Salesforce.']
    );
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Salesforce answers HTML for some proxy or maintenance errors; the status alone then decides.
  }
  if (!response.ok) {
    const error = typeof body.error === 'string' ? body.error : '';
    const description = typeof body.error_description === 'string' ? body.error_description : '';
    throw new OAuthTokenError(
      error,
      description,
      response.status,
      diagnoseTokenError(error, description, bundle.authFlow, response.status)
    );
  }
  if (typeof body.access_token !== 'string' || typeof body.instance_url !== 'string') {
    throw new SfError(
      `The token response from ${new URL(endpoint).origin} has no access_token or instance_url.`,
      'MalformedTokenResponse',
      ['Check that myDomainUrl points to Salesforce and not to a proxy or login page.']
    );
  }
  const instanceUrl = assertAllowedUrl(body.instance_url, 'instance_url in the token response').origin;
  const issuedAt = Number(body.issued_at);
  return {
    accessToken: body.access_token,
    instanceUrl,
    issuedAt: Number.isFinite(issuedAt) && issuedAt > 0 ? issuedAt : Date.now()
  };
}

export interface BundleSessionOptions {
  signal?: AbortSignal;
  /** replaces `requestToken`, e.g. to share a token cache */
  tokenProvider?: (bundle: CredentialsBundle, options: { signal?: AbortSignal }) => Promise<SalesforceToken>;
}

/**
 * REST access as the integration user. The client credentials flow issues no refresh token, so
 * an expired session is replaced by requesting a new token once when Salesforce answers 401.
 */
export class BundleSession {
  private current: Promise<SalesforceToken> | undefined;

  public constructor(
    public readonly bundle: CredentialsBundle,
    private readonly options: BundleSessionOptions = {}
  ) {}

  public token(): Promise<SalesforceToken> {
    if (!this.current) {
      const provider = this.options.tokenProvider ?? requestToken;
      const pending = provider(this.bundle, this.options.signal ? { signal: this.options.signal } : {});
      this.current = pending;
      // A failed request must not be cached, or every later call would repeat the failure.
      pending.catch(() => {
        if (this.current === pending) this.current = undefined;
      });
    }
    return this.current;
  }

  public invalidate(): void {
    this.current = undefined;
  }

  /** `path` is relative to the instance URL, e.g. `/services/data/v66.0/limits`. */
  public async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    if (!path.startsWith('/') || path.startsWith('//')) {
      throw new SfError(`REST path must start with a single "/": ${path}`, 'InvalidRestPath');
    }
    let token = await this.token();
    let response = await this.send(token, path, init);
    if (response.status === 401) {
      await response.body?.cancel();
      this.invalidate();
      token = await this.token();
      response = await this.send(token, path, init);
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const text = await response.text();
    if (!response.ok) {
      const [errorCode, detail] = parseRestError(text);
      throw new SalesforceApiError(method, path.split('?')[0] ?? path, response.status, errorCode, detail);
    }
    if (text === '') return undefined as T;
    return JSON.parse(text) as T;
  }

  private send(token: SalesforceToken, path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token.accessToken}`);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    if (init.body !== undefined && init.body !== null && !headers.has('content-type')) {
      headers.set('content-type', 'application/json');
    }
    return fetch(`${token.instanceUrl}${path}`, {
      ...init,
      headers,
      redirect: 'error',
      signal: init.signal ?? this.options.signal ?? null
    });
  }
}

function parseRestError(text: string): [string, string] {
  try {
    const parsed = JSON.parse(text) as unknown;
    const first = Array.isArray(parsed)
      ? (parsed[0] as Record<string, unknown> | undefined)
      : (parsed as Record<string, unknown>);
    if (first && typeof first === 'object') {
      const code = typeof first.errorCode === 'string' ? first.errorCode : '';
      const message = typeof first.message === 'string' ? first.message : '';
      return [code, message || text.slice(0, 300)];
    }
  } catch {
    // not JSON: fall through
  }
  return ['', text.slice(0, 300)];
}
