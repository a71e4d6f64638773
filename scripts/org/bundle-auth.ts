import type { CredentialsBundle } from '../contracts/credentials-bundle.ts';
import { fromCredentialsBundle } from '../contracts/org-connection.ts';
import { credentialFor } from './app-credential.ts';
import {
  IntegrationSession,
  requestToken as requestConnectionToken,
  type SalesforceToken,
  type SessionOptions
} from './integration-session.ts';

// Transitional: the v1-bundle entry points, kept while callers move to org connections
// (readConnection + openIntegrationSession). Everything here delegates to integration-session.ts.

export { OAuthTokenError, SalesforceApiError, type SalesforceToken } from './integration-session.ts';

/** Obtains an access token with a v1 bundle's own credentials. */
export function requestToken(
  bundle: CredentialsBundle,
  options: { signal?: AbortSignal } = {}
): Promise<SalesforceToken> {
  const connection = fromCredentialsBundle(bundle);
  return requestConnectionToken(connection, credentialFor(connection, undefined), options);
}

export interface BundleSessionOptions {
  signal?: AbortSignal;
  tokenProvider?: (bundle: CredentialsBundle, options: { signal?: AbortSignal }) => Promise<SalesforceToken>;
}

/** REST access as the integration user of a v1 bundle. */
export class BundleSession extends IntegrationSession {
  public constructor(
    public readonly bundle: CredentialsBundle,
    options: BundleSessionOptions = {}
  ) {
    const connection = fromCredentialsBundle(bundle);
    const sessionOptions: SessionOptions = {};
    if (options.signal) sessionOptions.signal = options.signal;
    const provider = options.tokenProvider;
    if (provider) sessionOptions.tokenProvider = (o) => provider(bundle, o);
    super(connection, credentialFor(connection, undefined), sessionOptions);
  }
}
