import type { CaptureChatContact, TethrCapture } from './capture-model.ts';
import { chatCapture } from './capture-model.ts';
import type { MappingContext } from './mapping-context.ts';
import { present, splitName } from './person-name.ts';
import type { LiveChatTranscriptRecord } from './salesforce-records.ts';
import { parseTranscriptBody } from './transcript-body.ts';
import { toUtcIso, widenWindow } from './utc-time.ts';
import { tethrSessionId } from '../contracts/org-connection.ts';

// Speakers are known only by display name. A name from the "Agent ..." header or equal to the
// transcript owner's name is the agent; everyone else is the visitor (the customer).
export function mapChatTranscript(record: LiveChatTranscriptRecord, context: MappingContext): TethrCapture {
  const parsed = parseTranscriptBody(record.Body ?? '');
  const startIso = toUtcIso(
    record.StartTime ?? record.RequestTime ?? record.CreatedDate,
    `LiveChatTranscript ${record.Id} StartTime`
  );
  const startMs = Date.parse(startIso);
  const agentNames = new Set(parsed.agentNames.map((name) => name.toLowerCase()));
  if (record.Owner?.Name) agentNames.add(record.Owner.Name.toLowerCase());

  const customerId = record.ContactId ?? `visitor:${record.Id}`;
  const participants = new Map<string, CaptureChatContact>();
  participants.set(customerId, {
    referenceId: customerId,
    type: 'Customer',
    ...splitName(record.Contact),
    messages: []
  });
  const times: string[] = [];
  for (const line of parsed.lines) {
    const isAgent = agentNames.has(line.speaker.toLowerCase());
    const referenceId = !isAgent
      ? customerId
      : record.Owner?.Name?.toLowerCase() === line.speaker.toLowerCase() && record.OwnerId
        ? record.OwnerId
        : `agent:${line.speaker}`;
    let participant = participants.get(referenceId);
    if (!participant) {
      participant = { referenceId, type: 'Agent', ...splitName(null, line.speaker), messages: [] };
      participants.set(referenceId, participant);
    }
    const utcTimestamp = new Date(startMs + line.offsetSeconds * 1000).toISOString();
    times.push(utcTimestamp);
    participant.messages.push({ content: line.text, utcTimestamp });
  }
  const end = record.EndTime ? toUtcIso(record.EndTime, `LiveChatTranscript ${record.Id} EndTime`) : startIso;
  return chatCapture({
    sessionId: tethrSessionId(context.orgId, record.Id, context.sessionIdScheme),
    ...present({ caseReferenceId: record.CaseId }),
    ...widenWindow(startIso, end, times),
    participants: [...participants.values()],
    metadata: {
      salesforce: present({
        orgId: context.orgId,
        objectType: 'LiveChatTranscript',
        recordId: record.Id,
        name: record.Name
      })
    }
  });
}
