import type { FetchedConversation } from '../../tethr/salesforce-records.ts';

export interface FetchResult {
  found: Map<string, FetchedConversation>;
  /** ids Salesforce answered for, but whose conversation cannot be read (reason per id) */
  rejected: Map<string, string>;
}

/** Reads many closed conversations of one channel with as few API calls as the platform allows. */
export interface ConversationFetcher {
  /** `signal` ends waits (a spent Connect budget) when the relay stops */
  fetch(ids: readonly string[], signal?: AbortSignal): Promise<FetchResult>;
}
