import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNEL_REGISTRY, CHANNELS, fieldReads, type Channel } from '../../scripts/contracts/channels.ts';
import { latestClosedConversationQuery } from '../../scripts/contracts/channel-queries.ts';
import { caseQuery } from '../../scripts/relay/fetchers/case-fetcher.ts';
import { chatTranscriptQuery } from '../../scripts/relay/fetchers/chat-transcript-fetcher.ts';
import { messagingSessionQuery } from '../../scripts/relay/fetchers/messaging-session-fetcher.ts';
import { catalogueObject } from '../servers/salesforce/catalogue.ts';
import { parseSoql, type ParsedQuery } from '../servers/salesforce/soql.ts';

// One source of truth: the channel registry's `reads` is what the access permission set grants,
// so it must be exactly what the fetchers select. A field a fetcher selects that the registry
// lacks would be hidden by field-level security in a customer org; a field the registry grants
// that no fetcher selects is access the integration user does not need.

const FETCHER_QUERIES: Record<Channel, string> = {
  Case: caseQuery(['500000000000001AAA']),
  MessagingSession: messagingSessionQuery(['0Mw000000000001AAA']),
  LiveChatTranscript: chatTranscriptQuery(['570000000000001AAA'])
};

/** Every (object, field) a query reads, relationship paths resolved to the object they live on. */
function fieldsOf(query: ParsedQuery, object = query.object): string[] {
  const out: string[] = [];
  const resolve = (on: string, path: string) => {
    const [head, ...rest] = path.split('.');
    if (rest.length === 0) return out.push(`${on}.${head}`);
    const lookup = catalogueObject(on)?.fields.find((f) => f.relationshipName === head);
    assert.ok(lookup, `${on} has no relationship ${head}`);
    resolve(lookup.referenceTo![0]!, rest.join('.'));
  };
  for (const field of query.fields) resolve(object, field);
  for (const sub of query.subqueries) {
    const child = catalogueObject(object)?.children?.[sub.relationship];
    assert.ok(child, `${object} has no child relationship ${sub.relationship}`);
    out.push(...fieldsOf(sub.query, child.object));
  }
  return out;
}

describe('the channel registry and the fetchers read the same fields', () => {
  for (const channel of CHANNELS) {
    it(`${channel}: every field the fetcher selects is granted, and every granted field is selected`, () => {
      const selected = new Set(fieldsOf(parseSoql(FETCHER_QUERIES[channel])));
      const granted = new Set(fieldReads(channel).map((r) => `${r.object}.${r.field}`));
      assert.deepEqual(
        [...selected].filter((f) => !granted.has(f)).sort(),
        [],
        'selected but not in the registry'
      );
      assert.deepEqual(
        [...granted].filter((f) => !selected.has(f)).sort(),
        [],
        'in the registry but not selected'
      );
    });
    it(`${channel}: doctor's probe selects exactly what the fetcher selects`, () => {
      const probe = new Set(fieldsOf(parseSoql(latestClosedConversationQuery(channel))));
      const fetched = new Set(fieldsOf(parseSoql(FETCHER_QUERIES[channel])));
      assert.deepEqual([...probe].sort(), [...fetched].sort());
      assert.equal(
        parseSoql(latestClosedConversationQuery(channel)).object,
        CHANNEL_REGISTRY[channel].object
      );
    });
  }
});
