import type { OrgConnection } from '../contracts/org-connection.ts';
import { BundleSession } from '../org/bundle-auth.ts';
import type { CredentialsBundle } from '../org/credentials-bundle.ts';
import { loadMessages } from '../shared/messages.ts';
import type { RelaySession } from './relay-core.ts';

const messages = loadMessages('relay');

/**
 * REST and Pub/Sub access for one org, as its integration user. Connections that carry their
 * app's own consumer (v1 bundles, v2 files of a local or legacy app) sign in with it through
 * BundleSession. The packaged app's credential is Tethr's (TETHR_SF_*), read by the integration
 * session the org module is adding (openIntegrationSession); until it lands such connections are
 * refused with a message that says so.
 */
export function openRelaySession(connection: OrgConnection): RelaySession {
  const secrets = connection.fileSecrets;
  if (
    !secrets?.consumerSecret ||
    (connection.authFlow !== 'client_credentials' && connection.authFlow !== 'password')
  ) {
    throw messages.createError('error.PackagedConnectionNeedsSession', [
      connection.orgId,
      `${connection.app}, ${connection.authFlow}`
    ]);
  }
  const bundle: CredentialsBundle = {
    schema: 'tethr-salesforce-credentials/v1',
    orgId: connection.orgId,
    myDomainUrl: connection.instanceUrl,
    authFlow: connection.authFlow,
    consumerKey: secrets.consumerKey,
    consumerSecret: secrets.consumerSecret,
    integrationUsername: connection.integrationUsername,
    ...(secrets.password !== undefined ? { password: secrets.password } : {}),
    ...(secrets.securityToken !== undefined ? { securityToken: secrets.securityToken } : {}),
    namespace: connection.namespace,
    eventTopic: connection.eventTopic,
    apiVersion: connection.apiVersion,
    channels: [...connection.channels],
    createdAt: connection.createdAt
  };
  return new BundleSession(bundle);
}
