import { X509Certificate } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { FakeSalesforceServer } from './server.ts';

export interface FakeOAuthClient {
  consumerKey: string;
  consumerSecret: string;
  /** for the legacy password flow: the only user/password (+token) accepted */
  username?: string;
  password?: string;
  /** PEM certificate on the app's global OAuth settings: JWT bearer assertions must verify against it */
  certificate?: string;
  /**
   * When set, the org's own policies for this app decide who may get a token, as in a subscriber
   * org (client credentials need the flow enabled and a run-as user; JWT needs a pre-authorized
   * user). Without it every request with the right key and secret succeeds (older tests).
   */
  policies?: () => FakeAppPolicies | undefined;
}

/** The subscriber-side OAuth policies of an app (ExtlClntAppOauthConfigurablePolicies). */
export interface FakeAppPolicies {
  clientCredentialsEnabled: boolean;
  clientCredentialsUser?: string;
  permittedUsers: 'AdminApprovedPreAuthorized' | 'AllSelfAuthorized';
  /** permission set API names whose holders are pre-authorized */
  permissionSets: string[];
}

/** What the org knows about a user, for the JWT and client credentials checks. */
export interface FakeOAuthUser {
  id: string;
  active: boolean;
  permissionSets: string[];
}

/** An OAuth error body exactly as Salesforce's token endpoint returns it. */
export interface OAuthFailure {
  status: number;
  error: string;
  error_description: string;
}

/** Error bodies observed from Salesforce's /services/oauth2/token, keyed by what causes them. */
export const SALESFORCE_TOKEN_ERRORS = {
  propagating: { status: 400, error: 'invalid_client_id', error_description: 'client identifier invalid' },
  wrongSecret: { status: 400, error: 'invalid_client', error_description: 'invalid client credentials' },
  authenticationFailure: { status: 400, error: 'invalid_grant', error_description: 'authentication failure' },
  notApproved: {
    status: 400,
    error: 'invalid_grant',
    error_description: "user hasn't approved this consumer"
  },
  ipRestricted: { status: 400, error: 'invalid_grant', error_description: 'ip restricted' },
  wrongDomain: {
    status: 400,
    error: 'invalid_grant',
    error_description: 'request not supported on this domain'
  },
  noRunAsUser: {
    status: 400,
    error: 'invalid_grant',
    error_description: 'no client credentials user enabled'
  },
  grantNotSupported: {
    status: 400,
    error: 'unsupported_grant_type',
    error_description: 'grant type not supported'
  },
  passwordExpired: { status: 400, error: 'invalid_grant', error_description: 'password expired' }
} satisfies Record<string, OAuthFailure>;

export interface FakeOAuthState {
  clients: FakeOAuthClient[];
  /** answered in order, one per token request, before any success */
  failures: OAuthFailure[];
  issued: string[];
  /** who the admin session (the sf CLI auth of the tests) belongs to, for /services/oauth2/userinfo */
  adminUsername: string;
  /** the org's users (for JWT sub and client credentials run-as checks); unset: anyone goes */
  users?: (username: string) => FakeOAuthUser | undefined;
  /** sandboxes accept https://test.salesforce.com as JWT audience, production orgs login.salesforce.com */
  isSandbox?: boolean;
  orgId?: string;
  /** who each issued access token belongs to, for the REST side's per-user checks */
  tokenUsers?: Map<string, string>;
}

/** Registers POST /services/oauth2/token answering client_credentials and password grants. */
export function registerOAuth(server: FakeSalesforceServer, state: FakeOAuthState): void {
  server.route(
    'POST',
    '/services/oauth2/token',
    ({ request }) => {
      const failure = state.failures.shift();
      if (failure) {
        return {
          status: failure.status,
          json: { error: failure.error, error_description: failure.error_description }
        };
      }
      const form = new URLSearchParams(request.body);
      const grant = form.get('grant_type');
      if (grant === JWT_GRANT) return jwtGrant(server, state, form.get('assertion') ?? '');
      const client = state.clients.find((c) => c.consumerKey === form.get('client_id'));
      if (grant !== 'client_credentials' && grant !== 'password') {
        return { status: 400, json: SALESFORCE_TOKEN_ERRORS.grantNotSupported };
      }
      if (!client) return failureReply(SALESFORCE_TOKEN_ERRORS.propagating);
      if (client.consumerSecret !== form.get('client_secret'))
        return failureReply(SALESFORCE_TOKEN_ERRORS.wrongSecret);
      if (
        grant === 'password' &&
        (form.get('username') !== client.username || form.get('password') !== client.password)
      ) {
        return failureReply(SALESFORCE_TOKEN_ERRORS.authenticationFailure);
      }
      let username = grant === 'password' ? (client.username ?? '') : '';
      if (grant === 'client_credentials' && client.policies) {
        const policies = client.policies();
        if (!policies?.clientCredentialsEnabled || !policies.clientCredentialsUser) {
          return failureReply(SALESFORCE_TOKEN_ERRORS.noRunAsUser);
        }
        const user = state.users?.(policies.clientCredentialsUser);
        if (!user?.active) return failureReply(SALESFORCE_TOKEN_ERRORS.authenticationFailure);
        username = policies.clientCredentialsUser;
      }
      return issue(server, state, grant, username);
    },
    'oauth.token'
  );
}

/** The OpenID Connect userinfo endpoint that the sf CLI calls when an access token is stored. */
export function registerUserInfo(server: FakeSalesforceServer, state: FakeOAuthState, orgId: string): void {
  server.route(
    'GET',
    '/services/oauth2/userinfo',
    () => ({
      json: {
        sub: `${server.url}/id/${orgId}/005000000000001AAA`,
        user_id: '005000000000001AAA',
        organization_id: orgId,
        preferred_username: state.adminUsername,
        email: state.adminUsername,
        email_verified: true,
        zoneinfo: 'Europe/London',
        locale: 'en_GB',
        urls: { rest: `${server.url}/services/data/v{version}/` }
      }
    }),
    'oauth.userinfo'
  );
}

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const PRODUCTION_AUDIENCE = 'https://login.salesforce.com';
export const SANDBOX_AUDIENCE = 'https://test.salesforce.com';

/** JWT bearer errors (UNCONFIRMED wording except "user hasn't approved this consumer"). */
export const SALESFORCE_JWT_ERRORS = {
  invalidAssertion: { status: 400, error: 'invalid_grant', error_description: 'invalid assertion' },
  audience: { status: 400, error: 'invalid_grant', error_description: 'audience is invalid' },
  unknownUser: { status: 400, error: 'invalid_grant', error_description: 'invalid user ID' },
  notApproved: SALESFORCE_TOKEN_ERRORS.notApproved
} satisfies Record<string, OAuthFailure>;

function issue(server: FakeSalesforceServer, state: FakeOAuthState, grant: string, username: string) {
  const accessToken = `00DFAKE!${grant === JWT_GRANT ? 'jwt_bearer' : grant}.${state.issued.length + 1}`;
  state.issued.push(accessToken);
  if (username) (state.tokenUsers ??= new Map()).set(accessToken, username);
  const userId = (username && state.users?.(username)?.id) || '005000000000001AAA';
  return {
    json: {
      access_token: accessToken,
      signature: 'c2lnbmF0dXJl',
      scope: 'api',
      instance_url: server.url,
      id: `${server.url}/id/${state.orgId ?? '00D000000000001EAA'}/${userId}`,
      token_type: 'Bearer',
      issued_at: String(Date.now())
    }
  };
}

/**
 * The JWT bearer grant as Salesforce checks it: the assertion's issuer is a known consumer key,
 * its RS256 signature verifies against the certificate on that app, the audience is the org's
 * My Domain or the login host of its kind (login.salesforce.com / test.salesforce.com), it has
 * not expired, and its subject is an active user pre-authorized by the app's policies.
 */
function jwtGrant(server: FakeSalesforceServer, state: FakeOAuthState, assertion: string) {
  const decoded = jwt.decode(assertion, { complete: true });
  if (!decoded || typeof decoded.payload === 'string')
    return failureReply(SALESFORCE_JWT_ERRORS.invalidAssertion);
  const claims = decoded.payload;
  const client = state.clients.find((c) => c.consumerKey === claims.iss);
  if (!client) return failureReply(SALESFORCE_TOKEN_ERRORS.propagating);
  if (!client.certificate || decoded.header.alg !== 'RS256')
    return failureReply(SALESFORCE_JWT_ERRORS.invalidAssertion);
  try {
    jwt.verify(assertion, new X509Certificate(client.certificate).publicKey, {
      algorithms: ['RS256'],
      ignoreExpiration: true
    });
  } catch {
    return failureReply(SALESFORCE_JWT_ERRORS.invalidAssertion);
  }
  const audiences = [server.url, state.isSandbox ? SANDBOX_AUDIENCE : PRODUCTION_AUDIENCE];
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => audiences.includes(String(a)))) return failureReply(SALESFORCE_JWT_ERRORS.audience);
  if (typeof claims.exp !== 'number' || claims.exp <= Math.floor(Date.now() / 1000)) {
    return failureReply(SALESFORCE_JWT_ERRORS.invalidAssertion);
  }
  const username = typeof claims.sub === 'string' ? claims.sub : '';
  const user = state.users
    ? state.users(username)
    : { id: '005000000000001AAA', active: true, permissionSets: [] };
  if (!user || !user.active) return failureReply(SALESFORCE_JWT_ERRORS.unknownUser);
  const policies = client.policies?.();
  if (client.policies) {
    const preAuthorized =
      policies?.permittedUsers === 'AdminApprovedPreAuthorized' &&
      user.permissionSets.some((p) => policies.permissionSets.includes(p));
    if (!preAuthorized) return failureReply(SALESFORCE_JWT_ERRORS.notApproved);
  }
  return issue(server, state, JWT_GRANT, username);
}

function failureReply(failure: OAuthFailure) {
  return {
    status: failure.status,
    json: { error: failure.error, error_description: failure.error_description }
  };
}
