import { orgKey } from '../../../scripts/contracts/org-connection.ts';
import { SALESFORCE_TOKEN_ERRORS } from '../../servers/salesforce/oauth.ts';
import type { FakeSalesforceServer } from '../../servers/salesforce/server.ts';

export interface OrgsOAuthState {
  /** every org's consumer secret (each org has its own consumer key, consumerKeyOf) */
  secret: string;
  issued: string[];
}

export function consumerKeyOf(orgId: string): string {
  return `3MVG9.service.${orgKey(orgId)}`;
}

/**
 * The token endpoint of a My Domain shared by many test orgs: client credentials with an org's
 * own consumer (consumerKeyOf), answered as Salesforce answers, with the identity URL naming that
 * org (the integration session checks it is the org of the connection).
 */
export function registerOrgsOAuth(server: FakeSalesforceServer, state: OrgsOAuthState): void {
  server.route(
    'POST',
    '/services/oauth2/token',
    ({ request }) => {
      const form = new URLSearchParams(request.body);
      if (form.get('grant_type') !== 'client_credentials')
        return refusal(SALESFORCE_TOKEN_ERRORS.grantNotSupported);
      const org = /^3MVG9\.service\.(00D[0-9A-Za-z]{12})$/.exec(form.get('client_id') ?? '')?.[1];
      if (!org) return refusal(SALESFORCE_TOKEN_ERRORS.propagating);
      if (form.get('client_secret') !== state.secret) return refusal(SALESFORCE_TOKEN_ERRORS.wrongSecret);
      const accessToken = `00DFAKE!${org}.${state.issued.length + 1}`;
      state.issued.push(accessToken);
      return {
        json: {
          access_token: accessToken,
          scope: 'api',
          instance_url: server.url,
          id: `${server.url}/id/${org}AAA/005000000000001AAA`,
          token_type: 'Bearer',
          issued_at: String(Date.now())
        }
      };
    },
    'oauth.token'
  );
}

function refusal(failure: { status: number; error: string; error_description: string }) {
  return {
    status: failure.status,
    json: { error: failure.error, error_description: failure.error_description }
  };
}
