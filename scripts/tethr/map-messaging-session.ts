import type { CaptureChatContact, ParticipantType, TethrCapture } from './capture-model.ts';
import { chatCapture } from './capture-model.ts';
import type { MappingContext } from './mapping-context.ts';
import { present, splitName } from './person-name.ts';
import type { ConversationEntry, MessagingSessionRecord } from './salesforce-records.ts';
import { toUtcIso, widenWindow } from './utc-time.ts';
import { tethrSessionId } from '../contracts/org-connection.ts';

// Connect REST conversation entries name their sender by role (EndUser, Agent, Chatbot, System,
// ...) and subject (an id or a platform key). Only entries with text become messages; routing,
// participant-changed and other events carry no words for Tethr to analyse.
function participantType(role: string | null | undefined): ParticipantType {
  const value = (role ?? '').toLowerCase();
  if (value === 'enduser' || value === 'end_user' || value === 'customer') return 'Customer';
  if (value === 'agent' || value === 'supervisor') return 'Agent';
  if (value.includes('bot')) return 'Bot';
  return 'System';
}

export function mapMessagingSession(
  record: MessagingSessionRecord,
  entries: readonly ConversationEntry[],
  context: MappingContext
): TethrCapture {
  const customerId = record.MessagingEndUserId ?? `enduser:${record.Id}`;
  const participants = new Map<string, CaptureChatContact>();
  participants.set(customerId, {
    referenceId: customerId,
    type: 'Customer',
    ...splitName(record.MessagingEndUser),
    messages: []
  });
  const times: string[] = [];
  for (const entry of entries) {
    const content = entry.messageText?.trim();
    if (!content) continue;
    if (entry.entryType && entry.entryType.toLowerCase() !== 'message') continue;
    const stamp = entry.serverReceivedTimestamp ?? entry.clientTimestamp;
    if (stamp === null || stamp === undefined) continue;
    const type = participantType(entry.sender?.role);
    const subject = entry.sender?.subject?.trim();
    const referenceId =
      type === 'Customer'
        ? customerId
        : subject ||
          (type === 'Agent' && record.OwnerId ? record.OwnerId : `${type.toLowerCase()}:${record.Id}`);
    let participant = participants.get(referenceId);
    if (!participant) {
      const name = referenceId === record.OwnerId ? record.Owner : null;
      participant = { referenceId, type, ...splitName(name), messages: [] };
      participants.set(referenceId, participant);
    }
    const utcTimestamp = toUtcIso(stamp, `conversation entry ${entry.identifier ?? '?'} timestamp`);
    times.push(utcTimestamp);
    participant.messages.push({ content, utcTimestamp });
  }
  for (const participant of participants.values()) {
    participant.messages.sort((a, b) =>
      a.utcTimestamp < b.utcTimestamp ? -1 : a.utcTimestamp > b.utcTimestamp ? 1 : 0
    );
  }
  const start = toUtcIso(record.StartTime ?? record.CreatedDate, `MessagingSession ${record.Id} StartTime`);
  const end = record.EndTime ? toUtcIso(record.EndTime, `MessagingSession ${record.Id} EndTime`) : start;
  return chatCapture({
    sessionId: tethrSessionId(context.orgId, record.Id, context.sessionIdScheme),
    ...present({ caseReferenceId: record.CaseId }),
    ...widenWindow(start, end, times),
    participants: [...participants.values()],
    metadata: {
      salesforce: present({
        orgId: context.orgId,
        objectType: 'MessagingSession',
        recordId: record.Id,
        name: record.Name,
        channelType: record.ChannelType,
        channelName: record.ChannelName,
        conversationIdentifier: record.Conversation?.ConversationIdentifier
      })
    }
  });
}
