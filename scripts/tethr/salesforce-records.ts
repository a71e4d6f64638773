// The shapes of the Salesforce records the relay reads (REST query results and Connect REST
// conversation entries). Only the fields the mapping uses are declared; everything may be null
// because field-level security can hide a field from the integration user.

export interface NamedRef {
  Name?: string | null;
  FirstName?: string | null;
  LastName?: string | null;
  Email?: string | null;
  Phone?: string | null;
}

export interface ChildRecords<T> {
  totalSize?: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

export interface EmailMessageRecord {
  Id: string;
  ParentId?: string | null;
  MessageDate?: string | null;
  CreatedDate: string;
  CreatedById?: string | null;
  FromAddress?: string | null;
  FromName?: string | null;
  Incoming?: boolean | null;
  TextBody?: string | null;
  HtmlBody?: string | null;
}

export interface CaseCommentRecord {
  Id: string;
  ParentId?: string | null;
  CommentBody?: string | null;
  CreatedDate: string;
  CreatedById?: string | null;
  CreatedBy?: NamedRef | null;
}

export interface CaseRecord {
  Id: string;
  CaseNumber?: string | null;
  Subject?: string | null;
  Description?: string | null;
  Status?: string | null;
  Origin?: string | null;
  CreatedDate: string;
  ClosedDate?: string | null;
  ContactId?: string | null;
  Contact?: NamedRef | null;
  SuppliedName?: string | null;
  SuppliedEmail?: string | null;
  SuppliedPhone?: string | null;
  OwnerId?: string | null;
  Owner?: NamedRef | null;
  EmailMessages?: ChildRecords<EmailMessageRecord> | null;
  CaseComments?: ChildRecords<CaseCommentRecord> | null;
}

export interface MessagingSessionRecord {
  Id: string;
  Name?: string | null;
  Status?: string | null;
  ChannelType?: string | null;
  ChannelName?: string | null;
  CreatedDate: string;
  StartTime?: string | null;
  EndTime?: string | null;
  CaseId?: string | null;
  ConversationId?: string | null;
  Conversation?: { ConversationIdentifier?: string | null } | null;
  MessagingEndUserId?: string | null;
  MessagingEndUser?: NamedRef | null;
  OwnerId?: string | null;
  Owner?: NamedRef | null;
}

/** One item of GET /connect/conversation/{conversationIdentifier}/entries (conversationEntries[]). */
export interface ConversationEntry {
  identifier?: string;
  entryType?: string;
  messageText?: string | null;
  clientTimestamp?: number | null;
  serverReceivedTimestamp?: number | null;
  sender?: { role?: string | null; subject?: string | null; appType?: string | null } | null;
}

export interface LiveChatTranscriptRecord {
  Id: string;
  Name?: string | null;
  Status?: string | null;
  Body?: string | null;
  CreatedDate: string;
  StartTime?: string | null;
  EndTime?: string | null;
  RequestTime?: string | null;
  CaseId?: string | null;
  ContactId?: string | null;
  Contact?: NamedRef | null;
  OwnerId?: string | null;
  Owner?: NamedRef | null;
}

/** What a fetcher hands to the mapping: the record plus whatever had to be read separately. */
export type FetchedConversation =
  | { objectType: 'Case'; record: CaseRecord; emails: EmailMessageRecord[]; comments: CaseCommentRecord[] }
  | { objectType: 'MessagingSession'; record: MessagingSessionRecord; entries: ConversationEntry[] }
  | { objectType: 'LiveChatTranscript'; record: LiveChatTranscriptRecord };
