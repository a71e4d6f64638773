import type { FakeConversationEntries } from './conversation-entries.ts';
import type { FakeOrgData } from './org-data.ts';

// Conversations as a real org stores them: separate records linked by lookups (Case -> Contact,
// EmailMessage.ParentId -> Case, MessagingSession -> Conversation, MessagingEndUser), so the
// SOQL evaluator answers relationship fields and subqueries from them, returning only what a
// query selects. Times are stored in the REST API's format (2026-11-25T18:39:43.000+0000).

export function sfDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export const AGENT_ID = '005000000000002AAA';

export function ensureAgent(org: FakeOrgData): void {
  if (!org.findById(AGENT_ID))
    org.add('User', { Id: AGENT_ID, Name: 'Alex Agent', Username: 'alex@acme.example', IsActive: true });
}

export function addClosedCase(
  org: FakeOrgData,
  closedAt: number,
  options: { emails?: number; comments?: number } = {}
): string {
  ensureAgent(org);
  const created = closedAt - 3_600_000;
  const contact = org.add('Contact', {
    Name: 'Pat Customer',
    FirstName: 'Pat',
    LastName: 'Customer',
    Email: 'pat@example.com',
    Phone: '+1 555 0100'
  });
  const record = org.add('Case', {
    CaseNumber: String(1000 + org.all('Case').length),
    Subject: 'Order not delivered',
    Description: 'My order #42 has not arrived.',
    Status: 'Closed',
    IsClosed: true,
    Origin: 'Email',
    Priority: 'Medium',
    CreatedDate: sfDate(created),
    ClosedDate: sfDate(closedAt),
    ContactId: contact.Id,
    SuppliedName: null,
    SuppliedEmail: null,
    SuppliedPhone: null,
    OwnerId: AGENT_ID,
    CreatedById: AGENT_ID
  });
  for (let i = 0; i < (options.emails ?? 2); i += 1) {
    const incoming = i % 2 === 0;
    org.add('EmailMessage', {
      ParentId: record.Id,
      MessageDate: sfDate(created + (i + 1) * 60_000),
      CreatedDate: sfDate(created + (i + 1) * 60_000),
      CreatedById: incoming ? '005000000000009AAA' : AGENT_ID,
      FromAddress: incoming ? 'pat@example.com' : 'agent@acme.example',
      FromName: incoming ? 'Pat Customer' : 'Alex Agent',
      ToAddress: incoming ? 'support@acme.example' : 'pat@example.com',
      Incoming: incoming,
      Subject: 'Re: order',
      TextBody: incoming ? `Where is my order? (${i})` : `It ships tomorrow. (${i})`,
      HtmlBody: null
    });
  }
  for (let i = 0; i < (options.comments ?? 1); i += 1) {
    org.add('CaseComment', {
      ParentId: record.Id,
      CommentBody: `Internal note ${i}`,
      CreatedDate: sfDate(created + 30 * 60_000 + i * 1000),
      CreatedById: AGENT_ID,
      IsPublished: false
    });
  }
  return record.Id;
}

export function addEndedMessagingSession(
  org: FakeOrgData,
  endedAt: number,
  entries?: FakeConversationEntries
): { id: string; conversationIdentifier: string } {
  ensureAgent(org);
  const start = endedAt - 600_000;
  const conversation = org.add('Conversation', {
    ConversationIdentifier: `conv-${org.newId('Conversation').toLowerCase()}`
  });
  const endUser = org.add('MessagingEndUser', { Name: 'Sam Visitor', MessagingPlatformKey: 'v-1' });
  const session = org.add('MessagingSession', {
    Name: `MS-${org.all('MessagingSession').length}`,
    Status: 'Ended',
    ChannelType: 'EmbeddedMessaging',
    ChannelName: 'Web',
    CreatedDate: sfDate(start),
    StartTime: sfDate(start),
    EndTime: sfDate(endedAt),
    CaseId: null,
    ConversationId: conversation.Id,
    MessagingEndUserId: endUser.Id,
    OwnerId: AGENT_ID
  });
  const identifier = String(conversation.ConversationIdentifier);
  entries?.byConversation.set(identifier, [
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
      sender: { role: 'Agent', subject: AGENT_ID, appType: 'agent' }
    },
    {
      identifier: 'e3',
      entryType: 'RoutingWorkResult',
      messageText: null,
      serverReceivedTimestamp: start + 5_000,
      sender: { role: 'System', subject: 'sys', appType: 'routing' }
    }
  ]);
  return { id: session.Id, conversationIdentifier: identifier };
}

export function addCompletedChatTranscript(org: FakeOrgData, endedAt: number): string {
  ensureAgent(org);
  const start = endedAt - 300_000;
  return org.add('LiveChatTranscript', {
    Name: `LCT-${org.all('LiveChatTranscript').length}`,
    Status: 'Completed',
    Body:
      '<p align="center">Chat Started: Monday, November 23, 2026, 10:00:00 (+0000)</p><p align="center">Chat Origin: Web</p>' +
      '<p align="center">Agent Alex A</p>( 5s ) Alex A: Hello, how can I help?<br>( 1m 2s ) Visitor: My &quot;router&quot; is broken<br>( 2m 0s ) Alex A: Let me check.<br>',
    CreatedDate: sfDate(start),
    StartTime: sfDate(start),
    EndTime: sfDate(endedAt),
    RequestTime: sfDate(start - 5000),
    CaseId: null,
    ContactId: null,
    OwnerId: AGENT_ID
  }).Id;
}
