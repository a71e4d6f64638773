import type { OrgConnection } from '../contracts/org-connection.ts';
import { parseConnection, readConnectionOrBundle, type ReadOptions } from '../org/connection-files.ts';
import { fromConnectionFile, fromCredentialsBundle } from '../contracts/org-connection.ts';

/** A connection as the relay service stores it: the document as given, and what it means. */
export interface StoredConnection {
  connection: OrgConnection;
  /** the JSON document (v2 connection file or v1 bundle), kept as is so it can be parsed again */
  document: Record<string, unknown>;
}

/** Parses a stored document (v2 connection file or v1 bundle) into the org connection. */
export function connectionFromDocument(document: unknown, source: string): OrgConnection {
  return parseConnection(document, source);
}

/**
 * Reads a v2 connection file or a v1 bundle (plain or age-encrypted; refused when others can read
 * it) and keeps the document itself, decrypted, for the tenant table.
 */
export async function readConnectionDocument(
  path: string,
  options: ReadOptions = {}
): Promise<StoredConnection> {
  const parsed = await readConnectionOrBundle(path, options);
  if (parsed.kind === 'connection')
    return {
      connection: fromConnectionFile(parsed.file),
      document: parsed.file as unknown as Record<string, unknown>
    };
  return {
    connection: fromCredentialsBundle(parsed.bundle),
    document: parsed.bundle as unknown as Record<string, unknown>
  };
}
