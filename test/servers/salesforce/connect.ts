import type { FakeSalesforceServer } from './server.ts';

export interface FakeConsumer {
  id: string;
  name: string;
  key: string;
  secret: string;
}

export interface FakeConnectState {
  /** consumers per External Client App id */
  consumers: Map<string, FakeConsumer[]>;
  /** ExternalClientAppSettings.enableClientSecretInRestApiAccess (and the user permissions) */
  secretAccessEnabled: boolean;
  /** installed packaged apps: their one consumer belongs to the publisher, never served here */
  packagedApps: Set<string>;
}

/**
 * UNCONFIRMED: Salesforce's exact answer when a subscriber asks for a packaged app's consumer.
 * The fake refuses with 403 so that any code path that asks fails loudly in tests.
 */
const PACKAGED_REFUSAL = {
  status: 403,
  json: [
    {
      errorCode: 'INSUFFICIENT_ACCESS',
      message: 'The OAuth consumer of a packaged external client app is managed in the org that published it.'
    }
  ]
};

const API = String.raw`/services/data/v(?<version>\d+\.\d)`;

/**
 * Connect REST `/apps/oauth/credentials/{appId}[/{consumerId}]`. The collection's top-level
 * property name is not shown in Salesforce's docs (UNCONFIRMED); the fake answers `consumers`,
 * the name public scripts that call this endpoint read.
 */
export function registerConnect(server: FakeSalesforceServer, state: FakeConnectState): void {
  server.route(
    'GET',
    new RegExp(`^${API}/apps/oauth/credentials/(?<appId>\\w+)/?$`),
    ({ params }) => {
      if (state.packagedApps.has(params.appId!)) return PACKAGED_REFUSAL;
      const consumers = state.consumers.get(params.appId!);
      if (!consumers)
        return {
          status: 404,
          json: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]
        };
      return {
        json: {
          consumers: consumers.map((c) => ({
            id: c.id,
            name: c.name,
            url: `${server.url}/services/data/v${params.version}/apps/oauth/credentials/${params.appId}/${c.id}`
          }))
        }
      };
    },
    'connect.credentials.list'
  );
  server.route(
    'GET',
    new RegExp(`^${API}/apps/oauth/credentials/(?<appId>\\w+)/(?<consumerId>\\w+)/?$`),
    ({ params, request }) => {
      if (state.packagedApps.has(params.appId!)) return PACKAGED_REFUSAL;
      const consumer = state.consumers.get(params.appId!)?.find((c) => c.id === params.consumerId);
      if (!consumer)
        return {
          status: 404,
          json: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]
        };
      const part = request.query.part ?? 'key';
      if ((part === 'secret' || part === 'keyandsecret') && !state.secretAccessEnabled) {
        return {
          status: 403,
          json: [
            { errorCode: 'FORBIDDEN', message: "You don't have permission to view the consumer secret." }
          ]
        };
      }
      return {
        json: {
          id: consumer.id,
          name: consumer.name,
          key: part === 'secret' ? null : consumer.key,
          secret: part === 'key' ? null : consumer.secret,
          url: `${server.url}/services/data/v${params.version}/apps/oauth/credentials/${params.appId}/${consumer.id}`,
          stagedCredentialsUrl: null
        }
      };
    },
    'connect.credentials.get'
  );
}
