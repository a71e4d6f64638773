import { fromCredentialsBundle, type OrgConnection } from '../contracts/org-connection.ts';
import { readBundle } from '../org/credentials-bundle.ts';
import { readConnectionDocument } from '../relay/connection-source.ts';
import { openRelaySession } from '../relay/org-session.ts';
import type { RelaySession } from '../relay/relay-core.ts';
import { loadMessages } from '../shared/messages.ts';

// Where the relay commands get an org from: `--connection <file>` (v2 connection file, or a v1
// bundle, plain) or `--credentials <bundle>` (v1, plain or age-encrypted). One small factory so
// the commands switch together to the org module's readConnection / openIntegrationSession.

const messages = loadMessages('relay');

export interface LoadedConnection {
  connection: OrgConnection;
  /** the document to store (relay orgs add) */
  document: Record<string, unknown>;
  source: string;
}

export async function loadConnection(flags: { connection?: string; credentials?: string }): Promise<LoadedConnection> {
  if (Boolean(flags.connection) === Boolean(flags.credentials)) throw messages.createError('error.ConnectionOrCredentials');
  if (flags.connection) {
    const { connection, document } = await readConnectionDocument(flags.connection);
    return { connection, document, source: flags.connection };
  }
  const bundle = await readBundle(flags.credentials!);
  return {
    connection: fromCredentialsBundle(bundle),
    document: bundle as unknown as Record<string, unknown>,
    source: flags.credentials!
  };
}

export function sessionFor(connection: OrgConnection): RelaySession {
  return openRelaySession(connection);
}
