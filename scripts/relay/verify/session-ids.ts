import { tethrSessionId, type SessionIdScheme } from '../../contracts/org-connection.ts';

// Reconciliation looks every closed record up in Tethr under the sessionId the relay sends it
// with: tethrSessionId and the same scheme. A wrong scheme would make everything look missing
// and a resend would store every conversation a second time, so both are guarded (below).

export const SESSION_ID_SCHEMES: readonly SessionIdScheme[] = ['org-and-record', 'record-id'];

export function sessionIdOf(orgId: string, recordId: string, scheme: SessionIdScheme): string {
  return tethrSessionId(orgId, recordId, scheme);
}

export function otherScheme(scheme: SessionIdScheme): SessionIdScheme {
  return scheme === 'record-id' ? 'org-and-record' : 'record-id';
}

/** Tethr holds this org's sessions under the other scheme: nothing was checked or resent. */
export class SessionIdSchemeDetected extends Error {
  constructor(
    readonly used: SessionIdScheme,
    readonly found: SessionIdScheme,
    readonly example: string
  ) {
    super(`Tethr knows this org's sessions under the ${found} scheme (e.g. ${example}), not ${used}.`);
    this.name = 'SessionIdSchemeDetected';
  }
}

/** The delivery path produced a sessionId other than the one reconciliation looked up. */
export class SessionIdSchemeMismatch extends Error {
  constructor(
    readonly sent: string,
    readonly expected: string
  ) {
    super(`The delivery path would send sessionId ${sent}, but reconciliation looked up ${expected}.`);
    this.name = 'SessionIdSchemeMismatch';
  }
}

/** Some missing conversations are in Tethr under the other scheme: resending would duplicate them. */
export class ResendWouldDuplicate extends Error {
  constructor(
    readonly used: SessionIdScheme,
    readonly found: SessionIdScheme,
    readonly count: number,
    readonly example: string
  ) {
    super(
      `${count} of the missing conversations are in Tethr under the ${found} scheme (e.g. ${example}); resending them under ${used} would store them twice.`
    );
    this.name = 'ResendWouldDuplicate';
  }
}
