import type { CaseCommentRecord, CaseRecord, EmailMessageRecord } from '../../tethr/salesforce-records.ts';
import { conversationsByIdQuery } from '../../contracts/channel-queries.ts';
import type { ConversationFetcher, FetchResult } from './conversation-fetcher.ts';
import { childRows, chunk, idList, queryAll, type SalesforceRest } from './salesforce-rest.ts';

// One SOQL query per 100 Cases reads the Cases with their EmailMessages and CaseComments as
// parent-child subqueries: one API call for the lot instead of three per Case.
export const CASES_PER_QUERY = 100;

/** The fields come from the channel registry, which the access permission set grants. */
export function caseQuery(ids: readonly string[]): string {
  return conversationsByIdQuery('Case', idList(ids));
}

export class CaseFetcher implements ConversationFetcher {
  constructor(
    private readonly rest: SalesforceRest,
    private readonly apiVersion: string
  ) {}

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const result: FetchResult = { found: new Map(), rejected: new Map() };
    for (const group of chunk(ids, CASES_PER_QUERY)) {
      const rows = await queryAll<CaseRecord>(this.rest, this.apiVersion, caseQuery(group));
      for (const record of rows) {
        const emails = await childRows<EmailMessageRecord>(this.rest, record.EmailMessages);
        const comments = await childRows<CaseCommentRecord>(this.rest, record.CaseComments);
        result.found.set(record.Id, { objectType: 'Case', record, emails, comments });
      }
    }
    return result;
  }
}
