/**
 * The channels Tethr listens to and exactly which objects and fields the relay reads for each,
 * as the setup page needs them: to list what the integration user must be able to read in THIS
 * org, to check it, and to pass the list to the Tethr_Set_Up_Integration_User flow.
 *
 * Source of truth: scripts/contracts/channels.ts (CHANNEL_REGISTRY, fieldReads(),
 * ALWAYS_READABLE_OBJECTS). An LWC cannot import TypeScript, so the list is repeated here;
 * test/contracts/lwc-channel-list.test.ts fails as soon as the two differ. Change the registry
 * first, then this file.
 *
 * Object API names are plain strings on purpose: a `@salesforce/schema/MessagingSession` import
 * would make the base package depend on Messaging, which many Service Cloud orgs do not have.
 */

export const CHANNEL_LIST = [
  {
    channel: 'Case',
    object: 'Case',
    feature: 'ServiceCloud',
    reads: {
      Case: [
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
      Contact: ['Name', 'FirstName', 'LastName', 'Email', 'Phone'],
      User: ['Name'],
      EmailMessage: [
        'Id',
        'MessageDate',
        'CreatedDate',
        'CreatedById',
        'FromAddress',
        'FromName',
        'Incoming',
        'TextBody',
        'HtmlBody'
      ],
      CaseComment: ['Id', 'CommentBody', 'CreatedDate', 'CreatedById']
    }
  },
  {
    channel: 'MessagingSession',
    object: 'MessagingSession',
    feature: 'Messaging',
    reads: {
      MessagingSession: [
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
      Conversation: ['ConversationIdentifier'],
      MessagingEndUser: ['Name'],
      User: ['Name']
    }
  },
  {
    channel: 'LiveChatTranscript',
    object: 'LiveChatTranscript',
    feature: 'LegacyChat',
    reads: {
      LiveChatTranscript: [
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
      Contact: ['Name', 'FirstName', 'LastName'],
      User: ['Name']
    }
  }
];

/** Objects every internal user can read whatever their permission sets say: nothing to grant or check. */
export const ALWAYS_READABLE_OBJECTS = ['User'];

/**
 * Fields that no permission set can grant or withhold: readable by anyone who can read the
 * object (record ids, audit fields, the owner, auto-number and name fields). Salesforce refuses a
 * FieldPermissions record for them (Field is a restricted picklist), so the page neither checks
 * nor requests them. Fields that UI API reports as required or as the object's name field are
 * treated the same way at run time. UNCONFIRMED beyond this list: a field wrongly left out of it is
 * requested, and Salesforce then refuses it loudly, naming the field.
 */
export const ALWAYS_READABLE_FIELDS = [
  'Id',
  'CreatedDate',
  'CreatedById',
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
  'OwnerId',
  'Case.CaseNumber',
  'Contact.Name',
  'MessagingSession.Name',
  'MessagingEndUser.Name',
  'LiveChatTranscript.Name'
];

/** Every object any channel reads, channel objects first, without repeats. */
export function allObjects() {
  const objects = CHANNEL_LIST.map((channel) => channel.object);
  for (const channel of CHANNEL_LIST) {
    objects.push(...Object.keys(channel.reads));
  }
  return [...new Set(objects)];
}

/** The channels whose object exists in the org, given the set of objects the org has. */
export function channelsIn(presentObjects) {
  return CHANNEL_LIST.filter((channel) => presentObjects.has(channel.object)).map(
    (channel) => channel.channel
  );
}

/**
 * What the integration user needs for the given channels: one entry per object (in a stable
 * order), each with the fields read on it. Objects every user can read are left out.
 */
export function readsFor(channels) {
  const byObject = new Map();
  for (const channel of CHANNEL_LIST.filter((candidate) => channels.includes(candidate.channel))) {
    for (const [object, fields] of Object.entries(channel.reads)) {
      if (ALWAYS_READABLE_OBJECTS.includes(object)) {
        continue;
      }
      const known = byObject.get(object) || [];
      byObject.set(object, [...new Set([...known, ...fields])]);
    }
  }
  return [...byObject.entries()].map(([object, fields]) => ({ object, fields }));
}

/** Whether a field needs its own field permission (see ALWAYS_READABLE_FIELDS). */
export function needsFieldPermission(object, field, fieldInfo) {
  if (ALWAYS_READABLE_FIELDS.includes(field) || ALWAYS_READABLE_FIELDS.includes(`${object}.${field}`)) {
    return false;
  }
  return !(fieldInfo && (fieldInfo.required === true || fieldInfo.nameField === true));
}
