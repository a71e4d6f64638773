import type { CredentialsBundle } from '../../scripts/org/credentials-bundle.ts';
import type { LocalConnection, PackagedConnection } from '../../scripts/contracts/connection-file.ts';

/** A secret that must never show up in any captured output. */
export const FIXTURE_SECRET = 'S3CR3T-consumer-secret-do-not-print-8d7f6a';
export const FIXTURE_PASSWORD = 'P4ssw0rd-do-not-print';
export const FIXTURE_TOKEN = 'T0k3n-do-not-print';

export function clientCredentialsBundle(
  myDomainUrl: string,
  overrides: Partial<CredentialsBundle> = {}
): CredentialsBundle {
  return {
    schema: 'tethr-salesforce-credentials/v1',
    orgId: '00D000000000001EAA',
    myDomainUrl,
    authFlow: 'client_credentials',
    consumerKey: '3MVG9FIXTUREKEY0000000000000000000000',
    consumerSecret: FIXTURE_SECRET,
    integrationUsername: 'tethr.integration@example.com',
    namespace: 'tethr',
    eventTopic: '/event/tethr__Conversation_Closed__e',
    apiVersion: '66.0',
    channels: ['Case', 'MessagingSession'],
    createdAt: '2026-11-25T18:00:00.000Z',
    ...overrides
  };
}

export function passwordBundle(myDomainUrl: string): CredentialsBundle {
  return clientCredentialsBundle(myDomainUrl, {
    authFlow: 'password',
    password: FIXTURE_PASSWORD,
    securityToken: FIXTURE_TOKEN,
    namespace: '',
    eventTopic: '/event/Conversation_Closed__e'
  });
}

/** A consumer key that must never show up unredacted in captured output. */
export const FIXTURE_CONSUMER_KEY = '3MVG9PACKAGEDKEY000000000000000000000';

/** A v2 connection file of the packaged app: no secret field at all. */
export function packagedConnectionFile(
  instanceUrl: string,
  overrides: Partial<PackagedConnection> = {}
): PackagedConnection {
  return {
    schema: 'tethr-salesforce-connection/v2',
    orgId: '00D000000000001EAA',
    instanceUrl,
    isSandbox: false,
    namespace: 'tethr',
    integrationUsername: 'tethr.integration@example.com',
    channels: ['Case'],
    app: 'packaged',
    authFlow: 'jwt_bearer',
    apiVersion: '66.0',
    createdAt: '2026-12-01T09:00:00.000Z',
    ...overrides
  };
}

/** A v2 connection file of an org-local app: its own consumer key and secret. */
export function localConnectionFile(
  instanceUrl: string,
  overrides: Partial<LocalConnection> = {}
): LocalConnection {
  return {
    ...packagedConnectionFile(instanceUrl),
    namespace: '',
    app: 'local',
    authFlow: 'client_credentials',
    consumerKey: '3MVG9FIXTUREKEY0000000000000000000000',
    consumerSecret: FIXTURE_SECRET,
    ...overrides
  };
}
