import type { FakeSalesforceServer, Reply, RouteMatch } from '../../servers/salesforce/server.ts';
import type {
  CaseCommentRecord,
  CaseRecord,
  ConversationEntry,
  EmailMessageRecord,
  LiveChatTranscriptRecord,
  MessagingSessionRecord
} from '../../../scripts/tethr/salesforce-records.ts';

// The conversation side of a fake org, registered on the org-tooling team's generic
// FakeSalesforceServer: the exact SOQL the relay sends (IN queries with parent-child
// subqueries, backfill window queries with paging) and Connect conversation entries through
// Composite Batch, answered in the REST API's shapes. Requests need a token the fake OAuth issued.

/** Salesforce REST date-time format: 2026-11-25T18:39:43.000+0000 */
export function sfDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export class ConversationOrg {
  readonly cases = new Map<
    string,
    { record: CaseRecord; emails: EmailMessageRecord[]; comments: CaseCommentRecord[] }
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
    const emails: EmailMessageRecord[] = [];
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
    const comments: CaseCommentRecord[] = [];
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
      record: {
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

  query(soql: string, apiPath: string): Reply {
    this.soql.push(soql);
    const inList = /FROM (\w+) WHERE Id IN \(([^)]*)\)$/.exec(soql);
    if (inList) {
      const ids = [...inList[2]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
      return { json: this.#page(this.#byIds(inList[1]!, ids), apiPath) };
    }
    const window =
      /^SELECT Id, (\w+) FROM (\w+) WHERE .+ AND \w+ >= (\S+) AND \w+ < (\S+) ORDER BY \w+, Id$/.exec(soql);
    if (window) {
      const [, field, object, from, until] = window;
      const rows = this.#all(object!)
        .filter((r) => {
          const value = Date.parse(String(r[field!]).replace('+0000', 'Z'));
          return value >= Date.parse(from!) && value < Date.parse(until!);
        })
        .sort(
          (a, b) =>
            String(a[field!]).localeCompare(String(b[field!])) || String(a.Id).localeCompare(String(b.Id))
        )
        .map((r) => ({ attributes: { type: object }, Id: r.Id, [field!]: r[field!] }));
      return { json: this.#page(rows, apiPath) };
    }
    return {
      status: 400,
      json: [{ errorCode: 'MALFORMED_QUERY', message: `the conversation fake cannot answer: ${soql}` }]
    };
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

  #byIds(object: string, ids: string[]): Array<Record<string, unknown>> {
    const rows: Array<Record<string, unknown>> = [];
    for (const id of ids) {
      if (object === 'Case') {
        const found = this.cases.get(id);
        if (!found) continue;
        rows.push({
          attributes: { type: 'Case' },
          ...found.record,
          EmailMessages: found.emails.length
            ? { totalSize: found.emails.length, done: true, records: found.emails }
            : null,
          CaseComments: found.comments.length
            ? { totalSize: found.comments.length, done: true, records: found.comments }
            : null
        });
      } else {
        const found = object === 'MessagingSession' ? this.sessions.get(id) : this.transcripts.get(id);
        if (found) rows.push({ attributes: { type: object }, ...found });
      }
    }
    return rows;
  }

  #all(object: string): Array<Record<string, unknown>> {
    if (object === 'Case')
      return [...this.cases.values()].map((c) => c.record as unknown as Record<string, unknown>);
    if (object === 'MessagingSession')
      return [...this.sessions.values()] as unknown as Array<Record<string, unknown>>;
    return [...this.transcripts.values()] as unknown as Array<Record<string, unknown>>;
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

export function registerConversationRoutes(
  server: FakeSalesforceServer,
  org: ConversationOrg,
  isValidToken: (token: string) => boolean
): void {
  const guard =
    (handler: (match: RouteMatch) => Reply) =>
    async (match: RouteMatch): Promise<Reply> => {
      if (org.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, org.delayMs));
      const token = /^Bearer (.+)$/.exec(match.request.headers.authorization ?? '')?.[1] ?? '';
      if (!isValidToken(token))
        return {
          status: 401,
          json: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]
        };
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
    'POST',
    /^\/services\/data\/v\d+\.\d\/composite\/batch$/,
    guard(({ request }) => org.batch(JSON.parse(request.body) as never)),
    'conversations.compositeBatch'
  );
}
