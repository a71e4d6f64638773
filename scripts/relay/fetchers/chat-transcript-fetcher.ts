import type { LiveChatTranscriptRecord } from '../../tethr/salesforce-records.ts';
import { conversationsByIdQuery } from '../../contracts/channel-queries.ts';
import type { ConversationFetcher, FetchResult } from './conversation-fetcher.ts';
import { chunk, idList, queryAll, type SalesforceRest } from './salesforce-rest.ts';

// Legacy Chat keeps the whole transcript in LiveChatTranscript.Body: one query per 100 transcripts.
/** The fields come from the channel registry, which the access permission set grants. */
export function chatTranscriptQuery(ids: readonly string[]): string {
  return conversationsByIdQuery('LiveChatTranscript', idList(ids));
}

export class ChatTranscriptFetcher implements ConversationFetcher {
  constructor(
    private readonly rest: SalesforceRest,
    private readonly apiVersion: string
  ) {}

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const result: FetchResult = { found: new Map(), rejected: new Map() };
    for (const group of chunk(ids, 100)) {
      for (const record of await queryAll<LiveChatTranscriptRecord>(
        this.rest,
        this.apiVersion,
        chatTranscriptQuery(group)
      )) {
        result.found.set(record.Id, { objectType: 'LiveChatTranscript', record });
      }
    }
    return result;
  }
}
