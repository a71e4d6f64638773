// The standard objects the fake org knows, with the fields describe reports for them and which
// of those take field-level security ("permissionable"). Which objects an org really has depends
// on its features (org-shapes.ts). Field facts follow Salesforce's object reference where it
// says; where it does not, the guess is conservative (system, auto-number and required fields
// are not permissionable), because the tooling must read `permissionable` from describe and not
// assume it.

export type Feature = 'core' | 'ServiceCloud' | 'Messaging' | 'LegacyChat';

export interface CatalogueField {
  name: string;
  type: string;
  permissionable: boolean;
  /** lookup fields: the relationship name and the object(s) it points to */
  relationshipName?: string;
  referenceTo?: string[];
}

export interface CatalogueObject {
  name: string;
  feature: Feature;
  /** object permissions (Read, Create, ...) can be granted on it: it is an ObjectPermissions SobjectType */
  permissionable: boolean;
  fields: CatalogueField[];
  /** parent-child relationships: relationship name -> child object and its lookup field */
  children?: Record<string, { object: string; field: string }>;
  createable?: boolean;
}

const system = (name: string, type = 'datetime'): CatalogueField => ({ name, type, permissionable: false });
const field = (name: string, type = 'string'): CatalogueField => ({ name, type, permissionable: true });
const lookup = (
  name: string,
  relationshipName: string,
  referenceTo: string[],
  permissionable = true
): CatalogueField => ({
  name,
  type: 'reference',
  permissionable,
  relationshipName,
  referenceTo
});
const id: CatalogueField = { name: 'Id', type: 'id', permissionable: false };
const audit = [
  system('CreatedDate'),
  lookup('CreatedById', 'CreatedBy', ['User'], false),
  system('LastModifiedDate')
];

export const CATALOGUE: readonly CatalogueObject[] = [
  {
    name: 'Case',
    feature: 'ServiceCloud',
    permissionable: true,
    createable: true,
    fields: [
      id,
      { name: 'CaseNumber', type: 'string', permissionable: false },
      field('Subject'),
      field('Description', 'textarea'),
      { name: 'Status', type: 'picklist', permissionable: false },
      field('Origin', 'picklist'),
      field('Priority', 'picklist'),
      field('Reason', 'picklist'),
      field('Type', 'picklist'),
      { name: 'IsClosed', type: 'boolean', permissionable: false },
      system('ClosedDate'),
      lookup('ContactId', 'Contact', ['Contact']),
      lookup('AccountId', 'Account', ['Account']),
      field('SuppliedName'),
      field('SuppliedEmail', 'email'),
      field('SuppliedPhone', 'phone'),
      lookup('OwnerId', 'Owner', ['User', 'Group'], false),
      ...audit
    ],
    children: {
      EmailMessages: { object: 'EmailMessage', field: 'ParentId' },
      CaseComments: { object: 'CaseComment', field: 'ParentId' }
    }
  },
  {
    name: 'EmailMessage',
    feature: 'ServiceCloud',
    permissionable: true,
    fields: [
      id,
      lookup('ParentId', 'Parent', ['Case'], false),
      field('MessageDate', 'datetime'),
      field('FromAddress', 'email'),
      field('FromName'),
      field('ToAddress'),
      field('CcAddress'),
      field('Incoming', 'boolean'),
      field('Subject'),
      field('TextBody', 'textarea'),
      field('HtmlBody', 'textarea'),
      ...audit
    ]
  },
  {
    name: 'CaseComment',
    feature: 'ServiceCloud',
    permissionable: true,
    fields: [
      id,
      lookup('ParentId', 'Parent', ['Case'], false),
      field('CommentBody', 'textarea'),
      field('IsPublished', 'boolean'),
      ...audit
    ]
  },
  {
    name: 'Contact',
    feature: 'core',
    permissionable: true,
    fields: [
      id,
      { name: 'Name', type: 'string', permissionable: false },
      field('FirstName'),
      { name: 'LastName', type: 'string', permissionable: false },
      field('Email', 'email'),
      field('Phone', 'phone'),
      ...audit
    ]
  },
  {
    name: 'User',
    feature: 'core',
    permissionable: false,
    createable: true,
    fields: [
      id,
      { name: 'Name', type: 'string', permissionable: false },
      { name: 'Username', type: 'string', permissionable: false },
      field('Email', 'email'),
      { name: 'Alias', type: 'string', permissionable: false },
      { name: 'IsActive', type: 'boolean', permissionable: false },
      lookup('ProfileId', 'Profile', ['Profile'], false),
      ...audit
    ]
  },
  {
    name: 'MessagingSession',
    feature: 'Messaging',
    permissionable: true,
    fields: [
      id,
      { name: 'Name', type: 'string', permissionable: false },
      { name: 'Status', type: 'picklist', permissionable: false },
      field('ChannelType', 'picklist'),
      field('ChannelName'),
      field('StartTime', 'datetime'),
      field('EndTime', 'datetime'),
      field('AcceptTime', 'datetime'),
      field('Origin', 'picklist'),
      lookup('CaseId', 'Case', ['Case']),
      lookup('ConversationId', 'Conversation', ['Conversation']),
      lookup('MessagingEndUserId', 'MessagingEndUser', ['MessagingEndUser'], false),
      lookup('OwnerId', 'Owner', ['User', 'Group'], false),
      ...audit
    ]
  },
  {
    name: 'MessagingEndUser',
    feature: 'Messaging',
    permissionable: true,
    fields: [
      id,
      { name: 'Name', type: 'string', permissionable: false },
      field('MessagingPlatformKey'),
      ...audit
    ]
  },
  {
    name: 'Conversation',
    feature: 'Messaging',
    permissionable: true,
    fields: [id, { name: 'ConversationIdentifier', type: 'string', permissionable: false }, ...audit]
  },
  {
    name: 'MessagingChannel',
    feature: 'Messaging',
    permissionable: true,
    fields: [id, { name: 'DeveloperName', type: 'string', permissionable: false }, ...audit]
  },
  {
    name: 'LiveChatTranscript',
    feature: 'LegacyChat',
    permissionable: true,
    fields: [
      id,
      { name: 'Name', type: 'string', permissionable: false },
      { name: 'Status', type: 'picklist', permissionable: false },
      field('Body', 'textarea'),
      field('StartTime', 'datetime'),
      field('EndTime', 'datetime'),
      field('RequestTime', 'datetime'),
      lookup('CaseId', 'Case', ['Case']),
      lookup('ContactId', 'Contact', ['Contact']),
      lookup('OwnerId', 'Owner', ['User', 'Group'], false),
      ...audit
    ]
  }
];

export function catalogueObject(name: string): CatalogueObject | undefined {
  return CATALOGUE.find((o) => o.name.toLowerCase() === name.toLowerCase());
}
