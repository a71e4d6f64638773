import { isChannel, type Channel } from '../contracts/channels.ts';

/** A Conversation_Closed__e event as the relay works with it, namespace prefixes removed. */
export interface ClosedEvent {
  /** the event UUID (ProducerEvent.id), stable across redeliveries */
  eventId: string;
  replayId: Buffer;
  schemaId: string;
  createdDate: number | null;
  createdById: string | null;
  recordId: string | null;
  objectType: Channel | null;
  closedAt: number | null;
  caseId: string | null;
  channel: string | null;
  /** every decoded field as received (with its namespace prefix), for --mode events */
  fields: Record<string, unknown>;
}

// Field names repeat on every event; strip each name's namespace once and remember it.
const PLAIN_NAMES = new Map<string, string>();

function plainName(name: string): string {
  let plain = PLAIN_NAMES.get(name);
  if (plain === undefined) {
    plain = name.replace(/^[A-Za-z0-9]+__(?=.+__c$)/, '');
    PLAIN_NAMES.set(name, plain);
  }
  return plain;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function time(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/**
 * Reads the fields it needs in one pass over the decoded record (`tethr__Record_Id__c` and
 * `Record_Id__c` both count as `Record_Id__c`); this runs once per event on the relay's hot path.
 */
export function toClosedEvent(
  eventId: string,
  schemaId: string,
  replayId: Buffer,
  fields: Record<string, unknown>
): ClosedEvent {
  const event: ClosedEvent = {
    eventId,
    replayId,
    schemaId,
    createdDate: null,
    createdById: null,
    recordId: null,
    objectType: null,
    closedAt: null,
    caseId: null,
    channel: null,
    fields
  };
  for (const name in fields) {
    const value = fields[name];
    switch (plainName(name)) {
      case 'CreatedDate':
        event.createdDate = time(value);
        break;
      case 'CreatedById':
        event.createdById = text(value);
        break;
      case 'Record_Id__c':
        event.recordId = text(value);
        break;
      case 'Object_Type__c': {
        const objectType = text(value);
        event.objectType = isChannel(objectType) ? objectType : null;
        break;
      }
      case 'Closed_At__c':
        event.closedAt = time(value);
        break;
      case 'Case_Id__c':
        event.caseId = text(value);
        break;
      case 'Channel__c':
        event.channel = text(value);
        break;
    }
  }
  return event;
}
