import type { FakeSalesforceServer } from './server.ts';

export interface FakeOAuthClient {
  consumerKey: string;
  consumerSecret: string;
  /** for the legacy password flow: the only user/password (+token) accepted */
  username?: string;
  password?: string;
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
      const accessToken = `00DFAKE!${grant}.${state.issued.length + 1}`;
      state.issued.push(accessToken);
      return {
        json: {
          access_token: accessToken,
          signature: 'c2lnbmF0dXJl',
          scope: 'api',
          instance_url: server.url,
          id: `${server.url}/id/00D000000000001EAA/005000000000001AAA`,
          token_type: 'Bearer',
          issued_at: String(Date.now())
        }
      };
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

function failureReply(failure: OAuthFailure) {
  return {
    status: failure.status,
    json: { error: failure.error, error_description: failure.error_description }
  };
}
