import type { Channel } from '../../contracts/channels.ts';
import type { HourlyBudget } from '../connect-budget.ts';
import { CaseFetcher } from './case-fetcher.ts';
import { ChatTranscriptFetcher } from './chat-transcript-fetcher.ts';
import type { ConversationFetcher } from './conversation-fetcher.ts';
import { MessagingSessionFetcher } from './messaging-session-fetcher.ts';
import type { SalesforceRest } from './salesforce-rest.ts';

/**
 * One fetcher per channel of the registry, for the relay and for backfill/verify/resend alike.
 * Typed by Channel, so a channel added to scripts/contracts/channels.ts fails to compile here
 * until it has a fetcher.
 */
export function channelFetchers(
  rest: SalesforceRest,
  apiVersion: string,
  connectBudget?: HourlyBudget
): Record<Channel, ConversationFetcher> {
  return {
    Case: new CaseFetcher(rest, apiVersion),
    MessagingSession: new MessagingSessionFetcher(rest, apiVersion, connectBudget),
    LiveChatTranscript: new ChatTranscriptFetcher(rest, apiVersion)
  };
}
