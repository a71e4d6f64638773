import type { OrgConnection } from '../contracts/org-connection.ts';
import type { BackoffPolicy } from './backoff.ts';
import { ConversationDelivery } from './conversation-delivery.ts';
import type { DeadLetterFile } from './dead-letters.ts';
import { channelFetchers } from './fetchers/channel-fetchers.ts';
import type { SalesforceRest } from './fetchers/salesforce-rest.ts';
import type { RelayLogger } from './relay-logger.ts';
import type { Sink } from './sinks/sink.ts';

// The delivery path that backfill and verify --resend share with the relay: the same fetchers,
// mapping and sink, so a resent conversation is byte for byte what the relay would have sent,
// under the same idempotent sessionId. Built in one place so the two cannot drift apart.

export interface DeliveryParts {
  connection: OrgConnection;
  rest: SalesforceRest;
  sink: Sink;
  deadLetters: DeadLetterFile;
  logger: RelayLogger;
  policy: BackoffPolicy;
  signal: AbortSignal;
}

export function closedRecordDelivery(parts: DeliveryParts): ConversationDelivery {
  const { connection, rest } = parts;
  return new ConversationDelivery({
    fetchers: channelFetchers(rest, connection.apiVersion),
    sink: parts.sink,
    deadLetters: parts.deadLetters,
    logger: parts.logger,
    context: { orgId: connection.orgId },
    policy: parts.policy,
    signal: parts.signal
  });
}
