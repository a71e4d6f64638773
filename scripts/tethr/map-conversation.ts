import type { TethrCapture } from './capture-model.ts';
import { mapCase } from './map-case.ts';
import { mapChatTranscript } from './map-chat-transcript.ts';
import { mapMessagingSession } from './map-messaging-session.ts';
import type { MappingContext } from './mapping-context.ts';
import type { FetchedConversation } from './salesforce-records.ts';

/** Salesforce conversation -> the Tethr capture request for its channel. */
export function mapConversation(conversation: FetchedConversation, context: MappingContext): TethrCapture {
  switch (conversation.objectType) {
    case 'Case':
      return mapCase(conversation.record, conversation.emails, conversation.comments, context);
    case 'MessagingSession':
      return mapMessagingSession(conversation.record, conversation.entries, context);
    case 'LiveChatTranscript':
      return mapChatTranscript(conversation.record, context);
  }
}
