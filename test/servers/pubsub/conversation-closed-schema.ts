import { createHash } from 'node:crypto';

// The Avro schema Salesforce generates for the Conversation_Closed__e platform event: a record in
// namespace com.sforce.eventbus, CreatedDate as long epoch milliseconds, CreatedById as string,
// and every custom field as an optional ["null", T] union with default null (DateTime -> long).
export function conversationClosedSchema(namespace: '' | 'tethr' = ''): { json: string; id: string } {
  const prefix = namespace ? `${namespace}__` : '';
  const schema = {
    type: 'record',
    name: `${prefix}Conversation_Closed__e`,
    namespace: 'com.sforce.eventbus',
    fields: [
      { name: 'CreatedDate', type: 'long', doc: 'CreatedDate:DateTime' },
      { name: 'CreatedById', type: 'string', doc: 'CreatedBy:EntityId' },
      {
        name: `${prefix}Record_Id__c`,
        type: ['null', 'string'],
        doc: 'Data:Text:00N000000000001',
        default: null
      },
      {
        name: `${prefix}Object_Type__c`,
        type: ['null', 'string'],
        doc: 'Data:Text:00N000000000002',
        default: null
      },
      {
        name: `${prefix}Closed_At__c`,
        type: ['null', 'long'],
        doc: 'Data:DateTime:00N000000000003',
        default: null
      },
      {
        name: `${prefix}Case_Id__c`,
        type: ['null', 'string'],
        doc: 'Data:Text:00N000000000004',
        default: null
      },
      {
        name: `${prefix}Channel__c`,
        type: ['null', 'string'],
        doc: 'Data:Text:00N000000000005',
        default: null
      }
    ]
  };
  const json = JSON.stringify(schema);
  // Salesforce schema ids are opaque short strings; a hash of the schema keeps ours stable.
  return { json, id: createHash('sha256').update(json).digest('base64url').slice(0, 22) };
}

export interface ClosedEventFields {
  recordId: string;
  objectType: 'Case' | 'MessagingSession' | 'LiveChatTranscript';
  closedAt?: number;
  caseId?: string | null;
  channel?: string | null;
}

/** Fields object for avsc, with the namespace prefix the schema uses. */
export function closedEventRecord(
  fields: ClosedEventFields,
  namespace: '' | 'tethr' = ''
): Record<string, unknown> {
  const prefix = namespace ? `${namespace}__` : '';
  const now = fields.closedAt ?? Date.now();
  return {
    CreatedDate: now,
    CreatedById: '005000000000001AAA',
    [`${prefix}Record_Id__c`]: fields.recordId,
    [`${prefix}Object_Type__c`]: fields.objectType,
    [`${prefix}Closed_At__c`]: now,
    [`${prefix}Case_Id__c`]: fields.caseId ?? null,
    [`${prefix}Channel__c`]: fields.channel ?? null
  };
}
