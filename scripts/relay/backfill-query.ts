import { CHANNEL_REGISTRY, type Channel } from '../contracts/channels.ts';
import { SalesforceApiError } from '../org/bundle-auth.ts';
import { queryPath, type SalesforceRest } from './fetchers/salesforce-rest.ts';

// The one definition of "the conversations that closed in [from, until)" per channel, used by
// backfill (to send them) and verify (to check Tethr has them): if the two asked different
// questions, verify could report a gap that backfill would never fill. What "closed" means and
// the field that says when come from the channel registry.

export function closedInWindowQuery(channel: Channel, from: string, until: string): string {
  const { object, closed } = CHANNEL_REGISTRY[channel];
  const field = closed.closedAtField;
  // SOQL date-time literals are unquoted ISO 8601 in UTC. Ordered by close time, then Id, so a
  // resumed query (>= the last close time seen) continues where the previous one stopped.
  return `SELECT Id, ${field} FROM ${object} WHERE ${closed.filter} AND ${field} >= ${from} AND ${field} < ${until} ORDER BY ${field}, Id`;
}

export interface ClosedRecord {
  id: string;
  /** the close time as a SOQL literal (UTC, milliseconds): where a resumed query starts */
  closedAt: string;
}

export interface ClosedRecordPage {
  /** rows the query matches in total (the same on every page) */
  totalSize: number;
  records: ClosedRecord[];
}

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown> & { Id: string }>;
}

/**
 * The closed records of one channel, page by page in close-time order. `request` performs one
 * REST call (callers wrap it in their retry policy).
 */
export async function* closedRecordPages(
  request: <T>(path: string) => Promise<T>,
  apiVersion: string,
  channel: Channel,
  from: string,
  until: string
): AsyncGenerator<ClosedRecordPage> {
  const field = CHANNEL_REGISTRY[channel].closed.closedAtField;
  let page = await request<QueryPage>(queryPath(apiVersion, closedInWindowQuery(channel, from, until)));
  for (;;) {
    yield {
      totalSize: page.totalSize,
      records: page.records.map((row) => ({ id: row.Id, closedAt: toSoqlDateTime(String(row[field])) }))
    };
    if (page.done || !page.nextRecordsUrl) return;
    page = await request<QueryPage>(page.nextRecordsUrl);
  }
}

/** Adapts a SalesforceRest to the `request` closedRecordPages takes. */
export function restRequest(rest: SalesforceRest): <T>(path: string) => Promise<T> {
  return <T>(path: string) => rest.request<T>(path);
}

/**
 * The org has no such object: the feature that brings it (Messaging, legacy Chat) is not on.
 * Salesforce answers a query on it with INVALID_TYPE ("sObject type 'X' is not supported").
 */
export function isMissingObject(error: unknown): boolean {
  return error instanceof SalesforceApiError && error.errorCode === 'INVALID_TYPE';
}

/** "2026-11-25T18:39:43.000+0000" -> "2026-11-25T18:39:43.000Z" (a SOQL literal). */
export function toSoqlDateTime(value: string): string {
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (!Number.isFinite(ms))
    throw new Error(`Salesforce returned a close time that is not a date-time: ${value}`);
  return new Date(ms).toISOString();
}
