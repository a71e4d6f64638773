import { Flags } from '@salesforce/sf-plugins-core';
import { tethrSessionId, type OrgConnection, type SessionIdScheme } from '../contracts/org-connection.ts';
import { readConnection } from '../org/connection-files.ts';
import {
  DEAD_LETTER_REASONS,
  DeadLetterFile,
  type DeadLetterStore,
  type DeadLetterSummary
} from '../relay/dead-letters.ts';
import { defaultCheckpointPath, defaultDeadLetterPath } from '../relay/default-paths.ts';
import { recordIdOf } from '../relay/verify/retry-dead-letters.ts';
import { loadMessages } from '../shared/messages.ts';
import {
  openServiceOrg,
  resolveSessionIdScheme,
  sessionIdSchemeFlag,
  type ServiceOrg
} from './service-org.ts';
import { connectionFlags } from './window-flags.ts';
import { databaseUrlFlag } from './relay-flags.ts';

// What `dead-letters list|show|retry` share: which dead letters they work on, and how a letter
// is shown. A dead-letter file (--dead-letter, or next to --checkpoint, or the relay's default for
// the org of --connection) for `tethr-sf relay` and `backfill`; the relay service's database for
// one org (--org-id with --database-url or TETHR_DATABASE_URL). A letter is shown with its reason,
// when, which record and its Tethr session id; never its payload (customer text) unless asked.

export const messages = loadMessages('dead-letters');

const WHERE = ['dead-letter', 'checkpoint', 'org-id'];

export const deadLetterSourceFlags = {
  'dead-letter': Flags.file({
    summary:
      "Dead-letter file of `tethr-sf relay` or `backfill` (default: next to the relay's checkpoint for the org of --connection, .tethr/relay-<orgId>.dead-letters.ndjson).",
    exclusive: ['checkpoint', 'org-id']
  }),
  checkpoint: Flags.file({
    summary: "The relay's checkpoint file: its dead letters are the file next to it.",
    exclusive: ['dead-letter', 'org-id']
  }),
  connection: Flags.file({
    summary: `${connectionFlags.connection.summary} The org whose dead letters these are.`,
    exists: true,
    exclusive: ['credentials']
  }),
  credentials: Flags.file({
    summary: connectionFlags.credentials.summary,
    exists: true,
    exclusive: ['connection']
  }),
  'org-id': Flags.string({
    summary:
      'An org of the relay service: its dead letters in the database (--database-url or TETHR_DATABASE_URL).',
    exclusive: ['dead-letter', 'checkpoint', 'connection', 'credentials']
  }),
  'database-url': databaseUrlFlag,
  'session-id': sessionIdSchemeFlag
};

export const reasonFlag = Flags.option({
  summary: 'Only letters with this reason.',
  options: DEAD_LETTER_REASONS
})();

export interface DeadLetterSourceFlags {
  'dead-letter'?: string;
  checkpoint?: string;
  connection?: string;
  credentials?: string;
  'org-id'?: string;
  'database-url'?: string;
  'session-id'?: SessionIdScheme;
}

export interface OpenedDeadLetters {
  store: DeadLetterStore;
  /** the file, or relay_dead_letters (org ...) in the database */
  source: string;
  /** the org, when known: from the connection, the tenant, or the letters themselves */
  orgId: string | null;
  connection?: OrgConnection;
  /** the connection file's flag and path, to repeat in a follow-up command */
  connectionArgs?: string;
  sessionIdScheme: SessionIdScheme;
  serviceOrg?: ServiceOrg;
  close(): Promise<void>;
}

/** Opens the store the flags name (see above). `needConnection`: retry must reach the org. */
export async function openDeadLetters(
  flags: DeadLetterSourceFlags,
  command: string,
  options: { needConnection?: boolean } = {}
): Promise<OpenedDeadLetters> {
  if (flags['org-id']) {
    const serviceOrg = await openServiceOrg(flags['database-url'], flags['org-id'], `tethr-sf ${command}`);
    try {
      return {
        store: serviceOrg.deadLetters,
        source: `${serviceOrg.deadLetters.location} in ${serviceOrg.database.describe}`,
        orgId: serviceOrg.orgId,
        connection: serviceOrg.connection,
        sessionIdScheme: resolveSessionIdScheme(flags['session-id'], serviceOrg),
        serviceOrg,
        close: () => serviceOrg.close()
      };
    } catch (error) {
      await serviceOrg.close();
      throw error;
    }
  }
  const connectionPath = flags.connection ?? flags.credentials;
  const connection = connectionPath ? await readConnection(connectionPath) : undefined;
  if (options.needConnection && !connection)
    throw messages.createError('error.RetryNeedsConnection', [
      flags['dead-letter'] ?? flags.checkpoint ?? ''
    ]);
  const path =
    flags['dead-letter'] ??
    (flags.checkpoint
      ? defaultDeadLetterPath(flags.checkpoint)
      : connection
        ? defaultDeadLetterPath(defaultCheckpointPath(connection.orgId))
        : undefined);
  if (!path) throw messages.createError('error.NoDeadLetters', [], [WHERE.map((f) => `--${f}`).join(', ')]);
  const store = new DeadLetterFile(path, connection ? { orgId: connection.orgId } : {});
  return {
    store,
    source: path,
    orgId: connection?.orgId ?? null,
    ...(connection ? { connection } : {}),
    ...(connectionPath
      ? { connectionArgs: `${flags.connection ? '--connection' : '--credentials'} ${connectionPath}` }
      : {}),
    sessionIdScheme: resolveSessionIdScheme(flags['session-id']),
    close: () => store.close()
  };
}

/** A dead letter as the commands show it: no payload. */
export interface DeadLetterView {
  id: string;
  /** when it was written */
  at: string;
  reason: string;
  /** Salesforce's or Tethr's answer, or what went wrong */
  detail: string;
  /** the Salesforce object (channel) */
  objectType: string | null;
  /** the Salesforce record id */
  recordId: string | null;
  /** the Tethr session id the record is sent under */
  sessionId: string | null;
  eventId: string | null;
  replayId: string | null;
  /** when it was sent again and delivered (dead-letters retry) */
  retriedAt: string | null;
  /** the letter holds a payload (customer text): dead-letters show --payload prints it */
  hasPayload: boolean;
}

export function viewOf(letter: DeadLetterSummary, opened: OpenedDeadLetters): DeadLetterView {
  const recordId = recordIdOf(letter);
  const orgId = letter.orgId ?? opened.orgId;
  return {
    id: letter.id,
    at: letter.at,
    reason: letter.reason,
    detail: letter.detail,
    objectType: letter.objectType,
    recordId,
    sessionId: recordId && orgId ? tethrSessionId(orgId, recordId, opened.sessionIdScheme) : null,
    eventId: letter.eventId,
    replayId: letter.replayId,
    retriedAt: letter.retriedAt,
    hasPayload: letter.hasPayload
  };
}

/** How to name the letters in a follow-up command: --dead-letter <file> or --org-id <id>. */
export function sourceArgs(flags: DeadLetterSourceFlags, opened: OpenedDeadLetters): string {
  if (opened.serviceOrg) return `--org-id ${opened.serviceOrg.orgId}`;
  const file = flags['dead-letter']
    ? `--dead-letter ${flags['dead-letter']}`
    : flags.checkpoint
      ? `--checkpoint ${flags.checkpoint}`
      : '';
  return [file, opened.connectionArgs].filter(Boolean).join(' ');
}
