/**
 * Names and shapes of the Conversation_Closed__e platform event as the setup page sees them.
 * Inside the managed package every API name carries the `tethr__` prefix; deployed unpackaged
 * (a scratch org without namespace) it carries none. The component's own custom element name
 * tells which case we are in: `tethr-...` inside the package, `c-...` without a namespace.
 */
const EVENT_NAME = 'Conversation_Closed__e';
const DEFAULT_NAMESPACE = 'c';
const FIELD_NAMES = {
  recordId: 'Record_Id__c',
  objectType: 'Object_Type__c',
  closedAt: 'Closed_At__c',
  caseId: 'Case_Id__c',
  channel: 'Channel__c'
};

/** The namespace of a component from its host element, '' when deployed without one. */
export function namespaceOf(hostElement) {
  const tagName = hostElement && hostElement.tagName ? hostElement.tagName.toLowerCase() : '';
  const prefix = tagName.split('-')[0];
  return prefix && prefix !== DEFAULT_NAMESPACE ? prefix : '';
}

function qualified(namespace, apiName) {
  return namespace ? `${namespace}__${apiName}` : apiName;
}

/** The empApi channel of the event, e.g. /event/tethr__Conversation_Closed__e. */
export function eventTopic(namespace) {
  return `/event/${qualified(namespace, EVENT_NAME)}`;
}

/** Two record ids name the same record when their 15-character case-sensitive forms match. */
export function sameRecordId(left, right) {
  return Boolean(left) && Boolean(right) && left.substring(0, 15) === right.substring(0, 15);
}

/** Turns an empApi message into the row the page shows (record, object, channel, time). */
export function toNotification(message, namespace) {
  const data = (message && message.data) || {};
  const payload = data.payload || {};
  const read = (field) => payload[qualified(namespace, FIELD_NAMES[field])];
  const replayId = data.event ? data.event.replayId : undefined;
  return {
    key: `${replayId === undefined ? '' : replayId}-${read('recordId')}`,
    replayId,
    recordId: read('recordId'),
    recordUrl: read('recordId') ? `/lightning/r/${read('recordId')}/view` : undefined,
    objectType: read('objectType'),
    closedAt: read('closedAt'),
    caseId: read('caseId'),
    channel: read('channel')
  };
}
