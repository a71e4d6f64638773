import type { Connection } from '@salesforce/core';
import { readConnectedAppCredentials, readExternalClientAppCredentials } from './app-credentials.ts';
import { buildBundle, myDomainOf } from './bundle-builder.ts';
import type { CredentialsBundle } from './credentials-bundle.ts';
import { findIntegrationUsername } from './integration-user.ts';
import { detectNamespace, enabledChannels } from './org-context.ts';

export interface CollectOptions {
  orgId: string;
  legacyConnectedApp?: boolean;
  integrationUsername?: string;
  /** where the legacy flow's admin-copied values come from (defaults to process.env) */
  env?: NodeJS.ProcessEnv;
}

/** Everything Tethr needs, read from the org: the app's key and secret, the user, the channels. */
export async function collectBundle(conn: Connection, options: CollectOptions): Promise<CredentialsBundle> {
  const namespace = await detectNamespace(conn);
  const integrationUsername = await findIntegrationUsername(conn, options.integrationUsername);
  const channels = await enabledChannels(conn, namespace);
  const common = {
    orgId: options.orgId,
    myDomainUrl: myDomainOf(conn),
    integrationUsername,
    namespace,
    apiVersion: conn.getApiVersion(),
    channels
  };
  if (options.legacyConnectedApp) {
    const env = options.env ?? process.env;
    const legacy = await readConnectedAppCredentials(conn, integrationUsername, {
      ...(env.TETHR_CONSUMER_SECRET ? { consumerSecret: env.TETHR_CONSUMER_SECRET } : {}),
      ...(env.TETHR_INTEGRATION_PASSWORD ? { password: env.TETHR_INTEGRATION_PASSWORD } : {}),
      ...(env.TETHR_SECURITY_TOKEN !== undefined ? { securityToken: env.TETHR_SECURITY_TOKEN } : {})
    });
    return buildBundle({ ...common, authFlow: 'password', ...legacy });
  }
  const credentials = await readExternalClientAppCredentials(conn, namespace);
  return buildBundle({
    ...common,
    authFlow: 'client_credentials',
    consumerKey: credentials.consumerKey,
    consumerSecret: credentials.consumerSecret
  });
}

export function defaultBundlePath(orgId: string, encrypted: boolean): string {
  return `tethr-${orgId}.credentials.json${encrypted ? '.age' : ''}`;
}
