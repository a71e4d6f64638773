import type { FakeOrgData } from './org-data.ts';
import type { FakeSalesforceServer, Reply } from './server.ts';

// Enhanced Messaging keeps the conversation text outside the org's tables: Connect REST
// GET /connect/conversation/{conversationIdentifier}/entries returns it, one conversation per
// call (recordLimit 1..1000, startTimestamp/endTimestamp in epoch ms). Composite Batch carries up
// to 25 such calls per HTTP request, each answered with its own status. The entries exist only
// where the org has Messaging; the integration user needs read on MessagingSession (UNCONFIRMED
// which permission Salesforce checks for this resource).

export interface FakeEntry {
  identifier: string;
  entryType: string;
  messageText: string | null;
  serverReceivedTimestamp: number;
  clientTimestamp?: number | null;
  sender: { role: string; subject: string; appType: string };
}

export class FakeConversationEntries {
  readonly byConversation = new Map<string, FakeEntry[]>();
  /** the next N entries calls answer 429 (Connect API hourly limit) */
  throttleNext = 0;
  calls = 0;
}

const API = String.raw`/services/data/v(?<version>\d+\.\d)`;

function entriesReply(
  org: FakeOrgData,
  store: FakeConversationEntries,
  identifier: string,
  query: URLSearchParams,
  authorization: string | undefined
): { statusCode: number; result: unknown } {
  store.calls += 1;
  if (!org.objectExists('MessagingSession')) {
    return {
      statusCode: 404,
      result: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]
    };
  }
  const grants = org.shape?.grantsFor(authorization);
  if (grants && !grants.objects.has('messagingsession')) {
    return {
      statusCode: 403,
      result: [{ errorCode: 'INSUFFICIENT_ACCESS', message: "You don't have access to this conversation." }]
    };
  }
  if (store.throttleNext > 0) {
    store.throttleNext -= 1;
    return {
      statusCode: 429,
      result: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'Connect API hourly limit exceeded.' }]
    };
  }
  const limit = Number(query.get('recordLimit') ?? '25');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    return {
      statusCode: 400,
      result: [{ errorCode: 'INVALID_API_INPUT', message: 'recordLimit must be between 1 and 1000.' }]
    };
  }
  const entries = store.byConversation.get(identifier);
  if (!entries)
    return { statusCode: 404, result: [{ errorCode: 'NOT_FOUND', message: 'conversation not found' }] };
  const start = Number(query.get('startTimestamp') ?? '-Infinity');
  const end = Number(query.get('endTimestamp') ?? 'Infinity');
  const inWindow = entries
    .filter((e) => e.serverReceivedTimestamp >= start && e.serverReceivedTimestamp <= end)
    .slice(0, limit);
  return { statusCode: 200, result: { conversationEntries: inWindow } };
}

export function registerConversationEntries(
  server: FakeSalesforceServer,
  org: FakeOrgData,
  store: FakeConversationEntries
): void {
  server.route(
    'GET',
    new RegExp(`^${API}/connect/conversation/(?<id>[^/]+)/entries$`),
    ({ params, request }) => {
      const answer = entriesReply(
        org,
        store,
        decodeURIComponent(params.id!),
        new URLSearchParams(request.query),
        request.headers.authorization
      );
      return { status: answer.statusCode, json: answer.result };
    },
    'connect.conversation.entries'
  );
  server.route(
    'POST',
    new RegExp(`^${API}/composite/batch$`),
    ({ request }): Reply => {
      const body = JSON.parse(request.body || '{}') as {
        batchRequests?: { method?: string; url?: string }[];
        haltOnError?: boolean;
      };
      const requests = body.batchRequests ?? [];
      if (requests.length === 0 || requests.length > 25) {
        return {
          status: 400,
          json: [{ errorCode: 'INVALID_BATCH_REQUEST', message: 'A batch holds 1 to 25 subrequests.' }]
        };
      }
      const results = requests.map(({ method, url }) => {
        const match = /^v\d+\.\d\/connect\/conversation\/([^/?]+)\/entries(?:\?(.*))?$/.exec(url ?? '');
        if ((method ?? 'GET') !== 'GET' || !match) {
          return {
            statusCode: 400,
            result: [
              { errorCode: 'INVALID_URL', message: `the fake batch answers Connect entries only: ${url}` }
            ]
          };
        }
        return entriesReply(
          org,
          store,
          decodeURIComponent(match[1]!),
          new URLSearchParams(match[2] ?? ''),
          request.headers.authorization
        );
      });
      return { json: { hasErrors: results.some((r) => r.statusCode >= 400), results } };
    },
    'composite.batch'
  );
}
