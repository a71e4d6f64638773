import { stat, readFile } from 'node:fs/promises';
import { isConnectionFile, parseConnectionFile } from '../contracts/connection-file.ts';
import { isCredentialsBundle, parseBundle } from '../contracts/credentials-bundle.ts';
import { fromConnectionFile, fromCredentialsBundle, type OrgConnection } from '../contracts/org-connection.ts';
import { loadMessages } from '../shared/messages.ts';

const messages = loadMessages('relay');

/** A connection as the relay service stores it: the document as given, and what it means. */
export interface StoredConnection {
  connection: OrgConnection;
  /** the JSON document (v2 connection file or v1 bundle), kept as is so it can be parsed again */
  document: Record<string, unknown>;
}

/** Parses a stored document (v2 connection file or v1 bundle) into the org connection. */
export function connectionFromDocument(document: unknown, source: string): OrgConnection {
  if (isCredentialsBundle(document)) return fromCredentialsBundle(parseBundle(document, source));
  if (isConnectionFile(document)) return fromConnectionFile(parseConnectionFile(document, source));
  // Neither schema: let the v2 parser name the problem.
  return fromConnectionFile(parseConnectionFile(document, source));
}

/**
 * Reads a plain (not encrypted) v2 connection file or v1 bundle, refusing one that other users
 * can read. The org module's readConnection replaces this once it is on main.
 */
export async function readConnectionDocument(path: string): Promise<StoredConnection> {
  let text: string;
  let mode: number;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw messages.createError('error.ConnectionFileUnreadable', [path, (error as Error).message]);
  }
  if ((mode & 0o077) !== 0) {
    throw messages.createError('error.ConnectionFileTooOpen', [path, (mode & 0o777).toString(8)], [path]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw messages.createError('error.ConnectionFileUnreadable', [path, (error as Error).message]);
  }
  return { connection: connectionFromDocument(document, path), document: document as Record<string, unknown> };
}
