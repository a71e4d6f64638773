import type { TethrClient } from './tethr-client.ts';
import { TethrHttpError } from './tethr-errors.ts';

// Tethr's capture status API, as the current SDK (CollabIP/Tethr.sdk-dotnet, TethrCapture.cs and
// Model/SessionStatus*.cs) defines it:
//   GET  /capture/v2/status/{sessionId}             -> SessionStatus
//   POST /capture/v2/status  {sessionIds: [...]}    -> SessionStatusResponse {sessions: [...]}
// The SDK serialises camelCase with enums as strings (UseStringEnumConverter) and omits nulls.
// It is how we prove that what closed in Salesforce reached Tethr.

/** SessionStatuses, in the SDK's order (the order matters if Tethr ever answers with numbers). */
export const SESSION_STATUSES = [
  'Unknown',
  'InProgress',
  'Concluded',
  'Complete',
  'NotFound',
  'Excluded'
] as const;

/**
 * Unknown: Tethr returned no status. InProgress: still being captured. Concluded: complete but
 * still being processed. Complete: done. NotFound: Tethr has no interaction for the session.
 * Excluded: Tethr excluded it during processing (on purpose: not a delivery gap).
 */
export type SessionStatusValue = (typeof SESSION_STATUSES)[number];

export interface SessionStatus {
  status: SessionStatusValue;
  /** the Tethr interaction id ('' when Tethr has none) */
  id: string;
  sessionId: string;
  durationSec?: number;
}

export interface SessionStatusRequest {
  sessionIds: string[];
}

export interface SessionStatusResponse {
  sessions: SessionStatus[];
}

/** Tethr answered 2xx with something that is not the SDK's shape: fail loudly, never guess. */
export class TethrStatusAnswerError extends Error {
  constructor(what: string, problem: string) {
    super(`${what} answered in an unexpected shape: ${problem}`);
    this.name = 'TethrStatusAnswerError';
  }
}

export class TethrStatusClient {
  /** HTTP calls made, for reports and tests (one per batch, one per single look-up) */
  calls = 0;

  constructor(private readonly client: TethrClient) {}

  /** One session. An unknown session may come back as 404 (the SDK throws KeyNotFound) or NotFound. */
  async status(sessionId: string): Promise<SessionStatus> {
    const what = `Tethr status of ${sessionId}`;
    this.calls += 1;
    let text: string;
    try {
      text = await this.client.request(what, 'GET', `/capture/v2/status/${encodeURIComponent(sessionId)}`);
    } catch (error) {
      if (error instanceof TethrHttpError && error.status === 404)
        return { status: 'NotFound', id: '', sessionId };
      throw error;
    }
    return parseSessionStatus(parseJson(what, text), what);
  }

  /**
   * One bulk request for these sessions. Every id asked for is in the result: a session the
   * answer leaves out is Unknown ("Tethr didn't return a status", in the SDK's words).
   */
  async statuses(sessionIds: readonly string[]): Promise<Map<string, SessionStatus>> {
    const what = `Tethr status of ${sessionIds.length} session(s)`;
    const request: SessionStatusRequest = { sessionIds: [...sessionIds] };
    this.calls += 1;
    const answer = parseJson(what, await this.client.request(what, 'POST', '/capture/v2/status', request));
    if (
      typeof answer !== 'object' ||
      answer === null ||
      !Array.isArray((answer as { sessions?: unknown }).sessions)
    )
      throw new TethrStatusAnswerError(what, 'no "sessions" array');
    const asked = new Set(sessionIds);
    const result = new Map<string, SessionStatus>();
    for (const entry of (answer as { sessions: unknown[] }).sessions) {
      const status = parseSessionStatus(entry, what);
      if (asked.has(status.sessionId)) result.set(status.sessionId, status);
    }
    for (const sessionId of sessionIds)
      if (!result.has(sessionId)) result.set(sessionId, { status: 'Unknown', id: '', sessionId });
    return result;
  }
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TethrStatusAnswerError(what, `not JSON (${JSON.stringify(text.slice(0, 80))})`);
  }
}

function parseSessionStatus(value: unknown, what: string): SessionStatus {
  if (typeof value !== 'object' || value === null)
    throw new TethrStatusAnswerError(what, 'a session is not an object');
  const entry = value as Record<string, unknown>;
  if (typeof entry.sessionId !== 'string' || entry.sessionId === '')
    throw new TethrStatusAnswerError(what, 'a session has no "sessionId"');
  const status = statusValue(entry.status);
  if (!status) {
    throw new TethrStatusAnswerError(
      what,
      `session ${entry.sessionId} has status ${JSON.stringify(entry.status)}, which is none of ${SESSION_STATUSES.join(', ')}`
    );
  }
  return {
    status,
    id: typeof entry.id === 'string' ? entry.id : '',
    sessionId: entry.sessionId,
    ...(typeof entry.durationSec === 'number' ? { durationSec: entry.durationSec } : {})
  };
}

/** The SDK writes names; System.Text.Json also reads names case-insensitively and numbers. */
function statusValue(value: unknown): SessionStatusValue | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return SESSION_STATUSES[value];
  if (typeof value !== 'string') return undefined;
  return SESSION_STATUSES.find((name) => name.toLowerCase() === value.toLowerCase());
}
