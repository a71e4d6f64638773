import type { OrgConnection, SessionIdScheme } from '../contracts/org-connection.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { HourlyBudget } from './connect-budget.ts';
import { ConversationDelivery } from './conversation-delivery.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import { channelFetchers } from './fetchers/channel-fetchers.ts';
import type { SalesforceRest } from './fetchers/salesforce-rest.ts';
import type { RelayLogger } from './relay-logger.ts';
import type { Sink } from './sinks/sink.ts';

// The delivery path that backfill, verify --resend and dead-letters retry share with the relay:
// the same fetchers, mapping and sink, so a resent conversation is byte for byte what the relay
// would have sent, under the same idempotent sessionId (the org's session-id scheme, as the
// relay's --session-id or the tenant's stored option says). Built in one place so the paths
// cannot drift apart.

export interface DeliveryParts {
  connection: OrgConnection;
  rest: SalesforceRest;
  sink: Sink;
  deadLetters: DeadLetterStore;
  logger: RelayLogger;
  policy: BackoffPolicy;
  signal: AbortSignal;
  /** how Tethr session ids are formed for this org; default org-and-record (tethrSessionId) */
  sessionIdScheme?: SessionIdScheme;
  /** the org's Connect conversation-entries budget (relay serve shares the org's own) */
  connectBudget?: HourlyBudget;
}

export function closedRecordDelivery(parts: DeliveryParts): ConversationDelivery {
  const { connection, rest } = parts;
  return new ConversationDelivery({
    fetchers: channelFetchers(rest, connection.apiVersion, parts.connectBudget),
    sink: parts.sink,
    deadLetters: parts.deadLetters,
    logger: parts.logger,
    context: {
      orgId: connection.orgId,
      ...(parts.sessionIdScheme ? { sessionIdScheme: parts.sessionIdScheme } : {})
    },
    policy: parts.policy,
    signal: parts.signal
  });
}
