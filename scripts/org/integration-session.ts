import jwt from 'jsonwebtoken';
import { SfError } from '@salesforce/core/sfError';
import type { OrgConnection } from '../contracts/org-connection.ts';
import { loadMessages } from '../shared/messages.ts';
import { assertAllowedUrl } from '../shared/url-policy.ts';
import {
  credentialFor,
  jwtAudience,
  tethrAppCredentialFromEnv,
  type FlowCredential,
  type TethrAppCredential
} from './app-credential.ts';
import { diagnoseTokenError, type Diagnosis } from './oauth-diagnosis.ts';

// Signing the integration user in, the way Tethr does, and REST calls as that user. Every flow
// posts to the org's My Domain token endpoint (client credentials work nowhere else). None of
// them issues a refresh token: an expired session is replaced by signing in again when
// Salesforce answers 401.
//
// JWT bearer: the assertion is signed with `jsonwebtoken`, the library @salesforce/core itself
// uses for `sf org login jwt`. @salesforce/core's AuthInfo is not used here because it tries up to
// eleven login/audience combinations (including login.salesforce.com and test.salesforce.com for
// an org whose My Domain we know), runs Dev Hub detection queries as the integration user on each
// sign-in, and folds Salesforce's answers into one aggregated message: a relay that signs in for
// thousands of orgs needs one request per sign-in and Salesforce's own error to diagnose it.

const messages = loadMessages('integration-session');

export interface SalesforceToken {
  accessToken: string;
  instanceUrl: string;
  /** epoch milliseconds, from Salesforce's issued_at when present */
  issuedAt: number;
  /** the org id the token belongs to (from the identity URL), when Salesforce says */
  orgId?: string;
}

/** A refused token request, with Salesforce's own error and what it most likely means. */
export class OAuthTokenError extends SfError {
  public readonly error: string;
  public readonly errorDescription: string;
  public readonly status: number;
  public readonly diagnosis: Diagnosis;

  public constructor(error: string, errorDescription: string, status: number, diagnosis: Diagnosis) {
    super(
      messages.getMessage('error.TokenRefused', [
        error || `HTTP ${status}`,
        errorDescription ? ` (${errorDescription})` : '',
        diagnosis.cause
      ]),
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
      messages.getMessage('error.RestFailed', [
        method,
        path,
        status,
        errorCode ? ` ${errorCode}` : '',
        detail
      ]),
      'SalesforceApiError',
      [apiErrorAction(status, errorCode)]
    );
    this.status = status;
    this.errorCode = errorCode;
  }
}

function apiErrorAction(status: number, errorCode: string): string {
  if (errorCode === 'API_CURRENTLY_DISABLED' || errorCode === 'API_DISABLED_FOR_ORG') {
    return messages.getMessage('action.apiDisabled');
  }
  if (
    errorCode === 'INVALID_TYPE' ||
    errorCode === 'INVALID_FIELD' ||
    errorCode === 'INSUFFICIENT_ACCESS' ||
    status === 403
  ) {
    return messages.getMessage('action.noAccess');
  }
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') return messages.getMessage('action.requestLimit');
  return messages.getMessage('action.generic');
}

/** The form one token request posts; the JWT assertion is signed fresh for every request. */
export function tokenForm(credential: FlowCredential, audience?: string): URLSearchParams {
  switch (credential.flow) {
    case 'client_credentials':
      return new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: credential.consumerKey,
        client_secret: credential.consumerSecret
      });
    case 'jwt_bearer':
      return new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwtAssertion(credential, audience ?? credential.audience)
      });
    case 'password':
      // Legacy username-password flow: Salesforce expects the security token appended to the password.
      return new URLSearchParams({
        grant_type: 'password',
        client_id: credential.consumerKey,
        client_secret: credential.consumerSecret,
        username: credential.username,
        password: `${credential.password}${credential.securityToken}`
      });
  }
}

/** Assertions live three minutes, the longest Salesforce's JWT flow documentation allows. */
export const JWT_LIFETIME_S = 180;

export function jwtAssertion(
  credential: Extract<FlowCredential, { flow: 'jwt_bearer' }>,
  audience: string
): string {
  return jwt.sign(
    {
      iss: credential.consumerKey,
      sub: credential.username,
      aud: audience,
      exp: Math.floor(Date.now() / 1000) + JWT_LIFETIME_S
    },
    credential.key,
    { algorithm: 'RS256' }
  );
}

/**
 * The JWT audiences tried in order: the org's login host as Salesforce documents it
 * (https://login.salesforce.com, or https://test.salesforce.com for a sandbox; help
 * sf.remoteaccess_oauth_jwt_flow), then the org's My Domain, which newer External Client Apps are
 * reported to require (UNCONFIRMED; `sf org login jwt` tries it too).
 */
export function jwtAudiences(connection: OrgConnection): string[] {
  return [...new Set([jwtAudience(connection), connection.instanceUrl])];
}

export interface TokenRequestOptions {
  signal?: AbortSignal;
}

/** Obtains an access token for the connection's integration user, the way Tethr will. */
export async function requestToken(
  connection: OrgConnection,
  credential: FlowCredential,
  options: TokenRequestOptions = {}
): Promise<SalesforceToken> {
  if (credential.flow !== 'jwt_bearer') return postToken(connection, credential, undefined, options);
  // Some orgs are reported to accept only their My Domain as the audience: fall back to it once when
  // Salesforce says the audience is wrong (UNCONFIRMED which orgs; both are tried, in order).
  const [first, ...rest] = jwtAudiences(connection);
  try {
    return await postToken(connection, credential, first, options);
  } catch (error) {
    if (!(error instanceof OAuthTokenError) || error.diagnosis.code !== 'jwt-audience' || rest.length === 0)
      throw error;
    return postToken(connection, credential, rest[0], options);
  }
}

async function postToken(
  connection: OrgConnection,
  credential: FlowCredential,
  audience: string | undefined,
  options: TokenRequestOptions
): Promise<SalesforceToken> {
  const base = assertAllowedUrl(connection.instanceUrl, 'instanceUrl');
  const endpoint = new URL('/services/oauth2/token', base).toString();
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: tokenForm(credential, audience),
      signal: options.signal ?? AbortSignal.timeout(30_000),
      redirect: 'error'
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw messages.createError(
      'error.TokenEndpointUnreachable',
      [new URL(endpoint).origin, causeOf(error)],
      [],
      error
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
      diagnoseTokenError(
        error,
        description,
        { flow: credential.flow, app: connection.app, isSandbox: connection.isSandbox },
        response.status
      )
    );
  }
  if (typeof body.access_token !== 'string' || typeof body.instance_url !== 'string') {
    throw messages.createError('error.MalformedTokenResponse', [new URL(endpoint).origin]);
  }
  const instanceUrl = assertAllowedUrl(body.instance_url, 'instance_url in the token response').origin;
  const issuedAt = Number(body.issued_at);
  const token: SalesforceToken = {
    accessToken: body.access_token,
    instanceUrl,
    issuedAt: Number.isFinite(issuedAt) && issuedAt > 0 ? issuedAt : Date.now()
  };
  const orgId = orgIdOf(body.id);
  if (orgId) {
    token.orgId = orgId;
    // A refreshed sandbox keeps its My Domain but gets a new org id: every Pub/Sub call names the
    // org id, so a token for another org must stop the run here, with the fix.
    if (orgId.slice(0, 15) !== connection.orgId.slice(0, 15)) {
      throw messages.createError(
        'error.OrgIdChanged',
        [connection.instanceUrl, orgId, connection.orgId],
        [connection.orgId]
      );
    }
  }
  return token;
}

/** The org id inside an identity URL: https://login.salesforce.com/id/00D.../005... */
function orgIdOf(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  return /\/id\/(00D[0-9A-Za-z]{12,15})\//.exec(id)?.[1];
}

/** The innermost cause of a failed fetch (undici wraps DNS and connection errors). */
export function causeOf(error: unknown): string {
  let current = error as { message?: string; cause?: unknown; code?: string } | undefined;
  let text = current?.message ?? String(error);
  while (current?.cause) {
    current = current.cause as typeof current;
    const code = current?.code ? `${current.code}: ` : '';
    text = `${code}${current?.message ?? ''}`.trim() || text;
  }
  return text;
}

export interface SessionOptions {
  signal?: AbortSignal;
  /** replaces `requestToken`, e.g. to share a token cache or to count sign-ins in tests */
  tokenProvider?: (options: TokenRequestOptions) => Promise<SalesforceToken>;
}

/**
 * REST access as an org's integration user. A token is requested on first use, shared by
 * concurrent callers, replaced once when Salesforce answers 401, and never cached when the
 * request failed (or every later call would repeat the failure).
 */
export class IntegrationSession {
  readonly #credential: FlowCredential | undefined;
  #current: Promise<SalesforceToken> | undefined;

  public constructor(
    public readonly connection: OrgConnection,
    credential: FlowCredential | undefined,
    private readonly options: SessionOptions = {}
  ) {
    this.#credential = credential;
  }

  public token(): Promise<SalesforceToken> {
    if (!this.#current) {
      const signal = this.options.signal ? { signal: this.options.signal } : {};
      const pending = this.options.tokenProvider
        ? this.options.tokenProvider(signal)
        : requestToken(this.connection, this.#credential!, signal);
      this.#current = pending;
      pending.catch(() => {
        if (this.#current === pending) this.#current = undefined;
      });
    }
    return this.#current;
  }

  public invalidate(): void {
    this.#current = undefined;
  }

  /** `path` is relative to the instance URL, e.g. `/services/data/v66.0/limits`. */
  public async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    if (!path.startsWith('/') || path.startsWith('//'))
      throw messages.createError('error.InvalidRestPath', [path]);
    let token = await this.token();
    let response = await this.#send(token, path, init);
    if (response.status === 401) {
      await response.body?.cancel();
      this.invalidate();
      token = await this.token();
      response = await this.#send(token, path, init);
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

  #send(token: SalesforceToken, path: string, init: RequestInit): Promise<Response> {
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

/**
 * Opens a session for an org connection: the org's own consumer from its file (local and legacy
 * apps), or Tethr's app credential (packaged app; from the environment unless given).
 */
export function openIntegrationSession(
  connection: OrgConnection,
  options: SessionOptions & { appCredential?: TethrAppCredential } = {}
): IntegrationSession {
  const { appCredential, ...sessionOptions } = options;
  if (sessionOptions.tokenProvider) return new IntegrationSession(connection, undefined, sessionOptions);
  // Tethr's own credential matters only where the org's file does not carry one (packaged app).
  const needsTethr = !connection.fileSecrets;
  const app =
    'appCredential' in options
      ? appCredential
      : needsTethr
        ? tethrAppCredentialFromEnv(process.env, { requireConsumerKey: !connection.fileSecrets })
        : undefined;
  const credential = credentialFor(connection, app);
  return new IntegrationSession(connection, credential, sessionOptions);
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
