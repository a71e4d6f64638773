import { readFile } from 'node:fs/promises';
import { SfError } from '@salesforce/core/sfError';
import type { Channel } from '../org/credentials-bundle.ts';
import { writePrivateFileAtomic } from '../shared/private-file.ts';

// Backfill progress per channel: the close time of the last record whose batch was fully
// delivered. A restart queries from that time again (>=), so a record is never skipped; records
// sharing that exact time may be sent twice, which Tethr's sessionId makes harmless.
export const CURSOR_SCHEMA = 'tethr-backfill-cursor/v1';

export interface BackfillCursor {
  schema: typeof CURSOR_SCHEMA;
  orgId: string;
  since: string;
  until: string;
  channels: Partial<
    Record<Channel, { after: string | null; done: boolean; delivered: number; deadLettered: number }>
  >;
}

export async function loadCursor(
  path: string,
  fresh: Omit<BackfillCursor, 'schema' | 'channels'>
): Promise<BackfillCursor> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { schema: CURSOR_SCHEMA, ...fresh, channels: {} };
    throw error;
  }
  const cursor = JSON.parse(text) as BackfillCursor;
  if (
    cursor.schema !== CURSOR_SCHEMA ||
    cursor.orgId !== fresh.orgId ||
    cursor.since !== fresh.since ||
    cursor.until !== fresh.until
  ) {
    throw new SfError(
      `Cursor file ${path} belongs to another backfill (org ${cursor.orgId}, ${cursor.since} .. ${cursor.until}).`,
      'BackfillCursorMismatch',
      [`Rerun with the same --since/--until to resume it, or give this window its own --cursor file.`]
    );
  }
  return cursor;
}

export function saveCursor(path: string, cursor: BackfillCursor): Promise<void> {
  return writePrivateFileAtomic(path, `${JSON.stringify(cursor, null, 2)}\n`);
}
