// The request bodies of Tethr's capture API, as the public SDK (CollabIP/Tethr.sdk-dotnet,
// src/Tethr.Sdk/Model/Capture*.cs) defines them. The SDK serialises with System.Text.Json in
// camelCase and omits nulls, so optional members here are left out rather than set to null.
// Times are ISO 8601 strings in UTC ("...Z"); the SDK rejects local or unspecified times.

export type ParticipantType = 'Agent' | 'Customer' | 'System' | 'Bot';

export interface CaptureChatMessage {
  content: string;
  utcTimestamp: string;
}

/** A participant of a case: the SDK's CaptureCaseContact. */
export interface CaptureCaseContact {
  referenceId: string;
  type: ParticipantType;
  firstName?: string;
  lastName?: string;
  email?: string;
  phoneNumber?: string;
}

/** A chat participant carries its own messages; otherwise it is the same contact as in a case. */
export interface CaptureChatContact extends CaptureCaseContact {
  messages: CaptureChatMessage[];
}

/** POST /capture/v2/chat */
export interface CaptureChatRequest {
  sessionId: string;
  masterId?: string;
  caseReferenceId?: string;
  collectionId?: string;
  utcStart: string;
  utcEnd: string;
  participants: CaptureChatContact[];
  metadata?: Record<string, unknown>;
}

export interface CaptureCaseMessage {
  utcTimestamp: string;
  /** must match the referenceId of one of the request's participants */
  senderReferenceId: string;
  channel: string;
  content: string;
}

/** POST /capture/v2/case (TethrCapture.UploadAsync(CaptureCaseRequest) in the SDK) */
export interface CaptureCaseRequest {
  sessionId: string;
  masterId?: string;
  collectionId?: string;
  utcStart: string;
  utcEnd: string;
  messages: CaptureCaseMessage[];
  participants: CaptureCaseContact[];
  metadata?: Record<string, unknown>;
}

export interface CaptureResponse {
  id: string;
}

/** A request ready to post: the path decides how Tethr reads the body. */
export type TethrCapture =
  | { kind: 'chat'; path: '/capture/v2/chat'; sessionId: string; request: CaptureChatRequest }
  | { kind: 'case'; path: '/capture/v2/case'; sessionId: string; request: CaptureCaseRequest };

export function chatCapture(request: CaptureChatRequest): TethrCapture {
  return { kind: 'chat', path: '/capture/v2/chat', sessionId: request.sessionId, request };
}

export function caseCapture(request: CaptureCaseRequest): TethrCapture {
  return { kind: 'case', path: '/capture/v2/case', sessionId: request.sessionId, request };
}
