import type { ConversationEntry, MessagingSessionRecord } from '../../tethr/salesforce-records.ts';
import type { HourlyBudget } from '../connect-budget.ts';
import { conversationsByIdQuery } from '../../contracts/channel-queries.ts';
import type { ConversationFetcher, FetchResult } from './conversation-fetcher.ts';
import { chunk, idList, queryAll, type SalesforceRest } from './salesforce-rest.ts';

// Enhanced Messaging keeps the text outside the org's tables: Connect REST
// GET /connect/conversation/{conversationIdentifier}/entries returns it, one conversation per
// call. The sessions are read with one query per 100; their entries through Composite Batch,
// 25 subrequests per HTTP request (Salesforce still counts every subrequest as an API call, and
// the Connect API's own hourly limit applies: each org spends from an HourlyBudget, and a 503
// on a Connect subrequest, the limit's refusal, makes the budget wait it out; connect-budget.ts).
export const ENTRIES_RECORD_LIMIT = 1000;
const BATCH_SIZE = 25;

/** The fields come from the channel registry, which the access permission set grants. */
export function messagingSessionQuery(ids: readonly string[]): string {
  return conversationsByIdQuery('MessagingSession', idList(ids));
}

/** Entries of this session only: a conversation can hold many sessions over time. */
export function entriesUrl(apiVersion: string, record: MessagingSessionRecord): string | undefined {
  const identifier = record.Conversation?.ConversationIdentifier;
  if (!identifier) return undefined;
  const params = new URLSearchParams({ recordLimit: String(ENTRIES_RECORD_LIMIT) });
  const start = Date.parse((record.StartTime ?? record.CreatedDate).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isFinite(start)) params.set('startTimestamp', String(start));
  if (record.EndTime) {
    const end = Date.parse(record.EndTime.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (Number.isFinite(end)) params.set('endTimestamp', String(end));
  }
  return `v${apiVersion}/connect/conversation/${encodeURIComponent(identifier)}/entries?${params}`;
}

interface BatchResponse {
  hasErrors: boolean;
  results: Array<{ statusCode: number; result: unknown }>;
}

export class TransientBatchError extends Error {}

/** Connect refused a conversation-entries call for its hourly limit: wait, never dead-letter. */
export class ConnectLimitError extends TransientBatchError {}

export class MessagingSessionFetcher implements ConversationFetcher {
  constructor(
    private readonly rest: SalesforceRest & {
      request<T>(path: string, init?: RequestInit, countedCalls?: number): Promise<T>;
    },
    private readonly apiVersion: string,
    private readonly budget?: HourlyBudget
  ) {}

  async fetch(ids: readonly string[], signal?: AbortSignal): Promise<FetchResult> {
    const result: FetchResult = { found: new Map(), rejected: new Map() };
    const sessions: MessagingSessionRecord[] = [];
    for (const group of chunk(ids, 100)) {
      sessions.push(
        ...(await queryAll<MessagingSessionRecord>(this.rest, this.apiVersion, messagingSessionQuery(group)))
      );
    }
    const withUrl: Array<{ record: MessagingSessionRecord; url: string }> = [];
    for (const record of sessions) {
      const url = entriesUrl(this.apiVersion, record);
      if (url) withUrl.push({ record, url });
      else
        result.rejected.set(
          record.Id,
          'the session has no Conversation.ConversationIdentifier (not an enhanced Messaging session, or no access to Conversation)'
        );
    }
    for (const group of chunk(withUrl, BATCH_SIZE)) {
      await this.budget?.take(group.length, signal);
      const answer = await this.rest.request<BatchResponse>(
        `/services/data/v${this.apiVersion}/composite/batch`,
        {
          method: 'POST',
          body: JSON.stringify({
            haltOnError: false,
            batchRequests: group.map((g) => ({ method: 'GET', url: g.url }))
          })
        },
        group.length
      );
      for (const [index, item] of group.entries()) {
        const sub = answer.results[index];
        if (!sub) throw new TransientBatchError('Composite Batch answered fewer results than subrequests.');
        if (sub.statusCode === 503) {
          // Connect's answer to a spent hourly limit (it also answers 503 when overloaded: both
          // are waited out).
          this.budget?.refused();
          throw new ConnectLimitError(`conversation entries of ${item.record.Id} failed with HTTP 503`);
        }
        if (sub.statusCode >= 500 || sub.statusCode === 429) {
          throw new TransientBatchError(
            `conversation entries of ${item.record.Id} failed with HTTP ${sub.statusCode}`
          );
        }
        if (sub.statusCode >= 400) {
          result.rejected.set(
            item.record.Id,
            `conversation entries: HTTP ${sub.statusCode} ${JSON.stringify(sub.result).slice(0, 200)}`
          );
          continue;
        }
        const entries =
          ((sub.result ?? {}) as { conversationEntries?: ConversationEntry[] }).conversationEntries ?? [];
        result.found.set(item.record.Id, { objectType: 'MessagingSession', record: item.record, entries });
      }
    }
    return result;
  }
}
