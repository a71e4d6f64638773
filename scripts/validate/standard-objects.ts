/**
 * Standard objects and the standard fields our metadata may name. Offline there is no describe() to ask,
 * and neither source-deploy-retrieve nor @salesforce/types knows sObject fields, so this is an explicit
 * allow-list, checked by hand against the Salesforce Object Reference (developer.salesforce.com,
 * object_reference/sforce_api_objects_<object>.htm). A name that is missing here fails validation
 * on purpose: check it in the Object Reference, then add it.
 */
export const STANDARD_OBJECT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Case: [
    'Id',
    'CaseNumber',
    'Subject',
    'Description',
    'Status',
    'IsClosed',
    'ClosedDate',
    'Origin',
    'Priority',
    'Reason',
    'Type',
    'ContactId',
    'AccountId',
    'OwnerId',
    'ParentId',
    'SuppliedEmail',
    'SuppliedName',
    'SuppliedPhone',
    'SuppliedCompany',
    'CreatedDate',
    'LastModifiedDate',
    'SystemModstamp'
  ],
  CaseComment: ['Id', 'ParentId', 'CommentBody', 'IsPublished', 'CreatedById', 'CreatedDate'],
  EmailMessage: [
    'Id',
    'ParentId',
    'RelatedToId',
    'Subject',
    'TextBody',
    'HtmlBody',
    'FromAddress',
    'FromName',
    'ToAddress',
    'CcAddress',
    'Incoming',
    'MessageDate',
    'Status',
    'CreatedById',
    'CreatedDate'
  ],
  MessagingSession: [
    'Id',
    'Name',
    'Status',
    'CaseId',
    'ChannelType',
    'ChannelName',
    'ChannelGroup',
    'MessagingChannelId',
    'MessagingEndUserId',
    'ConversationId',
    'StartTime',
    'EndTime',
    'AcceptTime',
    'AgentType',
    'OwnerId',
    'Origin',
    'EndUserContactId',
    'EndUserAccountId',
    'CreatedDate',
    'LastModifiedDate'
  ],
  MessagingEndUser: ['Id', 'Name', 'ContactId', 'AccountId', 'MessageType', 'MessagingPlatformKey'],
  MessagingChannel: ['Id', 'DeveloperName', 'MasterLabel', 'MessageType'],
  ConversationEntry: [
    'Id',
    'ConversationId',
    'Message',
    'EntryTime',
    'ActorType',
    'ActorName',
    'ActorId',
    'EntryType',
    'Seq'
  ],
  LiveChatTranscript: [
    'Id',
    'Name',
    'Status',
    'CaseId',
    'Body',
    'StartTime',
    'EndTime',
    'RequestTime',
    'ChatKey',
    'ContactId',
    'AccountId',
    'OwnerId',
    'LiveChatVisitorId',
    'LiveChatButtonId',
    'LiveChatDeploymentId',
    'CreatedDate'
  ],
  LiveChatTranscriptEvent: ['Id', 'LiveChatTranscriptId', 'Type', 'Time', 'Detail', 'AgentId'],
  Contact: ['Id', 'FirstName', 'LastName', 'Name', 'Email', 'Phone', 'AccountId'],
  Account: ['Id', 'Name'],
  PermissionSet: [
    'Id',
    'Name',
    'Label',
    'Type',
    'IsOwnedByProfile',
    'NamespacePrefix',
    'Description',
    'PermissionsApiEnabled'
  ],
  PermissionSetAssignment: ['Id', 'AssigneeId', 'PermissionSetId', 'PermissionSetGroupId', 'IsActive'],
  PermissionSetLicenseAssign: ['Id', 'AssigneeId', 'PermissionSetLicenseId'],
  CustomNotificationType: ['Id', 'DeveloperName', 'CustomNotifTypeName', 'MasterLabel', 'NamespacePrefix'],
  User: [
    'Id',
    'FirstName',
    'LastName',
    'Name',
    'Email',
    'Username',
    // The fields a User insert requires (Object Reference, sforce_api_objects_user.htm), for the
    // setup page's Tethr_Set_Up_Integration_User flow.
    'Alias',
    'ProfileId',
    'TimeZoneSidKey',
    'LocaleSidKey',
    'EmailEncodingKey',
    'LanguageLocaleKey'
  ],
  // The setup objects the Tethr_Set_Up_Integration_User flow reads and creates (Object Reference:
  // sforce_api_objects_profile, _permissionsetlicense, _objectpermissions, _fieldpermissions).
  Profile: ['Id', 'Name'],
  PermissionSetLicense: ['Id', 'DeveloperName', 'MasterLabel'],
  ObjectPermissions: ['Id', 'ParentId', 'SobjectType', 'PermissionsRead'],
  FieldPermissions: ['Id', 'ParentId', 'SobjectType', 'Field', 'PermissionsRead']
};

/** Fields every record of a custom object kind has, by API-name suffix. */
export const IMPLICIT_FIELDS_BY_SUFFIX: Readonly<Record<string, readonly string[]>> = {
  __c: [
    'Id',
    'Name',
    'OwnerId',
    'CreatedDate',
    'CreatedById',
    'LastModifiedDate',
    'LastModifiedById',
    'SystemModstamp',
    'IsDeleted'
  ],
  __e: ['ReplayId', 'CreatedDate', 'CreatedById', 'EventUuid'],
  __mdt: ['Id', 'DeveloperName', 'MasterLabel', 'Label', 'NamespacePrefix', 'QualifiedApiName', 'Language']
};
