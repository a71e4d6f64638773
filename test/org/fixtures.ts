import type { CredentialsBundle } from '../../scripts/org/credentials-bundle.ts';

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
