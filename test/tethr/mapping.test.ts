import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptureCaseRequest, CaptureChatRequest } from '../../scripts/tethr/capture-model.ts';
import { mapConversation } from '../../scripts/tethr/map-conversation.ts';
import { parseTranscriptBody } from '../../scripts/tethr/transcript-body.ts';
import { toUtcIso } from '../../scripts/tethr/utc-time.ts';
import { ConversationOrg } from '../relay/helpers/fake-conversations.ts';
import { validateCase, validateChat } from '../servers/tethr/capture-validation.ts';

const context = { orgId: '00D000000000001EAA' };

describe('Salesforce -> Tethr mapping', () => {
  it('turns Salesforce date-times (+0000) and epoch ms into UTC ISO strings', () => {
    assert.equal(toUtcIso('2026-11-25T18:39:43.000+0000', 'x'), '2026-11-25T18:39:43.000Z');
    assert.equal(toUtcIso('2026-11-25T19:39:43.000+0100', 'x'), '2026-11-25T18:39:43.000Z');
    assert.equal(toUtcIso(0, 'x'), '1970-01-01T00:00:00.000Z');
    assert.throws(
      () => toUtcIso('yesterday', 'Case 500 ClosedDate'),
      /Case 500 ClosedDate is not a valid date-time/
    );
  });

  it('maps a Case with EmailMessages and CaseComments to a valid CaptureCaseRequest', () => {
    const org = new ConversationOrg();
    const id = org.addCase(Date.parse('2026-11-25T12:00:00Z'), { emails: 3, comments: 2 });
    const { record, emails, comments } = org.cases.get(id)!;
    const capture = mapConversation({ objectType: 'Case', record, emails, comments }, context);
    assert.equal(capture.path, '/capture/v2/case');
    const request = capture.request as CaptureCaseRequest;
    assert.deepEqual(validateCase(request as never), []);
    assert.equal(request.sessionId, `00D000000000001:${id}`, 'org and record id (tethrSessionId)');
    assert.equal(request.messages.length, 1 + 3 + 2);
    assert.equal(request.messages[0]!.content, 'Order not delivered\n\nMy order #42 has not arrived.');
    assert.equal(request.messages[0]!.channel, 'email');
    const customer = request.participants.find((p) => p.type === 'Customer')!;
    assert.deepEqual(customer, {
      referenceId: record.ContactId,
      type: 'Customer',
      firstName: 'Pat',
      lastName: 'Customer',
      email: 'pat@example.com'
    });
    const agent = request.participants.find((p) => p.type === 'Agent')!;
    assert.equal(agent.referenceId, '005000000000002AAA');
    assert.deepEqual(
      request.messages
        .slice(1)
        .filter((m) => m.channel === 'email')
        .map((m) => m.senderReferenceId),
      [record.ContactId, '005000000000002AAA', record.ContactId]
    );
    assert.ok(
      request.messages.every((m, i, all) => i === 0 || all[i - 1]!.utcTimestamp <= m.utcTimestamp),
      'time order'
    );
    assert.equal((request.metadata!.salesforce as Record<string, unknown>).caseNumber, record.CaseNumber);
    assert.ok(!JSON.stringify(request).includes('null'), 'nulls are omitted');
  });

  it('maps a Messaging session from Connect conversation entries, text entries only', () => {
    const org = new ConversationOrg();
    const id = org.addMessagingSession(Date.parse('2026-11-25T12:00:00Z'));
    const record = org.sessions.get(id)!;
    const entries = org.entries.get(record.Conversation!.ConversationIdentifier!)!;
    const capture = mapConversation({ objectType: 'MessagingSession', record, entries }, context);
    const request = capture.request as CaptureChatRequest;
    assert.equal(capture.path, '/capture/v2/chat');
    assert.deepEqual(validateChat(request as never), []);
    assert.deepEqual(
      request.participants.map((p) => [p.type, p.messages.map((m) => m.content)]),
      [
        ['Customer', ['Hi, I need help']],
        ['Agent', ['Sure, what is up?']]
      ]
    );
    assert.equal(request.participants[0]!.referenceId, record.MessagingEndUserId);
  });

  it('parses a LiveChatTranscript Body into timed messages per participant', () => {
    const org = new ConversationOrg();
    const id = org.addChatTranscript(Date.parse('2026-11-25T12:00:00Z'));
    const record = org.transcripts.get(id)!;
    const parsed = parseTranscriptBody(record.Body!);
    assert.deepEqual(parsed.agentNames, ['Alex A']);
    assert.deepEqual(parsed.lines, [
      { offsetSeconds: 5, speaker: 'Alex A', text: 'Hello, how can I help?' },
      { offsetSeconds: 62, speaker: 'Visitor', text: 'My "router" is broken\nit blinks red' },
      { offsetSeconds: 120, speaker: 'Alex A', text: 'Let me check.' }
    ]);
    const request = mapConversation({ objectType: 'LiveChatTranscript', record }, context)
      .request as CaptureChatRequest;
    assert.deepEqual(validateChat(request as never), []);
    const agent = request.participants.find((p) => p.type === 'Agent')!;
    assert.equal(agent.referenceId, '005000000000002AAA');
    assert.equal(
      agent.messages[0]!.utcTimestamp,
      new Date(Date.parse('2026-11-25T11:55:00Z') + 5000).toISOString()
    );
  });

  it('widens the session window so every message lies inside it (Tethr rejects otherwise)', () => {
    const org = new ConversationOrg();
    const id = org.addCase(Date.parse('2026-11-25T12:00:00Z'));
    const found = org.cases.get(id)!;
    found.emails[0]!.MessageDate = '2026-11-26T09:00:00.000+0000'; // an e-mail after the close
    const request = mapConversation(
      { objectType: 'Case', record: found.record, emails: found.emails, comments: found.comments },
      context
    ).request as CaptureCaseRequest;
    assert.equal(request.utcEnd, '2026-11-26T09:00:00.000Z');
    assert.deepEqual(validateCase(request as never), []);
  });
});
