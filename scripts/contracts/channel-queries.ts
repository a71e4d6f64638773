import { CHANNEL_REGISTRY, selectList, type Channel, type ObjectRead } from './channels.ts';

// SOQL built from the channel registry, so that what the relay selects, what doctor probes and
// what the access permission set grants are the same list by construction.

/** SELECT list of a channel's main object with its parent-child subqueries (Case -> EmailMessages). */
export function conversationSelect(channel: Channel): string {
  const definition = CHANNEL_REGISTRY[channel];
  const main = definition.reads.find((r) => r.object === definition.object && !r.via)!;
  const subqueries = definition.reads.filter((r) => r.via?.parent === definition.object).map(subquery);
  return [...selectList(main), ...subqueries].join(', ');
}

function subquery(read: ObjectRead): string {
  const via = read.via!;
  return `(SELECT ${selectList(read).join(', ')} FROM ${via.relationship} ORDER BY ${via.orderBy})`;
}

/** Conversations by id: what the fetchers send, one query per batch of ids. */
export function conversationsByIdQuery(channel: Channel, quotedIds: string): string {
  return `SELECT ${conversationSelect(channel)} FROM ${CHANNEL_REGISTRY[channel].object} WHERE Id IN (${quotedIds})`;
}

/** The most recently closed conversation, with every field the relay reads: doctor's probe. */
export function latestClosedConversationQuery(channel: Channel): string {
  const { object, closed } = CHANNEL_REGISTRY[channel];
  return `SELECT ${conversationSelect(channel)} FROM ${object} WHERE ${closed.filter} ORDER BY ${closed.closedAtField} DESC LIMIT 1`;
}
