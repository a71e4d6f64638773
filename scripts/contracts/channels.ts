// The channel registry: the one place that says which Salesforce objects Tethr listens to, what
// "closed" means for each, which feature of the org brings the object, which package publishes
// its event, and exactly which objects and fields the relay reads for it. Fetchers build their
// SOQL from `reads`; the generated access permission set grants exactly `reads`; the validator,
// doctor, backfill, verify and the setup page all take their channel facts from here. Change a
// channel here and everything that depends on it moves with it.

export type Channel = 'Case' | 'MessagingSession' | 'LiveChatTranscript';

/** Where an object comes from: every Service Cloud org has Case; the others are feature-gated. */
export type OrgFeature = 'ServiceCloud' | 'Messaging' | 'LegacyChat';

/** Which managed package carries a channel's record-triggered flow. */
export type PackageKey = 'base' | 'messaging';

/**
 * What one SOQL query of a fetcher selects on one object. `fields` are the object's own fields;
 * `lookups` are fields read through a relationship (Contact.Email), grouped by the object the
 * relationship points to. `via` names the parent-child relationship when the object is read as
 * a subquery of the channel object (Case -> EmailMessages).
 */
export interface ObjectRead {
  object: string;
  fields: readonly string[];
  lookups?: readonly LookupRead[];
  via?: { parent: string; relationship: string; orderBy: string };
}

export interface LookupRead {
  /** relationship name on the reading object, e.g. Contact, Owner, CreatedBy */
  relationship: string;
  /** the object it points to; permissions are granted on this object */
  object: string;
  fields: readonly string[];
}

export interface ChannelDefinition {
  channel: Channel;
  /** the object whose close publishes Conversation_Closed__e (and whose id Record_Id__c holds) */
  object: string;
  /** shown to people: CLI tables, docs, setup page */
  label: string;
  feature: OrgFeature;
  /** the SOQL condition that means "this conversation is closed", and the field that says when */
  closed: { filter: string; closedAtField: string };
  /**
   * The record-triggered flow that publishes the event, and the package that ships it. Legacy
   * Chat has none: it was retired in February 2026, so only historical transcripts exist, which
   * backfill and verify read where the org still has the objects.
   */
  publisher: { package: PackageKey; flow: string } | null;
  /** which Tethr capture API takes the conversation */
  tethrKind: 'case' | 'chat';
  /** every object and field the fetchers select for this channel, query by query */
  reads: readonly ObjectRead[];
  /** why the channel's objects may be missing, for doctor and setup messages */
  missingHint: string;
}

export const CHANNELS: readonly Channel[] = ['Case', 'MessagingSession', 'LiveChatTranscript'];

export const CHANNEL_REGISTRY: Readonly<Record<Channel, ChannelDefinition>> = {
  Case: {
    channel: 'Case',
    object: 'Case',
    label: 'Cases',
    feature: 'ServiceCloud',
    closed: { filter: 'IsClosed = true', closedAtField: 'ClosedDate' },
    publisher: { package: 'base', flow: 'Tethr_Case_Closed' },
    tethrKind: 'case',
    reads: [
      {
        object: 'Case',
        fields: [
          'Id',
          'CaseNumber',
          'Subject',
          'Description',
          'Status',
          'Origin',
          'CreatedDate',
          'ClosedDate',
          'ContactId',
          'SuppliedName',
          'SuppliedEmail',
          'SuppliedPhone',
          'OwnerId'
        ],
        lookups: [
          {
            relationship: 'Contact',
            object: 'Contact',
            fields: ['Name', 'FirstName', 'LastName', 'Email', 'Phone']
          },
          { relationship: 'Owner', object: 'User', fields: ['Name'] }
        ]
      },
      {
        object: 'EmailMessage',
        via: { parent: 'Case', relationship: 'EmailMessages', orderBy: 'MessageDate' },
        fields: [
          'Id',
          'MessageDate',
          'CreatedDate',
          'CreatedById',
          'FromAddress',
          'FromName',
          'Incoming',
          'TextBody',
          'HtmlBody'
        ]
      },
      {
        object: 'CaseComment',
        via: { parent: 'Case', relationship: 'CaseComments', orderBy: 'CreatedDate' },
        fields: ['Id', 'CommentBody', 'CreatedDate', 'CreatedById'],
        lookups: [{ relationship: 'CreatedBy', object: 'User', fields: ['Name'] }]
      }
    ],
    missingHint: 'Every Service Cloud org has Case; if it is missing, the org has no Service Cloud licence.'
  },
  MessagingSession: {
    channel: 'MessagingSession',
    object: 'MessagingSession',
    label: 'Messaging sessions',
    feature: 'Messaging',
    closed: { filter: "Status = 'Ended'", closedAtField: 'EndTime' },
    publisher: { package: 'messaging', flow: 'Tethr_Messaging_Session_Ended' },
    tethrKind: 'chat',
    reads: [
      {
        object: 'MessagingSession',
        fields: [
          'Id',
          'Name',
          'Status',
          'ChannelType',
          'ChannelName',
          'CreatedDate',
          'StartTime',
          'EndTime',
          'CaseId',
          'ConversationId',
          'MessagingEndUserId',
          'OwnerId'
        ],
        lookups: [
          { relationship: 'Conversation', object: 'Conversation', fields: ['ConversationIdentifier'] },
          { relationship: 'MessagingEndUser', object: 'MessagingEndUser', fields: ['Name'] },
          { relationship: 'Owner', object: 'User', fields: ['Name'] }
        ]
      }
    ],
    missingHint:
      'MessagingSession exists only where Messaging for In-App and Web (or another Messaging channel) is enabled.'
  },
  LiveChatTranscript: {
    channel: 'LiveChatTranscript',
    object: 'LiveChatTranscript',
    label: 'Legacy chat transcripts',
    feature: 'LegacyChat',
    closed: { filter: "Status = 'Completed'", closedAtField: 'EndTime' },
    publisher: null,
    tethrKind: 'chat',
    reads: [
      {
        object: 'LiveChatTranscript',
        fields: [
          'Id',
          'Name',
          'Status',
          'Body',
          'CreatedDate',
          'StartTime',
          'EndTime',
          'RequestTime',
          'CaseId',
          'ContactId',
          'OwnerId'
        ],
        lookups: [
          { relationship: 'Contact', object: 'Contact', fields: ['Name', 'FirstName', 'LastName'] },
          { relationship: 'Owner', object: 'User', fields: ['Name'] }
        ]
      }
    ],
    missingHint:
      'LiveChatTranscript exists only in orgs that used legacy Chat (retired 14 February 2026); they keep their historical transcripts.'
  }
};

/**
 * Objects whose records every internal user can see whatever their permission sets say (user
 * names through Owner and CreatedBy): no object or field permission is granted or checked on them.
 */
export const ALWAYS_READABLE_OBJECTS: ReadonlySet<string> = new Set(['User']);

/** The objects that only exist when a feature is on; the base package must never reference them. */
export const FEATURE_GATED_OBJECTS: Readonly<Record<Exclude<OrgFeature, 'ServiceCloud'>, readonly string[]>> =
  {
    Messaging: [
      'MessagingSession',
      'MessagingEndUser',
      'MessagingChannel',
      'MessagingDeliveryError',
      'Conversation',
      'ConversationEntry',
      'ConversationParticipant'
    ],
    LegacyChat: [
      'LiveChatTranscript',
      'LiveChatTranscriptEvent',
      'LiveChatVisitor',
      'LiveChatButton',
      'LiveChatDeployment',
      'LiveAgentSession'
    ]
  };

export function channelDefinition(channel: Channel): ChannelDefinition {
  return CHANNEL_REGISTRY[channel];
}

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** The channel whose object has this API name (namespace-free), if any. */
export function channelForObject(object: string): Channel | undefined {
  return CHANNELS.find((channel) => CHANNEL_REGISTRY[channel].object === object);
}

/** The channels whose event a package's flows publish. */
export function channelsPublishedBy(pkg: PackageKey): Channel[] {
  return CHANNELS.filter((channel) => CHANNEL_REGISTRY[channel].publisher?.package === pkg);
}

/** The feature a channel needs, as the sentence an admin reads. */
export function featureName(feature: OrgFeature): string {
  return { ServiceCloud: 'Service Cloud', Messaging: 'Messaging', LegacyChat: 'legacy Chat' }[feature];
}

/** One field the relay reads, on the object where its permission lives. */
export interface FieldRead {
  object: string;
  field: string;
}

/**
 * Every (object, field) pair a channel's fetchers select, with relationship fields resolved to
 * the object they live on (Case.Contact.Email -> Contact.Email). This is what the access
 * permission set grants and what tests compare against the SOQL the fetchers really send.
 */
export function fieldReads(channel: Channel): FieldRead[] {
  const pairs = new Map<string, FieldRead>();
  const add = (object: string, field: string) => pairs.set(`${object}.${field}`, { object, field });
  for (const read of CHANNEL_REGISTRY[channel].reads) {
    for (const field of read.fields) add(read.object, field);
    for (const lookup of read.lookups ?? []) for (const field of lookup.fields) add(lookup.object, field);
  }
  return [...pairs.values()];
}

/** The objects a channel reads, in registry order, without repeats. */
export function objectsRead(channel: Channel): string[] {
  return [...new Set(fieldReads(channel).map((r) => r.object))];
}

/** The SELECT list of one ObjectRead: own fields, then relationship fields (Contact.Email). */
export function selectList(read: ObjectRead): string[] {
  return [
    ...read.fields,
    ...(read.lookups ?? []).flatMap((lookup) => lookup.fields.map((f) => `${lookup.relationship}.${f}`))
  ];
}

/** The ObjectRead of a channel for one object (the channel object itself by default). */
export function readOf(channel: Channel, object: string = CHANNEL_REGISTRY[channel].object): ObjectRead {
  const read = CHANNEL_REGISTRY[channel].reads.find((r) => r.object === object);
  if (!read) throw new Error(`Channel ${channel} declares no read of ${object}.`);
  return read;
}
