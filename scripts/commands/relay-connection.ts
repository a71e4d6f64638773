import type { OrgConnection } from '../contracts/org-connection.ts';
import { readConnectionDocument } from '../relay/connection-source.ts';

// Where the relay commands get an org from: `--connection <file>` (v2 connection file) or
// `--credentials <bundle>` (v1); either flag takes either format, plain or age-encrypted (the
// flags are backfill's and verify's, window-flags.ts). `relay orgs add` stores the document.

export interface LoadedConnection {
  connection: OrgConnection;
  /** the document to store (relay orgs add) */
  document: Record<string, unknown>;
  source: string;
}

export async function loadConnection(flags: {
  connection?: string;
  credentials?: string;
}): Promise<LoadedConnection> {
  const source = flags.connection ?? flags.credentials!;
  const { connection, document } = await readConnectionDocument(source);
  return { connection, document, source };
}
