import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Channel } from '../contracts/channels.ts';
import { loadMessages } from '../shared/messages.ts';
import { writePrivateFileAtomic } from '../shared/private-file.ts';

// Backfill progress per channel: the close time of the last record whose batch was fully
// delivered. A restart queries from that time again (>=), so a record is never skipped; records
// sharing that exact time may be sent twice, which Tethr's sessionId makes harmless.
//
// A cursor belongs to one org and one window. The window's end is fixed when the cursor is
// created: a run without an explicit end takes "now" once and saves it, so running the same
// command again resumes (or reports as done) the same window instead of asking about a new one.
// By default every window has its own file, so later backfills of the same org (the "send the
// gap" recovery) never collide with earlier ones.
export const CURSOR_SCHEMA = 'tethr-backfill-cursor/v1';

const messages = loadMessages('backfill');

export interface ChannelProgress {
  after: string | null;
  done: boolean;
  delivered: number;
  deadLettered: number;
}

export interface BackfillCursor {
  schema: typeof CURSOR_SCHEMA;
  orgId: string;
  since: string;
  until: string;
  channels: Partial<Record<Channel, ChannelProgress>>;
}

export interface CursorWindow {
  orgId: string;
  since: string;
  /** undefined: the end a previous run of this window saved, else `now()` */
  until: string | undefined;
}

/** .tethr/backfill-<orgId>-<since>[-<until>].cursor.json, times in ISO 8601 basic format. */
export function defaultCursorPath(window: CursorWindow): string {
  const parts = [
    window.orgId,
    basicFormat(window.since),
    ...(window.until ? [basicFormat(window.until)] : [])
  ];
  return join('.tethr', `backfill-${parts.join('-')}.cursor.json`);
}

/** The dead letters of every backfill of an org go to one file, whichever window they came from. */
export function defaultBackfillDeadLetterPath(orgId: string): string {
  return join('.tethr', `backfill-${orgId}.dead-letters.ndjson`);
}

/** The cursor of this window: the saved one when there is one, else a new one (not yet written). */
export async function openCursor(
  path: string,
  window: CursorWindow,
  now: () => number = Date.now
): Promise<{ cursor: BackfillCursor; resumed: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const until = window.until ?? new Date(now()).toISOString();
    return {
      cursor: { schema: CURSOR_SCHEMA, orgId: window.orgId, since: window.since, until, channels: {} },
      resumed: false
    };
  }
  let cursor: BackfillCursor;
  try {
    cursor = JSON.parse(text) as BackfillCursor;
  } catch (cause) {
    throw messages.createError('error.CursorUnreadable', [path], [path], cause);
  }
  if (
    cursor.schema !== CURSOR_SCHEMA ||
    cursor.orgId !== window.orgId ||
    cursor.since !== window.since ||
    (window.until !== undefined && cursor.until !== window.until)
  ) {
    throw messages.createError(
      'error.BackfillCursorMismatch',
      [path, cursor.orgId, cursor.since, cursor.until, window.orgId, window.since, window.until ?? 'now'],
      [cursor.since, cursor.until]
    );
  }
  return { cursor, resumed: true };
}

export function saveCursor(path: string, cursor: BackfillCursor): Promise<void> {
  return writePrivateFileAtomic(path, `${JSON.stringify(cursor, null, 2)}\n`);
}

/** 2026-12-01T07:50:00.000Z -> 20261201T075000Z (milliseconds kept when there are any). */
function basicFormat(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.000Z$/, 'Z');
}
