import { fieldReads, CHANNELS, ALWAYS_READABLE_OBJECTS } from '../../../scripts/contracts/channels.ts';
import { checkQuery, type Grants } from '../../servers/salesforce/access.ts';
import { catalogueObject } from '../../servers/salesforce/catalogue.ts';
import type {
  FakeSalesforceServer,
  RecordedRequest,
  Reply,
  RouteMatch
} from '../../servers/salesforce/server.ts';
import { parseSoql, selectRows, shape, type SObjectRecord } from '../../servers/salesforce/soql.ts';
import type {
  CaseCommentRecord,
  CaseRecord,
  ConversationEntry,
  EmailMessageRecord,
  LiveChatTranscriptRecord,
  MessagingSessionRecord
} from '../../../scripts/tethr/salesforce-records.ts';

// The conversation side of a fake org for the relay's tests, registered on the generic
// FakeSalesforceServer: every query the relay sends is answered by the fake's SOQL evaluator
// (test/servers/salesforce/soql.ts) with the integration user's field-level security, paged like
// Salesforce, and Connect conversation entries through Composite Batch, in the REST API's shapes.
// Requests need a token the fake OAuth issued.

/**
 * What the generated Tethr_Integration_Access grants in an org with every channel: read on each
 * object the registry reads and field-level read on each of its permissionable fields.
 */
const REGISTRY_GRANTS: Grants = (() => {
  const grants: Grants = { objects: new Set(), fields: new Set(), userPermissions: new Set(['ApiEnabled']) };
  for (const channel of CHANNELS) {
    for (const read of fieldReads(channel)) {
      if (ALWAYS_READABLE_OBJECTS.has(read.object)) continue;
      grants.objects.add(read.object.toLowerCase());
      if (catalogueObject(read.object)?.fields.find((f) => f.name === read.field)?.permissionable) {
        grants.fields.add(`${read.object}.${read.field}`.toLowerCase());
      }
    }
  }
  return grants;
})();

/** Salesforce REST date-time format: 2026-11-25T18:39:43.000+0000 */
export function sfDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export class ConversationOrg {
  readonly cases = new Map<
    string,
    {
      record: CaseRecord & { IsClosed?: boolean };
      emails: EmailMessageRecord[];
      comments: CaseCommentRecord[];
    }
  >();
  readonly sessions = new Map<string, MessagingSessionRecord>();
  readonly entries = new Map<string, ConversationEntry[]>();
  readonly transcripts = new Map<string, LiveChatTranscriptRecord>();
  readonly soql: string[] = [];
  /** the next N data requests answer 503 */
  failNext = 0;
  /** hold every data request this long (a slow org) */
  delayMs = 0;
  pageSize = 2000;
  #counter = 0;
  #cursors = new Map<string, Array<Record<string, unknown>>>();

  id(prefix: string): string {
    this.#counter += 1;
    return `${prefix}${String(this.#counter).padStart(12, '0')}AAA`;
  }

  addCase(closedAt: number, options: { emails?: number; comments?: number } = {}): string {
    const id = this.id('500');
    const created = closedAt - 3_600_000;
    const contactId = this.id('003');
    // Rows hold fields the relay does not select too (as an org does); SOQL returns only the selected.
    const emails: Array<EmailMessageRecord & { Subject?: string }> = [];
    for (let i = 0; i < (options.emails ?? 2); i += 1) {
      const incoming = i % 2 === 0;
      emails.push({
        Id: this.id('02s'),
        ParentId: id,
        MessageDate: sfDate(created + (i + 1) * 60_000),
        CreatedDate: sfDate(created + (i + 1) * 60_000),
        CreatedById: incoming ? '005000000000009AAA' : '005000000000002AAA',
        FromAddress: incoming ? 'pat@example.com' : 'agent@acme.example',
        FromName: incoming ? 'Pat Customer' : 'Alex Agent',
        Incoming: incoming,
        Subject: 'Re: order',
        TextBody: incoming ? `Where is my order? (${i})` : `It ships tomorrow. (${i})`,
        HtmlBody: null
      });
    }
    const comments: Array<CaseCommentRecord & { IsPublished?: boolean }> = [];
    for (let i = 0; i < (options.comments ?? 1); i += 1) {
      comments.push({
        Id: this.id('00a'),
        ParentId: id,
        CommentBody: `Internal note ${i}`,
        CreatedDate: sfDate(created + 30 * 60_000 + i * 1000),
        CreatedById: '005000000000002AAA',
        CreatedBy: { Name: 'Alex Agent' },
        IsPublished: false
      });
    }
    this.cases.set(id, {
      // IsClosed is what the window queries filter on; the relay's mapping does not read it.
      record: {
        IsClosed: true,
        Id: id,
        CaseNumber: String(1000 + this.cases.size),
        Subject: 'Order not delivered',
        Description: 'My order #42 has not arrived.',
        Status: 'Closed',
        Origin: 'Email',
        CreatedDate: sfDate(created),
        ClosedDate: sfDate(closedAt),
        ContactId: contactId,
        Contact: {
          Name: 'Pat Customer',
          FirstName: 'Pat',
          LastName: 'Customer',
          Email: 'pat@example.com',
          Phone: null
        },
        SuppliedName: null,
        SuppliedEmail: null,
        SuppliedPhone: null,
        OwnerId: '005000000000002AAA',
        Owner: { Name: 'Alex Agent' }
      },
      emails,
      comments
    });
    return id;
  }

  addMessagingSession(endedAt: number): string {
    const id = this.id('0Mw');
    const conversationIdentifier = `conv-${id.toLowerCase()}`;
    const start = endedAt - 600_000;
    this.sessions.set(id, {
      Id: id,
      Name: `MS-${this.sessions.size}`,
      Status: 'Ended',
      ChannelType: 'EmbeddedMessaging',
      ChannelName: 'Web',
      CreatedDate: sfDate(start),
      StartTime: sfDate(start),
      EndTime: sfDate(endedAt),
      CaseId: null,
      ConversationId: this.id('0dw'),
      Conversation: { ConversationIdentifier: conversationIdentifier },
      MessagingEndUserId: this.id('0PA'),
      MessagingEndUser: { Name: 'Sam Visitor' },
      OwnerId: '005000000000002AAA',
      Owner: { Name: 'Alex Agent' }
    });
    this.entries.set(conversationIdentifier, [
      {
        identifier: 'e1',
        entryType: 'Message',
        messageText: 'Hi, I need help',
        serverReceivedTimestamp: start + 10_000,
        sender: { role: 'EndUser', subject: 'v-1', appType: 'iamessage' }
      },
      {
        identifier: 'e2',
        entryType: 'Message',
        messageText: 'Sure, what is up?',
        serverReceivedTimestamp: start + 20_000,
        sender: { role: 'Agent', subject: '005000000000002AAA', appType: 'agent' }
      },
      {
        identifier: 'e3',
        entryType: 'RoutingWorkResult',
        messageText: null,
        serverReceivedTimestamp: start + 5_000,
        sender: { role: 'System', subject: 'sys', appType: 'routing' }
      }
    ]);
    return id;
  }

  addChatTranscript(endedAt: number): string {
    const id = this.id('570');
    const start = endedAt - 300_000;
    this.transcripts.set(id, {
      Id: id,
      Name: `LCT-${this.transcripts.size}`,
      Status: 'Completed',
      Body:
        '<p align="center">Chat Started: Monday, November 23, 2026, 10:00:00 (+0000)</p><p align="center">Chat Origin: Web</p>' +
        '<p align="center">Agent Alex A</p>( 5s ) Alex A: Hello, how can I help?<br>( 1m 2s ) Visitor: My &quot;router&quot; is broken<br>it blinks red<br>( 2m 0s ) Alex A: Let me check.<br>',
      CreatedDate: sfDate(start),
      StartTime: sfDate(start),
      EndTime: sfDate(endedAt),
      RequestTime: sfDate(start - 5000),
      CaseId: null,
      ContactId: null,
      Contact: null,
      OwnerId: '005000000000002AAA',
      Owner: { Name: 'Alex A' }
    });
    return id;
  }

  /**
   * Answers a query the way the org would for the integration user: through the fake's SOQL
   * evaluator (only the selected fields come back, relationships and subqueries nested as the REST
   * API nests them), with the integration user's field-level security of the generated access
   * permission set (exactly the channel registry's reads). A fetcher that selects a field the
   * registry does not grant gets Salesforce's INVALID_FIELD, as it would in a customer org.
   */
  query(soql: string, apiPath: string): Reply {
    this.soql.push(soql);
    let parsed;
    try {
      parsed = parseSoql(soql);
    } catch (error) {
      return { status: 400, json: [{ errorCode: 'MALFORMED_QUERY', message: (error as Error).message }] };
    }
    const problem = checkQuery(parsed, { exists: () => true, grants: REGISTRY_GRANTS });
    if (problem) return { status: 400, json: [problem] };
    const records = this.#records(parsed.object);
    if (!records) {
      return {
        status: 400,
        json: [{ errorCode: 'INVALID_TYPE', message: `the conversation fake holds no ${parsed.object}` }]
      };
    }
    const rows = selectRows(parsed, records, () => undefined).map((record) =>
      shape(record, parsed, {
        lookup: () => undefined,
        apiPath,
        children: (parent, relationship) => this.#children(parent.Id, relationship)
      })
    );
    return { json: this.#page(rows, apiPath) };
  }

  #records(object: string): SObjectRecord[] | undefined {
    if (object === 'Case') return [...this.cases.values()].map((c) => c.record as unknown as SObjectRecord);
    if (object === 'MessagingSession') return [...this.sessions.values()] as unknown as SObjectRecord[];
    if (object === 'LiveChatTranscript') return [...this.transcripts.values()] as unknown as SObjectRecord[];
    return undefined;
  }

  #children(parentId: string, relationship: string): { object: string; records: SObjectRecord[] } {
    const found = this.cases.get(parentId);
    if (relationship === 'EmailMessages')
      return { object: 'EmailMessage', records: (found?.emails ?? []) as unknown as SObjectRecord[] };
    if (relationship === 'CaseComments')
      return { object: 'CaseComment', records: (found?.comments ?? []) as unknown as SObjectRecord[] };
    throw new Error(`the conversation fake knows no child relationship ${relationship}`);
  }

  nextPage(cursor: string, apiPath: string): Reply {
    const rows = this.#cursors.get(cursor);
    if (!rows)
      return {
        status: 400,
        json: [{ errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' }]
      };
    this.#cursors.delete(cursor);
    return { json: this.#page(rows, apiPath, rows.length) };
  }

  batch(body: { batchRequests: Array<{ method: string; url: string }> }): Reply {
    const results = body.batchRequests.map(({ url }) => {
      const match = /^v\d+\.\d\/connect\/conversation\/([^/?]+)\/entries/.exec(url);
      const entries = match ? this.entries.get(decodeURIComponent(match[1]!)) : undefined;
      if (!entries)
        return { statusCode: 404, result: [{ errorCode: 'NOT_FOUND', message: 'conversation not found' }] };
      return { statusCode: 200, result: { conversationEntries: entries } };
    });
    return { json: { hasErrors: results.some((r) => r.statusCode >= 400), results } };
  }

  #page(rows: Array<Record<string, unknown>>, apiPath: string, totalSize = rows.length) {
    if (rows.length <= this.pageSize) return { totalSize, done: true, records: rows };
    const cursor = `01g${String(this.#cursors.size + 1).padStart(15, '0')}-${this.pageSize}`;
    this.#cursors.set(cursor, rows.slice(this.pageSize));
    return {
      totalSize,
      done: false,
      nextRecordsUrl: `${apiPath}/query/${cursor}`,
      records: rows.slice(0, this.pageSize)
    };
  }
}

/**
 * Salesforce's refusal of a REST request whose bearer token is missing or not a valid session
 * (401 INVALID_SESSION_ID), or undefined when the token is valid.
 */
export function sessionRefusal(
  request: RecordedRequest,
  isValidToken: (token: string) => boolean
): Reply | undefined {
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  if (isValidToken(token)) return undefined;
  return { status: 401, json: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }] };
}

export function registerConversationRoutes(
  server: FakeSalesforceServer,
  org: ConversationOrg,
  isValidToken: (token: string) => boolean
): void {
  const guard =
    (handler: (match: RouteMatch) => Reply) =>
    async (match: RouteMatch): Promise<Reply> => {
      if (org.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, org.delayMs));
      const refused = sessionRefusal(match.request, isValidToken);
      if (refused) return refused;
      if (org.failNext > 0) {
        org.failNext -= 1;
        return { status: 503, json: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'injected by the test' }] };
      }
      return handler(match);
    };
  server.route(
    'GET',
    /^\/services\/data\/v(?<version>\d+\.\d)\/query\/?$/,
    guard(({ request, params }) => org.query(request.query.q ?? '', `/services/data/v${params.version}`)),
    'conversations.query'
  );
  server.route(
    'GET',
    /^\/services\/data\/v(?<version>\d+\.\d)\/query\/(?<cursor>[\w-]+)$/,
    guard(({ params }) => org.nextPage(params.cursor!, `/services/data/v${params.version}`)),
    'conversations.queryMore'
  );
  server.route(
    'GET',
    /^\/services\/data\/v\d+\.\d\/connect\/conversation\/(?<id>[^/]+)\/entries$/,
    guard(({ params }) => {
      const entries = org.entries.get(decodeURIComponent(params.id!));
      return entries
        ? { json: { conversationEntries: entries } }
        : { status: 404, json: [{ errorCode: 'NOT_FOUND', message: 'conversation not found' }] };
    }),
    'conversations.entries'
  );
  server.route(
    'POST',
    /^\/services\/data\/v\d+\.\d\/composite\/batch$/,
    guard(({ request }) => org.batch(JSON.parse(request.body) as never)),
    'conversations.compositeBatch'
  );
}
