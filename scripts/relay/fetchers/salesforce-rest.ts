import type { ChildRecords } from '../../tethr/salesforce-records.ts';

/** REST access as the integration user; BundleSession (scripts/org/bundle-auth.ts) provides it. */
export interface SalesforceRest {
  request<T>(path: string, init?: RequestInit): Promise<T>;
}

/** Counts what the relay costs the org: HTTP requests, and API calls as Salesforce counts them. */
export class ApiUsage {
  requests = 0;
  /** composite/batch subrequests each count against the daily API limit */
  countedCalls = 0;
}

export class CountingRest implements SalesforceRest {
  readonly usage = new ApiUsage();
  readonly #inner: SalesforceRest;
  readonly #timeoutMs: number;

  constructor(inner: SalesforceRest, timeoutMs = 60_000) {
    this.#inner = inner;
    this.#timeoutMs = timeoutMs;
  }

  request<T>(path: string, init: RequestInit = {}, countedCalls = 1): Promise<T> {
    this.usage.requests += 1;
    this.usage.countedCalls += countedCalls;
    // BundleSession has no timeout of its own; a hung connection must not stall the stream forever.
    return this.#inner.request<T>(path, {
      ...init,
      signal: init.signal ?? AbortSignal.timeout(this.#timeoutMs)
    });
  }
}

interface QueryPage<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

export function queryPath(apiVersion: string, soql: string): string {
  return `/services/data/v${apiVersion}/query?q=${encodeURIComponent(soql)}`;
}

/** Every row of a SOQL query, following nextRecordsUrl. */
export async function queryAll<T>(rest: SalesforceRest, apiVersion: string, soql: string): Promise<T[]> {
  const rows: T[] = [];
  let page = await rest.request<QueryPage<T>>(queryPath(apiVersion, soql));
  rows.push(...page.records);
  while (!page.done && page.nextRecordsUrl) {
    page = await rest.request<QueryPage<T>>(page.nextRecordsUrl);
    rows.push(...page.records);
  }
  return rows;
}

/** A parent-child subquery's rows; a large child list arrives in pages of its own. */
export async function childRows<T>(
  rest: SalesforceRest,
  children: ChildRecords<T> | null | undefined
): Promise<T[]> {
  if (!children) return [];
  const rows = [...children.records];
  let page = children;
  while (!page.done && page.nextRecordsUrl) {
    page = await rest.request<ChildRecords<T>>(page.nextRecordsUrl);
    rows.push(...page.records);
  }
  return rows;
}

/** SOQL string literal list for ids we validated ourselves (15/18 alphanumerics only). */
export function idList(ids: readonly string[]): string {
  return ids.map((id) => `'${id}'`).join(', ');
}

export const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
